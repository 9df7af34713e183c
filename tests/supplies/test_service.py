import contextlib
import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from app.accounts.models import Role
from app.community.models import Building, Household, Resident, Unit
from app.community.service import new_household
from app.errors import Forbidden, InvalidInput, ServiceError
from app.screening import service as screening
from app.supplies import service
from app.supplies.models import BuyItem, GroupBuy, OrderLine, OrderStatus, SupplyOrder
from app.timeutil import today_local, utcnow
from tests.conftest import add_user


def _buy_data(world, **changes):
    now = utcnow()
    return {
        "title": "冻肉团购",
        "supplier": "鲜丰食品",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(hours=5),
        "compound_ids": [world.household.compound_id],
        "pickup_points": ["望江花园东门"],
        "delivery_offered": False,
        "items": [
            {
                "name": "猪肉",
                "spec": "2kg/袋",
                "price_fen": 5800,
                "stock": 100,
                "limit_per_household": 2,
            },
            {
                "name": "鸡蛋",
                "spec": "30枚",
                "price_fen": 2500,
                "stock": 50,
                "limit_per_household": 1,
            },
        ],
        **changes,
    }


def _make_buy(db, world, **changes) -> GroupBuy:
    return service.create_buy(db, world.staff, world.community.id, _buy_data(world, **changes))


def _items(db, buy) -> list[BuyItem]:
    return list(db.exec(select(BuyItem).where(BuyItem.buy_id == buy.id).order_by(BuyItem.id)))


def _order(db, *args, **kwargs) -> SupplyOrder:
    return db.get(SupplyOrder, service.place_order(db, *args, **kwargs))


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_a_resident_orders_sees_the_buy_and_changes_then_cancels(db, world):
    buy = _make_buy(db, world)
    pork, eggs = _items(db, buy)
    [view] = service.open_buys(db, world.resident)
    assert (view.title, [i.price for i in view.items]) == ("冻肉团购", ["¥58.00", "¥25.00"])

    order = _order(db, world.resident, buy.id, {pork.id: 2, eggs.id: 1})
    assert not order.on_behalf
    db.refresh(pork)
    assert (pork.stock, pork.sold) == (98, 2)
    [mine] = service.my_orders(db, world.resident)
    assert mine.total == "¥141.00" and mine.can_change

    service.place_order(db, world.resident, buy.id, {pork.id: 1, eggs.id: 0})
    db.refresh(pork), db.refresh(eggs)
    assert (pork.stock, eggs.stock) == (99, 50)
    assert service.open_buys(db, world.resident)[0].items[0].ordered == 1

    service.cancel_order(db, world.resident, order.id)
    db.refresh(pork)
    assert (pork.stock, pork.sold) == (100, 0)
    assert _count(db, SupplyOrder) == 1  # one order per household, changed in place


@pytest.mark.parametrize(
    ("quantities", "error"),
    [
        ({"p": 0}, {"_": "errors.quantity_zero"}),
        ({"p": -1}, {"p": "errors.quantity_negative"}),
        ({"p": 3}, {"p": "errors.quantity_above_limit"}),
        ({"p": "两"}, {"p": "errors.quantity_invalid"}),
    ],
)
def test_bad_quantities_are_refused_next_to_the_item_and_nothing_is_taken(
    db, world, quantities, error
):
    buy = _make_buy(db, world)
    pork, _ = _items(db, buy)
    key = f"qty_{pork.id}"
    with pytest.raises(InvalidInput) as exc:
        service.place_order(db, world.resident, buy.id, {pork.id: quantities["p"]})
    assert exc.value.fields == {(key if k == "p" else k): v for k, v in error.items()}
    db.refresh(pork)
    assert pork.stock == 100 and _count(db, SupplyOrder) == 0


def test_above_stock_takes_nothing_of_any_item(db, world):
    buy = _make_buy(db, world)
    pork, eggs = _items(db, buy)
    service.update_item(db, world.staff, eggs.id, {"stock": 0 + 1})
    other = add_household_in(db, world, "502")
    service.place_order(db, world.staff, buy.id, {eggs.id: 1}, household_id=other.id)
    with pytest.raises(InvalidInput) as exc:
        service.place_order(db, world.resident, buy.id, {pork.id: 2, eggs.id: 1})
    assert exc.value.fields == {f"qty_{eggs.id}": "errors.sold_out"}
    db.refresh(pork)
    assert pork.stock == 100  # the pork was given back with the rest


def test_after_the_cut_off_and_outside_the_compounds_ordering_is_refused(db, world):
    buy = _make_buy(db, world)
    pork, _ = _items(db, buy)
    buy.closes_at = utcnow() - timedelta(minutes=1)
    db.add(buy)
    db.commit()
    with pytest.raises(ServiceError) as exc:
        service.place_order(db, world.resident, buy.id, {pork.id: 1})
    assert exc.value.code == "errors.ordering_closed"
    assert service.open_buys(db, world.resident) == []

    other = _make_buy(db, world, compound_ids=[world.outside.compound_id])
    with pytest.raises(ServiceError) as exc:
        service.place_order(db, world.resident, other.id, {_items(db, other)[0].id: 1})
    assert exc.value.code == "errors.compound_not_in_buy"


def test_a_change_after_the_cut_off_is_refused(db, world):
    buy = _make_buy(db, world)
    pork, _ = _items(db, buy)
    order = _order(db, world.resident, buy.id, {pork.id: 1})
    service.set_buy_status(db, world.staff, buy.id, "close")
    for call in (
        lambda: service.place_order(db, world.resident, buy.id, {pork.id: 2}),
        lambda: service.cancel_order(db, world.resident, order.id),
    ):
        with pytest.raises(ServiceError) as exc:
            call()
        assert exc.value.code == "errors.ordering_closed"
    service.set_buy_status(
        db, world.staff, buy.id, "reopen", closes_at=utcnow() + timedelta(hours=1)
    )
    service.place_order(db, world.resident, buy.id, {pork.id: 2})


def test_staff_order_on_behalf_recorded_as_such(db, world):
    buy = _make_buy(db, world)
    pork, _ = _items(db, buy)
    found = service.household_at_door(db, world.volunteer, buy.id, "3-2-501")
    assert found == (world.household.id, world.household.address)
    order = _order(db, world.volunteer, buy.id, {pork.id: 1}, household_id=found[0])
    assert order.on_behalf and order.placed_by == world.volunteer.id
    [mine] = service.my_orders(db, world.resident)
    assert mine.on_behalf


def test_price_locked_once_ordered_and_stock_never_below_sold(db, world):
    buy = _make_buy(db, world)
    pork, _ = _items(db, buy)
    service.update_item(db, world.staff, pork.id, {"price_fen": 6000})
    service.place_order(db, world.resident, buy.id, {pork.id: 2})
    with pytest.raises(InvalidInput) as exc:
        service.update_item(db, world.staff, pork.id, {"price_fen": 5000})
    assert exc.value.fields == {"price_fen": "errors.price_locked"}
    with pytest.raises(ServiceError) as exc:
        service.update_item(db, world.staff, pork.id, {"stock": 1})
    assert (exc.value.code, exc.value.field, exc.value.params) == (
        "errors.stock_below_sold",
        "stock",
        {"sold": 2},
    )
    service.update_item(db, world.staff, pork.id, {"stock": 2})
    db.refresh(pork)
    assert (pork.stock, pork.sold, pork.price_fen) == (0, 2, 6000)


def test_creating_a_buy_checks_every_field_and_saves_nothing_when_wrong(db, world):
    data = _buy_data(world, title=" ", compound_ids=[], closes_at=utcnow() - timedelta(hours=2))
    data["items"][1]["price_fen"] = 0
    with pytest.raises(InvalidInput) as exc:
        service.create_buy(db, world.staff, world.community.id, data)
    assert exc.value.fields == {
        "title": "errors.missing",
        "closes_at": "errors.cutoff_before_open",
        "compound_ids": "errors.compounds_required",
        "item1_price_fen": "errors.price_invalid",
    }
    assert _count(db, GroupBuy) == 0 and _count(db, BuyItem) == 0
    with pytest.raises(InvalidInput):
        service.create_buy(
            db,
            world.staff,
            world.community.id,
            _buy_data(world, compound_ids=[world.far_household.compound_id]),
        )


def test_cancelling_tells_every_household_why_and_returns_the_stock(db, world):
    buy = _make_buy(db, world)
    pork, _ = _items(db, buy)
    service.place_order(db, world.resident, buy.id, {pork.id: 2})
    with pytest.raises(InvalidInput):
        service.set_buy_status(db, world.staff, buy.id, "cancel", reason="")
    service.set_buy_status(db, world.staff, buy.id, "cancel", reason="供应商无法送货")
    [mine] = service.my_orders(db, world.resident)
    assert (mine.status, mine.cancel_reason) == ("cancelled", "供应商无法送货")
    db.refresh(pork)
    assert pork.stock == 100


def add_household_in(db, world, door: str, building_number: str = "3", care: bool = False):
    """Another household in the world's compound (building `building_number`, unit 1)."""
    from app.community.models import Compound

    compound = db.get(Compound, world.household.compound_id)
    building = db.exec(
        select(Building).where(
            Building.compound_id == compound.id, Building.number == building_number
        )
    ).first()
    if building is None:
        building = Building(compound_id=compound.id, number=building_number)
        db.add(building)
        db.flush()
    unit = db.exec(select(Unit).where(Unit.building_id == building.id, Unit.number == "1")).first()
    if unit is None:
        unit = Unit(building_id=building.id, number="1")
        db.add(unit)
        db.flush()
    household = new_household(compound, building, unit, door)
    db.add(household)
    db.flush()
    db.add(
        Resident(
            household_id=household.id,
            community_id=world.community.id,
            name="王芳",
            sex="female",
            elderly_alone=care,
        )
    )
    db.commit()
    return household


def test_special_care_households_get_door_delivery(db, world):
    buy = _make_buy(db, world)
    pork, _ = _items(db, buy)
    elderly = add_household_in(db, world, "601", care=True)
    assert service.needs_delivery(db, elderly.id)
    assert not service.needs_delivery(db, world.household.id)
    order = _order(db, world.staff, buy.id, {pork.id: 1}, household_id=elderly.id)
    assert order.delivery
    service.place_order(db, world.resident, buy.id, {pork.id: 1})
    service.set_buy_status(db, world.staff, buy.id, "close")
    service.generate_batches(
        db, world.staff, buy.id, {"batch_size": 10, "slot_minutes": 15, "first_slot_at": utcnow()}
    )
    [task] = service.delivery_tasks(db, world.volunteer, world.community.id)
    assert task.address == elderly.address and task.deliverer == ""
    service.assign_delivery(db, world.volunteer, [task.order_id])
    assert service.delivery_tasks(db, world.staff, world.community.id)[0].deliverer == "用户0001"
    service.mark_delivered(db, world.volunteer, task.order_id)
    assert service.delivery_tasks(db, world.staff, world.community.id) == []
    [done] = service.delivery_tasks(db, world.staff, world.community.id, done=True)
    assert done.delivered_at


def test_a_household_in_home_quarantine_gets_door_delivery(db, world):
    """A visit that puts someone under home quarantine turns their household's orders into
    door deliveries; release ends it."""
    buy = _make_buy(db, world)
    pork, _ = _items(db, buy)
    assert not service.needs_delivery(db, world.household.id)
    rnd = screening.start_round(
        db,
        world.staff,
        world.community.id,
        {"name": "全员", "starts_on": today_local(), "ends_on": today_local()},
    )
    member = db.exec(select(Resident).where(Resident.household_id == world.household.id)).first()
    screening.record_visit(
        db,
        world.volunteer,
        {
            "client_id": "visit-quarantine-1",
            "round_id": rnd.id,
            "household_id": world.household.id,
            "outcome": "visited",
            "people": [{"resident_id": member.id, "travel": True, "travel_place": "上海"}],
        },
    )
    assert service.needs_delivery(db, world.household.id)
    assert _order(db, world.resident, buy.id, {pork.id: 1}).delivery
    (plan,) = screening.quarantine_plans(db, world.staff)
    screening.release(db, world.staff, plan.id, "核酸阴性，提前解除")
    assert not service.needs_delivery(db, world.household.id)


def test_batches_by_building_calling_collecting_and_missed_slots(db, world):
    buy = _make_buy(db, world)
    pork, _ = _items(db, buy)
    households = [
        add_household_in(db, world, f"{n}01", building_number=b)
        for b in ("5", "4")
        for n in (1, 2, 3)
    ]
    for h in households:
        service.place_order(db, world.staff, buy.id, {pork.id: 1}, household_id=h.id)
    start = utcnow() + timedelta(hours=1)
    plan = {"batch_size": 4, "slot_minutes": 20, "first_slot_at": start}
    with pytest.raises(ServiceError) as exc:  # orders could still change
        service.generate_batches(db, world.staff, buy.id, plan)
    assert exc.value.code == "errors.close_first"
    service.set_buy_status(db, world.staff, buy.id, "close")
    batches = service.generate_batches(
        db, world.staff, buy.id, {"batch_size": 4, "slot_minutes": 20, "first_slot_at": start}
    )
    assert batches == 2
    orders = db.exec(select(SupplyOrder).order_by(SupplyOrder.pickup_number)).all()
    assert [o.pickup_number for o in orders] == [1, 2, 3, 4, 5, 6]
    # Building 4 comes first, its households numbered together.
    by_building = {o.pickup_number: db.get(Household, o.household_id).building_id for o in orders}
    assert len({by_building[n] for n in (1, 2, 3)}) == 1
    assert [o.batch for o in orders] == [1, 1, 1, 1, 2, 2]
    assert orders[4].slot_at - orders[0].slot_at == timedelta(minutes=20)

    assert service.advance_call(db, world.staff, buy.id) == 1
    calling = service.calling(db, world.volunteer, buy.id)
    assert (calling.numbers, calling.next_numbers) == ([1, 2, 3, 4], [5, 6])
    service.collect(db, world.volunteer, buy.id, 1)
    with pytest.raises(ServiceError) as exc:
        service.collect(db, world.volunteer, buy.id, 1)
    assert exc.value.code == "errors.already_collected" and exc.value.field == "number"
    with pytest.raises(ServiceError) as exc:
        service.collect(db, world.volunteer, buy.id, 99)
    assert exc.value.code == "errors.number_unknown"
    for n in (2, 3):
        service.collect(db, world.volunteer, buy.id, n)
    assert service.advance_call(db, world.staff, buy.id) == 2  # number 4 missed its slot
    missed = db.exec(select(SupplyOrder).where(SupplyOrder.pickup_number == 4)).one()
    assert (missed.batch, missed.missed) == (3, 1)
    assert service.calling(db, world.staff, buy.id).last_batch == 3
    for n in (5, 6):
        service.collect(db, world.volunteer, buy.id, n)
    assert service.advance_call(db, world.staff, buy.id) == 3
    assert service.calling(db, world.staff, buy.id).numbers == [4]
    service.collect(db, world.volunteer, buy.id, 4)  # a late household is still served


def test_supplier_summary_paid_and_xlsx(db, world):
    from io import BytesIO

    from openpyxl import load_workbook

    buy = _make_buy(
        db, world, compound_ids=[world.household.compound_id, world.outside.compound_id]
    )
    pork, eggs = _items(db, buy)
    service.place_order(db, world.resident, buy.id, {pork.id: 2, eggs.id: 1})
    order = _order(db, world.staff, buy.id, {pork.id: 1}, household_id=world.outside.id)
    service.set_paid(db, world.staff, order.id, True)
    data = service.summary(db, world.staff, buy.id)
    assert data.items == [("猪肉 2kg/袋", 3, "¥174.00"), ("鸡蛋 30枚", 1, "¥25.00")]
    assert data.compounds == ["望江花园", "锦城苑"]
    assert data.per_compound == [[2, 1], [1, 0]]
    assert (data.paid, data.unpaid, data.total) == (1, 1, "¥199.00")
    book = load_workbook(BytesIO(service.export_summary(db, world.staff, buy.id)))
    assert [c.value for c in book["汇总"][3]] == ["猪肉 2kg/袋", 2, 1, 3, "¥174.00"]
    assert book["订单"].max_row == 3


def test_errands_asked_taken_once_and_done(db, world):
    errand = service.request_errand(
        db, world.resident, {"kind": "medicine", "details": "降压药两盒"}
    )
    with pytest.raises(InvalidInput) as exc:
        service.request_errand(db, world.resident, {"kind": "medicine", "details": " "})
    assert exc.value.fields == {"details": "errors.missing"}
    other = add_user(db, "13900000002", Role.VOLUNTEER, world.community)
    service.take_errand(db, world.volunteer, errand.id)
    with pytest.raises(ServiceError) as exc:
        service.take_errand(db, other, errand.id)
    assert exc.value.code == "errors.task_taken"
    with pytest.raises(Forbidden):
        service.finish_errand(db, other, errand.id)
    [seen] = service.errands(db, world.resident)
    assert (seen.status, seen.volunteer) == ("taken", world.volunteer.name)
    service.finish_errand(db, world.volunteer, errand.id)
    assert service.errands(db, world.resident)[0].status == "done"


# ---------------------------------------------------------------- real concurrency


def _many_households(db, world, count: int) -> list[int]:
    from app.community.models import Compound

    compound = db.get(Compound, world.household.compound_id)
    building = Building(compound_id=compound.id, number="88")
    db.add(building)
    db.flush()
    unit = Unit(building_id=building.id, number="1")
    db.add(unit)
    db.flush()
    households = [new_household(compound, building, unit, f"{1000 + i}") for i in range(count)]
    db.add_all(households)
    db.commit()
    return [h.id for h in households]


def test_two_hundred_residents_after_the_last_ten_units_buy_exactly_ten(db, world, engine):
    buy = _make_buy(db, world)
    pork, _ = _items(db, buy)
    service.update_item(db, world.staff, pork.id, {"stock": 10, "limit_per_household": 1})
    ids = _many_households(db, world, 200)
    residents = [
        add_user(db, f"1520000{i:04d}", Role.RESIDENT, world.community, household_id=h)
        for i, h in enumerate(ids)
    ]
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(50)

    def order(chunk):
        with Session(engine, expire_on_commit=False) as session:
            with contextlib.suppress(threading.BrokenBarrierError):
                start.wait(timeout=30)
            for resident in chunk:
                try:
                    service.place_order(session, resident, buy.id, {pork.id: 1})
                    result = "ok"
                except InvalidInput as exc:
                    result = exc.fields.get(f"qty_{pork.id}", str(exc.fields))
                    session.rollback()
                with lock:
                    outcomes.append(result)

    threads = [threading.Thread(target=order, args=(residents[i::50],)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == 200
    assert outcomes.count("ok") == 10
    assert outcomes.count("errors.sold_out") == 190
    db.expire_all()
    pork = db.get(BuyItem, pork.id)
    assert (pork.stock, pork.sold) == (0, 10)
    lines = db.exec(select(func.sum(OrderLine.quantity))).one()
    placed = db.exec(
        select(func.count())
        .select_from(SupplyOrder)
        .where(SupplyOrder.status == OrderStatus.PLACED)
    ).one()
    assert (lines, placed) == (10, 10)
