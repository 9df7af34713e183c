"""The register search runs a fixed number of SQL statements however many households match:
measured with a few and with ten times as many."""

import pytest

from app.community import service
from app.community.models import Building, Compound, Resident, Sex, Unit
from app.community.service import new_household

SIZES = (5, 50)
# Every way of searching: a name, a mobile's last four digits (people and doors), a whole
# mobile, a door number, building-unit, and a compound with building-unit-door.
SEARCHES = ("王", "5678", "13512345678", "101", "8-1", "望江花园 8-1-1")


def _households(db, world, n: int) -> None:
    """`n` more households in building 8 of the volunteer's grid, three people in each, all
    named 王 and sharing a mobile (so every search finds them all)."""
    compound = db.get(Compound, world.household.compound_id)
    building = Building(compound_id=compound.id, number="8", grid_id=world.grid.id)
    db.add(building)
    db.flush()
    unit = Unit(building_id=building.id, number="1")
    db.add(unit)
    db.flush()
    households = [new_household(compound, building, unit, str(101 + i)) for i in range(n)]
    db.add_all(households)
    db.flush()
    db.add_all(
        Resident(
            household_id=h.id,
            community_id=world.community.id,
            name=f"王{i}",
            sex=Sex.MALE,
            mobile="13512345678",
            mobile_tail="5678",
        )
        for h in households
        for i in range(3)
    )
    db.commit()


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("role", ["staff", "street_staff", "volunteer"])
def test_the_register_search(db, world, count_queries, n, role):
    _households(db, world, n)
    actor = world.by_role(role)
    with count_queries() as counted:
        found = [service.search(db, actor, text) for text in SEARCHES]
    assert all(found), [text for text, hits in zip(SEARCHES, found, strict=True) if not hits]
    # At most the hits and the members of the doors found; street staff also look up their
    # street's communities (once for people, once for doors).
    per_search = 4 if role == "street_staff" else 2
    assert counted.total <= per_search * len(SEARCHES)
