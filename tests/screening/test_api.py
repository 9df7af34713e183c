"""The offline app's routes, over HTTP: who may download and send, and that a record sent
twice is stored once."""

import uuid

import pytest
from sqlmodel import func, select
from starlette.testclient import TestClient

from app.accounts.service import login
from app.db import session_scope
from app.screening import api
from app.screening import service as screening
from app.screening.models import Visit
from app.timeutil import today_local
from app.ui.i18n import EN, ZH
from tests.conftest import PASSWORD


@pytest.fixture
def client(engine, monkeypatch):
    monkeypatch.setattr(api, "session_scope", lambda: session_scope(engine))
    return TestClient(api.field_api)


def _log_in(db, client, user) -> None:
    token = login(db, user.mobile, PASSWORD, "test").token
    client.cookies.set(api.SESSION_COOKIE, token)


def _record(world, round_id: int, client_id: str | None = None, **data) -> dict:
    people = [{"resident_id": r} for r in data.pop("people", [])]
    return {
        "client_id": client_id or uuid.uuid4().hex,
        "kind": "visit",
        "data": {
            "round_id": round_id,
            "household_id": world.household.id,
            "outcome": "vacant" if not people else "visited",
            "people": people,
        }
        | data,
    }


def test_nobody_logged_in_is_asked_to_log_in_again(client):
    assert client.get("/api/field/download").status_code == 401
    answer = client.post("/api/field/sync", json={"records": []})
    assert answer.status_code == 401
    assert answer.json()["message"] == ZH["field.login_again"]


def test_download_then_send_twice_stores_once(db, world, client):
    rnd = screening.start_round(
        db,
        world.staff,
        world.community.id,
        {"name": "全员", "starts_on": today_local(), "ends_on": today_local()},
    )
    _log_in(db, client, world.volunteer)
    package = client.get("/api/field/download").json()
    assert [b["name"] for b in package["buildings"]] == ["望江花园 3"]
    assert package["strings"]["field.title"] == ZH["field.title"]
    assert package["temperature_range"] == [34.0, 43.0]

    record = _record(world, rnd.id, "phone-a-000001")
    for _ in range(2):
        answer = client.post("/api/field/sync", json={"records": [record]})
        assert answer.json()["results"] == [
            {"client_id": "phone-a-000001", "status": "saved", "risk": 0, "quarantined": []}
        ]
    assert db.exec(select(func.count()).select_from(Visit)).one() == 1


def test_refused_records_say_why_in_the_users_language(db, world, client):
    rnd = screening.start_round(
        db,
        world.staff,
        world.community.id,
        {"name": "全员", "starts_on": today_local(), "ends_on": today_local()},
    )
    world.volunteer.locale = "en"
    db.add(world.volunteer)
    db.commit()
    _log_in(db, client, world.volunteer)
    outside = _record(world, rnd.id)
    outside["data"] = outside["data"] | {"household_id": world.outside.id}
    damaged = {"client_id": "x-00000001", "kind": "visit"}
    answer = client.post("/api/field/sync", json={"records": [outside, damaged]}).json()
    assert [(r["status"], r["message"]) for r in answer["results"]] == [
        ("refused", EN["errors.door_not_yours"]),
        ("refused", EN["field.damaged"]),
    ]
    assert client.post("/api/field/sync", content=b"not json").status_code == 400
    assert db.exec(select(func.count()).select_from(Visit)).one() == 0
