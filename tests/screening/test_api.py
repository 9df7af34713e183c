"""The offline app's routes, over HTTP: who may download and send, and that a record sent
twice is stored once."""

import uuid

import pytest
from sqlmodel import func, select
from starlette.testclient import TestClient

from app import phone_posts
from app.accounts.service import SESSION_COOKIE, login
from app.community.models import Resident
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
    monkeypatch.setattr(phone_posts, "session_scope", lambda: session_scope(engine))
    return TestClient(api.field_api)


def _log_in(db, client, user) -> None:
    token = login(db, user.mobile, PASSWORD, "test").token
    client.cookies.set(SESSION_COOKIE, token)


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
            {
                "client_id": "phone-a-000001",
                "status": "saved",
                "risk": 0,
                "quarantined": [],
                "cue": "",
            }
        ]
    assert db.exec(select(func.count()).select_from(Visit)).one() == 1


def test_a_referral_or_quarantine_comes_back_with_the_pages_warning(db, world, client):
    rnd = screening.start_round(
        db,
        world.staff,
        world.community.id,
        {"name": "全员", "starts_on": today_local(), "ends_on": today_local()},
    )
    luo, xiaoyu = db.exec(
        select(Resident).where(Resident.household_id == world.household.id).order_by(Resident.id)
    ).all()
    _log_in(db, client, world.volunteer)
    fever = _record(world, rnd.id, people=[luo.id])
    fever["data"]["people"][0]["temperature"] = "38.5"
    travel = _record(world, rnd.id, people=[xiaoyu.id])
    travel["data"]["people"][0] |= {
        "travel": True,
        "travel_place": "上海",
        "travel_date": today_local().isoformat(),
    }
    for _ in range(2):  # sent again when the first answer was lost: the same warning
        answer = client.post("/api/field/sync", json={"records": [fever, travel]}).json()
        assert [(r["status"], r["cue"]) for r in answer["results"]] == [
            ("saved", ZH["visit.refer_clinic"]),
            ("saved", ZH["visit.quarantined"].format(names=xiaoyu.name)),
        ]


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
    not_json = client.post(
        "/api/field/sync", content=b"not json", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400
    assert db.exec(select(func.count()).select_from(Visit)).one() == 0


def test_a_current_package_is_not_sent_again_and_a_send_costs_only_the_door_states(
    db, world, client
):
    rnd = screening.start_round(
        db,
        world.staff,
        world.community.id,
        {"name": "全员", "starts_on": today_local(), "ends_on": today_local()},
    )
    _log_in(db, client, world.volunteer)
    first = client.get("/api/field/download")
    version = first.json()["version"]
    assert first.headers["etag"] == f'W/"{version}"'
    current = {"If-None-Match": f'W/"{version}"'}
    unchanged = client.get("/api/field/download", params={"since": version}, headers=current)
    assert (unchanged.status_code, unchanged.content) == (304, b"")

    # The phone sends a visit: the next download carries the door states, not the package.
    client.post("/api/field/sync", json={"records": [_record(world, rnd.id)]})
    after_send = client.get("/api/field/download", params={"since": version}, headers=current)
    changes = after_send.json()
    assert after_send.status_code == 200
    assert "buildings" not in changes
    assert changes["doors"] == [[rnd.id, world.household.id, "vacant"]]
    assert changes["plans"] == []
    assert changes["version"].split("-")[0] == version.split("-")[0]
    now_current = {"If-None-Match": f'W/"{changes["version"]}"'}
    assert client.get("/api/field/download", headers=now_current).status_code == 304

    # Someone moves in at one of my doors: the whole package again, with them in it.
    resident = Resident(
        household_id=world.household.id,
        community_id=world.community.id,
        name="罗新",
        sex="female",
    )
    db.add(resident)
    db.commit()
    renewed = client.get(
        "/api/field/download", params={"since": changes["version"]}, headers=now_current
    ).json()
    (door,) = renewed["buildings"][0]["doors"]
    assert "罗新" in [m["name"] for m in door["members"]]
    assert door["outcome"] == "vacant"


def test_a_package_for_another_volunteer_or_language_is_not_current(db, world, client):
    screening.start_round(
        db,
        world.staff,
        world.community.id,
        {"name": "全员", "starts_on": today_local(), "ends_on": today_local()},
    )
    _log_in(db, client, world.volunteer)
    version = client.get("/api/field/download").json()["version"]
    world.volunteer.locale = "en"
    db.add(world.volunteer)
    db.commit()
    answer = client.get(
        "/api/field/download", params={"since": version}, headers={"If-None-Match": f'"{version}"'}
    )
    assert answer.json()["strings"]["field.title"] == EN["field.title"]


def test_answers_are_compressed_for_a_weak_signal(db, world, client):
    screening.start_round(
        db,
        world.staff,
        world.community.id,
        {"name": "全员", "starts_on": today_local(), "ends_on": today_local()},
    )
    _log_in(db, client, world.volunteer)
    answer = client.get("/api/field/download", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert int(answer.headers["content-length"]) * 2 < len(answer.content)
    assert answer.json()["buildings"]
