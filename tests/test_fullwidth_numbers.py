"""Mobiles and ID numbers typed with full-width digits (a Chinese keyboard's １３８…) are
stored as plain digits on every path, so the duplicate checks and search find them."""

import uuid

import pytest
from sqlmodel import select

from app import fields
from app.accounts import service as accounts
from app.community import service as community
from app.community.models import Grid, Resident
from app.community.service import id_check_code
from app.errors import InvalidInput
from app.screening import service as screening
from app.timeutil import today_local
from app.volunteers import service as volunteers
from tests.conftest import PASSWORD

FIRST17 = "51010419900307002"
ID_NUMBER = FIRST17 + id_check_code(FIRST17)


def _wide(text: str) -> str:
    """`text` as a full-width keyboard types it: digits and letters, and a full-width space."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else "\u3000" for c in text)


def test_the_helper_makes_full_width_digits_plain():
    assert fields.plain_number(_wide("138 0000 7777")) == "13800007777"
    assert fields.plain_number(_wide("5101-0419 9003 07002x")).upper() == ("51010419900307002X")


def test_resident_registration_and_login_with_full_width_mobile(db, world):
    data = {
        "name": "韩佳怡",
        "mobile": _wide("136 0000 0123"),
        "password": "Abc12345",
        "community_id": world.community.id,
        "address": "望江花园 3-2-501",
    }
    user = accounts.register_resident(db, data)
    assert user.mobile == "13600000123"
    assert accounts.login(db, "13600000123", "Abc12345", "t").user.id == user.id
    assert accounts.login(db, _wide("13600000123"), "Abc12345", "t").user.id == user.id
    with pytest.raises(InvalidInput) as exc:
        accounts.register_resident(db, data | {"mobile": "13600000123"})
    assert exc.value.fields == {"mobile": "errors.mobile_taken"}


def test_a_volunteer_sign_up_with_a_full_width_mobile_meets_the_existing_account(db, world):
    form = {
        "name": "李志强",
        "mobile": _wide(world.resident.mobile),
        "password": "Abc12345",
        "community_id": world.community.id,
        "compound_id": world.household.compound_id,
        "duties": ["gate_guard"],
        "healthy": True,
        "consent": True,
    }
    with pytest.raises(InvalidInput) as exc:
        volunteers.apply(db, None, form)
    assert exc.value.fields == {"mobile": "errors.mobile_taken_login"}
    application = volunteers.apply(db, None, form | {"mobile": _wide("13600001111")})
    assert accounts.login(db, "13600001111", "Abc12345", "t").user.id == application.user_id


def test_the_register_stores_plain_numbers_so_duplicates_and_search_find_them(db, world):
    added = community.add_resident(
        db,
        world.staff,
        world.household.id,
        {
            "name": "罗晓",
            "sex": "female",
            "mobile": _wide("139 1234 5678"),
            "id_number": _wide(ID_NUMBER.lower()),
        },
    )
    assert (added.mobile, added.id_number, added.mobile_tail) == (
        "13912345678",
        ID_NUMBER,
        "5678",
    )
    with pytest.raises(InvalidInput) as exc:
        community.add_resident(
            db,
            world.staff,
            world.outside.id,
            {"name": "重号", "sex": "female", "id_number": ID_NUMBER},
        )
    assert exc.value.fields == {"id_number": "errors.id_number_taken"}
    for text in ("13912345678", _wide("13912345678"), _wide("5678"), _wide(ID_NUMBER)):
        assert [h.name for h in community.search(db, world.staff, text)] == ["罗晓"], text


def test_people_found_at_the_door_or_the_gate_and_grid_workers_get_plain_numbers(db, world):
    rnd = screening.start_round(
        db,
        world.staff,
        world.community.id,
        {"name": "全员", "starts_on": today_local(), "ends_on": today_local()},
    )
    screening.record_visit(
        db,
        world.volunteer,
        {
            "client_id": uuid.uuid4().hex,
            "round_id": rnd.id,
            "household_id": world.household.id,
            "outcome": "visited",
            "new_people": [{"name": "租客", "sex": "male", "mobile": _wide("13700001234")}],
        },
    )
    screening.record_arrival(
        db,
        world.volunteer,
        {
            "client_id": uuid.uuid4().hex,
            "household_id": world.household.id,
            "name": "罗建国",
            "sex": "male",
            "mobile": _wide("137 0000 5678"),
            "from_place": "武汉",
            "arrived_on": today_local(),
            "transport": "train",
        },
    )
    mobiles = dict(db.exec(select(Resident.name, Resident.mobile)).all())
    assert (mobiles["租客"], mobiles["罗建国"]) == ("13700001234", "13700005678")
    grid = community.add_grid(
        db,
        world.staff,
        world.community.id,
        {"name": "第二网格", "worker_name": "周敏", "worker_mobile": _wide("13512345678")},
    )
    assert db.get(Grid, grid.id).worker_mobile == "13512345678"


def test_digits_of_other_scripts_are_not_a_mobile(db, world):
    with pytest.raises(InvalidInput) as exc:
        accounts.login(db, "١٣٨٠٠٠٠٠٠٠٠", PASSWORD, "t")  # Arabic-Indic digits
    assert exc.value.fields == {"mobile": "errors.mobile_invalid"}
