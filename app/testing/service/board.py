"""The round's board: per compound and building, people sampled of those due, households
with someone missed, home sampling tasks open; and the tubes. A fixed handful of grouped
queries, however many residents."""

from dataclasses import dataclass

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_role
from app.community.models import Building, Compound, Household, Resident
from app.community.service import natural_key
from app.db import saved_id
from app.testing.models import (
    HomeSamplingTask,
    MissedMark,
    RoundCompound,
    Sample,
    TaskStatus,
    Tube,
    TubeResult,
)

from ._common import FIELD_ROLES, READ_ROLES, _grid_buildings, _round
from .rounds import RoundView, round_view


@dataclass(frozen=True)
class Tally:
    due: int = 0
    sampled: int = 0
    missed_households: int = 0  # with someone due, not sampled and not accounted for
    home_open: int = 0  # home sampling tasks not done

    @property
    def percent(self) -> int:
        return self.sampled * 100 // self.due if self.due else 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            self.due + other.due,
            self.sampled + other.sampled,
            self.missed_households + other.missed_households,
            self.home_open + other.home_open,
        )


@dataclass(frozen=True)
class BuildingTally:
    building_id: int
    number: str
    tally: Tally


@dataclass(frozen=True)
class CompoundTally:
    compound_id: int
    name: str
    tally: Tally
    buildings: list[BuildingTally]


@dataclass(frozen=True)
class TestingBoard:
    __test__ = False  # not a pytest test class, though named Test…

    round: RoundView
    total: Tally
    compounds: list[CompoundTally]
    tubes: int
    tubes_open: int
    tubes_positive: int


def board(session: Session, actor: User | None, round_id: int) -> TestingBoard:
    """Staff see the whole round; a volunteer their grid's buildings."""
    actor = require_role(actor, *FIELD_ROLES, *READ_ROLES)
    testing_round = _round(session, actor, round_id, open_=False)
    scope = select(RoundCompound.compound_id).where(RoundCompound.round_id == round_id)
    buildings = (
        select(Building.id, Building.number, Compound.id, Compound.name)
        .join(Compound, col(Compound.id) == Building.compound_id)
        .where(col(Building.compound_id).in_(scope))
    )
    # One pass over the register: per building, the people due and the households with
    # someone neither sampled nor accounted for by a mark. Outer joins (hash joins on
    # PostgreSQL; EXISTS in the select list runs per row there, four times slower).
    unaccounted = and_(col(Sample.id).is_(None), col(MissedMark.id).is_(None))
    people = (
        select(
            Household.building_id,
            func.count(),
            func.count(func.distinct(case((unaccounted, Household.id)))),
        )
        .join(Resident, col(Resident.household_id) == Household.id)
        .outerjoin(
            Sample, and_(col(Sample.round_id) == round_id, col(Sample.resident_id) == Resident.id)
        )
        .outerjoin(
            MissedMark,
            and_(col(MissedMark.round_id) == round_id, col(MissedMark.resident_id) == Resident.id),
        )
        .where(col(Household.compound_id).in_(scope), col(Resident.moved_out).is_(None))
    )
    if actor.role == Role.VOLUNTEER:
        mine = _grid_buildings(actor)
        buildings = buildings.where(col(Building.id).in_(mine))
        people = people.where(col(Household.building_id).in_(mine))
    due: dict[int, int] = {}
    missed: dict[int, int] = {}
    for building_id, count, households in session.exec(
        people.group_by(col(Household.building_id))
    ).all():
        due[building_id], missed[building_id] = count, households
    sampled = dict(
        session.exec(
            select(Sample.building_id, func.count())
            .where(Sample.round_id == round_id)
            .group_by(col(Sample.building_id))
        ).all()
    )
    home = dict(
        session.exec(
            select(HomeSamplingTask.building_id, func.count())
            .where(
                HomeSamplingTask.round_id == round_id,
                HomeSamplingTask.status != TaskStatus.DONE,
            )
            .group_by(col(HomeSamplingTask.building_id))
        ).all()
    )
    tubes, tubes_open, positive = session.exec(
        select(
            func.count(col(Tube.id)),
            func.count(col(Tube.id)).filter(col(Tube.closed_at).is_(None)),
            func.count(col(Tube.id)).filter(col(Tube.result) == TubeResult.POSITIVE),
        ).where(Tube.round_id == round_id)
    ).one()
    compounds: dict[int, tuple[str, list[BuildingTally]]] = {}
    for found_id, number, compound_id, compound in session.exec(buildings).all():
        building_id = saved_id(found_id)
        tally = Tally(
            due.get(building_id, 0),
            sampled.get(building_id, 0),
            missed.get(building_id, 0),
            home.get(building_id, 0),
        )
        if tally.due or tally.sampled:
            compounds.setdefault(saved_id(compound_id), (compound, []))[1].append(
                BuildingTally(building_id, number, tally)
            )
    tallies = [
        CompoundTally(
            compound_id=cid,
            name=name,
            tally=sum((b.tally for b in rows), Tally()),
            buildings=sorted(rows, key=lambda b: natural_key(b.number)),
        )
        for cid, (name, rows) in compounds.items()
    ]
    tallies.sort(key=lambda c: natural_key(c.name))
    compound_count = len(session.exec(scope).all())
    return TestingBoard(
        round=round_view(testing_round, compound_count),
        total=sum((c.tally for c in tallies), Tally()),
        compounds=tallies,
        tubes=tubes,
        tubes_open=tubes_open,
        tubes_positive=positive,
    )
