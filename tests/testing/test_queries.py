"""Testing's hot paths run a fixed number of SQL statements, however many buildings, doors or
people: each is measured with a few rows and with ten times as many."""

import pytest

from app.community import service as community
from app.community.models import Building, Compound, Household, Resident, Sex, Unit
from app.community.service import new_household
from app.testing import service as testing
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
                    disabled=name == "王磊",
                )
            )
        households.append(household)
    db.commit()
    return households


def _round(db, world):
    data = {"name": "全员核酸", "test_date": today_local(), "mode": "pool10"}
    return testing.plan_round(db, world.staff, world.community.id, data)


def _residents(db, households) -> list[Resident]:
    from sqlmodel import col, select

    ids = [h.id for h in households]
    return list(db.exec(select(Resident).where(col(Resident.household_id).in_(ids))).all())


@pytest.mark.parametrize("n", SIZES)
def test_a_scan_is_a_fixed_number_of_statements(db, world, count_queries, n):
    households = _buildings(db, world, n)
    rnd = _round(db, world)
    site = testing.add_site(
        db,
        world.staff,
        rnd.id,
        {"name": "东门", "opens": "08:00", "closes": "12:00", "capacity": 300},
    )
    tube = testing.open_tube(db, world.volunteer, {"site_id": site.id, "barcode": "T0001"})
    people = _residents(db, households)[:9]
    for person in people[:-1]:
        testing.scan_code(db, world.volunteer, tube.id, community.personal_code(person.id))
    with count_queries() as counted:
        testing.scan_code(db, world.volunteer, tube.id, community.personal_code(people[-1].id))
    assert counted.total <= 12


@pytest.mark.parametrize("n", SIZES)
def test_the_missed_list_is_a_fixed_number_of_statements(db, world, count_queries, n):
    compound = db.get(Compound, world.household.compound_id)
    building = db.get(Building, world.household.building_id)
    unit = Unit(building_id=building.id, number="9")
    db.add(unit)
    db.flush()
    for i in range(n):
        household = new_household(compound, building, unit, str(100 + i))
        db.add(household)
        db.flush()
        db.add(
            Resident(
                household_id=household.id, community_id=world.community.id, name="赵", sex=Sex.MALE
            )
        )
    db.commit()
    rnd = _round(db, world)
    with count_queries() as counted:
        missed = testing.missed_list(db, world.volunteer, rnd.id, building.id)
    assert len(missed.doors) == n + 1
    assert counted.total <= 6


@pytest.mark.parametrize("n", SIZES)
def test_the_board_is_a_fixed_number_of_statements(db, world, count_queries, n):
    _buildings(db, world, n)
    rnd = _round(db, world)
    with count_queries() as counted:
        board = testing.board(db, world.staff, rnd.id)
    assert board.total.due == 3 + 2 * n
    assert board.total.home_open == n
    assert counted.total <= 8
