"""Registry states: search, the household file, places and grids, the audit log.
They call the community service and hold only what the pages show."""

import asyncio
import dataclasses
from pathlib import Path

import reflex as rx
from sqlmodel import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.accounts.state import SessionState
from app.community import register_io, service
from app.community.models import CARE_FLAGS
from app.db import session_scope
from app.errors import Forbidden, ServiceError
from app.forms import form_id, form_text
from app.timeutil import to_local, utcnow


@dataclasses.dataclass
class Hit:
    household_id: int
    address: str
    name: str
    detail: str


@dataclasses.dataclass
class Member:
    id: int
    name: str
    sex: str
    age: str
    birth_date: str
    relation: str
    residency: str
    mobile: str
    id_number: str
    moved_in: str
    moved_out: str
    flags: list[str]


@dataclasses.dataclass
class BuildingRow:
    id: int
    number: str
    units: int
    households: int
    grid_id: str


@dataclasses.dataclass
class CompoundRow:
    id: int
    name: str
    households: int
    buildings: list[BuildingRow]


@dataclasses.dataclass
class VolunteerRow:
    id: int
    name: str
    mobile: str
    grid_id: str


@dataclasses.dataclass
class GridRow:
    id: int
    name: str
    worker: str
    buildings: int
    households: int
    volunteers: int


@dataclasses.dataclass
class AuditLine:
    at: str
    actor: str
    action: str
    subject: str
    detail: str


class RegistryState(SessionState):
    """Find any household or person: results as you type."""

    hits: rx.Field[list[Hit]] = rx.field(default_factory=list)
    query: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        with session_scope() as db:
            if self.enter(db, "/registry") is None:
                return self.bounce()
        self.hits, self.query = [], ""

    @rx.event
    def search(self, text: str):
        self.query = text.strip()
        with session_scope() as db:
            try:
                found = service.search(db, self.actor(db), self.query)
            except Forbidden:
                return rx.redirect("/login")
        self.hits = [Hit(h.household_id, h.address, h.name, h.detail) for h in found]


def _member(m: service.MemberView) -> Member:
    return Member(
        id=m.id,
        name=m.name,
        sex=m.sex,
        age="" if m.age is None else str(m.age),
        birth_date=m.birth_date,
        relation=m.relation,
        residency=m.residency,
        mobile=m.mobile,
        id_number=m.id_number,
        moved_in=m.moved_in,
        moved_out=m.moved_out,
        flags=m.flags,
    )


class HouseholdState(SessionState):
    """一户一档: one household's file, with member editing and audited reveals."""

    household_id: rx.Field[int] = rx.field(0)
    address: rx.Field[str] = rx.field("")
    compound: rx.Field[str] = rx.field("")
    grid: rx.Field[str] = rx.field("")
    members: rx.Field[list[Member]] = rx.field(default_factory=list)
    can_edit: rx.Field[bool] = rx.field(False)
    can_reveal: rx.Field[list[str]] = rx.field(default_factory=list)
    # Full numbers shown after an explicit, audited reveal: "<member id>:<field>" → number.
    revealed: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # The member form: "" closed, "new" adding, else the member's id.
    editing: rx.Field[str] = rx.field("")
    draft: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    draft_flags: rx.Field[list[str]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")

    def _show(self, db: Session, user: User) -> None:
        view = service.household_file(db, user, self.household_id)
        self.address, self.compound, self.grid = view.address, view.compound, view.grid
        self.members = [_member(m) for m in view.members]
        self.can_edit, self.can_reveal = view.can_edit, view.can_reveal

    @rx.event
    def load(self):
        self.revealed, self.editing, self.errors, self.message = {}, "", {}, ""
        raw = str(self.router.page.params.get("household_id", ""))
        with session_scope() as db:
            user = self.enter(db, "/household")
            if user is None:
                return self.bounce()
            self.household_id = int(raw) if raw.isdigit() else 0
            try:
                self._show(db, user)
            except Forbidden:
                self.allowed_route, self.forbidden_route = "", "/household"
            except ServiceError as exc:
                self.address, self.members = "", []
                self.message = self.tr(exc.code)

    @rx.event
    def reveal(self, member_id: int, what: str):
        with session_scope() as db:
            try:
                number = service.reveal(db, self.actor(db), member_id, what)
            except ServiceError as exc:
                return rx.toast.error(self.tr(exc.code))
        self.revealed[f"{member_id}:{what}"] = number

    @rx.event
    def start_edit(self, member_id: int):
        member = next((m for m in self.members if m.id == member_id), None)
        if member is None:
            return
        self.editing, self.errors, self.message = str(member_id), {}, ""
        self.draft = {
            k: str(getattr(member, k))
            for k in (
                "name",
                "sex",
                "birth_date",
                "relation",
                "residency",
                "mobile",
                "id_number",
                "moved_in",
                "moved_out",
            )
        }
        self.draft_flags = list(member.flags)

    @rx.event
    def start_add(self):
        self.editing, self.errors, self.message = "new", {}, ""
        self.draft = {"sex": "male", "residency": "permanent"}
        self.draft_flags = []

    @rx.event
    def set_form_open(self, is_open: bool):
        if not is_open:
            self.editing = ""

    @rx.event
    def save(self, form: dict):
        data = {k: v for k, v in form.items() if k not in CARE_FLAGS}
        data.update({flag: bool(form.get(flag)) for flag in CARE_FLAGS})
        self.errors, self.message = {}, ""
        with session_scope() as db:
            user = self.actor(db)
            try:
                if self.editing == "new":
                    service.add_resident(db, user, self.household_id, data)
                else:
                    # No member open (a save the page did not offer): member 0, not found.
                    service.update_resident(db, user, form_id(self.editing), data)
            except ServiceError as exc:
                self.errors, self.message = self.describe(exc)
                return
            self._show(db, user)
        self.editing, self.revealed = "", {}
        return rx.toast.success(self.tr("household.saved"))


class PlacesState(SessionState):
    """Compounds, buildings and grids of the staff member's community."""

    compounds: rx.Field[list[CompoundRow]] = rx.field(default_factory=list)
    grids: rx.Field[list[GridRow]] = rx.field(default_factory=list)
    grid_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    compound_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    volunteers: rx.Field[list[VolunteerRow]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    form: rx.Field[str] = rx.field("")  # which form reported `errors`: compound, building, grid
    # bumped on success: the forms remount empty; a refused one keeps its input
    saved: rx.Field[int] = rx.field(0)

    def _refresh(self, db: Session, user: User) -> None:
        community_id = self.community_of(user)
        self.compounds = [
            CompoundRow(
                c.id,
                c.name,
                c.households,
                [
                    BuildingRow(b.id, b.number, b.units, b.households, str(b.grid_id or ""))
                    for b in c.buildings
                ],
            )
            for c in service.places(db, user, community_id)
        ]
        self.compound_options = [(str(c.id), c.name) for c in self.compounds]
        views = service.grids(db, user, community_id)
        self.grids = [
            GridRow(
                g.id,
                g.name,
                " ".join(p for p in (g.worker_name, g.worker_mobile) if p),
                g.buildings,
                g.households,
                g.volunteers,
            )
            for g in views
        ]
        self.grid_options = [(str(g.id), g.name) for g in views]
        self.volunteers = [
            VolunteerRow(v.id, v.name, v.mobile, str(v.grid_id or ""))
            for v in service.grid_volunteers(db, user, community_id)
        ]

    @rx.event
    def load(self):
        self.errors, self.form = {}, ""
        return self.load_page("/registry/places", self._refresh)

    def _run(self, form_name: str, action):
        self.errors, self.form = {}, form_name
        with session_scope() as db:
            user = self.actor(db)
            try:
                action(db, user)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return None
            self._refresh(db, user)
        self.saved += 1
        return rx.toast.success(self.tr("places.saved"))

    @rx.event
    def add_compound(self, form: dict):
        return self._run(
            "compound", lambda db, user: service.add_compound(db, user, user.community_id, form)
        )

    @rx.event
    def add_building(self, form: dict):
        data = {
            k: form.get(k) or None for k in ("compound_id", "units", "floors", "doors_per_floor")
        }
        data = {k: v for k, v in data.items() if v is not None}
        data["number"] = form_text(form, "number")
        data.setdefault("compound_id", None)
        return self._run("building", lambda db, user: service.add_building(db, user, data))

    @rx.event
    def add_grid(self, form: dict):
        return self._run(
            "grid", lambda db, user: service.add_grid(db, user, user.community_id, form)
        )

    @rx.event
    def assign_volunteer(self, user_id: int, grid_id: str):
        return self._run(
            "assign",
            lambda db, user: service.assign_volunteer_grid(
                db, user, user_id, int(grid_id) if grid_id else None
            ),
        )

    @rx.event
    def assign(self, building_id: int, grid_id: str):
        return self._run(
            "assign",
            lambda db, user: service.assign_building(
                db, user, building_id, int(grid_id) if grid_id else None
            ),
        )


class AuditState(SessionState):
    lines: rx.Field[list[AuditLine]] = rx.field(default_factory=list)
    more: rx.Field[bool] = rx.field(False)

    def _page(self, offset: int) -> None:
        with session_scope() as db:
            user = self.actor(db)
            rows = service.audit_log(db, user, self.community_of(user), offset, 51)
        self.more = len(rows) > 50
        self.lines = self.lines[:offset] + [AuditLine(**dataclasses.asdict(r)) for r in rows[:50]]

    @rx.event
    def load(self):
        with session_scope() as db:
            if self.enter(db, "/registry/audit") is None:
                return self.bounce()
        self.lines = []
        self._page(0)

    @rx.event
    def load_more(self):
        self._page(len(self.lines))


@dataclasses.dataclass
class ColumnChoice:
    key: str
    label: str
    required: bool
    chosen: str  # the file's column index, "" for none


@dataclasses.dataclass
class Problem:
    row: int
    column: str
    value: str
    text: str


NONE = "-"  # a select's "none"/"all" choice (Radix selects cannot hold an empty value)


def _read(filename: str, path: str, sheet: str | None) -> register_io.Table:
    return register_io.read_upload(filename, path, sheet)


class RegisterIoState(SessionState):
    """Import the roster from .xlsx/.csv (map columns, check, import in one go) and export it.

    The uploaded file waits in the private upload folder, not in page state, until it is
    imported, cancelled or replaced; checking and importing run in a worker thread while the
    page shows progress."""

    filename: rx.Field[str] = rx.field("")
    sheet: rx.Field[str] = rx.field("")
    sheets: rx.Field[list[str]] = rx.field(default_factory=list)
    headers: rx.Field[list[str]] = rx.field(default_factory=list)
    header_note: rx.Field[str] = rx.field("")  # which spreadsheet row was read as the header
    columns: rx.Field[list[ColumnChoice]] = rx.field(default_factory=list)
    preview: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    file_error: rx.Field[str] = rx.field("")
    busy: rx.Field[bool] = rx.field(False)
    progress: rx.Field[int] = rx.field(0)  # percent
    checked: rx.Field[bool] = rx.field(False)
    summary: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    problems: rx.Field[list[Problem]] = rx.field(default_factory=list)
    problem_count: rx.Field[int] = rx.field(0)
    done: rx.Field[str] = rx.field("")
    # export filters
    compound_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    grid_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    _path: str = ""

    @rx.event
    def load(self):
        with session_scope() as db:
            user = self.enter(db, "/registry/import")
            if user is None:
                return self.bounce()
            community_id = self.community_of(user)
            self.compound_options = [
                (str(c.id), c.name) for c in service.places(db, user, community_id)
            ]
            self.grid_options = [(str(g.id), g.name) for g in service.grids(db, user, community_id)]
        self._reset_file()

    def _reset_file(self) -> None:
        register_io.discard_upload(self._path)
        self._path = ""
        self.filename = self.sheet = self.file_error = self.done = self.header_note = ""
        self.sheets, self.headers, self.columns, self.preview = [], [], [], []
        self._reset_check()

    def _reset_check(self) -> None:
        self.checked, self.summary, self.problems, self.problem_count = False, [], [], 0
        self.progress = 0

    def _source(self) -> tuple[str, str, str | None]:
        return self.filename, self._path, self.sheet or None

    def _table(self) -> register_io.Table:
        return _read(*self._source())

    def _mapping(self) -> dict[str, int | None]:
        return {c.key: int(c.chosen) if c.chosen else None for c in self.columns}

    def _show_table(self, table: register_io.Table, mapping: dict[str, int | None]) -> None:
        self.sheet, self.sheets, self.headers = table.sheet, table.sheets, table.headers
        self.header_note = self.tr("roster.header_row", row=table.header_row)
        label = "en" if self.locale == "en" else "zh"
        self.columns = [
            ColumnChoice(
                c.key,
                getattr(c, label),
                c.required,
                "" if mapping.get(c.key) is None else str(mapping[c.key]),
            )
            for c in register_io.ROSTER_COLUMNS
        ]
        self.preview = [
            [row[i] if i is not None and i < len(row) else "" for i in mapping.values()]
            for row in table.rows[:3]
        ]

    @rx.event
    async def receive(self, files: list[rx.UploadFile]):
        # The dropzone calls this with no files when it refuses one; `rejected` says why, and
        # may have said it already (the two race), so leave its message alone.
        if not files:
            return
        self._reset_file()
        upload = files[0]
        content = await upload.read()
        self.filename = Path(upload.name or "roster").name
        try:
            table = register_io.read_table(self.filename, content)
        except ServiceError as exc:
            self.file_error = self.tr(exc.code, **exc.params)
            self.filename = ""
            return
        self._path = register_io.keep_upload(self.filename, content)
        self._show_table(table, register_io.guess_mapping(table.headers))

    @rx.event
    def cancel(self):
        """Put the chosen file away without importing it."""
        if not self.busy:
            self._reset_file()

    @rx.event
    def rejected(self):
        """The dropzone refused the file: the only limit it checks is the size."""
        self._reset_file()
        self.file_error = self.tr("errors.file_too_large", mb=register_io.MAX_BYTES // 2**20)

    @rx.event
    def choose_sheet(self, sheet: str):
        self.sheet = sheet
        self._reset_check()
        try:
            table = self._table()
        except ServiceError as exc:
            self.file_error = self.tr(exc.code, **exc.params)
            return
        self._show_table(table, register_io.guess_mapping(table.headers))

    @rx.event
    def choose_column(self, key: str, index: str):
        self._reset_check()
        for column in self.columns:
            if column.key == key:
                column.chosen = "" if index == NONE else index
        mapping = self._mapping()
        table = self._table()
        self._show_table(table, mapping)

    async def _in_thread(self, work) -> None:
        """Run `work(session, actor, progress)` in a thread, pushing its progress here."""
        async with self:
            token, self.busy, self.progress, self.done = self.token, True, 0, ""
        seen = {"done": 0, "total": 1}

        def progress(done: int, total: int) -> None:
            seen["done"], seen["total"] = done, max(total, 1)

        def run():
            with session_scope() as db:
                return work(db, accounts.user_for_token(db, token), progress)

        task = asyncio.ensure_future(asyncio.to_thread(run))
        while not task.done():
            await asyncio.sleep(0.3)
            async with self:
                self.progress = int(100 * seen["done"] / seen["total"])
        try:
            outcome = task.result()
        except register_io.ImportHasErrors as exc:
            outcome = exc.plan
        except ServiceError as exc:
            async with self:
                self.busy, self.file_error = False, self.tr(exc.code, **exc.params)
            return
        async with self:
            self.busy, self.progress = False, 100
            self._show_outcome(outcome)

    def _show_outcome(self, outcome) -> None:
        if isinstance(outcome, register_io.ImportResult):
            self._reset_file()
            self.done = self.tr(
                "roster.done",
                created=outcome.residents_created,
                updated=outcome.residents_updated,
                unchanged=outcome.residents_unchanged,
                households=outcome.households_created,
            )
            self.checked = False
            return
        plan: register_io.ImportPlan = outcome
        self.checked = True
        self.summary = [
            (self.tr("roster.rows"), str(plan.rows)),
            (self.tr("roster.to_create"), str(plan.residents_to_create)),
            (self.tr("roster.to_update"), str(plan.residents_to_update)),
            (self.tr("roster.unchanged"), str(plan.residents_unchanged)),
            (self.tr("roster.new_doors"), str(plan.households_to_create)),
        ]
        self.problem_count = len(plan.errors)
        self.problems = [
            Problem(e.row, e.column, e.value, self.tr(e.code, **e.params))
            for e in plan.errors[:100]
        ]

    @rx.event(background=True)
    async def check(self):
        async with self:
            community_id, mapping, source = self._community_id(), self._mapping(), self._source()
        table = await asyncio.to_thread(_read, *source)
        await self._in_thread(
            lambda db, actor, progress: register_io.plan_import(
                db, actor, community_id, table, mapping, progress
            )
        )

    @rx.event(background=True)
    async def run_import(self):
        async with self:
            community_id, mapping, source = self._community_id(), self._mapping(), self._source()
        table = await asyncio.to_thread(_read, *source)
        await self._in_thread(
            lambda db, actor, progress: register_io.import_roster(
                db, actor, community_id, table, mapping, progress
            )
        )

    def _community_id(self) -> int:
        with session_scope() as db:
            return self.community_of(self.actor(db))

    @rx.event
    def download_problems(self):
        with session_scope() as db:
            try:
                plan = register_io.plan_import(
                    db, self.actor(db), self._community_id(), self._table(), self._mapping()
                )
            except ServiceError as exc:
                return rx.toast.error(self.tr(exc.code, **exc.params))
        return rx.download(
            data=register_io.error_report(
                plan, self.locale, lambda code, params: self.tr(code, **params)
            ),
            filename=f"{Path(self.filename).stem}-问题清单.xlsx",
        )

    @rx.event
    def export(self, form: dict):
        # Blank or NONE is "all"; a filter that names nothing is refused, not dropped for the
        # whole roster.
        chosen = {
            k: v
            for k in ("compound_id", "grid_id", "flag")
            if (v := form.get(k, NONE)) not in ("", NONE)
        }
        with session_scope() as db:
            user = self.actor(db)
            try:
                data = register_io.export_roster(
                    db,
                    user,
                    self.community_of(user),
                    compound_id=form_id(chosen["compound_id"]) if "compound_id" in chosen else None,
                    grid_id=form_id(chosen["grid_id"]) if "grid_id" in chosen else None,
                    flag=str(chosen["flag"]) if "flag" in chosen else None,
                )
            except ServiceError as exc:
                return rx.toast.error(self.tr(exc.code, **exc.params))
            place = self.place
        stamp = to_local(utcnow()).strftime("%Y%m%d")
        return rx.download(data=data, filename=f"人员情况摸底表-{place}-{stamp}.xlsx")
