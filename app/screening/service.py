"""Door-to-door screening: the rules of rounds, door visits, follow-ups, arrivals and home
quarantine. Pages and the offline sync route both call these functions.

Every record carries a client-made id: sending it again returns the stored result instead of
storing it twice."""

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import LiteralString

from pydantic import BaseModel, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import case, func, insert, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community import service as community
from app.community.models import (
    CARE_FLAGS,
    Building,
    Compound,
    Household,
    Residency,
    Resident,
    Sex,
    Unit,
)
from app.community.service import (
    ResidentInput,
    age_today,
    audit,
    households_in_scope,
    mask_mobile,
    natural_key,
)
from app.db import saved_id, table_of
from app.errors import MAX_ID, Forbidden, InvalidInput, RowId, ServiceError, parse
from app.screening.models import (
    FINAL_OUTCOMES,
    Arrival,
    CallAttempt,
    DailyCheck,
    Door,
    FollowUp,
    FollowUpStatus,
    HealthCode,
    Outcome,
    PersonCheck,
    PlanStatus,
    QuarantinePlan,
    Risk,
    Round,
    RoundBuilding,
    RoundKind,
    Rules,
    Symptom,
    TestStatus,
    Transport,
    Visit,
)
from app.timeutil import format_local, to_local, today_local, utcnow
from app.volunteers.models import Team, TeamMember

STAFF_ROLES = (Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
FIELD_ROLES = (Role.VOLUNTEER, Role.STAFF)
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)


# ---------------------------------------------------------------- input


def _text(limit: int):
    def check(value: str) -> str:
        value = value.strip()
        if len(value) > limit:
            raise PydanticCustomError("too_long", "at most {max}", {"max": limit})
        return value

    return check


# Outside this a thermometer was misread: ask to measure again. (The offline app gets it too.)
TEMPERATURE_RANGE = (34.0, 43.0)


def _temperature(value: float | None) -> float | None:
    low, high = TEMPERATURE_RANGE
    if value is not None and not low <= value <= high:
        raise PydanticCustomError("temperature_recheck", "re-check")
    return value


def _past(value: date | None) -> date | None:
    if value is not None and value > today_local():
        raise PydanticCustomError("date_in_future", "future")
    return value


def _within(low: float, high: float, code: LiteralString):
    def check(value):
        if not low <= value <= high:
            raise PydanticCustomError(code, "out of range")  # each code's message names its range
        return value

    return check


def _blank_none(value):
    return None if value in ("", None) else value


class HealthInput(BaseModel):
    """One person's answers at the door."""

    temperature: float | None = None
    symptoms: list[Symptom] = []
    symptom_note: str = ""
    travel: bool = False
    travel_place: str = ""
    travel_date: date | None = None
    health_code: HealthCode = HealthCode.GREEN
    test_status: TestStatus = TestStatus.NEGATIVE

    _blank = field_validator("temperature", "travel_date", mode="before")(_blank_none)
    _temp = field_validator("temperature")(_temperature)
    _date = field_validator("travel_date")(_past)
    _note = field_validator("symptom_note")(_text(100))
    _place = field_validator("travel_place")(_text(60))

    @model_validator(mode="after")
    def _travel_told(self):
        if self.travel and not self.travel_place:
            raise InvalidInput({"travel_place": "errors.travel_place_required"})
        return self


class PersonInput(HealthInput):
    resident_id: RowId


class NewPersonInput(HealthInput):
    """Someone living at the door who is not on the register (a tenant, a relative back)."""

    name: str
    sex: Sex
    relation: str = ""
    mobile: str = ""
    residency: Residency = Residency.TENANT


# The id a phone (or a page) makes for a record: a UUID's hex, or a few parts of one.
_CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{8,40}")


def _client_id(value: str) -> str:
    if not _CLIENT_ID.fullmatch(value):
        raise PydanticCustomError("invalid_input", "bad id")
    return value


class VisitInput(BaseModel):
    client_id: str
    round_id: RowId
    household_id: RowId
    outcome: Outcome
    by_phone: bool = False
    note: str = ""
    recorded_at: datetime | None = None

    _note = field_validator("note")(_text(200))
    _id = field_validator("client_id")(_client_id)

    @field_validator("recorded_at")
    @classmethod
    def _not_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value > utcnow() + CLOCK_SKEW:
            raise PydanticCustomError("date_in_future", "future")
        return value


def _people(data: dict) -> tuple[list[PersonInput], list[NewPersonInput]]:
    """Each person checked on their own, so a message can point at the right one
    (fields named `people.<i>.<field>` and `new_people.<i>.<field>`)."""
    errors = InvalidInput({})
    people, new_people = [], []
    for key, model, out in (
        ("people", PersonInput, people),
        ("new_people", NewPersonInput, new_people),
    ):
        for i, item in enumerate(data.get(key) or []):
            try:
                out.append(parse(model, item))
            except InvalidInput as exc:
                errors = errors.merged(exc.renamed(f"{key}.{i}."))
    if errors.fields:
        raise errors
    return people, new_people


# ---------------------------------------------------------------- rules


def _rules(session: Session, community_id: int) -> Rules:
    return session.get(Rules, community_id) or Rules(community_id=community_id)


def rules(session: Session, actor: User | None, community_id: int) -> Rules:
    actor = require_role(actor, *STAFF_ROLES)
    require_community(session, actor, community_id)
    return _rules(session, community_id)


class RulesInput(BaseModel):
    fever_from: float
    on_fever: Risk
    on_symptoms: Risk
    on_travel: Risk
    on_yellow_code: Risk
    on_red_code: Risk
    on_positive_test: Risk
    quarantine_days: int
    call_attempts: int

    _fever = field_validator("fever_from")(_within(37, 38.5, "fever_out_of_range"))
    _days = field_validator("quarantine_days")(_within(1, 28, "days_out_of_range"))
    _attempts = field_validator("call_attempts")(_within(1, 10, "attempts_out_of_range"))


def update_rules(session: Session, actor: User | None, community_id: int, data: dict) -> Rules:
    actor = require_role(actor, Role.STAFF)
    require_community(session, actor, community_id)
    values = parse(RulesInput, data)
    row = session.get(Rules, community_id) or Rules(community_id=community_id)
    for name, value in values.model_dump().items():
        setattr(row, name, int(value) if isinstance(value, Risk) else value)
    row.updated_by, row.updated_at = actor.id, utcnow()
    session.add(row)
    audit(session, actor, community_id, "rules.update", f"community:{community_id}")
    session.commit()
    return row


def assess(rules: Rules, health: HealthInput) -> Risk:
    """The risk level the community's rules give these answers."""
    levels = [Risk.NORMAL]
    if health.temperature is not None and health.temperature >= rules.fever_from:
        levels.append(Risk(rules.on_fever))
    symptoms = set(health.symptoms)
    if Symptom.FEVER in symptoms:
        levels.append(Risk(rules.on_fever))
    if symptoms - {Symptom.FEVER}:
        levels.append(Risk(rules.on_symptoms))
    if health.travel:
        levels.append(Risk(rules.on_travel))
    if health.health_code == HealthCode.YELLOW:
        levels.append(Risk(rules.on_yellow_code))
    if health.health_code == HealthCode.RED:
        levels.append(Risk(rules.on_red_code))
    if health.test_status == TestStatus.POSITIVE:
        levels.append(Risk(rules.on_positive_test))
    return max(levels)


# ---------------------------------------------------------------- rounds


class RoundInput(BaseModel):
    name: str
    kind: RoundKind = RoundKind.FULL
    starts_on: date
    ends_on: date
    compound_ids: list[int] = []
    grid_ids: list[int] = []

    _name = field_validator("name")(_text(50))

    @model_validator(mode="after")
    def _check(self):
        errors = {}
        if not self.name:
            errors["name"] = "errors.missing"
        if self.ends_on < self.starts_on:
            errors["ends_on"] = "errors.ends_before_start"
        elif self.ends_on < today_local():
            errors["ends_on"] = "errors.round_in_past"
        if errors:
            raise InvalidInput(errors)
        return self


@dataclass(frozen=True)
class RoundView:
    id: int
    name: str
    kind: str
    starts_on: str
    ends_on: str
    open: bool
    doors: int
    done: int


def _open_round(session: Session, round_id: int) -> Round:
    found = session.get(Round, round_id)
    if found is None:
        raise ServiceError("errors.not_found")
    if found.closed_at is not None:
        raise ServiceError("errors.round_closed")
    return found


def start_round(session: Session, actor: User | None, community_id: int, data: dict) -> Round:
    """A new round over the whole community, or some compounds or grids of it."""
    actor = require_role(actor, Role.STAFF)
    require_community(session, actor, community_id)
    values = parse(RoundInput, data)
    buildings = select(Building.id, Building.compound_id).join(
        Compound, col(Compound.id) == Building.compound_id
    )
    buildings = buildings.where(Compound.community_id == community_id)
    if values.compound_ids or values.grid_ids:
        buildings = buildings.where(
            or_(
                col(Building.compound_id).in_(values.compound_ids),
                col(Building.grid_id).in_(values.grid_ids),
            )
        )
    doors = dict(
        session.exec(
            select(Household.building_id, func.count())
            .where(Household.community_id == community_id)
            .group_by(col(Household.building_id))
        ).all()
    )
    found = [(saved_id(b), c) for b, c in session.exec(buildings).all()]
    chosen = [(b, c) for b, c in found if doors.get(b)]
    if not chosen:
        raise InvalidInput({"compound_ids": "errors.round_empty"})
    start = datetime.combine(values.starts_on, time(17), tzinfo=to_local(utcnow()).tzinfo)
    screening_round = Round(
        community_id=community_id,
        name=values.name,
        kind=values.kind,
        starts_on=values.starts_on,
        ends_on=values.ends_on,
        weak_from=start,
        created_by=saved_id(actor),
    )
    session.add(screening_round)
    session.flush()
    session.add_all(
        RoundBuilding(
            round_id=saved_id(screening_round), building_id=b, compound_id=c, doors=doors[b]
        )
        for b, c in chosen
    )
    audit(session, actor, community_id, "round.start", f"round:{screening_round.id}")
    session.commit()
    return screening_round


def close_round(session: Session, actor: User | None, round_id: int) -> None:
    actor = require_role(actor, Role.STAFF)
    screening_round = _open_round(session, round_id)
    require_community(session, actor, screening_round.community_id)
    screening_round.closed_at = utcnow()
    session.add(screening_round)
    audit(session, actor, screening_round.community_id, "round.close", f"round:{round_id}")
    session.commit()


def rounds(session: Session, actor: User | None, community_id: int) -> list[RoundView]:
    actor = require_role(actor, Role.VOLUNTEER, *STAFF_ROLES)
    require_community(session, actor, community_id)
    query = select(Round).where(Round.community_id == community_id)
    if actor.role == Role.VOLUNTEER:
        query = query.where(col(Round.closed_at).is_(None))
    found = session.exec(query.order_by(col(Round.starts_on).desc(), col(Round.id).desc())).all()
    totals = _round_totals(session, [saved_id(r) for r in found])
    return [
        RoundView(
            id=saved_id(r),
            name=r.name,
            kind=r.kind.value,
            starts_on=r.starts_on.isoformat(),
            ends_on=r.ends_on.isoformat(),
            open=r.closed_at is None,
            doors=totals.get(saved_id(r), (0, 0))[0],
            done=totals.get(saved_id(r), (0, 0))[1],
        )
        for r in found
    ]


def _round_totals(session: Session, round_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not round_ids:
        return {}
    doors = dict(
        session.exec(
            select(RoundBuilding.round_id, func.sum(RoundBuilding.doors))
            .where(col(RoundBuilding.round_id).in_(round_ids))
            .group_by(col(RoundBuilding.round_id))
        ).all()
    )
    done = dict(
        session.exec(
            select(Door.round_id, func.count())
            .where(col(Door.round_id).in_(round_ids), col(Door.outcome).in_(FINAL_OUTCOMES))
            .group_by(col(Door.round_id))
        ).all()
    )
    return {r: (int(doors.get(r) or 0), done.get(r, 0)) for r in round_ids}


def assign_buildings(
    session: Session,
    actor: User | None,
    round_id: int,
    building_ids: list[int],
    assignee_id: int | None,
    team_id: int | None = None,
) -> int:
    """Give buildings of a round to one volunteer or one team (neither: back to the grid's
    volunteers)."""
    actor = require_role(actor, Role.STAFF)
    screening_round = _open_round(session, round_id)
    require_community(session, actor, screening_round.community_id)
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None or team.community_id != screening_round.community_id:
            raise InvalidInput({"assignee_id": "errors.not_a_volunteer_here"})
        assignee_id = None
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if (
            assignee is None
            or assignee.community_id != screening_round.community_id
            or assignee.role not in (Role.VOLUNTEER, Role.STAFF)
        ):
            raise InvalidInput({"assignee_id": "errors.not_a_volunteer_here"})
    result = session.exec(
        update(RoundBuilding)
        .where(
            col(RoundBuilding.round_id) == round_id,
            col(RoundBuilding.building_id).in_(building_ids),
        )
        .values(assignee_id=assignee_id, team_id=team_id)
    )
    session.commit()
    return result.rowcount


class WeakInput(BaseModel):
    weak_below: int
    weak_from: datetime

    _pct = field_validator("weak_below")(_within(1, 100, "percent_out_of_range"))


def set_weak_threshold(session: Session, actor: User | None, round_id: int, data: dict) -> Round:
    actor = require_role(actor, Role.STAFF)
    screening_round = _open_round(session, round_id)
    require_community(session, actor, screening_round.community_id)
    values = parse(WeakInput, data)
    screening_round.weak_below, screening_round.weak_from = values.weak_below, values.weak_from
    session.add(screening_round)
    session.commit()
    return screening_round


# ---------------------------------------------------------------- coverage


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

    Reads one row per door (the Door table) and one per building, however many visit
    records the round has."""
    actor = require_role(actor, *STAFF_ROLES)
    screening_round = session.get(Round, round_id)
    if screening_round is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, screening_round.community_id)

    tallies: dict[int, Tally] = defaultdict(Tally)
    risky = case((col(Door.risk) > 0, 1), else_=0)
    # Five columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own.
    for building_id, outcome, count, risk, conflicts in session.execute(
        sa_select(
            col(Door.building_id),
            col(Door.outcome),
            func.count(),
            func.sum(risky),
            func.sum(case((col(Door.conflict), 1), else_=0)),
        )
        .where(col(Door.round_id) == round_id)
        .group_by(col(Door.building_id), col(Door.outcome))
    ).all():
        tally = tallies[building_id]
        setattr(tally, Outcome(outcome).value, count)
        tally.risk += int(risk or 0)
        tally.conflicts += int(conflicts or 0)

    rows: Sequence[Row[RoundBuilding, str, str, str | None, str | None]] = session.execute(
        sa_select(
            RoundBuilding, col(Building.number), col(Compound.name), col(User.name), col(Team.name)
        )
        .join(Building, col(Building.id) == RoundBuilding.building_id)
        .join(Compound, col(Compound.id) == RoundBuilding.compound_id)
        .join(User, col(User.id) == RoundBuilding.assignee_id, isouter=True)
        .join(Team, col(Team.id) == RoundBuilding.team_id, isouter=True)
        .where(col(RoundBuilding.round_id) == round_id)
    ).all()
    weak_now = screening_round.weak_from is not None and utcnow() >= screening_round.weak_from
    compounds: dict[int, CompoundCoverage] = {}
    total = Tally()
    for rb, number, compound_name, person, team in rows:
        assignee = person or team
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
            select(col(Door.done_day), func.count())
            .where(Door.round_id == round_id, col(Door.done_day).is_not(None))
            .group_by(col(Door.done_day))
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


# ---------------------------------------------------------------- doors


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


def _covers(actor: User, assignee_id: int | None, team_id: int | None, in_team: bool, grid_id):
    """Whether the actor may record a building of a round: staff always; else its volunteer,
    or its team's members, or, when it has neither, the volunteers of its grid."""
    if actor.role == Role.STAFF:
        return True
    if assignee_id is not None:
        return assignee_id == actor.id
    if team_id is not None:
        return in_team
    return actor.grid_id is not None and grid_id == actor.grid_id


def _in_team(session: Session, actor: User, team_id: int | None) -> bool:
    return (
        team_id is not None
        and session.exec(
            select(TeamMember.id).where(
                TeamMember.team_id == team_id, TeamMember.user_id == actor.id
            )
        ).first()
        is not None
    )


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
        select(Household, Unit.number, Door)
        .join(Unit, col(Unit.id) == Household.unit_id)
        .join(
            Door,
            (col(Door.household_id) == Household.id) & (col(Door.round_id) == round_id),
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


def _my_round_buildings(actor: User):
    """The ids of 我的楼栋, as a subquery: in the community's open rounds, the buildings given
    to this volunteer, and those of their grid that nobody in particular has."""
    mine = select(RoundBuilding.id).join(Round, col(Round.id) == RoundBuilding.round_id)
    mine = mine.where(Round.community_id == actor.community_id, col(Round.closed_at).is_(None))
    if actor.role == Role.VOLUNTEER:
        grid_buildings = select(Building.id).where(Building.grid_id == (actor.grid_id or -1))
        my_teams = select(TeamMember.team_id).where(TeamMember.user_id == actor.id)
        mine = mine.where(
            or_(
                col(RoundBuilding.assignee_id) == actor.id,
                col(RoundBuilding.team_id).in_(my_teams),
                col(RoundBuilding.assignee_id).is_(None)
                & col(RoundBuilding.team_id).is_(None)
                & col(RoundBuilding.building_id).in_(grid_buildings),
            )
        )
    else:
        mine = mine.where(RoundBuilding.assignee_id == actor.id)
    return mine


def _my_places(session: Session, mine) -> Sequence[tuple[RoundBuilding, str, str, str]]:
    """(round building, round name, building number, compound name) of each of my buildings."""
    return session.exec(
        select(RoundBuilding, Round.name, Building.number, Compound.name)
        .join(Round, col(Round.id) == RoundBuilding.round_id)
        .join(Building, col(Building.id) == RoundBuilding.building_id)
        .join(Compound, col(Compound.id) == Building.compound_id)
        .where(col(RoundBuilding.id).in_(mine))
        .order_by(col(RoundBuilding.id))
    ).all()


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
        select(RoundBuilding.id, Household, Unit.number, Door)
        .join(Household, col(Household.building_id) == RoundBuilding.building_id)
        .join(Unit, col(Unit.id) == Household.unit_id)
        .join(
            Door,
            (col(Door.household_id) == Household.id)
            & (col(Door.round_id) == RoundBuilding.round_id),
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


# ---------------------------------------------------------------- a door visit


@dataclass(frozen=True)
class MemberView:
    resident_id: int
    name: str
    sex: str
    age: int | None
    relation: str
    care: list[str]
    in_quarantine: bool


@dataclass(frozen=True)
class VisitRecordView:
    outcome: str
    by: str
    at: str
    by_phone: bool
    risk: int
    note: str


@dataclass(frozen=True)
class VisitForm:
    round_id: int
    round_name: str
    household_id: int
    address: str
    members: list[MemberView]
    records: list[VisitRecordView]
    conflict: bool


def _household_for_visit(
    session: Session, actor: User, round_id: int, household_id: int
) -> tuple[Round, Household]:
    """The door and its round, if the actor may record it (one query: a phone opens and
    saves doors all afternoon)."""
    # Seven columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own. The round,
    # the building's place in it and the team membership are outer joins: each may be missing.
    row: Row[Household, Round | None, *tuple[int | None, ...]] | None = session.execute(
        sa_select(
            Household,
            Round,
            col(RoundBuilding.id),
            col(RoundBuilding.assignee_id),
            col(RoundBuilding.team_id),
            col(TeamMember.id),
            col(Building.grid_id),
        )
        .join(Building, col(Building.id) == Household.building_id)
        .join(Round, col(Round.id) == round_id, isouter=True)
        .join(
            RoundBuilding,
            (col(RoundBuilding.round_id) == round_id)
            & (col(RoundBuilding.building_id) == Household.building_id),
            isouter=True,
        )
        .join(
            TeamMember,
            (col(TeamMember.team_id) == RoundBuilding.team_id)
            & (col(TeamMember.user_id) == actor.id),
            isouter=True,
        )
        .where(col(Household.id) == household_id)
    ).first()
    if row is None:
        raise ServiceError("errors.not_found")
    household, screening_round, in_round, assignee_id, team_id, membership, grid_id = row
    if screening_round is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, screening_round.community_id)
    if in_round is None:
        raise ServiceError("errors.door_not_in_round")
    if not _covers(actor, assignee_id, team_id, membership is not None, grid_id):
        raise Forbidden("errors.door_not_yours")
    return screening_round, household


def visit_form(session: Session, actor: User | None, round_id: int, household_id: int) -> VisitForm:
    actor = require_role(actor, *FIELD_ROLES)
    screening_round, household = _household_for_visit(session, actor, round_id, household_id)
    people = session.exec(
        select(Resident, QuarantinePlan.id)
        .join(
            QuarantinePlan,
            (col(QuarantinePlan.resident_id) == Resident.id)
            & (col(QuarantinePlan.status) == PlanStatus.ACTIVE),
            isouter=True,
        )
        .where(Resident.household_id == household_id, col(Resident.moved_out).is_(None))
        .order_by(col(Resident.id))
    ).all()
    records = session.exec(
        select(Visit, User.name)
        .join(User, col(User.id) == Visit.recorded_by)
        .where(Visit.round_id == round_id, Visit.household_id == household_id)
        .order_by(col(Visit.recorded_at).desc())
    ).all()
    door = session.get(Door, (round_id, household_id))
    return VisitForm(
        round_id=round_id,
        round_name=screening_round.name,
        household_id=household_id,
        address=household.address,
        members=[
            MemberView(
                resident_id=saved_id(p),
                name=p.name,
                sex=p.sex.value,
                age=age_today(p.birth_date),
                relation=p.relation,
                care=[flag for flag in CARE_FLAGS if getattr(p, flag)],
                in_quarantine=plan is not None,
            )
            for p, plan in people
        ],
        records=[
            VisitRecordView(
                outcome=v.outcome.value,
                by=name,
                at=format_local(v.recorded_at),
                by_phone=v.by_phone,
                risk=v.risk,
                note=v.note,
            )
            for v, name in records
        ],
        conflict=door.conflict if door else False,
    )


@dataclass(frozen=True)
class VisitResult:
    visit_id: int
    outcome: str
    risk: int
    quarantined: list[str]  # names of people put under home quarantine by this visit
    repeated: bool  # the same record was sent before; nothing new was stored
    # The record's id came before with other answers: both are kept, the door is flagged
    # for staff, and the volunteer is told.
    conflict: bool = False


@lru_cache
def _door_upsert(dialect: str):
    """Keep the door's state: the latest record wins, both records stay, and two volunteers
    finishing the same door is marked for staff. Built once per dialect: compiling it on
    every visit cost more than running it."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = table_of(Door)
    stmt = insert(table)
    new = stmt.excluded
    newer = new.last_at >= table.c.last_at
    final = [o.value for o in FINAL_OUTCOMES]
    return stmt.on_conflict_do_update(
        index_elements=[table.c.round_id, table.c.household_id],
        set_={
            "outcome": case((newer, new.outcome), else_=table.c.outcome),
            "risk": case((newer, new.risk), else_=table.c.risk),
            "last_by": case((newer, new.last_by), else_=table.c.last_by),
            "last_at": case((newer, new.last_at), else_=table.c.last_at),
            "visits": table.c.visits + 1,
            "conflict": table.c.conflict
            | (
                (table.c.last_by != new.last_by)
                & table.c.outcome.in_(final)
                & new.outcome.in_(final)
            ),
            "done_day": func.coalesce(table.c.done_day, new.done_day),
        },
    )


def _upsert_door(session: Session, visit: Visit, done_day: date | None) -> None:
    stmt = _door_upsert(session.get_bind().dialect.name)
    session.execute(
        stmt,
        {
            "round_id": visit.round_id,
            "household_id": visit.household_id,
            "building_id": visit.building_id,
            "outcome": visit.outcome,
            "risk": visit.risk,
            "visits": 1,
            "last_by": visit.recorded_by,
            "last_at": visit.recorded_at,
            "conflict": False,
            "done_day": done_day,
        },
    )


def _start_quarantine(
    session: Session,
    actor: User,
    rules: Rules,
    residents: list[Resident],
    reason: str,
) -> list[Resident]:
    """A 14-day (or as the rules say) plan for each of them who has none running; those
    started. One query and one insert however many people a door has."""
    if not residents:
        return []
    running = set(
        session.exec(
            select(QuarantinePlan.resident_id).where(
                col(QuarantinePlan.resident_id).in_([r.id for r in residents]),
                QuarantinePlan.status == PlanStatus.ACTIVE,
            )
        )
    )
    starting = list({r.id: r for r in residents if r.id not in running}.values())
    if starting:
        plans = [
            QuarantinePlan(
                resident_id=saved_id(r),
                household_id=r.household_id,
                community_id=r.community_id,
                reason=reason[:100],
                starts_on=today_local(),
                days=rules.quarantine_days,
                created_by=saved_id(actor),
            )
            for r in starting
        ]
        session.execute(insert(QuarantinePlan), [p.model_dump(exclude={"id"}) for p in plans])
    return starting


def _repeat(session: Session, model, client_id: str):
    return session.exec(select(model).where(model.client_id == client_id)).first()


def _quarantined_by(session: Session, visit: Visit) -> list[str]:
    """Who this visit put under home quarantine: a phone that sends a visit again (its first
    answer was lost) is told the same as the first time."""
    names = session.exec(
        select(Resident.name)
        .join(QuarantinePlan, col(QuarantinePlan.resident_id) == Resident.id)
        .where(
            QuarantinePlan.household_id == visit.household_id,
            QuarantinePlan.reason == f"visit:{visit.id}",
        )
        .order_by(col(QuarantinePlan.id))
    ).all()
    return list(names)


def visit_cue(result: VisitResult) -> tuple[str, dict[str, str]] | None:
    """The warning the volunteer must not miss after a visit, as a catalog key and its
    parameters: who starts home quarantine, else that someone needs the fever clinic."""
    if result.quarantined:
        return "visit.quarantined", {"names": "、".join(result.quarantined)}
    if result.risk >= Risk.CLINIC:
        return "visit.refer_clinic", {}
    return None


def record_visit(session: Session, actor: User | None, data: dict) -> VisitResult:
    """One door visit with everyone's answers, stored whole or not at all."""
    actor = require_role(actor, *FIELD_ROLES)
    values = parse(VisitInput, data)
    before = _repeat(session, Visit, values.client_id)
    if before is not None:
        if before.recorded_by != actor.id:
            raise Forbidden()
        if _answers(session, before) != _answers_sent(session, values, data):
            return _record_conflict(session, actor, values, data)
        quarantined = _quarantined_by(session, before)
        return VisitResult(before.id, before.outcome.value, before.risk, quarantined, True)
    screening_round, household = _household_for_visit(
        session, actor, values.round_id, values.household_id
    )
    if screening_round.closed_at is not None:
        raise ServiceError("errors.round_closed")
    people, new_people = _people(data)
    if values.outcome != Outcome.VISITED and (people or new_people):
        people, new_people = [], []  # answers only count for a door that was visited
    if values.outcome == Outcome.VISITED and not (people or new_people):
        raise InvalidInput({"people": "errors.visit_needs_people"})
    members = {
        r.id: r
        for r in session.exec(select(Resident).where(Resident.household_id == household.id)).all()
    }
    if any(p.resident_id not in members for p in people):
        raise InvalidInput({"people": "errors.not_a_member"})

    rules = _rules(session, household.community_id)
    checked: list[tuple[Resident, HealthInput, Risk]] = [
        (members[p.resident_id], p, assess(rules, p)) for p in people
    ]
    for i, person in enumerate(new_people):
        try:
            found = parse(
                ResidentInput,
                person.model_dump(include={"name", "sex", "relation", "mobile", "residency"})
                | {"moved_in": today_local()},
            )
            resident = community.enrol(session, actor, household, found)
        except InvalidInput as exc:
            raise exc.renamed(f"new_people.{i}.") from None
        checked.append((resident, person, assess(rules, person)))

    recorded_at = values.recorded_at or utcnow()
    visit = Visit(
        client_id=values.client_id,
        round_id=saved_id(screening_round),
        household_id=saved_id(household),
        building_id=household.building_id,
        outcome=values.outcome,
        by_phone=values.by_phone,
        risk=max((risk for _, _, risk in checked), default=Risk.NORMAL),
        note=values.note,
        recorded_by=saved_id(actor),
        recorded_at=recorded_at,
    )
    session.add(visit)
    try:
        session.flush()
    except IntegrityError:
        # The same record arrived twice at once; the other copy is stored.
        session.rollback()
        again = _repeat(session, Visit, values.client_id)
        if again is None:  # not a repeat: some other constraint failed
            raise
        quarantined = _quarantined_by(session, again)
        return VisitResult(again.id, again.outcome.value, again.risk, quarantined, True)
    if checked:  # one insert for the whole household (the ORM would send one per person)
        answers = [
            PersonCheck(
                visit_id=saved_id(visit),
                resident_id=saved_id(resident),
                temperature=health.temperature,
                symptoms=",".join(health.symptoms),
                symptom_note=health.symptom_note,
                travel=health.travel,
                travel_place=health.travel_place,
                travel_date=health.travel_date,
                health_code=health.health_code,
                test_status=health.test_status,
                risk=risk,
            )
            for resident, health, risk in checked
        ]
        # render_nulls: a missing temperature must not split the rows into several inserts.
        session.execute(
            insert(PersonCheck).execution_options(render_nulls=True),
            [a.model_dump(exclude={"id"}) for a in answers],
        )
    at_risk = [resident for resident, _, risk in checked if risk == Risk.QUARANTINE]
    started = _start_quarantine(session, actor, rules, at_risk, f"visit:{visit.id}")
    quarantined = [resident.name for resident in started]
    done_day = to_local(recorded_at).date() if values.outcome in FINAL_OUTCOMES else None
    _upsert_door(session, visit, done_day)
    _follow_up_after(session, visit, household)
    session.commit()
    return VisitResult(saved_id(visit), visit.outcome.value, visit.risk, quarantined, False)


def _health_key(name: str, health: HealthInput | PersonCheck) -> str:
    return repr(
        (
            name,
            health.temperature,
            ",".join(health.symptoms) if isinstance(health, HealthInput) else health.symptoms,
            health.symptom_note,
            health.travel,
            health.travel_place,
            health.travel_date,
            HealthCode(health.health_code),
            TestStatus(health.test_status),
        )
    )


def _answers(session: Session, visit: Visit) -> tuple:
    """What a stored visit says, comparable with `_answers_sent`."""
    people = session.exec(
        select(Resident.name, PersonCheck)
        .join(PersonCheck, col(PersonCheck.resident_id) == Resident.id)
        .where(PersonCheck.visit_id == visit.id)
    ).all()
    return (
        visit.round_id,
        visit.household_id,
        Outcome(visit.outcome),
        visit.by_phone,
        visit.note,
        sorted(_health_key(name, check) for name, check in people),
    )


def _answers_sent(session: Session, values: VisitInput, data: dict) -> tuple:
    people, new_people = _people(data) if values.outcome == Outcome.VISITED else ([], [])
    ids = [p.resident_id for p in people]
    names = dict(
        session.exec(select(Resident.id, Resident.name).where(col(Resident.id).in_(ids))).all()
    )
    return (
        values.round_id,
        values.household_id,
        values.outcome,
        values.by_phone,
        values.note,
        sorted(
            [_health_key(names.get(p.resident_id, ""), p) for p in people]
            + [_health_key(p.name.strip(), p) for p in new_people]
        ),
    )


def _record_conflict(session: Session, actor: User, values: VisitInput, data: dict) -> VisitResult:
    """Other answers under an id already stored (a phone's bug, or a record edited after it
    was sent): stored as a second record of the door, under an id made from the answers (so
    sending them again stores nothing new), and the door is flagged for staff to compare,
    like two volunteers' records of one door."""
    digest = hashlib.sha256(repr(_answers_sent(session, values, data)).encode()).hexdigest()
    copy_id = f"{values.client_id[:27]}:{digest[:12]}"
    result = record_visit(session, actor, data | {"client_id": copy_id})
    if not result.repeated:
        session.exec(
            update(Door)
            .where(col(Door.round_id) == values.round_id)
            .where(col(Door.household_id) == values.household_id)
            .values(conflict=True)
        )
        session.commit()
    return VisitResult(
        result.visit_id, result.outcome, result.risk, result.quarantined, result.repeated, True
    )


def _follow_up_after(session: Session, visit: Visit, household: Household) -> None:
    """Not at home opens (or keeps) a phone follow-up with a revisit tomorrow; any finished
    visit closes it."""
    if visit.outcome != Outcome.NOT_HOME:
        session.exec(
            update(FollowUp)
            .where(
                col(FollowUp.round_id) == visit.round_id,
                col(FollowUp.household_id) == household.id,
                col(FollowUp.status) != FollowUpStatus.DONE,
            )
            .values(status=FollowUpStatus.DONE, updated_at=utcnow())
        )
        return
    follow_up = session.exec(
        select(FollowUp).where(
            FollowUp.round_id == visit.round_id, FollowUp.household_id == household.id
        )
    ).first()
    if follow_up is None:
        follow_up = FollowUp(
            round_id=visit.round_id,
            household_id=saved_id(household),
            community_id=household.community_id,
        )
    elif follow_up.status == FollowUpStatus.DONE:
        follow_up.status = FollowUpStatus.OPEN
    follow_up.revisit_on = today_local() + timedelta(days=1)
    follow_up.updated_at = utcnow()
    session.add(follow_up)


def clear_conflict(session: Session, actor: User | None, round_id: int, household_id: int) -> None:
    """Staff looked at both records of a door and keep the latest."""
    actor = require_role(actor, Role.STAFF)
    door = session.get(Door, (round_id, household_id))
    if door is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, session.get_one(Round, round_id).community_id)
    door.conflict = False
    session.add(door)
    audit(session, actor, actor.community_id, "door.conflict_cleared", f"household:{household_id}")
    session.commit()


# ---------------------------------------------------------------- phone follow-up


@dataclass(frozen=True)
class Callee:
    resident_id: int
    name: str
    mobile: str  # masked; the full number is revealed (and audited) to call


@dataclass(frozen=True)
class FollowUpView:
    id: int
    round_id: int
    household_id: int
    address: str
    status: str
    failed_calls: int
    revisit_on: str
    callees: list[Callee]


def _follow_ups_query(session: Session, actor: User):
    query = select(FollowUp, Household).join(Household, col(Household.id) == FollowUp.household_id)
    query = query.join(Round, col(Round.id) == FollowUp.round_id)
    query = query.where(col(Round.closed_at).is_(None))
    return households_in_scope(session, actor, query)


def follow_ups(session: Session, actor: User | None) -> list[FollowUpView]:
    """电话追访: households not at home still to reach; escalated ones first for staff."""
    actor = require_role(actor, *FIELD_ROLES)
    statuses = [FollowUpStatus.OPEN]
    if actor.role == Role.STAFF:
        statuses.append(FollowUpStatus.ESCALATED)
    rows = session.exec(
        _follow_ups_query(session, actor)
        .where(col(FollowUp.status).in_(statuses))
        .order_by(col(FollowUp.status).desc(), col(FollowUp.updated_at))
        .limit(200)
    ).all()
    people = defaultdict(list)
    if rows:
        for r in session.exec(
            select(Resident)
            .where(
                col(Resident.household_id).in_([h.id for _, h in rows]),
                col(Resident.moved_out).is_(None),
                Resident.mobile != "",
            )
            .order_by(col(Resident.id))
        ).all():
            people[r.household_id].append(Callee(saved_id(r), r.name, mask_mobile(r.mobile)))
    return [
        FollowUpView(
            id=saved_id(f),
            round_id=f.round_id,
            household_id=saved_id(h),
            address=h.address,
            status=f.status.value,
            failed_calls=f.failed_calls,
            revisit_on=f.revisit_on.isoformat() if f.revisit_on else "",
            callees=people[h.id],
        )
        for f, h in rows
    ]


def record_failed_call(
    session: Session, actor: User | None, follow_up_id: int, note: str = ""
) -> FollowUpView:
    """Nobody answered. After the community's number of failed calls, staff take it over.
    (A call that reaches someone is recorded as a visit by phone.)"""
    actor = require_role(actor, *FIELD_ROLES)
    row = session.exec(_follow_ups_query(session, actor).where(FollowUp.id == follow_up_id)).first()
    if row is None:
        if session.get(FollowUp, follow_up_id) is None:
            raise ServiceError("errors.not_found")
        raise Forbidden()
    follow_up, household = row
    if follow_up.status == FollowUpStatus.DONE:
        raise ServiceError("errors.follow_up_done")
    session.add(
        CallAttempt(
            follow_up_id=saved_id(follow_up),
            reached=False,
            note=note.strip()[:100],
            called_by=saved_id(actor),
        )
    )
    follow_up.failed_calls += 1
    if follow_up.failed_calls >= _rules(session, household.community_id).call_attempts:
        follow_up.status = FollowUpStatus.ESCALATED
    follow_up.updated_at = utcnow()
    session.add(follow_up)
    session.commit()
    return FollowUpView(
        saved_id(follow_up),
        follow_up.round_id,
        saved_id(household),
        household.address,
        follow_up.status.value,
        follow_up.failed_calls,
        follow_up.revisit_on.isoformat() if follow_up.revisit_on else "",
        [],
    )


# ---------------------------------------------------------------- returning residents


class ArrivalInput(BaseModel):
    client_id: str
    household_id: RowId
    resident_id: RowId | None = None
    name: str = ""  # someone not on the register yet
    sex: Sex | None = None
    mobile: str = ""
    from_place: str
    from_risk_area: bool = False
    arrived_on: date
    transport: Transport
    transport_no: str = ""
    symptoms: list[Symptom] = []
    temperature: float | None = None
    at_gate: bool = False

    _blank = field_validator("temperature", "sex", mode="before")(_blank_none)
    _temp = field_validator("temperature")(_temperature)
    _date = field_validator("arrived_on")(_past)
    _place = field_validator("from_place")(_text(60))
    _no = field_validator("transport_no")(_text(20))
    _id = field_validator("client_id")(_client_id)

    @model_validator(mode="after")
    def _who(self):
        errors = {}
        if not self.from_place:
            errors["from_place"] = "errors.missing"
        if self.resident_id is None:
            if not self.name.strip():
                errors["name"] = "errors.missing"
            if self.sex is None:
                errors["sex"] = "errors.missing"
        if errors:
            raise InvalidInput(errors)
        return self


@dataclass(frozen=True)
class ArrivalView:
    id: int
    household_id: int
    name: str
    address: str
    from_place: str
    arrived_on: str
    transport: str
    transport_no: str
    risk: int
    at_gate: bool
    recorded_at: str


def record_arrival(session: Session, actor: User | None, data: dict) -> ArrivalView:
    """四问四登记: from where, when, how, health now — at the door or at the gate. Gate
    guards register people of any building of their community."""
    actor = require_role(actor, *FIELD_ROLES)
    values = parse(ArrivalInput, data)
    before = _repeat(session, Arrival, values.client_id)
    if before is not None:
        return _arrival_view(session, before)
    household = session.get(Household, values.household_id)
    if household is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, household.community_id)
    if values.resident_id is not None:
        resident = session.get(Resident, values.resident_id)
        if resident is None or resident.household_id != household.id:
            raise InvalidInput({"resident_id": "errors.not_a_member"})
    else:
        person = parse(
            ResidentInput,
            {
                "name": values.name,
                "sex": values.sex,
                "mobile": values.mobile,
                "moved_in": values.arrived_on,
            },
        )
        resident = community.enrol(session, actor, household, person)
    rules = _rules(session, household.community_id)
    risk = assess(
        rules,
        HealthInput(
            temperature=values.temperature,
            symptoms=values.symptoms,
            travel=values.from_risk_area,
            travel_place=values.from_place,
        ),
    )
    arrival = Arrival(
        client_id=values.client_id,
        community_id=household.community_id,
        household_id=saved_id(household),
        resident_id=saved_id(resident),
        from_place=values.from_place,
        from_risk_area=values.from_risk_area,
        arrived_on=values.arrived_on,
        transport=values.transport,
        transport_no=values.transport_no,
        symptoms=",".join(values.symptoms),
        temperature=values.temperature,
        at_gate=values.at_gate,
        risk=risk,
        recorded_by=saved_id(actor),
    )
    session.add(arrival)
    session.flush()
    if risk == Risk.QUARANTINE:
        _start_quarantine(session, actor, rules, [resident], f"arrival:{arrival.id}")
    session.commit()
    return _arrival_view(session, arrival)


def _arrival_view(session: Session, arrival: Arrival) -> ArrivalView:
    resident = session.get_one(Resident, arrival.resident_id)
    household = session.get_one(Household, arrival.household_id)
    return ArrivalView(
        id=saved_id(arrival),
        household_id=saved_id(household),
        name=resident.name,
        address=household.address,
        from_place=arrival.from_place,
        arrived_on=arrival.arrived_on.isoformat(),
        transport=arrival.transport.value,
        transport_no=arrival.transport_no,
        risk=arrival.risk,
        at_gate=arrival.at_gate,
        recorded_at=format_local(arrival.recorded_at),
    )


def find_door(
    session: Session, actor: User | None, compound_id: int, door_key: str
) -> tuple[int, str, list[tuple[int, str]]]:
    """The household at "3-2-501" in a compound, for registering at the gate:
    (household id, address, [(resident id, name)])."""
    actor = require_role(actor, *FIELD_ROLES)
    compound = session.get(Compound, compound_id)
    if compound is None:
        raise InvalidInput({"compound_id": "errors.missing"})
    require_community(session, actor, compound.community_id)
    key = door_key.strip().replace(" ", "")
    household = session.exec(
        select(Household).where(Household.compound_id == compound_id, Household.door_key == key)
    ).first()
    if household is None:
        raise InvalidInput({"door_key": "errors.door_not_found"})
    people = session.exec(
        select(Resident.id, Resident.name)
        .where(Resident.household_id == household.id, col(Resident.moved_out).is_(None))
        .order_by(col(Resident.id))
    ).all()
    return saved_id(household), household.address, [(saved_id(i), n) for i, n in people]


# ---------------------------------------------------------------- home quarantine


@dataclass(frozen=True)
class PlanView:
    id: int
    resident_id: int
    name: str
    address: str
    household_id: int
    reason: str
    starts_on: str
    ends_on: str
    day: int  # today is day N of the plan
    days: int
    checked_today: bool
    missed: int  # past days without a check
    last_temperature: str
    abnormal: bool  # the last check had fever or symptoms
    status: str


def _plan_views(session: Session, rows, rules_by_community: dict[int, Rules]) -> list[PlanView]:
    plans = [p for p, _, _ in rows]
    checks = defaultdict(list)
    if plans:
        for c in session.exec(
            select(DailyCheck)
            .where(col(DailyCheck.plan_id).in_([p.id for p in plans]))
            .order_by(col(DailyCheck.day))
        ).all():
            checks[c.plan_id].append(c)
    now = today_local()
    views = []
    for plan, name, address in rows:
        ends = plan.starts_on + timedelta(days=plan.days - 1)
        done_days = {c.day for c in checks[plan.id]}
        last_day = min(now - timedelta(days=1), ends)
        past = (last_day - plan.starts_on).days + 1 if last_day >= plan.starts_on else 0
        missed = sum(1 for i in range(past) if plan.starts_on + timedelta(days=i) not in done_days)
        last = checks[plan.id][-1] if checks[plan.id] else None
        if plan.community_id not in rules_by_community:  # once: default rules have no row
            rules_by_community[plan.community_id] = _rules(session, plan.community_id)
        rules = rules_by_community[plan.community_id]
        views.append(
            PlanView(
                id=plan.id,
                resident_id=plan.resident_id,
                name=name,
                address=address,
                household_id=plan.household_id,
                reason=plan.reason,
                starts_on=plan.starts_on.isoformat(),
                ends_on=ends.isoformat(),
                day=min((now - plan.starts_on).days + 1, plan.days),
                days=plan.days,
                checked_today=now in done_days,
                missed=missed,
                last_temperature=f"{last.temperature:.1f}" if last else "",
                abnormal=bool(last and (last.symptoms or last.temperature >= rules.fever_from)),
                status=plan.status.value,
            )
        )
    return views


def _plans_query(session: Session, actor: User):
    query = (
        select(QuarantinePlan, Resident.name, Household.address)
        .join(Resident, col(Resident.id) == QuarantinePlan.resident_id)
        .join(Household, col(Household.id) == QuarantinePlan.household_id)
    )
    return households_in_scope(session, actor, query)


def quarantine_plans(session: Session, actor: User | None) -> list[PlanView]:
    """居家隔离 under follow-up in the actor's scope: today's check due or done, days missed."""
    actor = require_role(actor, *FIELD_ROLES, Role.RESIDENT)
    rows = session.exec(
        _plans_query(session, actor)
        .where(QuarantinePlan.status == PlanStatus.ACTIVE)
        .order_by(col(QuarantinePlan.starts_on), col(QuarantinePlan.id))
    ).all()
    return _plan_views(session, rows, {})


class CheckInput(BaseModel):
    client_id: str
    temperature: float
    symptoms: list[Symptom] = []

    _id = field_validator("client_id")(_client_id)

    _temp = field_validator("temperature", mode="before")(_blank_none)
    _range = field_validator("temperature")(_temperature)


def record_check(session: Session, actor: User | None, plan_id: int, data: dict) -> PlanView:
    """Today's check of one person in home quarantine: by a volunteer or staff, or the
    resident themselves from their own phone."""
    actor = require_role(actor, *FIELD_ROLES, Role.RESIDENT)
    if not 0 < plan_id <= MAX_ID:
        raise ServiceError("errors.not_found")
    row = session.exec(_plans_query(session, actor).where(QuarantinePlan.id == plan_id)).first()
    if row is None:
        if session.get(QuarantinePlan, plan_id) is None:
            raise ServiceError("errors.not_found")
        raise Forbidden()
    plan = row[0]
    if plan.status != PlanStatus.ACTIVE:
        raise ServiceError("errors.plan_released")
    values = parse(CheckInput, data)
    before = _repeat(session, DailyCheck, values.client_id)
    sent = (plan.id, values.temperature, ",".join(values.symptoms))
    if before is not None and (before.plan_id, before.temperature, before.symptoms) != sent:
        # A check has one answer a day and no second record to keep: the first stands.
        raise ServiceError("errors.record_id_reused")
    if before is None:
        if session.exec(
            select(DailyCheck.id).where(
                DailyCheck.plan_id == plan.id, DailyCheck.day == today_local()
            )
        ).first():
            raise ServiceError("errors.checked_today")
        session.add(
            DailyCheck(
                client_id=values.client_id,
                plan_id=saved_id(plan),
                day=today_local(),
                temperature=values.temperature,
                symptoms=",".join(values.symptoms),
                self_reported=actor.role == Role.RESIDENT,
                recorded_by=saved_id(actor),
            )
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise ServiceError("errors.checked_today") from None
    return _plan_views(session, [row], {})[0]


def release(session: Session, actor: User | None, plan_id: int, note: str) -> None:
    """解除隔离: the release record. Before the last day it needs a reason."""
    actor = require_role(actor, Role.STAFF)
    plan = session.get(QuarantinePlan, plan_id)
    if plan is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, plan.community_id)
    if plan.status != PlanStatus.ACTIVE:
        raise ServiceError("errors.plan_released")
    note = note.strip()
    if len(note) > 200:
        raise InvalidInput({"note": "errors.too_long"}, {"note": {"max": 200}})
    if today_local() < plan.starts_on + timedelta(days=plan.days - 1) and not note:
        raise InvalidInput({"note": "errors.early_release_needs_reason"})
    plan.status, plan.released_by, plan.released_at = PlanStatus.RELEASED, actor.id, utcnow()
    plan.release_note = note
    session.add(plan)
    audit(session, actor, plan.community_id, "quarantine.release", f"plan:{plan.id}")
    session.commit()


# ---------------------------------------------------------------- the day's lists


@dataclass(frozen=True)
class CareView:
    resident_id: int
    household_id: int
    name: str
    address: str
    care: list[str]


@dataclass(frozen=True)
class RiskView:
    name: str
    address: str
    household_id: int
    risk: int
    at: str


@dataclass(frozen=True)
class Today:
    plans: list[PlanView]
    follow_ups: list[FollowUpView]
    arrivals: list[ArrivalView]
    care_not_seen: list[CareView]
    referrals: list[RiskView]


def today_lists(session: Session, actor: User | None) -> Today:
    """The lists that drive the day: quarantine checks due or missed, the phone follow-up
    queue, new arrivals (3 days), special-care residents not yet seen this round, and people
    to refer to a fever clinic."""
    actor = require_role(actor, *FIELD_ROLES)
    since = utcnow() - timedelta(days=3)
    arrivals = session.exec(
        households_in_scope(
            session,
            actor,
            select(Arrival).join(Household, col(Household.id) == Arrival.household_id),
        )
        .where(Arrival.recorded_at >= since)
        .order_by(col(Arrival.recorded_at).desc())
        .limit(100)
    ).all()
    open_rounds = select(Round.id).where(
        Round.community_id == actor.community_id, col(Round.closed_at).is_(None)
    )
    in_rounds = select(RoundBuilding.building_id).where(
        col(RoundBuilding.round_id).in_(open_rounds)
    )
    seen = select(Door.household_id).where(
        col(Door.round_id).in_(open_rounds), Door.outcome == Outcome.VISITED
    )
    care_flag = or_(*(getattr(Resident, flag) for flag in CARE_FLAGS))
    care_rows = session.exec(
        households_in_scope(
            session,
            actor,
            select(Resident, Household).join(Household, col(Household.id) == Resident.household_id),
        )
        .where(
            care_flag,
            col(Resident.moved_out).is_(None),
            col(Household.building_id).in_(in_rounds),
            col(Household.id).not_in(seen),
        )
        .order_by(Household.door_key)
        .limit(200)
    ).all()
    referrals = session.exec(
        households_in_scope(
            session,
            actor,
            select(PersonCheck, Resident.name, Household, Visit.recorded_at)
            .join(Visit, col(Visit.id) == PersonCheck.visit_id)
            .join(Resident, col(Resident.id) == PersonCheck.resident_id)
            .join(Household, col(Household.id) == Visit.household_id),
        )
        .where(PersonCheck.risk == Risk.CLINIC, Visit.received_at >= since)
        .order_by(col(Visit.recorded_at).desc())
        .limit(100)
    ).all()
    return Today(
        # Every plan under way, those still due today first (staff release from here too).
        plans=sorted(quarantine_plans(session, actor), key=lambda p: p.checked_today),
        follow_ups=follow_ups(session, actor),
        arrivals=[_arrival_view(session, a) for a in arrivals],
        care_not_seen=[
            CareView(
                saved_id(r),
                saved_id(h),
                r.name,
                h.address,
                [flag for flag in CARE_FLAGS if getattr(r, flag)],
            )
            for r, h in care_rows
        ],
        referrals=[
            RiskView(name, h.address, saved_id(h), check.risk, format_local(at))
            for check, name, h, at in referrals
        ],
    )


# ---------------------------------------------------------------- offline field work


@dataclass(frozen=True)
class OfflineMember:
    resident_id: int
    name: str
    sex: str
    age: int | None
    relation: str
    care: list[str]


@dataclass(frozen=True)
class OfflineDoor:
    household_id: int
    unit: str
    door: str
    address: str
    outcome: str
    members: list[OfflineMember]


@dataclass(frozen=True)
class OfflineBuilding:
    round_id: int
    round_name: str
    building_id: int
    name: str
    doors: list[OfflineDoor]


@dataclass(frozen=True)
class OfflinePackage:
    """What a phone keeps for a day without signal: only the buildings the volunteer covers,
    their doors and people, and the quarantine checks due in their scope."""

    user_name: str
    downloaded_at: str
    buildings: list[OfflineBuilding]
    plans: list[PlanView]


def offline_package(session: Session, actor: User | None) -> OfflinePackage:
    actor = require_role(actor, *FIELD_ROLES)
    buildings = my_buildings(session, actor)
    household_ids = [d.household_id for b in buildings for d in b.doors]
    people: dict[int, list[OfflineMember]] = defaultdict(list)
    addresses: dict[int, str] = {}
    if household_ids:
        for resident in session.exec(
            select(Resident)
            .where(col(Resident.household_id).in_(household_ids), col(Resident.moved_out).is_(None))
            .order_by(col(Resident.id))
        ).all():
            people[resident.household_id].append(
                OfflineMember(
                    saved_id(resident),
                    resident.name,
                    resident.sex.value,
                    age_today(resident.birth_date),
                    resident.relation,
                    [flag for flag in CARE_FLAGS if getattr(resident, flag)],
                )
            )
        addresses = {
            saved_id(hid): address
            for hid, address in session.exec(
                select(Household.id, Household.address).where(col(Household.id).in_(household_ids))
            ).all()
        }
    return OfflinePackage(
        user_name=actor.name,
        downloaded_at=utcnow().isoformat(),
        buildings=[
            OfflineBuilding(
                b.round_id,
                b.round_name,
                b.building_id,
                b.name,
                [
                    OfflineDoor(
                        d.household_id,
                        d.unit,
                        d.door,
                        addresses[d.household_id],
                        d.outcome,
                        people[d.household_id],
                    )
                    for d in b.doors
                ],
            )
            for b in buildings
        ],
        plans=quarantine_plans(session, actor),
    )


@dataclass(frozen=True)
class OfflineChanges:
    """The part of the package that changes all day: the state of each visited door and the
    quarantine checks. A phone whose package is otherwise current downloads only this."""

    downloaded_at: str
    doors: list[tuple[int, int, str]]  # (round, household, outcome); a door not listed is unvisited
    plans: list[PlanView]


@dataclass(frozen=True)
class OfflineVersion:
    """A cheap fingerprint of a volunteer's package, made from counts and last-change stamps
    instead of the package: `base` covers the buildings, doors and people, `live` the door
    states and quarantine checks (what `OfflineChanges` carries)."""

    base: str
    live: str


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def offline_version(session: Session, actor: User | None) -> tuple[OfflineVersion, OfflineChanges]:
    actor = require_role(actor, *FIELD_ROLES)
    mine = _my_round_buildings(actor)
    places = [
        (rb.id, rb.round_id, rb.building_id, round_name, number, compound_name)
        for rb, round_name, number, compound_name in _my_places(session, mine)
    ]
    building_ids = sorted({building_id for _, _, building_id, *_ in places})
    in_buildings = select(Household.id).where(col(Household.building_id).in_(building_ids))
    households = session.exec(
        select(func.count(), func.max(Household.id), func.max(Household.updated_at)).where(
            col(Household.building_id).in_(building_ids)
        )
    ).one()
    residents = session.exec(
        select(func.count(), func.max(Resident.id), func.max(Resident.updated_at)).where(
            col(Resident.household_id).in_(in_buildings), col(Resident.moved_out).is_(None)
        )
    ).one()
    doors = [
        (round_id, household_id, str(outcome))
        for round_id, household_id, outcome in session.exec(
            select(Door.round_id, Door.household_id, Door.outcome)
            .join(
                RoundBuilding,
                (col(RoundBuilding.round_id) == Door.round_id)
                & (col(RoundBuilding.building_id) == Door.building_id),
            )
            .where(col(RoundBuilding.id).in_(mine))
            .order_by(col(Door.round_id), col(Door.household_id))
        ).all()
    ]
    plans = quarantine_plans(session, actor)
    # Ages in the package count from today.
    base = (actor.id, actor.name, actor.locale, today_local(), places, households, residents)
    return (
        OfflineVersion(base=_fingerprint(*base), live=_fingerprint(doors, plans)),
        OfflineChanges(downloaded_at=utcnow().isoformat(), doors=doors, plans=plans),
    )
