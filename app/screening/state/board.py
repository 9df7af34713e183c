"""排查进度: the office board, the new-round sheet and the doors of one building."""

import dataclasses
from datetime import datetime

import reflex as rx

from app.accounts.state import SessionState
from app.community import service as community
from app.db import saved_id, session_scope
from app.errors import Forbidden, ServiceError
from app.forms import form_text
from app.screening import service
from app.timeutil import to_local, utcnow
from app.volunteers.service import team_choices

from ._parts import BuildingCard, _building_card, _toggled


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
                (f"t{team_id}", self.tr("board.team", name=name))
                for team_id, name in team_choices(db, user, community_id)
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
