"""Housekeeping removes what no longer serves, by itself in the app and from the command line."""

import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta

from sqlmodel import func, select

from app import housekeeping
from app.accounts.models import LoginAttempt, LoginSession, SignupAttempt
from app.app import app as reflex_app
from app.settings import PROJECT_ROOT, get_settings
from app.timeutil import utcnow
from tests.conftest import run_in_own_loop

CSV = "姓名\n罗辉\n".encode()


def _stale_and_current(db, world, uploads) -> None:
    """One of each kind past its time, and one still current."""
    now, old = utcnow(), utcnow() - timedelta(minutes=get_settings().login_window_minutes + 1)
    db.add(LoginSession(token_hash="ended", user_id=world.staff.id, expires_at=now))
    later = now + timedelta(hours=1)
    db.add(LoginSession(token_hash="open", user_id=world.staff.id, expires_at=later))
    db.add_all([LoginAttempt(mobile="13611110000", client="x", at=at) for at in (old, now)])
    db.add_all([SignupAttempt(client="x", at=at) for at in (old, now)])
    db.commit()
    uploads.mkdir()
    for name, hours in (("left.csv", 2), ("in-use.csv", 0)):
        (uploads / name).write_bytes(CSV)
        then = time.time() - hours * 3600
        os.utime(uploads / name, (then, then))


def _counts(db) -> tuple[int, int, int]:
    return tuple(
        db.exec(select(func.count()).select_from(model)).one()
        for model in (LoginSession, LoginAttempt, SignupAttempt)
    )


def test_housekeeping_removes_each_kind_past_its_time(db, world, tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    monkeypatch.setattr(get_settings(), "upload_dir", uploads)
    _stale_and_current(db, world, uploads)

    assert housekeeping.clean(db) == housekeeping.Removed(1, 1, 1, 1)

    assert _counts(db) == (1, 1, 1)
    assert [f.name for f in uploads.iterdir()] == ["in-use.csv"]
    assert housekeeping.clean(db) == housekeeping.Removed(0, 0, 0, 0)


def test_the_command_line_runs_it(db, world, engine, tmp_path):
    uploads = tmp_path / "uploads"
    _stale_and_current(db, world, uploads)
    env = dict(
        os.environ,
        DATABASE_URL=engine.url.render_as_string(hide_password=False),
        UPLOAD_DIR=str(uploads),
    )
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "housekeeping"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "1 expired sessions, 1 login attempts, 1 sign-up attempts, 1 abandoned uploads" in (
        done.stdout
    )
    db.expire_all()
    assert _counts(db) == (1, 1, 1)
    assert [f.name for f in uploads.iterdir()] == ["in-use.csv"]


def test_the_app_runs_it_every_hour_while_it_serves():
    assert housekeeping.every_hour in reflex_app.get_lifespan_tasks()
    assert timedelta(hours=1) == housekeeping.EVERY


def test_the_hourly_round_starts_at_once_and_outlives_a_failed_one(monkeypatch):
    rounds = []

    def clean_now():
        rounds.append(time.monotonic())
        if len(rounds) == 1:
            raise OSError("database away for a moment")
        return housekeeping.Removed(0, 0, 0, 0)

    monkeypatch.setattr(housekeeping, "_clean_now", clean_now)
    monkeypatch.setattr(housekeeping, "EVERY", timedelta(milliseconds=50))

    async def serve_a_while():
        task = asyncio.create_task(housekeeping.every_hour())
        while len(rounds) < 3 and not task.done():
            await asyncio.sleep(0.01)
        task.cancel()

    run_in_own_loop(asyncio.wait_for(serve_a_while(), timeout=10))
    assert len(rounds) == 3
