"""排查覆盖: the coverage board, the doors of a building, and 我的楼栋."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Building, Compound, Household, Unit
from app.community.service import natural_key
from app.db import saved_id
from app.errors import Forbidden, ServiceError
from app.screening.models import FINAL_OUTCOMES, Outcome, Round, RoundBuilding, RoundDoor
from app.timeutil import format_local, today_local, utcnow
from app.volunteers.service import team_ids_of, team_names

from ._common import FIELD_ROLES, STAFF_ROLES, _covers, _my_places, _my_round_buildings
from .rounds import RoundView


@dataclass
class Tally:
    doors: int = 0
    visited: int = 0
    not_home: int = 0
    refused: int = 0
    vacant: int = 0
    risk: int = 0  # doors where someone was found at risk
    conflicts: int = 0

    @property
    def done(self) -> int:
        return self.visited + self.refused + self.vacant

    @property
    def percent(self) -> int:
        return self.done * 100 // self.doors if self.doors else 100

    def add(self, other: "Tally") -> None:
        for name in ("doors", "visited", "not_home", "refused", "vacant", "risk", "conflicts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class BuildingCoverage:
    building_id: int
    name: str
    assignee: str
    tally: Tally


@dataclass
class CompoundCoverage:
    compound_id: int
    name: str
    weak: bool
    tally: Tally
    buildings: list[BuildingCoverage]


@dataclass
class Board:
    round: RoundView
    weak_below: int
    weak_from: str
    total: Tally
    compounds: list[CompoundCoverage]
    progress: list[tuple[str, int]]  # (day, share of doors done by its end, %)
    checked_at: str = field(default_factory=lambda: format_local(utcnow()))


def coverage(session: Session, actor: User | None, round_id: int) -> Board:
    """排查覆盖: doors done per building and compound, weak compounds, progress by day.

    Reads one row per door (the RoundDoor table) and one per building, however many visit
    records the round has."""
    actor = require_role(actor, *STAFF_ROLES)
    screening_round = session.get(Round, round_id)
    if screening_round is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, screening_round.community_id)

    tallies: dict[int, Tally] = defaultdict(Tally)
    risky = case((col(RoundDoor.risk) > 0, 1), else_=0)
    # Five columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own.
    for building_id, outcome, count, risk, conflicts in session.execute(
        sa_select(
            col(RoundDoor.building_id),
            col(RoundDoor.outcome),
            func.count(),
            func.sum(risky),
            func.sum(case((col(RoundDoor.conflict), 1), else_=0)),
        )
        .where(col(RoundDoor.round_id) == round_id)
        .group_by(col(RoundDoor.building_id), col(RoundDoor.outcome))
    ).all():
        tally = tallies[building_id]
        setattr(tally, Outcome(outcome).value, count)
        tally.risk += int(risk or 0)
        tally.conflicts += int(conflicts or 0)

    rows = session.exec(
        select(RoundBuilding, Building.number, Compound.name, User.name)
        .join(Building, col(Building.id) == RoundBuilding.building_id)
        .join(Compound, col(Compound.id) == RoundBuilding.compound_id)
        .join(User, col(User.id) == RoundBuilding.assignee_id, isouter=True)
        .where(col(RoundBuilding.round_id) == round_id)
    ).all()
    # Teams are the volunteers domain's: their names in one more query, only when some
    # building has a team.
    teams = team_names(session, {rb.team_id for rb, *_ in rows if rb.team_id is not None})
    weak_now = screening_round.weak_from is not None and utcnow() >= screening_round.weak_from
    compounds: dict[int, CompoundCoverage] = {}
    total = Tally()
    for rb, number, compound_name, person in rows:
        assignee = person or teams.get(rb.team_id or 0)
        tally = tallies[rb.building_id]
        tally.doors = rb.doors
        node = compounds.setdefault(
            rb.compound_id, CompoundCoverage(rb.compound_id, compound_name, False, Tally(), [])
        )
        node.tally.add(tally)
        node.buildings.append(BuildingCoverage(rb.building_id, number, assignee or "", tally))
        total.add(tally)
    for node in compounds.values():
        node.weak = weak_now and node.tally.percent < screening_round.weak_below
        node.buildings.sort(key=lambda b: natural_key(b.name))
    ordered = sorted(compounds.values(), key=lambda c: (c.tally.percent, c.name))

    per_day = dict(
        session.exec(
            select(col(RoundDoor.done_day), func.count())
            .where(RoundDoor.round_id == round_id, col(RoundDoor.done_day).is_not(None))
            .group_by(col(RoundDoor.done_day))
        ).all()
    )
    progress, running = [], 0
    day, last = screening_round.starts_on, min(screening_round.ends_on, today_local())
    while day <= last:
        running += per_day.get(day, 0)
        share = running * 100 // total.doors if total.doors else 0
        progress.append((day.strftime("%m-%d"), share))
        day += timedelta(days=1)

    done = total.done
    view = RoundView(
        id=saved_id(screening_round),
        name=screening_round.name,
        kind=screening_round.kind.value,
        starts_on=screening_round.starts_on.isoformat(),
        ends_on=screening_round.ends_on.isoformat(),
        open=screening_round.closed_at is None,
        doors=total.doors,
        done=done,
    )
    return Board(
        round=view,
        weak_below=screening_round.weak_below,
        weak_from=format_local(screening_round.weak_from),
        total=total,
        compounds=ordered,
        progress=progress,
    )


@dataclass(frozen=True)
class DoorView:
    household_id: int
    unit: str
    door: str
    door_key: str
    outcome: str  # "" not yet visited
    risk: int
    conflict: bool
    visits: int


@dataclass(frozen=True)
class BuildingDoors:
    round_id: int
    round_name: str
    building_id: int
    name: str  # "望江花园 3栋"
    doors: list[DoorView]

    @property
    def done(self) -> int:
        return sum(1 for d in self.doors if d.outcome in FINAL_OUTCOMES)


def next_door(buildings: list[BuildingDoors]) -> str:
    """Where "下一户" goes: a door never visited first, then one still not at home; "" when
    every door is done."""
    return next(
        (
            f"/visit?r={view.round_id}&h={door.household_id}"
            for wanted in ("", "not_home")
            for view in buildings
            for door in view.doors
            if door.outcome == wanted
        ),
        "",
    )


def _in_team(session: Session, actor: User, team_id: int | None) -> bool:
    return team_id is not None and team_id in session.exec(team_ids_of(actor.id)).all()


def _may_record(session: Session, actor: User, rb: RoundBuilding) -> bool:
    building = session.get_one(Building, rb.building_id)
    in_team = _in_team(session, actor, rb.team_id)
    return _covers(actor, rb.assignee_id, rb.team_id, in_team, building.grid_id)


def _round_building(
    session: Session, actor: User, round_id: int, building_id: int
) -> tuple[Round, RoundBuilding]:
    screening_round = session.get(Round, round_id)
    if screening_round is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, screening_round.community_id)
    rb = session.exec(
        select(RoundBuilding).where(
            RoundBuilding.round_id == round_id, RoundBuilding.building_id == building_id
        )
    ).first()
    if rb is None:
        raise ServiceError("errors.door_not_in_round")
    return screening_round, rb


def building_doors(
    session: Session, actor: User | None, round_id: int, building_id: int
) -> BuildingDoors:
    """Every door of a building in a round, with its state: the drill-down and "my doors"."""
    actor = require_role(actor, *FIELD_ROLES, Role.STREET_STAFF, Role.ADMIN)
    screening_round, rb = _round_building(session, actor, round_id, building_id)
    if actor.role == Role.VOLUNTEER and not _may_record(session, actor, rb):
        raise Forbidden("errors.door_not_yours")
    building = session.get_one(Building, building_id)  # it is in the round
    compound = session.get_one(Compound, building.compound_id)
    rows = session.exec(
        select(Household, Unit.number, RoundDoor)
        .join(Unit, col(Unit.id) == Household.unit_id)
        .join(
            RoundDoor,
            (col(RoundDoor.household_id) == Household.id) & (col(RoundDoor.round_id) == round_id),
            isouter=True,
        )
        .where(Household.building_id == building_id)
    ).all()
    return BuildingDoors(
        round_id=round_id,
        round_name=screening_round.name,
        building_id=building_id,
        name=f"{compound.name} {building.number}",
        doors=_door_views(rows),
    )


def _door_views(rows) -> list[DoorView]:
    """(household, unit number, door state or None) rows as doors in walking order."""
    doors = [
        DoorView(
            household_id=h.id,
            unit=unit,
            door=h.door,
            door_key=h.door_key,
            outcome=door.outcome.value if door else "",
            risk=door.risk if door else 0,
            conflict=door.conflict if door else False,
            visits=door.visits if door else 0,
        )
        for h, unit, door in rows
    ]
    doors.sort(key=lambda d: (natural_key(d.unit), natural_key(d.door)))
    return doors


def my_buildings(session: Session, actor: User | None) -> list[BuildingDoors]:
    """我的楼栋: in the community's open rounds, the buildings given to this volunteer, and
    those of their grid that nobody in particular has."""
    actor = require_role(actor, *FIELD_ROLES)
    mine = _my_round_buildings(actor)
    # Two queries however many buildings: the buildings, then all their doors.
    places = _my_places(session, mine)
    if not places:
        return []
    doors: dict[int | None, list] = defaultdict(list)
    for rb_id, household, unit, door in session.exec(
        select(RoundBuilding.id, Household, Unit.number, RoundDoor)
        .join(Household, col(Household.building_id) == RoundBuilding.building_id)
        .join(Unit, col(Unit.id) == Household.unit_id)
        .join(
            RoundDoor,
            (col(RoundDoor.household_id) == Household.id)
            & (col(RoundDoor.round_id) == RoundBuilding.round_id),
            isouter=True,
        )
        .where(col(RoundBuilding.id).in_(mine))
    ).all():
        doors[rb_id].append((household, unit, door))
    return [
        BuildingDoors(
            round_id=rb.round_id,
            round_name=round_name,
            building_id=rb.building_id,
            name=f"{compound_name} {number}",
            doors=_door_views(doors[rb.id]),
        )
        for rb, round_name, number, compound_name in places
    ]
