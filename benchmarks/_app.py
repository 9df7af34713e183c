"""Shared start-the-app code for the benchmarks.

    with running_app(prepare=add_my_rows) as app:
        ... app.url, app.database_url ...

`running_app` gives the benchmark an app to talk to:

* with `APP_URL` set (or `app_url=` passed), the app already running there; nothing is started
  or stopped, and `database_url` is whatever `DATABASE_URL` says (maybe None);
* otherwise a fresh one: a fresh database (SQLite in a temp folder; or, when `DATABASE_URL` is
  a postgresql URL, a database `<db>_bench` dropped and created next to it), migrated, the demo
  community loaded, `prepare(database_url)` called, then `reflex run --env prod --single-port`
  on a free loopback port, until it answers. When `REDIS_URL` is set the app gets it too (Reflex
  then keeps state in Redis and runs several workers). On exit the app's whole process group is
  stopped and the temp folder and bench database are removed.

The app builds its front end in a private copy of `.web` (node_modules hard-linked), so a
benchmark neither waits for nor overwrites the bundle another run in this tree is serving. Set
`BENCH_SHARED_WEB=1` to build in the project's own `.web` instead (Reflex serialises builds
with its file lock, but the rebuilt bundle replaces the one any other app started from this tree
is serving), and `BENCH_KEEP=1` to keep the temp folder (app log) afterwards."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
TOOLS_BIN = ROOT / ".tools" / "node_modules" / ".bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable

# A prod build of the front end takes a minute or two on this machine; allow for a slow one.
START_TIMEOUT_S = float(os.environ.get("BENCH_START_TIMEOUT", "900"))
STOP_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class RunningApp:
    url: str  # e.g. http://127.0.0.1:41234 (no trailing slash)
    database_url: str | None
    redis_url: str | None
    started: bool  # False when it was already running (APP_URL)
    log_path: Path | None = None

    @property
    def ws_url(self) -> str:
        return "ws" + self.url.removeprefix("http")


def log(message: str) -> None:
    """Progress goes to stderr: stdout is kept for the `name: value unit` lines."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(**overrides: str | None) -> dict[str, str]:
    """The environment the project's scripts give reflex, plus overrides (None removes)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(TOOLS_BIN), str(VENV_BIN), env.get("PATH", "")])
    env["REFLEX_USE_SYSTEM_BUN"] = "1"
    env["REFLEX_TELEMETRY_ENABLED"] = "false"
    env["PYTHONUNBUFFERED"] = "1"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


# ---------------------------------------------------------------- databases


def _is_postgres(url: str | None) -> TypeGuard[str]:
    return bool(url) and url.startswith("postgresql")


@contextlib.contextmanager
def fresh_database(workdir: Path) -> Iterator[str]:
    """A new empty database: `<db>_bench` next to DATABASE_URL's PostgreSQL database, or a
    SQLite file in `workdir`. Dropped again on exit (PostgreSQL)."""
    base = os.environ.get("DATABASE_URL")
    if not _is_postgres(base):
        yield f"sqlite:///{workdir / 'bench.db'}"
        return

    from sqlalchemy.engine import make_url

    from app.db import sibling_database

    # The benchmark's own figures matter more than a database left behind.
    with sibling_database(base, "bench", lambda exc: log(f"could not drop it: {exc}")) as url:
        log(f"created PostgreSQL database {make_url(url).database}")
        yield url


def _run_cli(args: list[str], env: dict[str, str], log_file) -> None:
    cmd = [PYTHON, "-m", "app.cli", *args]
    result = subprocess.run(cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd[1:])}` failed (exit {result.returncode})")


# ---------------------------------------------------------------- the front-end build folder


def _private_web_dir(workdir: Path) -> Path | None:
    """A copy of the project's `.web` for this run, or None to use the shared one."""
    shared = ROOT / ".web"
    if os.environ.get("BENCH_SHARED_WEB") == "1" or not (shared / "node_modules").is_dir():
        return None
    from reflex.utils.path_ops import file_lock

    target = workdir / "web"
    skip = {"node_modules", "build", ".states"}
    # Reflex holds this lock while it compiles and builds into .web: copy a consistent tree.
    with file_lock(shared):
        target.mkdir()
        for entry in shared.iterdir():
            if entry.name in skip:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.copytree(entry, target / entry.name, symlinks=True)
            else:
                shutil.copy2(entry, target / entry.name, follow_symlinks=False)
        # Hard links: instant, no extra space (same file system); builds only add files there.
        subprocess.run(
            ["cp", "-al", str(shared / "node_modules"), str(target / "node_modules")], check=True
        )
    return target


# ---------------------------------------------------------------- the app process


def _get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait_ready(proc: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"the app exited (code {proc.returncode}) before it was ready; log "
                f"{log_path}:\n{_tail(log_path)}"
            )
        try:
            ping, _ = _get(f"{url}/ping", timeout=2)
            page, body = _get(f"{url}/login", timeout=5)
            if ping == 200 and page == 200 and b"<html" in body.lower():
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(1.0)
    raise RuntimeError(f"the app was not ready after {START_TIMEOUT_S:.0f} s; log {log_path}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the app and every process it started (its own process group, by its id)."""
    if proc.poll() is not None:
        return
    pgid = proc.pid  # started with start_new_session=True: the group is ours alone
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # Workers may outlive the supervisor for a moment; make sure the group is gone.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


@contextlib.contextmanager
def running_app(
    prepare: Callable[[str], None] | None = None,
    *,
    app_url: str | None = None,
) -> Iterator[RunningApp]:
    """The app to benchmark (see the module docstring). `prepare(database_url)` runs after the
    demo data is loaded and before the app starts; it is not called for an APP_URL app."""
    app_url = app_url or os.environ.get("APP_URL")
    if app_url:
        log(f"using the running app at {app_url}")
        yield RunningApp(
            url=app_url.rstrip("/"),
            database_url=os.environ.get("DATABASE_URL"),
            redis_url=os.environ.get("REDIS_URL"),
            started=False,
        )
        return

    workdir = Path(tempfile.mkdtemp(prefix="cep-bench-"))
    log_path = workdir / "app.log"
    redis_url = os.environ.get("REDIS_URL") or None
    try:
        with fresh_database(workdir) as database_url, open(log_path, "ab") as log_file:
            env = app_env(DATABASE_URL=database_url, REDIS_URL=redis_url)
            t0 = time.monotonic()
            _run_cli(["migrate"], env, log_file)
            _run_cli(["load-demo"], env, log_file)
            log(f"database migrated and demo loaded in {time.monotonic() - t0:.1f} s")
            if prepare is not None:
                prepare(database_url)

            web_dir = _private_web_dir(workdir)
            attempts = 3
            for attempt in range(1, attempts + 1):
                port = free_port()
                url = f"http://127.0.0.1:{port}"
                run_env = dict(
                    env,
                    PORT=str(port),
                    ALLOWED_ORIGINS=f"http://127.0.0.1:{port},http://localhost:{port}",
                    REFLEX_STATES_WORKDIR=str(workdir / "states"),
                )
                if web_dir is not None:
                    run_env["REFLEX_WEB_WORKDIR"] = str(web_dir)
                cmd = [
                    str(VENV_BIN / "reflex"),
                    "run",
                    "--env",
                    "prod",
                    "--single-port",
                    "--frontend-port",
                    str(port),
                    "--backend-port",
                    str(port),
                    "--backend-host",
                    "127.0.0.1",
                ]
                mode = "PostgreSQL" if _is_postgres(database_url) else "SQLite"
                mode += " + Redis" if redis_url else ""
                log(f"starting the app ({mode}) on {url}; log {log_path}")
                t0 = time.monotonic()
                proc = subprocess.Popen(
                    cmd,
                    cwd=ROOT,
                    env=run_env,
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                try:
                    _wait_ready(proc, url, log_path)
                except RuntimeError as exc:
                    _stop(proc)
                    if attempt == attempts:
                        raise
                    log(f"start attempt {attempt} failed, retrying: {str(exc)[:300]}")
                    time.sleep(5 * attempt)
                    continue
                log(f"app ready in {time.monotonic() - t0:.0f} s")
                try:
                    yield RunningApp(
                        url=url,
                        database_url=database_url,
                        redis_url=redis_url,
                        started=True,
                        log_path=log_path,
                    )
                finally:
                    _stop(proc)
                    log("app stopped")
                break
    finally:
        if os.environ.get("BENCH_KEEP") == "1":
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
