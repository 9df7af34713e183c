"""Screening's hot paths run a fixed number of SQL statements, however many doors, people or
plans there are: each is measured with a few rows and with ten times as many."""

import uuid

import pytest
from sqlmodel import select

from app.community.models import Building, Compound, Household, Resident, Sex, Unit
from app.community.service import new_household
from app.screening import service as screening
from app.timeutil import today_local

SIZES = (5, 50)


def _buildings(db, world, n: int) -> list[Household]:
    """`n` more buildings in the volunteer's grid, one household of two people in each."""
    compound = db.get(Compound, world.household.compound_id)
    households = []
    for i in range(n):
        building = Building(compound_id=compound.id, number=str(10 + i), grid_id=world.grid.id)
        db.add(building)
        db.flush()
        unit = Unit(building_id=building.id, number="1")
        db.add(unit)
        db.flush()
        household = new_household(compound, building, unit, "101")
        db.add(household)
        db.flush()
        for name in ("王芳", "王磊"):
            db.add(
                Resident(
                    household_id=household.id,
                    community_id=world.community.id,
                    name=name,
                    sex=Sex.FEMALE,
                )
            )
        households.append(household)
    db.commit()
    return households


def _round(db, world):
    data = {"name": "全员排查", "starts_on": today_local(), "ends_on": today_local()}
    return screening.start_round(db, world.staff, world.community.id, data)


def _members(db, household: Household) -> list[Resident]:
    return list(db.exec(select(Resident).where(Resident.household_id == household.id)))


def _visit(db, actor, rnd, household, people: list[dict], new_people=(), outcome="visited"):
    return screening.record_visit(
        db,
        actor,
        {
            "client_id": uuid.uuid4().hex,
            "round_id": rnd.id,
            "household_id": household.id,
            "outcome": outcome,
            "people": people,
            "new_people": list(new_people),
        },
    )


def _traveller(resident_id: int, temperature: float | None = None) -> dict:
    """Answers that start home quarantine (with or without a temperature taken)."""
    return {
        "resident_id": resident_id,
        "travel": True,
        "travel_place": "上海浦东",
        "travel_date": today_local(),
        "temperature": temperature,
    }


def _household_of(db, world, n: int) -> Household:
    """A door in the volunteer's grid where `n` people live (a shared rental, a dormitory)."""
    [household] = _buildings(db, world, 1)
    db.add_all(
        Resident(
            household_id=household.id,
            community_id=world.community.id,
            name=f"租户{i}",
            sex=Sex.MALE,
        )
        for i in range(n - 2)
    )
    db.commit()
    return household


@pytest.mark.parametrize("n", SIZES)
def test_saving_a_door_visit(db, world, count_queries, n):
    """Everyone at the door answers, all back from a risk area (so each starts home
    quarantine), and two people are found living there and join the register. (Each person
    found costs one INSERT, and one for its audit entry, on SQLite, which cannot tell which
    returned id is whose in a multi-row insert; a door has a few at most.)"""
    household = _household_of(db, world, n)
    rnd = _round(db, world)
    people = [
        _traveller(r.id, 36.5 if i % 2 else None) for i, r in enumerate(_members(db, household))
    ]
    found = [{"name": f"新住户{i}", "sex": "female"} | _traveller(0) for i in range(2)]
    with count_queries() as counted:
        result = _visit(db, world.volunteer, rnd, household, people, found)
    assert len(result.quarantined) == n + 2
    assert counted.total <= 14


@pytest.mark.parametrize("n", SIZES)
def test_the_coverage_board(db, world, count_queries, n):
    """What the board loads (the rounds, then the chosen round's coverage), with `n` buildings
    each visited."""
    households = _buildings(db, world, n)
    rnd = _round(db, world)
    for household in households:
        _visit(db, world.volunteer, rnd, household, [], outcome="not_home")
    with count_queries() as counted:
        screening.rounds(db, world.staff, world.community.id)
        board = screening.coverage(db, world.staff, rnd.id)
    assert board.total.doors == n + 2
    assert counted.total <= 8


@pytest.mark.parametrize("n", SIZES)
def test_the_offline_package(db, world, count_queries, n):
    """A volunteer's download: `n` buildings with their doors and people, and `n` people in
    home quarantine."""
    households = _buildings(db, world, n)
    rnd = _round(db, world)
    for household in households:
        _visit(db, world.staff, rnd, household, [_traveller(_members(db, household)[0].id)])
    with count_queries() as counted:
        package = screening.offline_package(db, world.volunteer)
    assert len(package.buildings) == n + 1 and len(package.plans) == n
    assert counted.total <= 10
