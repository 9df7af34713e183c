"""Sign-up limits, housekeeping of sessions and attempts, and clients behind a reverse proxy."""

import runpy
from datetime import timedelta

import pytest
import reflex as rx
from reflex import constants
from reflex.app import EventNamespace
from sqlmodel import func, select

from app.accounts import service
from app.accounts.models import LoginAttempt, LoginSession, SignupAttempt
from app.errors import InvalidInput, ServiceError
from app.settings import PROJECT_ROOT, Settings, get_settings
from app.timeutil import utcnow
from app.ui.i18n import translate
from app.volunteers import service as volunteers
from tests.conftest import PASSWORD


@pytest.fixture
def few_refusals(monkeypatch):
    monkeypatch.setattr(get_settings(), "signup_max_refusals_per_client", 3)


def _register(db, world, mobile: str, client: str):
    data = {
        "name": "韩佳怡",
        "mobile": mobile,
        "password": "Abc12345",
        "community_id": world.community.id,
        "address": "望江花园 3-2-501",
    }
    return service.register_resident(db, data, client=client)


def _volunteer_form(world, mobile: str) -> dict:
    return {
        "name": "王浩然",
        "mobile": mobile,
        "password": "Abc12345",
        "community_id": world.community.id,
        "compound_id": world.household.compound_id,
        "duties": ["gate_guard"],
        "availability": ["weekend"],
        "healthy": True,
        "consent": True,
    }


def test_a_client_asking_about_many_registered_numbers_must_wait(db, world, few_refusals):
    taken = [world.staff.mobile, world.volunteer.mobile, world.resident.mobile]
    for mobile in taken:
        with pytest.raises(InvalidInput) as exc:
            _register(db, world, mobile, client="prober")
        assert exc.value.fields == {"mobile": "errors.mobile_taken"}
    # Now not even a free number is answered: its success would tell as much.
    with pytest.raises(ServiceError) as exc:
        _register(db, world, "13600000123", client="prober")
    assert exc.value.code == "errors.too_many_signups"
    assert translate("zh", exc.value.code, **exc.value.params) == (
        "注册尝试次数过多，请 15 分钟后再试"
    )
    assert translate("en", exc.value.code, **exc.value.params) == (
        "Too many sign-up attempts. Try again in 15 min"
    )
    # Another client is not held up, and the prober is free again after the window.
    assert _register(db, world, "13600000123", client="neighbour").mobile == "13600000123"
    for attempt in db.exec(select(SignupAttempt)).all():
        attempt.at = utcnow() - timedelta(minutes=16)
        db.add(attempt)
    db.commit()
    assert _register(db, world, "13600000124", client="prober").mobile == "13600000124"


def test_successful_sign_ups_from_one_gate_wifi_are_not_limited(db, world, few_refusals):
    for i in range(6):
        _register(db, world, f"1360000{i:04d}", client="gate-wifi")
    assert db.exec(select(func.count()).select_from(SignupAttempt)).one() == 0


def test_volunteer_sign_up_counts_refusals_with_the_resident_sign_up(db, world, few_refusals):
    with pytest.raises(InvalidInput):
        _register(db, world, world.staff.mobile, client="prober")
    for mobile in (world.volunteer.mobile, world.resident.mobile):
        with pytest.raises(InvalidInput) as exc:
            volunteers.apply(db, None, _volunteer_form(world, mobile), client="prober")
        assert exc.value.fields == {"mobile": "errors.mobile_taken_login"}
    with pytest.raises(ServiceError) as exc:
        volunteers.apply(db, None, _volunteer_form(world, "13600001111"), client="prober")
    assert exc.value.code == "errors.too_many_signups"
    # A logged-in resident applying with their own account reveals nothing: not limited.
    application = volunteers.apply(
        db, world.resident, _volunteer_form(world, world.resident.mobile), client="prober"
    )
    assert application.user_id == world.resident.id


def test_housekeeping_removes_expired_sessions_and_attempts_past_the_window(db, world):
    now = utcnow()
    live = service.login(db, world.staff.mobile, PASSWORD, client="x").token
    db.add(LoginSession(token_hash="old", user_id=world.staff.id, expires_at=now))
    db.add(LoginAttempt(mobile="13611110000", client="x", at=now - timedelta(minutes=16)))
    db.add(LoginAttempt(mobile="13611110001", client="x", at=now - timedelta(minutes=5)))
    db.add(SignupAttempt(client="x", at=now - timedelta(minutes=16)))
    db.add(SignupAttempt(client="x", at=now - timedelta(minutes=5)))
    db.commit()

    removed = service.remove_stale_logins(db)

    assert (removed.sessions, removed.login_attempts, removed.signup_attempts) == (1, 1, 1)
    assert service.user_for_token(db, live) == world.staff
    assert db.exec(select(LoginAttempt.mobile)).all() == ["13611110001"]
    assert len(db.exec(select(SignupAttempt)).all()) == 1
    # Still counting: a recent failure keeps its place in the lockout.
    assert service.remove_stale_logins(db) == service.StaleLogins(0, 0, 0)


PROXY = "10.0.0.2"  # the reverse proxy every request arrives from


def _client_ip(monkeypatch, hops: int, forwarded_for: str) -> str:
    """The address Reflex gives an event (router.session.client_ip, what login and sign-up
    count per client) for a websocket that arrived from the proxy with this X-Forwarded-For."""
    monkeypatch.setattr(
        "reflex.app.get_config", lambda: rx.Config(app_name="app", trusted_proxy_hops=hops)
    )
    environ = {
        "asgi.scope": {
            "client": (PROXY, 41234),
            "headers": [(b"x-forwarded-for", forwarded_for.encode())],
        }
    }
    data = EventNamespace._build_static_router_data(None, "sid", environ)  # pyright: ignore[reportArgumentType]
    return data[constants.RouteVar.CLIENT_IP]


def test_trusted_proxy_hops_reaches_reflex(monkeypatch):
    assert Settings().trusted_proxy_hops == 0  # no proxy: X-Forwarded-For is ignored
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    get_settings.cache_clear()
    try:
        config = runpy.run_path(str(PROJECT_ROOT / "rxconfig.py"))["config"]
    finally:
        get_settings.cache_clear()
    assert config.trusted_proxy_hops == 1


def test_behind_a_proxy_one_client_locked_out_does_not_lock_out_the_others(db, world, monkeypatch):
    # The phone may send an X-Forwarded-For of its own; the proxy appends the address it saw.
    attacker = _client_ip(monkeypatch, 1, "6.6.6.6, 203.0.113.7")
    resident = _client_ip(monkeypatch, 1, "198.51.100.20")
    assert (attacker, resident) == ("203.0.113.7", "198.51.100.20")

    for i in range(get_settings().login_max_failures_per_client):
        with pytest.raises(ServiceError):
            service.login(db, f"1361111{i:04d}", "wrong-pass1", client=attacker)
    with pytest.raises(ServiceError) as exc:
        service.login(db, world.staff.mobile, PASSWORD, client=attacker)
    assert exc.value.code == "errors.too_many_attempts"
    assert service.login(db, world.staff.mobile, PASSWORD, client=resident).user == world.staff


def test_without_trusted_hops_every_client_is_the_proxy(monkeypatch):
    assert _client_ip(monkeypatch, 0, "203.0.113.7") == PROXY  # a forged header changes nothing
    # Fewer entries than trusted hops: the request did not come through the proxies.
    assert _client_ip(monkeypatch, 2, "203.0.113.7") == PROXY
