"""A text that is too long is refused with its own field's limit, in the user's language,
on every form (not one message naming the limits of a name and a relation)."""

import uuid
from datetime import timedelta

import pytest

from app.community import service as community
from app.errors import InvalidInput
from app.screening import service as screening
from app.supplies import service as supplies
from app.timeutil import today_local, utcnow
from app.ui.i18n import EN, ZH, field_messages
from app.volunteers import service as volunteers
from app.volunteers import shifts as duty


def _refused(call) -> InvalidInput:
    with pytest.raises(InvalidInput) as exc:
        call()
    return exc.value


def _says_limit(exc: InvalidInput, field: str, limit: int) -> None:
    assert exc.fields[field] == "errors.too_long", exc.fields
    assert field_messages("zh", exc)[field] == ZH["errors.too_long"].format(max=limit)
    assert field_messages("en", exc)[field] == f"At most {limit} characters"


def _buy(world, **changes) -> dict:
    now = utcnow()
    item = {"name": "猪肉", "spec": "2kg", "price_fen": 100, "stock": 5, "limit_per_household": 1}
    return {
        "title": "冻肉团购",
        "supplier": "鲜丰",
        "opens_at": now,
        "closes_at": now + timedelta(hours=5),
        "compound_ids": [world.household.compound_id],
        "pickup_points": ["东门"],
        "items": [item | changes.pop("item", {})],
    } | changes


def _sign_up(world, **changes) -> dict:
    return {
        "name": "李志强",
        "mobile": "13600001111",
        "password": "Abc12345",
        "community_id": world.community.id,
        "compound_id": world.household.compound_id,
        "duties": ["gate_guard"],
        "healthy": True,
        "consent": True,
    } | changes


def test_each_too_long_field_states_its_own_limit(db, world):
    staff, cid = world.staff, world.community.id
    hours = {"kind": "gate", "opens": "06:00", "closes": "22:00"}

    def person(**text):
        return lambda: community.add_resident(
            db, staff, world.household.id, {"name": "罗晓", "sex": "female"} | text
        )

    def buy(**changes):
        return lambda: supplies.create_buy(db, staff, cid, _buy(world, **changes))

    def sign_up(**changes):
        return lambda: volunteers.apply(db, None, _sign_up(world, **changes))

    def post(**text):
        return lambda: duty.create_post(db, staff, cid, {"name": "东门"} | hours | text)

    cases = [
        (person(name="名" * 31), "name", 30),
        (person(relation="亲" * 21), "relation", 20),
        (buy(title="团" * 61), "title", 60),
        (buy(supplier="商" * 61), "supplier", 60),
        (buy(item={"name": "肉" * 41}), "item0_name", 40),
        (buy(item={"spec": "斤" * 41}), "item0_spec", 40),
        (sign_up(building="楼" * 11), "building", 10),
        (sign_up(name="名" * 31), "name", 30),
        (post(name="岗" * 31), "name", 30),
        (post(place="地" * 61), "place", 60),
        (lambda: duty.create_team(db, staff, cid, {"name": "队" * 31}), "name", 30),
        (buy(pickup_points=["东门", "点" * 61]), "pickup_points", 60),
        (lambda: community.add_compound(db, staff, cid, {"name": "苑" * 31}), "name", 30),
        (
            lambda: community.add_compound(db, staff, cid, {"name": "苑", "address": "路" * 61}),
            "address",
            60,
        ),
        (lambda: community.add_grid(db, staff, cid, {"name": "格" * 31}), "name", 30),
        (
            lambda: community.add_grid(db, staff, cid, {"name": "格", "worker_name": "员" * 31}),
            "worker_name",
            30,
        ),
    ]
    for call, field, limit in cases:
        _says_limit(_refused(call), field, limit)


def test_a_too_long_reason_is_refused_not_cut(db, world):
    """Households read a buy's cancel reason, applicants a decline's: half a sentence is not
    kept in their place."""
    buy = supplies.create_buy(db, world.staff, world.community.id, _buy(world))
    too_long = "因" * 201
    exc = _refused(lambda: supplies.set_buy_status(db, world.staff, buy.id, "cancel", too_long))
    _says_limit(exc, "reason", 200)
    application = volunteers.apply(db, None, _sign_up(world))
    exc = _refused(lambda: volunteers.decide(db, world.staff, [application.id], False, too_long))
    _says_limit(exc, "reason", 200)


def test_door_visit_and_arrival_texts_state_their_own_limits(db, world):
    rnd = screening.start_round(
        db,
        world.staff,
        world.community.id,
        {"name": "全员", "starts_on": today_local(), "ends_on": today_local()},
    )
    visit = {
        "client_id": uuid.uuid4().hex,
        "round_id": rnd.id,
        "household_id": world.household.id,
        "outcome": "vacant",
    }
    _says_limit(
        _refused(lambda: screening.record_visit(db, world.volunteer, visit | {"note": "记" * 201})),
        "note",
        200,
    )
    found = {"name": "租客", "sex": "male", "relation": "租" * 21}
    at_door = visit | {"outcome": "visited", "new_people": [found]}
    exc = _refused(lambda: screening.record_visit(db, world.volunteer, at_door))
    _says_limit(exc, "new_people.0.relation", 20)
    arrival = {
        "client_id": uuid.uuid4().hex,
        "household_id": world.household.id,
        "name": "罗建国",
        "sex": "male",
        "from_place": "武汉",
        "arrived_on": today_local(),
        "transport": "train",
    }
    for field, limit in (("from_place", 60), ("transport_no", 20)):
        exc = _refused(
            lambda f=field, n=limit: screening.record_arrival(
                db, world.volunteer, arrival | {f: "字" * (n + 1)}
            )
        )
        _says_limit(exc, field, limit)
    assert EN["errors.too_long"] == "At most {max} characters"
