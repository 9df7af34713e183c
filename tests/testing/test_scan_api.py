"""The sampler's scans sent after a signal loss, over HTTP: login first, a size limit, and a
batch sent again answers the same and samples nobody twice."""

import pytest
from sqlmodel import func, select
from starlette.testclient import TestClient

from app import phone_posts
from app.accounts.service import SESSION_COOKIE, login
from app.community import service as community
from app.db import session_scope
from app.testing import api
from app.testing import service as testing
from app.testing.models import Sample
from app.timeutil import today_local
from app.ui.i18n import ZH
from tests.conftest import PASSWORD
from tests.testing.test_service import _people


@pytest.fixture
def client(engine, monkeypatch):
    monkeypatch.setattr(api, "session_scope", lambda: session_scope(engine))
    monkeypatch.setattr(phone_posts, "session_scope", lambda: session_scope(engine))
    return TestClient(api.scan_api)


def _log_in(db, client, user) -> None:
    client.cookies.set(SESSION_COOKIE, login(db, user.mobile, PASSWORD, "test").token)


def test_nobody_logged_in_is_asked_to_log_in_before_the_body_is_read(client):
    answer = client.post(
        "/api/testing/scan",
        content=b"x" * (api.MAX_BODY + 1),
        headers={"Content-Type": "application/json"},
    )
    assert (answer.status_code, answer.json()["message"]) == (401, ZH["field.login_again"])


def test_a_body_past_the_limit_is_refused(db, world, client):
    _log_in(db, client, world.volunteer)
    answer = client.post(
        "/api/testing/scan",
        content=b" " * (api.MAX_BODY + 1),
        headers={"Content-Type": "application/json"},
    )
    assert (answer.status_code, answer.json()["message"]) == (413, ZH["field.too_large"])


def test_scans_in_order_sent_twice_sample_once(db, world, client):
    data = {"name": "全员核酸", "test_date": today_local(), "mode": "pool5"}
    rnd = testing.plan_round(db, world.staff, world.community.id, data)
    assert rnd.id is not None
    site = testing.add_site(
        db,
        world.staff,
        rnd.id,
        {"name": "东门", "place": "东门", "opens": "00:00", "closes": "23:59", "capacity": 50},
    )
    first, second = (community.personal_code(p.id or 0) for p in _people(db, world.household)[:2])
    scans = [
        {"client_id": "t-1", "round_id": rnd.id, "site_id": site.id, "barcode": "QA0001"},
        {"client_id": "t-2", "round_id": rnd.id, "barcode": "QA0001", "code": first},
        {"client_id": "t-3", "round_id": rnd.id, "barcode": "QA0001", "code": second},
        {"client_id": "t-4", "round_id": rnd.id, "barcode": "QA0001", "code": first},
        {"client_id": "t-5", "round_id": "not a round"},
    ]
    _log_in(db, client, world.volunteer)
    answers = [client.post("/api/testing/scan", json={"scans": scans}).json() for _ in range(2)]
    assert answers[0] == answers[1]
    statuses = [(r["client_id"], r["status"]) for r in answers[0]["results"]]
    assert statuses == [
        ("t-1", "ok"),
        ("t-2", "ok"),
        ("t-3", "ok"),
        ("t-4", "refused"),
        ("t-5", "refused"),
    ]
    assert "QA0001" in answers[0]["results"][3]["message"]  # 已采样, in which tube
    assert answers[0]["results"][4]["message"] == ZH["field.damaged"]
    assert db.exec(select(func.count()).select_from(Sample)).one() == 2
