"""The server killed with SIGKILL in the middle of phones sending their offline records, and
started again on the same database: every record it acknowledged is stored, the phone sends
again whatever got no answer, and nothing is stored twice.

The server here is the app's production backend as `reflex run --env prod` starts it, on its
own database, without building the pages (the sync route needs none), so it starts again in
seconds; the shared `app_server` is left alone."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, _app_env, _free_port, _run_cli, _status, _stop, _tail
from sqlalchemy import text
from sqlmodel import Session

from app.accounts.service import SESSION_COOKIE, login
from app.db import make_engine
from app.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

VOLUNTEER = "13900000001"
BATCH = 5  # records per request (the field app sends up to 100)
RECORDS = 100
KILL_AFTER = 40  # acknowledged records before the kill
START_TIMEOUT = 120


def _start_backend(port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    run = f"from reflex.utils.exec import run_backend_prod; run_backend_prod('127.0.0.1', {port})"
    with log_path.open("a") as log:
        log.write(f"$ run_backend_prod (port {port})\n")
        log.flush()
        return subprocess.Popen(
            [sys.executable, "-c", run],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: killed as one
        )


def _wait_for_backend(process: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while _status(base_url + "/ping") != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the backend did not start:\n{_tail(log_path)}", pytrace=False)
        time.sleep(0.2)


class Backend:
    """One database; the server on it started, killed and started again."""

    def __init__(self, tmp: Path):
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite:///{tmp / 'app.db'}"
        self.log_path = tmp / "server.log"
        self.env = _app_env(self.database_url, None, self.port)
        self.env.pop("EVENT_LOG")  # the browser tests' record of what they ran: not this
        self.env.update(
            REFLEX_ENV_MODE="prod",
            REFLEX_SKIP_COMPILE="true",
            REFLEX_STATES_WORKDIR=str(tmp / "states"),
            UPLOAD_DIR=str(tmp / "uploads"),
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = _start_backend(self.port, self.env, self.log_path)
        _wait_for_backend(self.process, self.base_url, self.log_path)

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def sql(self, statement: str, **params) -> list:
        engine = make_engine(self.database_url)
        try:
            with engine.begin() as conn:
                return list(conn.execute(text(statement), params))
        finally:
            engine.dispose()

    def session_token(self, mobile: str) -> str:
        engine = make_engine(self.database_url)
        try:
            with Session(engine) as db:
                return login(db, mobile, DEMO_PASSWORD, client="kill-test").token
        finally:
            engine.dispose()


@pytest.fixture
def backend() -> Iterator[Backend]:
    tmp = Path(tempfile.mkdtemp(prefix="e2e-kill-"))
    server = Backend(tmp)
    try:
        _run_cli(["migrate"], server.env, server.log_path)
        _run_cli(["load-demo"], server.env, server.log_path)
        server.start()
        yield server
    except BaseException:
        print(f"\n[e2e] server log kept in {tmp}", file=sys.stderr)
        raise
    finally:
        server.stop()
    with contextlib.suppress(OSError):
        for path in sorted(tmp.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        tmp.rmdir()


class Phone:
    """A volunteer's phone sending its waiting records in batches, as the field app does."""

    def __init__(self, backend: Backend, token: str):
        self.backend = backend
        self.cookie = f"{SESSION_COOKIE}={token}"
        self.acknowledged: set[str] = set()
        self.lost_answers = 0  # requests that got no answer (the server died under them)

    def _request(self, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            self.backend.base_url + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Cookie": self.cookie, "Content-Type": "application/json"},
            method="GET" if body is None else "POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def open_doors(self) -> list[tuple[int, int]]:
        """(round, household) of the doors not visited yet in the volunteer's buildings."""
        package = self._request("/api/field/download")
        return [
            (building["round_id"], door["household_id"])
            for building in package["buildings"]
            for door in building["doors"]
            if not door["outcome"]
        ]

    def send(self, batch: list[dict]) -> bool:
        """One request; False when no answer came back."""
        try:
            answer = self._request("/api/field/sync", {"records": batch})
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            self.lost_answers += 1
            return False
        for result in answer["results"]:
            assert result["status"] in ("saved", "retry"), result
            if result["status"] == "saved":
                self.acknowledged.add(result["client_id"])
        return True

    def send_waiting(self, records: list[dict], stop: threading.Event | None = None) -> None:
        """Send what is not acknowledged yet, batch after batch, until an answer is lost."""
        waiting = [r for r in records if r["client_id"] not in self.acknowledged]
        for start in range(0, len(waiting), BATCH):
            if (stop and stop.is_set()) or not self.send(waiting[start : start + BATCH]):
                return


def _visit(round_id: int, household_id: int) -> dict:
    return {
        "client_id": uuid.uuid4().hex,
        "kind": "visit",
        "data": {"round_id": round_id, "household_id": household_id, "outcome": "vacant"},
    }


def _stored(backend: Backend, client_ids: set[str]) -> dict[str, int]:
    rows = backend.sql("SELECT client_id, count(*) FROM visit GROUP BY client_id")
    return {client_id: count for client_id, count in rows if client_id in client_ids}


def test_a_server_killed_mid_sync_loses_nothing_and_stores_nothing_twice(backend: Backend):
    started = time.monotonic()
    phone = Phone(backend, backend.session_token(VOLUNTEER))
    doors = phone.open_doors()
    assert len(doors) >= RECORDS, "the demo volunteer has too few open doors for this test"
    records = [_visit(round_id, household) for round_id, household in doors[:RECORDS]]
    everything = {r["client_id"] for r in records}

    # Sending, and SIGKILL once some batches are acknowledged: a request is in flight then.
    sender = threading.Thread(target=phone.send_waiting, args=(records,))
    sender.start()
    while len(phone.acknowledged) < KILL_AFTER and sender.is_alive():
        time.sleep(0.005)
    backend.kill()
    sender.join(timeout=60)
    assert phone.lost_answers == 1, "the kill did not cut a request"
    assert KILL_AFTER <= len(phone.acknowledged) < RECORDS

    # What the server acknowledged survived the kill (some unanswered ones may be stored too).
    stored = _stored(backend, everything)
    assert phone.acknowledged <= stored.keys()

    # Started again on the same database; the phone sends whatever got no answer.
    backend.start()
    for _ in range(3):  # a record answered "retry" is sent again, as the phone does
        phone.send_waiting(records)
        if phone.acknowledged == everything:
            break
    assert phone.acknowledged == everything
    stored = _stored(backend, everything)
    assert stored.keys() == everything  # acknowledged = stored
    assert [cid for cid, count in stored.items() if count > 1] == []  # no duplicates
    doors_shown = backend.sql(
        "SELECT v.client_id, d.outcome FROM door d JOIN visit v"
        " ON v.household_id = d.household_id AND v.round_id = d.round_id"
    )
    # each door shows its one visit
    assert sorted(o for cid, o in doors_shown if cid in everything) == ["vacant"] * RECORDS
    assert time.monotonic() - started < 120
