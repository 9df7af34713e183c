from datetime import timedelta

import pytest
from sqlmodel import select

from app.accounts import service
from app.accounts.models import LoginAttempt, LoginSession, Role, User
from app.errors import Forbidden, InvalidInput, ServiceError
from app.timeutil import utcnow
from tests.conftest import PASSWORD


def _register(db, world, **changes):
    data = {
        "name": "韩佳怡",
        "mobile": "13600000123",
        "password": "Abc12345",
        "community_id": world.community.id,
        "address": "望江花园 3-2-501",
    }
    return service.register_resident(db, {**data, **changes})


def test_login_opens_a_session_that_resolves_to_the_user(db, world):
    result = service.login(db, "138 0000 0001", PASSWORD, client="10.0.0.1")
    assert result.user.id == world.staff.id
    assert service.user_for_token(db, result.token).id == world.staff.id
    # only a hash of the token is stored
    stored = db.exec(select(LoginSession.token_hash)).all()
    assert result.token not in stored and len(stored) == 1


@pytest.mark.parametrize(
    ("mobile", "password", "field", "code"),
    [
        ("13800000001", "wrong-pass1", "password", "errors.wrong_credentials"),
        ("13811112222", PASSWORD, "password", "errors.wrong_credentials"),  # unknown number
        ("12345", PASSWORD, "mobile", "errors.mobile_invalid"),
        ("", PASSWORD, "mobile", "errors.missing"),
    ],
)
def test_bad_logins_say_what_is_wrong_next_to_the_field(db, world, mobile, password, field, code):
    with pytest.raises(ServiceError) as exc:
        service.login(db, mobile, password, client="10.0.0.1")
    got = (
        exc.value.fields
        if isinstance(exc.value, InvalidInput)
        else {exc.value.field: exc.value.code}
    )
    assert got == {field: code}


def test_unknown_number_and_wrong_password_read_the_same(db, world):
    messages = []
    for mobile in ("13800000001", "13811112222"):
        with pytest.raises(ServiceError) as exc:
            service.login(db, mobile, "wrong-pass1", client="c")
        messages.append((exc.value.code, exc.value.field))
    assert messages[0] == messages[1]


def test_five_failures_lock_the_number_and_say_for_how_long(db, world):
    for _ in range(5):
        with pytest.raises(ServiceError):
            service.login(db, "13800000001", "wrong-pass1", client=f"ip-{_}")
    with pytest.raises(ServiceError) as exc:
        service.login(db, "13800000001", PASSWORD, client="fresh-ip")
    assert exc.value.code == "errors.too_many_attempts"
    assert 1 <= exc.value.params["minutes"] <= 15
    # other numbers are not affected
    assert service.login(db, "13900000001", PASSWORD, client="fresh-ip").user == world.volunteer


def test_one_client_trying_many_numbers_is_locked(db, world):
    for i in range(20):
        with pytest.raises(ServiceError):
            service.login(db, f"1361111{i:04d}", "wrong-pass1", client="attacker")
    with pytest.raises(ServiceError) as exc:
        service.login(db, "13800000001", PASSWORD, client="attacker")
    assert exc.value.code == "errors.too_many_attempts"


def test_failures_older_than_the_window_do_not_count(db, world):
    old = utcnow() - timedelta(minutes=16)
    db.add_all([LoginAttempt(mobile="13800000001", client="x", at=old) for _ in range(5)])
    db.commit()
    assert service.login(db, "13800000001", PASSWORD, client="x").user == world.staff


def test_a_successful_login_clears_the_numbers_failures(db, world):
    for _ in range(4):
        with pytest.raises(ServiceError):
            service.login(db, "13800000001", "wrong-pass1", client="x")
    service.login(db, "13800000001", PASSWORD, client="x")
    assert db.exec(select(LoginAttempt).where(LoginAttempt.mobile == "13800000001")).all() == []


def test_expired_sessions_resolve_to_nobody_and_are_reported_as_expired(db, world):
    token = service.login(db, "13800000001", PASSWORD, client="x").token
    row = db.exec(select(LoginSession)).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.add(row)
    db.commit()
    assert service.user_for_token(db, token) is None
    assert service.session_expired(db, token)
    assert not service.session_expired(db, "never-issued")


def test_disabled_accounts_lose_access_at_once(db, world):
    token = service.login(db, "13800000001", PASSWORD, client="x").token
    world.staff.is_active = False
    db.add(world.staff)
    db.commit()
    assert service.user_for_token(db, token) is None
    with pytest.raises(ServiceError) as exc:
        service.login(db, "13800000001", PASSWORD, client="x")
    assert exc.value.code == "errors.account_disabled"


def test_logout_ends_the_session(db, world):
    token = service.login(db, "13800000001", PASSWORD, client="x").token
    service.logout(db, token)
    assert service.user_for_token(db, token) is None


def test_passwords_are_hashed_with_argon2(db, world):
    user = _register(db, world)
    assert user.password_hash.startswith("$argon2")
    assert "Abc12345" not in user.password_hash


def test_resident_registration_waits_for_staff_to_link_the_household(db, world):
    user = _register(db, world)
    assert user.role == Role.RESIDENT and user.household_id is None
    assert user.street_id == world.street.id
    pending = service.pending_residents(db, world.staff, world.community.id)
    assert [p.id for p in pending] == [user.id]
    found = service.find_household(db, world.staff, world.community.id, user.claimed_address)
    assert found.id == world.household.id
    service.link_household(db, world.staff, user.id, found.id)
    assert service.pending_residents(db, world.staff, world.community.id) == []
    assert db.get(User, user.id).household_id == world.household.id


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"mobile": "1380000"}, {"mobile": "errors.mobile_invalid"}),
        ({"password": "abc"}, {"password": "errors.password_weak"}),
        ({"password": "abcdefgh"}, {"password": "errors.password_weak"}),
        ({"name": "  "}, {"name": "errors.missing"}),
        ({"address": ""}, {"address": "errors.missing"}),
        ({"community_id": None}, {"community_id": "errors.int_type"}),
        ({"community_id": 999}, {"community_id": "errors.missing"}),
        ({"mobile": "13800000001"}, {"mobile": "errors.mobile_taken"}),
    ],
)
def test_bad_registrations_save_nothing(db, world, changes, errors):
    before = len(db.exec(select(User)).all())
    with pytest.raises(InvalidInput) as exc:
        _register(db, world, **changes)
    assert exc.value.fields == errors
    assert len(db.exec(select(User)).all()) == before


def test_a_household_of_another_community_cannot_be_linked(db, world):
    user = _register(db, world)
    with pytest.raises(InvalidInput) as exc:
        service.link_household(db, world.staff, user.id, world.far_household.id)
    assert exc.value.fields == {"household_id": "errors.household_other_community"}
    assert db.get(User, user.id).household_id is None


def test_find_household_needs_building_unit_and_door(db, world):
    assert service.find_household(db, world.staff, world.community.id, "望江花园 3-2") is None
    assert service.find_household(db, world.staff, world.community.id, "3栋2单元501").id == (
        world.household.id
    )
    # 13-2-501 is not 3-2-501
    assert service.find_household(db, world.staff, world.community.id, "13-2-501") is None


def test_staff_create_volunteers_in_their_own_community_only(db, world):
    new = {"name": "王浩然", "mobile": "13900000099", "password": "Abc12345", "role": "volunteer"}
    user = service.create_account(db, world.staff, {**new, "community_id": world.community.id})
    assert user.role == Role.VOLUNTEER and user.community_id == world.community.id
    with pytest.raises(Forbidden):
        service.create_account(
            db, world.staff, {**new, "mobile": "13900000098", "community_id": world.far.id}
        )
    with pytest.raises(Forbidden):
        service.create_account(db, world.staff, {**new, "mobile": "13900000097", "role": "admin"})


def test_the_first_admin_is_created_once(db):
    service.create_first_admin(db, "系统管理员", "13800000000", "Abc12345")
    with pytest.raises(ServiceError) as exc:
        service.create_first_admin(db, "另一个", "13800000008", "Abc12345")
    assert exc.value.code == "errors.admin_exists"


def test_language_is_remembered_per_user(db, world):
    service.set_locale(db, world.volunteer, "en")
    assert db.get(User, world.volunteer.id).locale == "en"
    with pytest.raises(InvalidInput):
        service.set_locale(db, world.volunteer, "fr")


def test_a_fresh_login_is_swapped_once_for_the_token_the_browser_keeps(db, world):
    handed = service.login(db, "13800000001", PASSWORD, client="x").token
    kept = service.claim_session(db, handed)
    assert kept and kept != handed
    assert service.user_for_token(db, kept).id == world.staff.id
    # The token the page's script saw works no more, and cannot be swapped again.
    assert service.user_for_token(db, handed) is None
    assert service.claim_session(db, handed) is None
    assert service.claim_session(db, "") is None


def test_only_a_login_of_the_last_minute_can_be_swapped(db, world):
    handed = service.login(db, "13800000001", PASSWORD, client="x").token
    row = db.exec(select(LoginSession)).one()
    row.created_at = utcnow() - timedelta(seconds=service.HANDOFF_SECONDS + 1)
    db.add(row)
    db.commit()
    assert service.claim_session(db, handed) is None
