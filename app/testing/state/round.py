"""/testing/round/[round_id]: one round's live board, its sites and slots, ending it, the
lab's results and the list for the health centre."""

import dataclasses
from pathlib import Path

import reflex as rx

from app.accounts.state import SessionState
from app.db import session_scope
from app.errors import Forbidden, InvalidInput, ServiceError
from app.forms import form_id, form_text
from app.testing import service
from app.timeutil import to_local, utcnow

SHEETS = ("site", "slot", "end")
RESULTS = ("negative", "positive")


@dataclasses.dataclass
class BuildingLine:
    building_id: int
    number: str
    sampled: int
    due: int
    percent: int
    missed: int
    home_open: int


@dataclasses.dataclass
class CompoundLine:
    compound_id: int
    name: str
    sampled: int
    due: int
    percent: int
    missed: int
    home_open: int
    buildings: list[BuildingLine]


@dataclasses.dataclass
class SlotLine:
    id: int
    text: str  # "望江花园 3 08:00–08:30 · 120 人"


@dataclasses.dataclass
class SiteCard:
    id: int
    name: str
    place: str
    hours: str
    slots: list[SlotLine]
    slot_count: int


@dataclasses.dataclass
class ResultProblemRow:
    row: str
    value: str
    text: str


def _counts(tally: service.Tally) -> dict:
    return dict(
        sampled=tally.sampled,
        due=tally.due,
        percent=tally.percent,
        missed=tally.missed_households,
        home_open=tally.home_open,
    )


class TestingRoundState(SessionState):
    """One round for the office: refreshes its board by itself while open."""

    round_id: rx.Field[int] = rx.field(0)
    found: rx.Field[bool] = rx.field(False)
    name: rx.Field[str] = rx.field("")
    test_date: rx.Field[str] = rx.field("")
    mode: rx.Field[str] = rx.field("")
    is_open: rx.Field[bool] = rx.field(False)
    ended_at: rx.Field[str] = rx.field("")
    percent: rx.Field[int] = rx.field(0)
    end_text: rx.Field[str] = rx.field("")
    # (label, value, a small line under the value or "")
    tiles: rx.Field[list[tuple[str, str, str]]] = rx.field(default_factory=list)
    compounds: rx.Field[list[CompoundLine]] = rx.field(default_factory=list)
    expanded: rx.Field[list[int]] = rx.field(default_factory=list)
    checked_at: rx.Field[str] = rx.field("")
    sites: rx.Field[list[SiteCard]] = rx.field(default_factory=list)
    building_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    # Which sheet is open ("" none, else one of SHEETS), and the site a slot is for.
    sheet: rx.Field[str] = rx.field("")
    slot_site: rx.Field[int] = rx.field(0)
    slot_site_name: rx.Field[str] = rx.field("")
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # Results: what the last import did, or why the file was refused, row by row.
    imported: rx.Field[str] = rx.field("")
    file_error: rx.Field[str] = rx.field("")
    problems: rx.Field[list[ResultProblemRow]] = rx.field(default_factory=list)
    result_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    @rx.event
    def load(self):
        self.errors, self.result_errors, self.sheet, self.expanded = {}, {}, "", []
        self.imported, self.file_error, self.problems = "", "", []
        raw = str(self.router.page.params.get("round_id", ""))
        self.round_id = form_id(raw)
        with session_scope() as db:
            user = self.enter(db, "/testing/round")
            if user is None:
                return self.bounce()
            try:
                self._board(db, user)
                self._sites(db, user)
            except ServiceError:
                self.found = False
                return None
        self.found = True
        return None

    def _board(self, db, user) -> None:
        board = service.board(db, user, self.round_id)
        r, total = board.round, board.total
        self.name, self.test_date, self.mode = r.name, r.test_date, r.mode
        self.is_open, self.ended_at, self.percent = r.open, r.ended_at, total.percent
        self.end_text = self.tr("tround.end_confirm", name=r.name)
        self.tiles = [
            (
                self.tr("tround.sampled"),
                f"{total.sampled:,}",
                self.tr("tround.due_of", due=f"{total.due:,}"),
            ),
            (self.tr("tround.missed"), f"{total.missed_households:,}", ""),
            (self.tr("tround.home_open"), f"{total.home_open:,}", ""),
            (self.tr("tround.tubes"), f"{board.tubes:,}", ""),
            (self.tr("tround.tubes_open"), f"{board.tubes_open:,}", ""),
            (self.tr("tround.positive"), f"{board.tubes_positive:,}", ""),
        ]
        self.compounds = [
            CompoundLine(
                compound_id=c.compound_id,
                name=c.name,
                buildings=[
                    BuildingLine(b.building_id, b.number, **_counts(b.tally)) for b in c.buildings
                ],
                **_counts(c.tally),
            )
            for c in board.compounds
        ]
        self.building_options = [
            (str(b.building_id), f"{c.name} {b.number}")
            for c in board.compounds
            for b in c.buildings
        ]
        self.checked_at = to_local(utcnow()).strftime("%H:%M:%S")

    def _sites(self, db, user) -> None:
        self.sites = [
            SiteCard(
                s.id,
                s.name,
                s.place,
                self.tr("tround.hours", opens=s.opens, closes=s.closes, capacity=s.capacity),
                [
                    SlotLine(
                        slot.id,
                        self.tr(
                            "tround.slot_line",
                            building=slot.building,
                            starts=slot.starts,
                            ends=slot.ends,
                            people=slot.people,
                        ),
                    )
                    for slot in s.slots
                ],
                len(s.slots),
            )
            for s in service.sites(db, user, self.round_id)
        ]

    @rx.event
    def refresh(self, _tick: str = ""):
        if not self.found or self.allowed_route != "/testing/round":
            return None
        with session_scope() as db:
            try:
                self._board(db, self.actor(db))
            except Forbidden:
                return rx.redirect("/login")
        return None

    @rx.event
    def toggle_compound(self, compound_id: int):
        if compound_id in self.expanded:
            self.expanded = [c for c in self.expanded if c != compound_id]
        else:
            self.expanded = [*self.expanded, compound_id]

    @rx.event
    def show_sheet(self, name: str):
        self.errors = {}
        self.sheet = name if name in SHEETS and name != "slot" else ""

    @rx.event
    def open_slot(self, site_id: int):
        site = next((s for s in self.sites if s.id == site_id), None)
        if site is None:
            return
        self.errors, self.sheet = {}, "slot"
        self.slot_site, self.slot_site_name = site.id, site.name

    @rx.event
    def close_sheet(self, is_open: bool):
        if not is_open:
            self.sheet = ""

    def _refused(self, exc: ServiceError) -> None:
        fields, text = self.describe(exc)
        if isinstance(exc, InvalidInput):
            # The shared "ends before start" words speak of dates: these are times of day.
            for name, code in exc.fields.items():
                if code == "errors.ends_before_start":
                    fields[name] = self.tr("tround.time_order")
        self.errors = fields or {"_": text}

    @rx.event
    def add_site(self, form: dict):
        data = {
            "name": form_text(form, "name"),
            "place": form_text(form, "place"),
            "opens": form_text(form, "opens"),
            "closes": form_text(form, "closes"),
            "capacity": form_text(form, "capacity").strip(),
        }
        with session_scope() as db:
            user = self.actor(db)
            try:
                site = service.add_site(db, user, self.round_id, data)
            except ServiceError as exc:
                self._refused(exc)
                return None
            name = site.name
            self._sites(db, user)
        self.sheet = ""
        return rx.toast.success(self.tr("tround.site_added", name=name))

    @rx.event
    def add_slot(self, form: dict):
        data = {
            "building_id": form_id(form.get("building_id")),
            "starts": form_text(form, "starts"),
            "ends": form_text(form, "ends"),
        }
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.add_slot(db, user, self.slot_site, data)
            except ServiceError as exc:
                self._refused(exc)
                return None
            self._sites(db, user)
        self.sheet = ""
        return rx.toast.success(self.tr("tround.slot_added"))

    @rx.event
    def end_round(self):
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.end_round(db, user, self.round_id)
            except ServiceError as exc:
                self.sheet = ""
                return rx.toast.error(self.describe(exc)[1])
            self._board(db, user)
        self.sheet = ""
        return rx.toast.success(self.tr("tround.ended_toast"))

    def _imported(self, outcome: service.ResultImport) -> str:
        return self.tr(
            "tround.imported",
            tubes=outcome.tubes,
            negative=outcome.negative,
            positive=outcome.positive,
            unchanged=outcome.unchanged,
            retest=outcome.retest,
        )

    @rx.event
    async def upload_results(self, files: list[rx.UploadFile]):
        if not files:
            return None
        upload = files[0]
        content = await upload.read()
        filename = Path(upload.name or "results").name
        self.imported, self.file_error, self.problems = "", "", []
        with session_scope() as db:
            user = self.actor(db)
            try:
                outcome = service.import_results(db, user, self.round_id, filename, content)
            except service.ResultsHaveErrors as exc:
                self.file_error = self.describe(exc)[1]
                self.problems = [
                    ResultProblemRow(
                        self.tr("tround.problem_row", row=p.row), p.value, self.tr(p.code)
                    )
                    for p in exc.problems[:100]
                ]
                return None
            except ServiceError as exc:
                self.file_error = self.describe(exc)[1]
                return None
            self._board(db, user)
        self.imported = self._imported(outcome)
        return rx.toast.success(self.imported)

    @rx.event
    def record_result(self, form: dict):
        self.result_errors = {}
        barcode, result = form_text(form, "barcode").strip(), form_text(form, "result")
        if not barcode:
            self.result_errors = {"barcode": self.tr("errors.missing")}
            return None
        if result not in RESULTS:
            self.result_errors = {"result": self.tr("errors.enum")}
            return None
        with session_scope() as db:
            user = self.actor(db)
            try:
                outcome = service.record_result(db, user, self.round_id, barcode, result)
            except service.ResultsHaveErrors as exc:
                code = exc.problems[0].code if exc.problems else exc.code
                self.result_errors = {"barcode": self.tr(code)}
                return None
            except ServiceError as exc:
                self.result_errors = {"barcode": self.describe(exc)[1]}
                return None
            self._board(db, user)
        self.imported = self._imported(outcome)
        return [rx.set_value("barcode", ""), rx.toast.success(self.imported)]

    @rx.event
    def export(self):
        with session_scope() as db:
            try:
                data = service.round_export(db, self.actor(db), self.round_id)
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
        stamp = to_local(utcnow()).strftime("%Y%m%d")
        return rx.download(data=data, filename=f"核酸送检名单-{self.name}-{stamp}.xlsx")
