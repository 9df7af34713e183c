"""Screening states: thin layers over the screening service for the pages a volunteer uses in
the stairwell and the board staff watch from the office."""

import dataclasses
import uuid
from datetime import datetime

import reflex as rx

from app.accounts.state import SessionState
from app.community import service as community
from app.db import saved_id, session_scope
from app.errors import Forbidden, ServiceError
from app.forms import form_id, form_text
from app.screening import service
from app.screening.models import HealthCode, Symptom, TestStatus
from app.timeutil import to_local, utcnow
from app.volunteers import roster as rosters
from app.volunteers.service import list_compounds


def _toggled(items: list[int], item: int) -> list[int]:
    """The list with `item` added, or removed if it was there."""
    return [i for i in items if i != item] + ([] if item in items else [item])


@dataclasses.dataclass
class DoorChip:
    household_id: int
    label: str  # the door number
    outcome: str
    risk: int
    conflict: bool


@dataclasses.dataclass
class UnitRow:
    name: str
    doors: list[DoorChip]


@dataclasses.dataclass
class BuildingCard:
    round_id: int
    building_id: int
    name: str
    round_name: str
    done: int
    total: int
    units: list[UnitRow]


def _building_card(view: service.BuildingDoors) -> BuildingCard:
    units: dict[str, list[DoorChip]] = {}
    for d in view.doors:
        chip = DoorChip(d.household_id, d.door, d.outcome, d.risk, d.conflict)
        units.setdefault(d.unit, []).append(chip)
    return BuildingCard(
        round_id=view.round_id,
        building_id=view.building_id,
        name=view.name,
        round_name=view.round_name,
        done=view.done,
        total=len(view.doors),
        units=[UnitRow(name, doors) for name, doors in units.items()],
    )


class DoorsState(SessionState):
    """我的楼栋: the volunteer's buildings in the open round, door by door."""

    buildings: rx.Field[list[BuildingCard]] = rx.field(default_factory=list)
    next_href: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        with session_scope() as db:
            user = self.enter(db, "/doors")
            if user is None:
                return self.bounce()
            views = service.my_buildings(db, user)
        self.buildings = [_building_card(v) for v in views]
        self.next_href = service.next_door(views)


@dataclasses.dataclass
class Person:
    resident_id: int
    name: str
    detail: str  # sex, age, relation
    care: list[str]
    in_quarantine: bool


@dataclasses.dataclass
class Record:
    outcome: str
    by: str
    at: str
    by_phone: bool
    risk: int


def _form_person(form: dict, key: str) -> dict:
    """One person's answers, posted as `<field>-<key>` (symptoms as `sym-<key>-<symptom>`)."""
    return {
        "temperature": form_text(form, f"temperature-{key}").strip(),
        "symptoms": [s.value for s in Symptom if form.get(f"sym-{key}-{s.value}")],
        "travel": bool(form.get(f"travel-{key}")),
        "travel_place": form_text(form, f"travel_place-{key}"),
        "travel_date": form_text(form, f"travel_date-{key}"),
        "health_code": form_text(form, f"health_code-{key}") or HealthCode.GREEN.value,
        "test_status": form_text(form, f"test_status-{key}") or TestStatus.NEGATIVE.value,
    }


class VisitState(SessionState):
    """入户登记: one door, one visit. "All normal" saves the whole household in one tap."""

    round_id: rx.Field[int] = rx.field(0)
    household_id: rx.Field[int] = rx.field(0)
    round_name: rx.Field[str] = rx.field("")
    address: rx.Field[str] = rx.field("")
    people: rx.Field[list[Person]] = rx.field(default_factory=list)
    records: rx.Field[list[Record]] = rx.field(default_factory=list)
    conflict: rx.Field[bool] = rx.field(False)
    by_phone: rx.Field[bool] = rx.field(False)
    outcome: rx.Field[str] = rx.field("visited")
    # members not at home during the visit
    absent: rx.Field[list[int]] = rx.field(default_factory=list)
    # members whose full answers are shown
    opened: rx.Field[list[int]] = rx.field(default_factory=list)
    # slots for people found at the door who are not on the register
    found: rx.Field[list[int]] = rx.field(default_factory=list)
    client_id: rx.Field[str] = rx.field("")  # one per form: a double tap or resend stores one visit
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")
    saving: rx.Field[bool] = rx.field(False)

    @rx.event
    def load(self):
        params = self.router.page.params
        self.errors, self.message, self.saving = {}, "", False
        self.outcome, self.absent, self.opened, self.found = "visited", [], [], []
        self.by_phone = params.get("phone") == "1"
        self.client_id = uuid.uuid4().hex
        with session_scope() as db:
            user = self.enter(db, "/visit")
            if user is None:
                return self.bounce()
            r, h = str(params.get("r", "")), str(params.get("h", ""))
            self.round_id = int(r) if r.isdigit() else 0
            self.household_id = int(h) if h.isdigit() else 0
            try:
                view = service.visit_form(db, user, self.round_id, self.household_id)
            except ServiceError as exc:
                self.address, self.people, self.records = "", [], []
                self.message = self.tr(exc.code)
                return
        self.round_name, self.address, self.conflict = view.round_name, view.address, view.conflict
        self.people = [
            Person(
                m.resident_id,
                m.name,
                " · ".join(
                    x
                    for x in (
                        self.tr(f"sex.{m.sex}"),
                        self.tr("visit.age", age=m.age) if m.age is not None else "",
                        m.relation,
                    )
                    if x
                ),
                [self.tr(f"flag.{flag}") for flag in m.care],
                m.in_quarantine,
            )
            for m in view.members
        ]
        self.records = [Record(r.outcome, r.by, r.at, r.by_phone, r.risk) for r in view.records]

    @rx.event
    def clear_conflict(self):
        """Staff read both records and keep the latest."""
        with session_scope() as db:
            try:
                service.clear_conflict(db, self.actor(db), self.round_id, self.household_id)
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
        self.conflict = False
        return rx.toast.success(self.tr("visit.conflict_cleared"))

    @rx.event
    def set_outcome(self, value: str | list[str]):
        self.outcome = value if isinstance(value, str) else value[0]
        self.errors = {}

    @rx.event
    def toggle_absent(self, resident_id: int):
        self.absent = _toggled(self.absent, resident_id)

    @rx.event
    def toggle_open(self, resident_id: int):
        self.opened = _toggled(self.opened, resident_id)

    @rx.event
    def add_found(self):
        self.found = [*self.found, (max(self.found) + 1) if self.found else 1]

    @rx.event
    def remove_found(self, slot: int):
        self.found = [s for s in self.found if s != slot]

    @rx.event
    def all_normal(self):
        """Everyone on the register at home and well: one tap."""
        self.outcome, self.absent = "visited", []
        return self.save({})

    @rx.event
    def save(self, form: dict):
        if self.saving:
            return None
        self.errors, self.message = {}, ""
        present = [p for p in self.people if p.resident_id not in self.absent]
        data = {
            "client_id": self.client_id,
            "round_id": self.round_id,
            "household_id": self.household_id,
            "outcome": self.outcome,
            "by_phone": self.by_phone,
            "note": form_text(form, "note"),
            "people": [
                {"resident_id": p.resident_id} | _form_person(form, str(p.resident_id))
                for p in present
            ]
            if self.outcome == "visited"
            else [],
            "new_people": [
                {
                    "name": form_text(form, f"name-n{slot}"),
                    "sex": form_text(form, f"sex-n{slot}"),
                    "relation": form_text(form, f"relation-n{slot}"),
                    "mobile": form_text(form, f"mobile-n{slot}"),
                }
                | _form_person(form, f"n{slot}")
                for slot in self.found
            ]
            if self.outcome == "visited"
            else [],
        }
        self.saving = True
        with session_scope() as db:
            try:
                result = service.record_visit(db, self.actor(db), data)
            except ServiceError as exc:
                self.saving = False
                fields, text = self.describe(exc)
                self.errors = self._field_names(fields, present)
                if "people" in fields:  # about the household, not one field
                    self.message = fields["people"]
                else:
                    self.message = self.tr("visit.fix_marked") if fields else text
                return None
        cue = service.visit_cue(result)
        note = self.tr(cue[0], **cue[1]) if cue else self.tr(f"outcome.{result.outcome}")
        toast = rx.toast.warning(note) if result.risk else rx.toast.success(note)
        return [toast, rx.redirect("/today" if self.by_phone else "/doors")]

    def _field_names(self, fields: dict[str, str], present: list[Person]) -> dict[str, str]:
        """`people.<i>.<field>` → `<field>-<resident id>`, as the inputs are named."""
        named = {}
        for key, text in fields.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "people":
                named[f"{parts[2]}-{present[int(parts[1])].resident_id}"] = text
            elif len(parts) == 3 and parts[0] == "new_people":
                named[f"{parts[2]}-n{self.found[int(parts[1])]}"] = text
            else:
                named[key] = text
        return named


# ---------------------------------------------------------------- the office board


@dataclasses.dataclass
class BuildingBar:
    building_id: int
    name: str
    assignee: str
    percent: int
    done: int
    doors: int
    not_home: int
    refused: int
    risk: int
    conflicts: int


@dataclasses.dataclass
class CompoundBar:
    compound_id: int
    name: str
    weak: bool
    percent: int
    done: int
    doors: int
    not_home: int
    refused: int
    risk: int
    conflicts: int
    buildings: list[BuildingBar]


@dataclasses.dataclass
class RoundItem:
    id: int
    name: str
    dates: str
    open: bool
    percent: int


def _counts(tally: service.Tally) -> dict:
    return dict(
        percent=tally.percent,
        done=tally.done,
        doors=tally.doors,
        not_home=tally.not_home,
        refused=tally.refused,
        risk=tally.risk,
        conflicts=tally.conflicts,
    )


class BoardState(SessionState):
    """排查进度: rounds, and the coverage of the chosen one. Refreshes itself while open."""

    rounds: rx.Field[list[RoundItem]] = rx.field(default_factory=list)
    round_choices: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    round_id: rx.Field[int] = rx.field(0)
    round_open: rx.Field[bool] = rx.field(False)
    tiles: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    compounds: rx.Field[list[CompoundBar]] = rx.field(default_factory=list)
    progress: rx.Field[list[tuple[str, int]]] = rx.field(default_factory=list)
    weak_below: rx.Field[int] = rx.field(60)
    weak_from: rx.Field[str] = rx.field("")
    checked_at: rx.Field[str] = rx.field("")
    expanded: rx.Field[list[int]] = rx.field(default_factory=list)
    # The new-round sheet.
    starting: rx.Field[bool] = rx.field(False)
    compound_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    grid_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # The doors of one building (drill-down sheet).
    drill: rx.Field[BuildingCard | None] = rx.field(None)
    drill_assignee: rx.Field[str] = rx.field("")
    volunteer_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)

    @rx.event
    def load(self):
        self.errors, self.starting, self.drill = {}, False, None
        with session_scope() as db:
            user = self.enter(db, "/screening")
            if user is None:
                return self.bounce()
            self._rounds(db, user)
            wanted = str(self.router.page.params.get("r", ""))
            ids = [r.id for r in self.rounds]
            self.round_id = int(wanted) if wanted.isdigit() and int(wanted) in ids else 0
            if not self.round_id and ids:
                self.round_id = next((r.id for r in self.rounds if r.open), ids[0])
            self._board(db, user)

    def _rounds(self, db, user) -> None:
        self.rounds = [
            RoundItem(
                r.id,
                r.name,
                f"{r.starts_on[5:]} – {r.ends_on[5:]}",
                r.open,
                r.done * 100 // r.doors if r.doors else 0,
            )
            for r in service.rounds(db, user, user.community_id)
        ]
        self.round_choices = [(str(r.id), f"{r.name} · {r.dates}") for r in self.rounds]

    def _board(self, db, user) -> None:
        if not self.round_id:
            self.compounds, self.tiles, self.progress = [], [], []
            return
        board = service.coverage(db, user, self.round_id)
        total = board.total
        self.round_open = board.round.open
        self.tiles = [
            (self.tr("board.covered"), f"{total.percent}%"),
            (self.tr("board.doors_done", total=f"{total.doors:,}"), f"{total.done:,}"),
            (self.tr("outcome.not_home"), f"{total.not_home:,}"),
            (self.tr("outcome.refused"), f"{total.refused:,}"),
            (self.tr("board.risk"), f"{total.risk:,}"),
            (self.tr("board.conflicts"), f"{total.conflicts:,}"),
        ]
        self.compounds = [
            CompoundBar(
                compound_id=c.compound_id,
                name=c.name,
                weak=c.weak,
                buildings=[
                    BuildingBar(b.building_id, b.name, b.assignee, **_counts(b.tally))
                    for b in c.buildings
                ],
                **_counts(c.tally),
            )
            for c in board.compounds
        ]
        self.progress = board.progress[-14:]
        self.weak_below, self.weak_from = board.weak_below, board.weak_from.replace(" ", "T")
        self.checked_at = board.checked_at[11:]

    @rx.event
    def refresh(self, _tick: str = ""):
        if not self.round_id or self.allowed_route != "/screening":
            return None
        with session_scope() as db:
            user = self.actor(db)
            try:
                self._board(db, user)
            except Forbidden:
                return rx.redirect("/login")
        return None

    @rx.event
    def choose_round(self, round_id: str):
        self.round_id, self.expanded = int(round_id), []
        return BoardState.refresh

    @rx.event
    def toggle_compound(self, compound_id: int):
        self.expanded = _toggled(self.expanded, compound_id)

    @rx.event
    def open_start(self):
        self.errors, self.starting = {}, True
        with session_scope() as db:
            user = self.actor(db)
            community_id = self.community_of(user)
            nodes = community.places(db, user, community_id)
            self.compound_options = [(str(c.id), c.name) for c in nodes]
            self.grid_options = [
                (str(g.id), g.name) for g in community.grids(db, user, community_id)
            ]

    @rx.event
    def set_start_open(self, is_open: bool):
        self.starting = is_open

    @rx.event
    def start(self, form: dict):
        data = {
            "name": form_text(form, "name"),
            "kind": form_text(form, "kind") or "full",
            "starts_on": form_text(form, "starts_on"),
            "ends_on": form_text(form, "ends_on"),
            "compound_ids": [int(v) for v, _ in self.compound_options if form.get(f"c-{v}")],
            "grid_ids": [int(v) for v, _ in self.grid_options if form.get(f"g-{v}")],
        }
        with session_scope() as db:
            user = self.actor(db)
            try:
                started = service.start_round(db, user, self.community_of(user), data)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return None
            self.starting, self.round_id = False, saved_id(started)
            self._rounds(db, user)
            self._board(db, user)
        return rx.toast.success(self.tr("board.round_started", name=started.name))

    @rx.event
    def close_round(self):
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.close_round(db, user, self.round_id)
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
            self._rounds(db, user)
            self._board(db, user)
        return rx.toast.success(self.tr("board.round_closed"))

    @rx.event
    def save_weak(self, form: dict):
        self.errors = {}
        raw = form_text(form, "weak_from")
        try:
            moment = datetime.fromisoformat(raw).replace(tzinfo=to_local(utcnow()).tzinfo)
        except ValueError:
            self.errors = {"weak_from": self.tr("errors.datetime_parsing")}
            return None
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.set_weak_threshold(
                    db,
                    user,
                    self.round_id,
                    {"weak_below": form.get("weak_below") or 0, "weak_from": moment},
                )
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return None
            self._board(db, user)
        return rx.toast.success(self.tr("board.weak_saved"))

    @rx.event
    def open_building(self, building_id: int):
        with session_scope() as db:
            user = self.actor(db)
            view = service.building_doors(db, user, self.round_id, building_id)
            self.drill = _building_card(view)
            # "t<id>" a team, "u<id>" one volunteer.
            community_id = self.community_of(user)
            self.volunteer_options = [
                (f"t{team.id}", self.tr("board.team", name=team.name))
                for team in rosters.teams(db, user, community_id)
            ] + [
                (f"u{v.id}", f"{v.name} {v.mobile}")
                for v in community.grid_volunteers(db, user, community_id)
            ]
        bar = next(
            (b for c in self.compounds for b in c.buildings if b.building_id == building_id), None
        )
        self.drill_assignee = bar.assignee if bar else ""

    @rx.event
    def set_drill_open(self, is_open: bool):
        if not is_open:
            self.drill = None

    @rx.event
    def assign(self, choice: str):
        if self.drill is None:
            return None
        kind, number = choice[:1], choice[1:]
        person = int(number) if kind == "u" and number.isdigit() else None
        team = int(number) if kind == "t" and number.isdigit() else None
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.assign_buildings(
                    db, user, self.round_id, [self.drill.building_id], person, team
                )
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
            self._board(db, user)
        self.drill = None
        return rx.toast.success(self.tr("board.assigned"))


# ---------------------------------------------------------------- the day's lists


@dataclasses.dataclass
class PlanRow:
    id: int
    name: str
    address: str
    household_id: int
    day: str  # "第 4/14 天"
    checked_today: bool
    missed: int
    last_temperature: str
    abnormal: bool


@dataclasses.dataclass
class Callee:
    resident_id: int
    name: str
    mobile: str


@dataclasses.dataclass
class FollowUpRow:
    id: int
    round_id: int
    household_id: int
    address: str
    escalated: bool
    failed_calls: int
    callees: list[Callee]


@dataclasses.dataclass
class ListRow:
    household_id: int
    title: str
    detail: str
    warn: bool


def _plan_row(tr, p: service.PlanView) -> PlanRow:
    return PlanRow(
        p.id,
        p.name,
        p.address,
        p.household_id,
        tr("today.day_of", day=p.day, days=p.days),
        p.checked_today,
        p.missed,
        p.last_temperature,
        p.abnormal,
    )


class TodayState(SessionState):
    """今日工作: quarantine checks, phone follow-ups, arrivals, special care not yet seen."""

    plans: rx.Field[list[PlanRow]] = rx.field(default_factory=list)
    plans_due: rx.Field[int] = rx.field(0)
    follow_ups: rx.Field[list[FollowUpRow]] = rx.field(default_factory=list)
    arrivals: rx.Field[list[ListRow]] = rx.field(default_factory=list)
    care: rx.Field[list[ListRow]] = rx.field(default_factory=list)
    referrals: rx.Field[list[ListRow]] = rx.field(default_factory=list)
    tab: rx.Field[str] = rx.field("plans")
    # The daily-check sheet and the release sheet.
    checking: rx.Field[int] = rx.field(0)
    releasing: rx.Field[int] = rx.field(0)
    check_client_id: rx.Field[str] = rx.field("")
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # resident id → full number, after an audited reveal
    dialled: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    @rx.event
    def load(self):
        self.errors, self.checking, self.releasing, self.dialled = {}, 0, 0, {}
        with session_scope() as db:
            user = self.enter(db, "/today")
            if user is None:
                return self.bounce()
            self._refresh(db, user)

    def _refresh(self, db, user) -> None:
        lists = service.today_lists(db, user)
        tr = self.tr
        self.plans = [_plan_row(tr, p) for p in lists.plans]
        self.plans_due = sum(1 for p in lists.plans if not p.checked_today)
        self.follow_ups = [
            FollowUpRow(
                f.id,
                f.round_id,
                f.household_id,
                f.address,
                f.status == "escalated",
                f.failed_calls,
                [Callee(c.resident_id, c.name, c.mobile) for c in f.callees],
            )
            for f in lists.follow_ups
        ]
        self.arrivals = [
            ListRow(
                a.household_id,
                f"{a.name} · {a.address}",
                tr(
                    "today.arrival_detail",
                    place=a.from_place,
                    date=a.arrived_on[5:],
                    transport=tr(f"transport.{a.transport}"),
                    number=a.transport_no,
                ),
                a.risk >= 2,
            )
            for a in lists.arrivals
        ]
        self.care = [
            ListRow(
                c.household_id,
                f"{c.name} · {c.address}",
                "、".join(tr(f"flag.{f}") for f in c.care),
                False,
            )
            for c in lists.care_not_seen
        ]
        self.referrals = [
            ListRow(r.household_id, f"{r.name} · {r.address}", r.at, True) for r in lists.referrals
        ]

    @rx.event
    def set_tab(self, tab: str):
        self.tab = tab

    @rx.event
    def call(self, resident_id: int):
        """Show and dial the full number; revealing it is written to the access log."""
        with session_scope() as db:
            try:
                number = community.reveal(db, self.actor(db), resident_id, "mobile")
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
        self.dialled = {**self.dialled, str(resident_id): number}
        return rx.call_script(f"window.location.href = 'tel:{number}'")

    @rx.event
    def no_answer(self, follow_up_id: int):
        with session_scope() as db:
            user = self.actor(db)
            try:
                row = service.record_failed_call(db, user, follow_up_id)
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
            self._refresh(db, user)
        key = "today.escalated" if row.status == "escalated" else "today.call_logged"
        return rx.toast.info(self.tr(key, count=row.failed_calls))

    @rx.event
    def open_check(self, plan_id: int):
        self.checking, self.errors, self.check_client_id = plan_id, {}, uuid.uuid4().hex

    @rx.event
    def set_check_open(self, is_open: bool):
        if not is_open:
            self.checking = 0

    @rx.event
    def save_check(self, form: dict):
        data = {
            "client_id": self.check_client_id,
            "temperature": form_text(form, "temperature"),
            "symptoms": [s.value for s in Symptom if form.get(f"sym-{s.value}")],
        }
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.record_check(db, user, self.checking, data)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return None
            self._refresh(db, user)
        self.checking = 0
        return rx.toast.success(self.tr("today.checked"))

    @rx.event
    def open_release(self, plan_id: int):
        self.releasing, self.errors = plan_id, {}

    @rx.event
    def set_release_open(self, is_open: bool):
        if not is_open:
            self.releasing = 0

    @rx.event
    def release(self, form: dict):
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.release(db, user, self.releasing, form_text(form, "note"))
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return None
            self._refresh(db, user)
        self.releasing = 0
        return rx.toast.success(self.tr("today.released"))


class HealthState(SessionState):
    """居民自报: a resident in home quarantine reports today's check from their own phone."""

    plans: rx.Field[list[PlanRow]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    client_id: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        self.errors, self.client_id = {}, uuid.uuid4().hex
        with session_scope() as db:
            user = self.enter(db, "/health")
            if user is None:
                return self.bounce()
            self.plans = [_plan_row(self.tr, p) for p in service.quarantine_plans(db, user)]

    @rx.event
    def report(self, form: dict):
        plan_id = form_id(form.get("plan_id"))
        data = {
            "client_id": f"{self.client_id}-{plan_id}",
            "temperature": form_text(form, "temperature"),
            "symptoms": [s.value for s in Symptom if form.get(f"sym-{s.value}")],
        }
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.record_check(db, user, plan_id, data)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = {f"{k}-{plan_id}": v for k, v in (fields or {"_": text}).items()}
                return None
            self.plans = [_plan_row(self.tr, p) for p in service.quarantine_plans(db, user)]
        self.errors = {}
        return rx.toast.success(self.tr("today.checked"))


# ---------------------------------------------------------------- returning residents


class ArrivalState(SessionState):
    """四问四登记 at the door (from a visit) or at the gate (find the door first)."""

    household_id: rx.Field[int] = rx.field(0)
    address: rx.Field[str] = rx.field("")
    members: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    compound_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    at_gate: rx.Field[bool] = rx.field(True)
    client_id: rx.Field[str] = rx.field("")
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        self.errors, self.message, self.client_id = {}, "", uuid.uuid4().hex
        self.household_id, self.address, self.members = 0, "", []
        with session_scope() as db:
            user = self.enter(db, "/arrival")
            if user is None:
                return self.bounce()
            self.compound_options = [
                (str(i), name) for i, name in list_compounds(db, self.community_of(user))
            ]
            h = str(self.router.page.params.get("h", ""))
            self.at_gate = not h.isdigit()
            if h.isdigit():
                household = community.household_file(db, user, int(h))
                self._found(
                    household.id, household.address, [(m.id, m.name) for m in household.members]
                )

    def _found(self, household_id: int, address: str, people: list[tuple[int, str]]) -> None:
        self.household_id, self.address = household_id, address
        self.members = [(str(i), n) for i, n in people]

    @rx.event
    def find(self, form: dict):
        self.errors = {}
        with session_scope() as db:
            try:
                found = service.find_door(
                    db,
                    self.actor(db),
                    form_id(form.get("compound_id")),
                    form_text(form, "door_key"),
                )
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return
        self._found(*found)

    @rx.event
    def change_door(self):
        self.household_id, self.address, self.members = 0, "", []

    @rx.event
    def save(self, form: dict):
        self.errors, self.message = {}, ""
        who = form_text(form, "who")
        data = {
            "client_id": self.client_id,
            "household_id": self.household_id,
            "resident_id": form_id(who) or None,
            "name": form_text(form, "name"),
            "sex": form_text(form, "sex"),
            "mobile": form_text(form, "mobile"),
            "from_place": form_text(form, "from_place"),
            "from_risk_area": bool(form.get("from_risk_area")),
            "arrived_on": form_text(form, "arrived_on"),
            "transport": form_text(form, "transport"),
            "transport_no": form_text(form, "transport_no"),
            "temperature": form_text(form, "temperature"),
            "symptoms": [s.value for s in Symptom if form.get(f"sym-{s.value}")],
            "at_gate": self.at_gate,
        }
        with session_scope() as db:
            try:
                view = service.record_arrival(db, self.actor(db), data)
            except ServiceError as exc:
                self.errors, self.message = self.describe(exc)
                return None
        key = "arrival.saved_quarantine" if view.risk == 2 else "arrival.saved"
        toast = rx.toast.warning if view.risk else rx.toast.success
        return [toast(self.tr(key, name=view.name)), rx.redirect("/today")]


RISK_FIELDS = (
    "on_fever",
    "on_symptoms",
    "on_travel",
    "on_yellow_code",
    "on_red_code",
    "on_positive_test",
)


class RulesState(SessionState):
    """研判规则: what each answer means, the quarantine length and when calls escalate."""

    values: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # re-mounts the inputs with the stored values after a load
    loaded_at: rx.Field[str] = rx.field("")
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    @rx.event
    def load(self):
        self.errors = {}
        with session_scope() as db:
            user = self.enter(db, "/screening/rules")
            if user is None:
                return self.bounce()
            current = service.rules(db, user, self.community_of(user))
        self.values = {
            name: str(getattr(current, name)) for name in service.RulesInput.model_fields
        }
        self.loaded_at = utcnow().isoformat()

    @rx.event
    def set_value(self, name: str, value: str):
        self.values = {**self.values, name: value}

    @rx.event
    def save(self, form: dict):
        # A form sent before the page loaded its values is refused by the service, field by field.
        data = {name: self.values.get(name, "") for name in RISK_FIELDS}
        for name in ("fever_from", "quarantine_days", "call_attempts"):
            data[name] = form_text(form, name).strip()
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.update_rules(db, user, self.community_of(user), data)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return None
        self.errors = {}
        return rx.toast.success(self.tr("rules.saved"))
