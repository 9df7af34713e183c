"""漏检与上门: a building's people due and not sampled, door by door, the volunteers' word on
why, and the round's home sampling tasks."""

import dataclasses

import reflex as rx
from sqlmodel import Session

from app.accounts.models import User
from app.accounts.state import SessionState
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_id, form_text
from app.testing import service

ROUTE = "/testing/missed"
SHOWN_TASKS = 20  # open tasks listed at once; the rest are counted


@dataclasses.dataclass
class MissedRow:
    resident_id: int
    name: str
    relation: str
    mark: str  # a MissedKind, or ""
    mark_text: str  # 外出 · 出差至 12 月 10 日
    home_task: str  # the task's status, or ""
    home_text: str


@dataclasses.dataclass
class DoorRow:
    household_id: int
    door: str
    people: list[MissedRow]


@dataclasses.dataclass
class TaskRow:
    id: int
    name: str
    address: str
    reason: str
    status: str
    taken_by: str


def _arg(value: object) -> int:
    """A row id an event carries (an int, or a select's text)."""
    return value if isinstance(value, int) and value > 0 else form_id(value)


class MissedState(SessionState):
    """漏检与上门: pick a building of the open round; mark, clear, send home sampling."""

    rounds: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)  # (id, label)
    round_id: rx.Field[int] = rx.field(0)
    buildings: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    building_id: rx.Field[int] = rx.field(0)
    due: rx.Field[int] = rx.field(0)
    sampled: rx.Field[int] = rx.field(0)
    unexplained: rx.Field[int] = rx.field(0)
    doors: rx.Field[list[DoorRow]] = rx.field(default_factory=list)
    tasks_open: rx.Field[list[TaskRow]] = rx.field(default_factory=list)
    tasks_more: rx.Field[str] = rx.field("")  # "另有 12 项未列出"
    tasks_mine: rx.Field[list[TaskRow]] = rx.field(default_factory=list)
    # The mark sheet (a resident id) and the finish sheet (a task id); 0 closed.
    marking: rx.Field[int] = rx.field(0)
    finishing: rx.Field[int] = rx.field(0)
    sheet_name: rx.Field[str] = rx.field("")
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        params = self.router.page.params
        self.marking = self.finishing = 0
        self.errors, self.message = {}, ""
        with session_scope() as db:
            user = self.enter(db, ROUTE)
            if user is None:
                return self.bounce()
            rounds = [
                r for r in service.testing_rounds(db, user, self.community_of(user)) if r.open
            ]
            self.rounds = [(str(r.id), f"{r.name} · {r.test_date}") for r in rounds]
            wanted = form_id(params.get("r", ""))
            ids = [r.id for r in rounds]
            self.round_id = wanted if wanted in ids else (ids[0] if ids else 0)
            self.building_id = form_id(params.get("b", ""))
            self._refresh(db, user)

    def _refresh(self, db: Session, user: User) -> None:
        self.doors, self.tasks_open, self.tasks_mine, self.tasks_more = [], [], [], ""
        self.buildings, self.due, self.sampled, self.unexplained = [], 0, 0, 0
        if not self.round_id:
            return
        board = service.board(db, user, self.round_id)
        tallies = [(c.name, b) for c in board.compounds for b in c.buildings]
        self.buildings = [
            (
                str(b.building_id),
                self.tr(
                    "missed.building_option",
                    building=f"{compound} {b.number}",
                    sampled=b.tally.sampled,
                    due=b.tally.due,
                ),
            )
            for compound, b in tallies
        ]
        ids = [b.building_id for _, b in tallies]
        if self.building_id not in ids:
            # The first building with someone nobody has accounted for, else the first.
            waiting = [b.building_id for _, b in tallies if b.tally.missed_households]
            self.building_id = (waiting or ids or [0])[0]
        prefix = ""
        if self.building_id:
            missed = service.missed_list(db, user, self.round_id, self.building_id)
            self.due, self.sampled, self.unexplained = (
                missed.due,
                missed.sampled,
                missed.unexplained,
            )
            self.doors = [
                DoorRow(d.household_id, d.door, [self._person(p) for p in d.people])
                for d in missed.doors
            ]
            prefix = missed.building + "-"
        tasks = service.home_tasks(db, user, self.round_id)
        # This building's first: the volunteer is standing in it.
        waiting = sorted(
            (t for t in tasks if t.status == "open"),
            key=lambda t: not t.address.startswith(prefix) if prefix else False,
        )
        self.tasks_open = [self._task(t) for t in waiting[:SHOWN_TASKS]]
        more = len(waiting) - SHOWN_TASKS
        self.tasks_more = self.tr("homesampling.more", count=more) if more > 0 else ""
        self.tasks_mine = [self._task(t) for t in tasks if t.mine and t.status != "open"]

    def _person(self, p: service.MissedPerson) -> MissedRow:
        mark_text = ""
        if p.mark:
            mark_text = self.tr(f"testing.missed.{p.mark}") + (f" · {p.reason}" if p.reason else "")
        home_text = ""
        if p.home_task:
            status = self.tr(f"testing.task.{p.home_task}")
            home_text = self.tr("missed.home_badge", status=status)
        return MissedRow(
            p.resident_id, p.name, p.relation, p.mark, mark_text, p.home_task, home_text
        )

    def _task(self, t: service.HomeTaskView) -> TaskRow:
        taken_by = self.tr("homesampling.taken_by", name=t.volunteer) if t.volunteer else ""
        reason = self.tr(f"testing.home.{t.reason}")
        return TaskRow(t.id, t.name, t.address, reason, t.status, taken_by)

    def _name_of(self, resident_id: int) -> str:
        for door in self.doors:
            for p in door.people:
                if p.resident_id == resident_id:
                    return p.name
        return ""

    def _act(self, action) -> str | None:
        """Run a service call as the user and show the page again; the refusal's words, if any."""
        with session_scope() as db:
            user = self.actor(db)
            try:
                action(db, user)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self._refresh(db, user)
                return text or next(iter(fields.values()), "")
            self._refresh(db, user)
        return None

    @rx.event
    def pick_round(self, value: str):
        round_id = _arg(value)
        if str(round_id) not in [r[0] for r in self.rounds]:
            return
        self.round_id, self.building_id = round_id, 0
        with session_scope() as db:
            self._refresh(db, self.actor(db))

    @rx.event
    def pick_building(self, value: str):
        self.building_id = _arg(value)
        with session_scope() as db:
            self._refresh(db, self.actor(db))

    @rx.event
    def open_mark(self, resident_id: int):
        self.marking, self.sheet_name = resident_id, self._name_of(resident_id)
        self.errors, self.message = {}, ""

    @rx.event
    def set_mark_open(self, is_open: bool):
        if not is_open:
            self.marking = 0

    @rx.event
    def save_mark(self, form: dict):
        data = {"kind": form_text(form, "kind"), "reason": form_text(form, "reason")}
        resident_id, name = self.marking, self.sheet_name
        self.errors, self.message = {}, ""
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.mark_missed(db, user, self.round_id, resident_id, data)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors, self.message = fields, "" if fields else text
                return None
            self._refresh(db, user)
        self.marking = 0
        kind = self.tr(f"testing.missed.{data['kind']}")
        return rx.toast.success(self.tr("missed.marked", name=name, kind=kind))

    @rx.event
    def clear(self, resident_id: int):
        name = self._name_of(resident_id)
        refused = self._act(
            lambda db, user: service.clear_mark(db, user, self.round_id, resident_id)
        )
        if refused:
            return rx.toast.error(refused)
        return rx.toast.success(self.tr("missed.cleared", name=name))

    @rx.event
    def request_home(self, resident_id: int):
        name = self._name_of(resident_id)
        refused = self._act(
            lambda db, user: service.request_home_sampling(db, user, self.round_id, resident_id)
        )
        if refused:
            return rx.toast.error(refused)
        return rx.toast.success(self.tr("missed.home_requested", name=name))

    @rx.event
    def take(self, task_id: int):
        name = next((t.name for t in self.tasks_open if t.id == task_id), "")
        refused = self._act(lambda db, user: service.take_home_task(db, user, task_id))
        if refused:
            return rx.toast.error(refused)
        return rx.toast.success(self.tr("homesampling.taken", name=name))

    @rx.event
    def open_finish(self, task_id: int):
        name = next((t.name for t in self.tasks_mine if t.id == task_id), "")
        self.finishing, self.sheet_name, self.errors = task_id, name, {}

    @rx.event
    def set_finish_open(self, is_open: bool):
        if not is_open:
            self.finishing = 0

    @rx.event
    def finish(self, form: dict):
        task_id, name = self.finishing, self.sheet_name
        self.errors = {}
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.finish_home_task(db, user, task_id, form_text(form, "barcode"))
            except ServiceError as exc:
                fields, text = self.describe(exc)
                # Every refusal here is about the tube: shown under its field.
                self.errors = {"barcode": fields.get("barcode") or text or self.tr(exc.code)}
                return None
            self._refresh(db, user)
        self.finishing = 0
        return rx.toast.success(self.tr("homesampling.finished", name=name))
