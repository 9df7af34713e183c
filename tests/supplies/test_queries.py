"""Group buys' hot paths run a fixed number of SQL statements, however many orders or items a
buy has: each is measured with a few rows and with ten times as many."""

from datetime import timedelta

import pytest

from app.community.models import Building, Compound, Unit
from app.community.service import new_household
from app.supplies import service
from app.timeutil import utcnow

SIZES = (5, 50)


def _households(db, world, n: int) -> list[int]:
    """`n` more households in the world's compound, a unit of building 8."""
    compound = db.get(Compound, world.household.compound_id)
    building = Building(compound_id=compound.id, number="8")
    db.add(building)
    db.flush()
    unit = Unit(building_id=building.id, number="1")
    db.add(unit)
    db.flush()
    households = [new_household(compound, building, unit, str(101 + i)) for i in range(n)]
    db.add_all(households)
    db.commit()
    return [h.id for h in households]


def _buy(db, world, items: int):
    now = utcnow()
    data = {
        "title": "蔬菜团购",
        "supplier": "鲜丰食品",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(hours=5),
        "compound_ids": [world.household.compound_id],
        "pickup_points": ["东门"],
        "delivery_offered": True,
        "items": [
            {
                "name": f"蔬菜{i}",
                "spec": "5kg",
                "price_fen": 1000 + i,
                "stock": 1000,
                "limit_per_household": 3,
            }
            for i in range(items)
        ],
    }
    buy = service.create_buy(db, world.staff, world.community.id, data)
    return buy, [i.id for i in service.buy_detail(db, world.staff, buy.id).items]


def _orders(db, world, n: int, items: int = 3):
    """A buy of `items` items that `n` households have ordered (staff ordering for them)."""
    buy, item_ids = _buy(db, world, items)
    for household_id in _households(db, world, n):
        quantities = {item_id: 1 + household_id % 2 for item_id in item_ids}
        service.place_order(db, world.staff, buy.id, quantities, household_id)
    return buy, item_ids


@pytest.mark.parametrize("n", SIZES)
def test_placing_an_order(db, world, count_queries, n):
    """A resident orders every item of a buy (5, then the most a buy may have) that `n`
    households have already ordered from, then changes the order."""
    buy, item_ids = _orders(db, world, n, items=min(n, service.MAX_ITEMS))
    with count_queries() as counted:
        service.place_order(db, world.resident, buy.id, dict.fromkeys(item_ids, 2))
        service.place_order(db, world.resident, buy.id, dict.fromkeys(item_ids, 1))
    assert counted.total <= 16


@pytest.mark.parametrize("n", SIZES)
def test_the_buy_page_for_staff(db, world, count_queries, n):
    """What the buy page loads for staff: the buy, and the supplier summary with every order."""
    buy, _ = _orders(db, world, n)
    with count_queries() as counted:
        service.buy_detail(db, world.staff, buy.id)
        summary = service.summary(db, world.staff, buy.id)
    assert len(summary.orders) == n
    assert counted.total <= 12


@pytest.mark.parametrize("n", SIZES)
def test_the_buy_page_for_a_resident(db, world, count_queries, n):
    """What the buy page loads for a resident: the buy, and the order form with their order."""
    buy, item_ids = _orders(db, world, n)
    service.place_order(db, world.resident, buy.id, dict.fromkeys(item_ids, 1))
    with count_queries() as counted:
        service.buy_detail(db, world.resident, buy.id)
        _, mine = service.order_page(db, world.resident, buy.id)
    assert mine is not None and len(mine.lines) == 3
    assert counted.total <= 10


@pytest.mark.parametrize("n", SIZES)
def test_the_buy_lists(db, world, count_queries, n):
    """团购's first page: staff see the community's `n` buys, the resident the `n` open to
    them with what their household ordered from each."""
    for _ in range(n):
        buy, item_ids = _buy(db, world, 2)
        service.place_order(db, world.resident, buy.id, dict.fromkeys(item_ids, 1))
    with count_queries() as counted:
        buys = service.community_buys(db, world.staff, world.community.id)
        open_to_me = service.open_buys(db, world.resident)
        mine = service.my_orders(db, world.resident)
    assert len(buys) == len(open_to_me) == n and len(mine) == min(n, 20)
    assert all(b.orders == 1 and b.items[1].ordered == 1 for b in open_to_me)
    assert counted.total <= 14
