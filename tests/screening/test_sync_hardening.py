"""The offline sync route against what a broken phone or a hostile page may send: login
before the body, a size limit while reading, unreadable JSON, text that is not Unicode, ids
too large for the database, a reused record id, other sites, and a fuzz test."""

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select
from starlette.testclient import TestClient

from app import phone_posts
from app.accounts.service import SESSION_COOKIE, login
from app.community.models import Resident
from app.db import session_scope
from app.screening import api
from app.screening import service as screening
from app.screening.models import (
    DailyCheck,
    FollowUp,
    PersonCheck,
    QuarantinePlan,
    RoundDoor,
    Visit,
)
from app.settings import get_settings
from app.timeutil import today_local
from app.ui.i18n import EN, ZH
from tests.conftest import PASSWORD, run_in_own_loop

SYNC = "/api/field/sync"
JSON = {"Content-Type": "application/json"}
STORED = (Visit, PersonCheck, RoundDoor, FollowUp, QuarantinePlan, DailyCheck, Resident)


@pytest.fixture
def client(engine, monkeypatch):
    monkeypatch.setattr(api, "session_scope", lambda: session_scope(engine))
    monkeypatch.setattr(phone_posts, "session_scope", lambda: session_scope(engine))
    return TestClient(api.field_api)


@pytest.fixture
def round_id(db, world) -> int:
    rnd = screening.start_round(
        db,
        world.staff,
        world.community.id,
        {"name": "全员", "starts_on": today_local(), "ends_on": today_local()},
    )
    return rnd.id


def _token(db, user) -> str:
    return login(db, user.mobile, PASSWORD, "test").token


def _log_in(db, client, user, locale: str = "zh") -> None:
    user.locale = locale
    db.add(user)
    db.commit()
    client.cookies.set(SESSION_COOKIE, _token(db, user))


def _visit(world, round_id: int, client_id: str | None = None, **data) -> dict:
    return {
        "client_id": client_id or uuid.uuid4().hex,
        "kind": "visit",
        "data": {"round_id": round_id, "household_id": world.household.id, "outcome": "vacant"}
        | data,
    }


def _quarantine(db, world, round_id: int, resident: Resident) -> None:
    """A door visit that finds `resident` back from travel: home quarantine starts."""
    travel = {"travel": True, "travel_place": "上海", "travel_date": today_local()}
    screening.record_visit(
        db,
        world.volunteer,
        _visit(world, round_id, outcome="visited")["data"]
        | {"client_id": uuid.uuid4().hex, "people": [{"resident_id": resident.id} | travel]},
    )


def _rows(db) -> dict[str, int]:
    db.rollback()  # see what the route committed
    return {m.__name__: db.exec(select(func.count()).select_from(m)).one() for m in STORED}


def _post(client, body: bytes, headers: dict | None = None):
    return client.post(SYNC, content=body, headers=JSON | (headers or {}))


def _asgi_post(headers: dict[str, str], chunks, cookie: str = "") -> tuple[int, dict, int]:
    """POST to the route as a server would, the body arriving chunk by chunk; the status,
    the answer and how many chunks the route read."""
    read = 0
    sent: list[dict] = []
    pending = iter(chunks)

    async def receive():
        nonlocal read
        chunk = next(pending, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if cookie:
        raw.append((b"cookie", f"{SESSION_COOKIE}={cookie}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": SYNC,
        "raw_path": SYNC.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 3000),
    }
    run_in_own_loop(api.field_api(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body), read


def _endless(size: int = 64 * 1024):
    while True:
        yield b"[" * size


# ---------------------------------------------------------------- the request


def test_login_is_checked_before_the_body_is_read(db, world, client):
    status, answer, read = _asgi_post(JSON, _endless())
    assert (status, answer["message"], read) == (401, ZH["field.login_again"], 0)
    nested = _post(client, b"[" * 5000)
    assert nested.status_code == 401


def test_a_body_over_1_mb_is_cut_off_while_it_arrives(db, world, client):
    token = _token(db, world.volunteer)
    world.volunteer.locale = "en"
    db.add(world.volunteer)
    db.commit()
    status, answer, read = _asgi_post(JSON, _endless(), cookie=token)
    assert (status, answer["message"]) == (413, EN["field.too_large"])
    assert read == api.MAX_BODY // (64 * 1024) + 1  # stopped at the limit, not at the end
    declared = JSON | {"Content-Length": str(api.MAX_BODY + 1)}
    status, answer, read = _asgi_post(declared, _endless(), cookie=token)
    assert (status, answer["message"], read) == (413, EN["field.too_large"], 0)


def test_json_nested_too_deep_is_refused_with_a_clear_message(db, world, client):
    _log_in(db, client, world.volunteer)
    for body in (b"[" * 5000, b'{"records": ' + b"[" * 5000 + b"]" * 5000 + b"}", b"not json"):
        answer = _post(client, body)
        assert (answer.status_code, answer.json()["message"]) == (400, ZH["field.unreadable"])


def test_only_json_from_the_apps_own_pages_is_taken(db, world, client, round_id):
    _log_in(db, client, world.volunteer)
    body = json.dumps({"records": [_visit(world, round_id)]}).encode()
    evil = _post(client, body, {"Origin": "http://evil.example"})
    assert (evil.status_code, evil.json()["message"]) == (403, ZH["errors.forbidden"])
    as_text = client.post(SYNC, content=body, headers={"Content-Type": "text/plain"})
    assert as_text.status_code == 415
    as_form = client.post(SYNC, data={"records": "[]"})
    assert as_form.status_code == 415
    assert _rows(db)["Visit"] == 0
    own = _post(client, body, {"Origin": get_settings().origins[0]})
    assert [r["status"] for r in own.json()["results"]] == ["saved"]
    assert _rows(db)["Visit"] == 1


# ---------------------------------------------------------------- each record


def test_a_lone_surrogate_refuses_that_record_alone(db, world, client, round_id):
    _log_in(db, client, world.volunteer)
    first, last = _visit(world, round_id), _visit(world, round_id)
    bad_id = _visit(world, round_id, client_id="\ud800" + "a" * 12)
    bad_note = _visit(world, round_id, note="门口\udfff")
    body = json.dumps({"records": [first, bad_id, bad_note, last]}).encode()  # \ud800 escaped
    answer = _post(client, body)
    assert answer.status_code == 200
    assert [(r["client_id"], r["status"]) for r in answer.json()["results"]] == [
        (first["client_id"], "saved"),
        ("?" + "a" * 12, "refused"),
        (bad_note["client_id"], "refused"),
        (last["client_id"], "saved"),
    ]
    assert answer.json()["results"][1]["message"] == ZH["field.damaged"]
    assert _rows(db)["Visit"] == 2


def test_an_id_too_large_for_the_database_is_refused_once_with_the_reason(
    db, world, client, round_id
):
    _log_in(db, client, world.volunteer, "en")
    luo = db.exec(select(Resident).where(Resident.household_id == world.household.id)).first()
    records = [
        _visit(world, round_id, household_id=2**63),
        _visit(world, 2**63),
        _visit(world, round_id, outcome="visited", people=[{"resident_id": 2**63}]),
        _visit(world, round_id, household_id=-1),
        {"client_id": uuid.uuid4().hex, "kind": "check", "plan_id": 2**63, "data": {}},
    ]
    for _ in range(2):  # sent again, refused again: never "retry"
        results = _post(client, json.dumps({"records": records}).encode()).json()["results"]
        assert [r["status"] for r in results] == ["refused"] * 5
        assert all(EN["errors.not_found"] in r["message"] for r in results)
    assert luo is not None
    assert _rows(db)["Visit"] == 0


def test_the_same_id_with_other_answers_is_a_conflict_kept_for_staff(db, world, client, round_id):
    _log_in(db, client, world.volunteer, "en")
    first = _visit(world, round_id, "phone-b-000001", outcome="vacant")
    other = _visit(world, round_id, "phone-b-000001", outcome="refused", note="不开门")

    def send(record: dict) -> dict:
        return _post(client, json.dumps({"records": [record]}).encode()).json()["results"][0]

    assert send(first)["status"] == "saved"
    for _ in range(2):  # the conflicting copy is kept once
        assert send(other) == {
            "client_id": "phone-b-000001",
            "status": "conflict",
            "message": EN["field.conflict"],
        }
    assert send(first)["status"] == "saved"  # the first record, sent again, is still itself
    assert _rows(db)["Visit"] == 2
    form = screening.visit_form(db, world.staff, round_id, world.household.id)
    assert form.conflict
    assert sorted(r.outcome for r in form.records) == ["refused", "vacant"]


def test_a_quarantine_check_sent_again_with_other_answers_keeps_the_first(
    db, world, client, round_id
):
    xiaoyu = db.exec(
        select(Resident).where(
            Resident.household_id == world.household.id, Resident.name == "罗小雨"
        )
    ).one()
    _quarantine(db, world, round_id, xiaoyu)
    plan_id = db.exec(select(QuarantinePlan.id)).one()
    _log_in(db, client, world.volunteer, "en")
    check = {"client_id": "check-00000001", "kind": "check", "plan_id": plan_id}
    sent = [check | {"data": {"temperature": t}} for t in (36.5, 38.2)]
    results = _post(client, json.dumps({"records": sent}).encode()).json()["results"]
    assert [(r["status"], r.get("message")) for r in results] == [
        ("saved", None),
        ("refused", EN["errors.record_id_reused"]),
    ]
    assert db.exec(select(DailyCheck.temperature)).all() == [36.5]


# ---------------------------------------------------------------- fuzz

_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
_ODD_TEXT = st.sampled_from(["", " ", "\ud800", "abc\udfff", "=1+1", "x" * 300, "１３９"])
_ODD_ID = st.sampled_from([0, -1, 2**31, 2**63, 2**70, 1.5, "7", True])
_ZONES = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=23))])
_MOMENT = st.datetimes(min_value=datetime(1, 1, 2), timezones=_ZONES).map(lambda d: d.isoformat())


def _odd(value: st.SearchStrategy, sensible: int = 3) -> st.SearchStrategy:
    """Mostly a sensible value, sometimes an edge one, sometimes anything at all."""
    odd = st.one_of(_ODD_ID, _ODD_TEXT, _JUNK)
    return st.integers(0, sensible).flatmap(lambda i: value if i else odd)


def _records(round_id: int, household_ids: list[int], resident_ids: list[int], plan_ids):
    """Records a phone could send, each with a few fields bent out of shape."""
    person = st.fixed_dictionaries(
        {"resident_id": _odd(st.sampled_from(resident_ids))},
        optional={
            "temperature": _odd(st.floats(30, 45) | st.sampled_from(["", "36.6"])),
            "symptoms": _odd(st.lists(st.sampled_from(["fever", "cough"]), max_size=2)),
            "symptom_note": _odd(st.text(max_size=20)),
            "travel": _odd(st.booleans()),
            "travel_place": _odd(st.text(max_size=10)),
            "travel_date": _odd(_MOMENT.map(lambda t: t[:10])),
            "health_code": _odd(st.sampled_from(["green", "yellow", "red"])),
        },
    )
    newcomer = st.fixed_dictionaries(
        {"name": _odd(st.text(min_size=1, max_size=8)), "sex": _odd(st.just("female"))},
        optional={
            "mobile": _odd(st.sampled_from(["13912345678", "１３９１２３４５６７８", "12"])),
            "relation": _odd(st.text(max_size=25)),
        },
    )
    visit = st.fixed_dictionaries(
        {
            "round_id": _odd(st.just(round_id)),
            "household_id": _odd(st.sampled_from(household_ids)),
            "outcome": _odd(st.sampled_from(["visited", "not_home", "refused", "vacant"])),
        },
        optional={
            "by_phone": _odd(st.booleans()),
            "note": _odd(st.text(max_size=30)),
            "recorded_at": _odd(_MOMENT),
            "people": _odd(st.lists(person, max_size=3)),
            "new_people": _odd(st.lists(newcomer, max_size=2)),
        },
    )
    check = st.fixed_dictionaries(
        {"temperature": _odd(st.floats(30, 45))},
        optional={"symptoms": _odd(st.lists(st.sampled_from(["fever", "cough"]), max_size=2))},
    )
    client_id = _odd(st.uuids().map(lambda u: u.hex) | st.just("repeat-000001"), sensible=12)
    visit_record = st.fixed_dictionaries(
        {"client_id": client_id, "kind": st.just("visit"), "data": _odd(visit, 12)}
    )
    record = st.one_of(
        visit_record,
        st.fixed_dictionaries(
            {
                "client_id": client_id,
                "kind": st.just("check"),
                "plan_id": _odd(st.sampled_from(plan_ids)),
                "data": _odd(check, 12),
            }
        ),
    )
    return st.lists(_odd(record, 8), max_size=5)


def test_fuzzed_batches_never_fail_and_never_store_what_was_refused(db, world, client, round_id):
    luo = db.exec(select(Resident).where(Resident.household_id == world.household.id)).first()
    assert luo is not None
    _quarantine(db, world, round_id, luo)  # a plan for checks to report on
    plan_ids = list(db.exec(select(QuarantinePlan.id)).all())
    _log_in(db, client, world.volunteer)
    household_ids = [world.household.id, world.outside.id, world.far_household.id]
    resident_ids = list(db.exec(select(Resident.id)).all())

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(records=_records(round_id, household_ids, resident_ids, plan_ids), whole=st.booleans())
    def send(records: list, whole: bool) -> None:
        before = _rows(db)
        body = json.dumps({"records": records} if whole else records).encode()
        answer = _post(client, body)
        assert answer.status_code < 500
        after = _rows(db)
        if not whole:  # not the shape the route takes: refused whole
            assert (answer.status_code, after) == (400, before)
            return
        results = answer.json()["results"]
        assert len(results) == len(records)  # every record answered, in order
        for record, result in zip(records, results, strict=True):
            assert result["client_id"] == (
                api._client_id(record) if isinstance(record, dict) else ""
            )
            assert result["status"] in ("saved", "conflict", "refused")
        stored = sum(r["status"] in ("saved", "conflict") for r in results)
        assert after["Visit"] - before["Visit"] <= stored
        assert after["DailyCheck"] - before["DailyCheck"] <= stored
        if stored == 0:
            assert after == before

    send()
