"""Registry states: search, the household file, places and grids, the audit log.
They call the community service and hold only what the pages show."""

import dataclasses

import reflex as rx
from sqlmodel import Session

from app.accounts.models import User
from app.accounts.state import SessionState
from app.community import service
from app.community.models import CARE_FLAGS
from app.db import session_scope
from app.errors import Forbidden, ServiceError


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

    hits: list[Hit] = []
    query: str = ""

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

    household_id: int = 0
    address: str = ""
    compound: str = ""
    grid: str = ""
    members: list[Member] = []
    can_edit: bool = False
    can_reveal: list[str] = []
    # Full numbers shown after an explicit, audited reveal: "<member id>:<field>" → number.
    revealed: dict[str, str] = {}
    # The member form: "" closed, "new" adding, else the member's id.
    editing: str = ""
    draft: dict[str, str] = {}
    draft_flags: list[str] = []
    errors: dict[str, str] = {}
    message: str = ""

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
                    service.update_resident(db, user, int(self.editing), data)
            except ServiceError as exc:
                self.errors, self.message = self.describe(exc)
                return
            self._show(db, user)
        self.editing, self.revealed = "", {}
        return rx.toast.success(self.tr("household.saved"))


class PlacesState(SessionState):
    """Compounds, buildings and grids of the staff member's community."""

    compounds: list[CompoundRow] = []
    grids: list[GridRow] = []
    grid_options: list[tuple[str, str]] = []
    compound_options: list[tuple[str, str]] = []
    errors: dict[str, str] = {}
    form: str = ""  # which form reported `errors`: compound, building, grid

    def _refresh(self, db: Session, user: User) -> None:
        community_id = user.community_id
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

    @rx.event
    def load(self):
        self.errors, self.form = {}, ""
        with session_scope() as db:
            user = self.enter(db, "/registry/places")
            if user is None:
                return self.bounce()
            self._refresh(db, user)

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
        data["number"] = str(form.get("number", ""))
        data.setdefault("compound_id", None)
        return self._run("building", lambda db, user: service.add_building(db, user, data))

    @rx.event
    def add_grid(self, form: dict):
        return self._run(
            "grid", lambda db, user: service.add_grid(db, user, user.community_id, form)
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
    lines: list[AuditLine] = []
    more: bool = False

    def _page(self, offset: int) -> None:
        with session_scope() as db:
            user = self.actor(db)
            rows = service.audit_log(db, user, user.community_id, offset, 51)
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
