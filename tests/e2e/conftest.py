"""End-to-end fixtures: the real app (prod build, one port) on a fresh database, and a phone-sized
Chromium page.

The server runs once per backend variant: "sqlite" always, "postgres+redis" when
TEST_DATABASE_URL and TEST_REDIS_URL are set (a fresh `<db>_e2e` database is created from the
former and dropped at the end; the Redis database is flushed before the start). Both share the
project's `.web` build folder, so the variants run one after the other, never together.
"""

import contextlib
import fcntl
import hashlib
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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.db import sibling_database

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 600
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
# Every event handler and API route the app runs during this test session (test_every_action).
EVENT_LOG = Path(tempfile.gettempdir()) / f"e2e-fired-{os.getpid()}.log"

SQLITE = "sqlite"
POSTGRES = "postgres+redis"


def _variants() -> list[str]:
    variants = [SQLITE]
    if os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_REDIS_URL"):
        variants.append(POSTGRES)
    return variants


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "all_backends: run on every backend variant, not only on SQLite"
    )
    config.addinivalue_line("markers", "after_all_e2e: runs after every other test")
    EVENT_LOG.unlink(missing_ok=True)


def pytest_generate_tests(metafunc):
    """`app_server` is SQLite only, unless the test is marked `all_backends`. SQLite comes
    first everywhere, so pytest runs every SQLite test before the PostgreSQL server starts."""
    if "app_server" in metafunc.fixturenames:
        wanted = _variants() if metafunc.definition.get_closest_marker("all_backends") else [SQLITE]
        metafunc.parametrize("app_server", wanted, indirect=True, scope="session")


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
    # The check that every action was fired reads what all the other browser tests did.
    last = [item for item in items if item.get_closest_marker("after_all_e2e")]
    items[:] = [item for item in items if item not in last] + last


@dataclass(frozen=True)
class AppServer:
    variant: str
    base_url: str
    database_url: str
    log_path: Path
    upload_dir: Path | None = None  # the server's own private upload folder (UPLOAD_DIR)
    # The port of the offline tests' relay (test_offline.Signal): one of the app's origins.
    relay_port: int = 0

    def url(self, path: str) -> str:
        return self.base_url + path

    def sql(self, statement: str, **params) -> list:
        """Run one statement against the server's database; rows for a SELECT."""
        engine = create_engine(self.database_url)
        try:
            with engine.begin() as conn:
                result = conn.execute(text(statement), params)
                return list(result) if result.returns_rows else []
        finally:
            engine.dispose()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # follows redirects
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return None


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _app_env(
    database_url: str, redis_url: str | None, port: int, relay_port: int = 0
) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("REDIS_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL"):
        env.pop(key, None)
    bin_dirs = [str(ROOT / ".tools" / "node_modules" / ".bin"), str(Path(sys.executable).parent)]
    env.update(
        PATH=os.pathsep.join([*bin_dirs, env.get("PATH", "")]),
        REFLEX_USE_SYSTEM_BUN="1",
        REFLEX_TELEMETRY_ENABLED="false",
        DATABASE_URL=database_url,
        PORT=str(port),
        ALLOWED_ORIGINS=",".join(
            f"http://{host}:{p}"
            for p in (port, relay_port)
            if p
            for host in ("localhost", "127.0.0.1")
        ),
        PYTHONUNBUFFERED="1",
        EVENT_LOG=str(EVENT_LOG),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _run_cli(args: list[str], env: dict[str, str], log_path: Path) -> None:
    with log_path.open("a") as log:
        log.write(f"$ python -m app.cli {' '.join(args)}\n")
        log.flush()
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=300,
        )
    if done.returncode != 0:
        pytest.fail(f"`python -m app.cli {args[0]}` failed:\n{_tail(log_path)}", pytrace=False)


def _flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # Workers may outlive the leader for a moment; make sure the group is gone.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    """One prod build at a time in this tree (pytest-xdist workers, two sessions): the build
    rewrites `.web`, so a second server waits until the first one answers."""
    tree = hashlib.sha1(str(ROOT).encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"e2e-build-{tree}.lock"
    with path.open("w") as handle:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"another e2e server kept {path} for {START_TIMEOUT} s")
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _private_web_dir(tmp: Path) -> dict[str, str]:
    """The server's own copy of `.web`: the build bakes the port into the pages and the server
    reads them from disk while it runs, so a later session's build in a shared `.web` would
    point this server's pages at the other server. node_modules are hard links (a symlink
    would load React twice); the very first build installs them into the shared `.web`."""
    shared = ROOT / ".web"
    if not os.environ.get("E2E_PRIVATE_WEB") or not (shared / "node_modules").is_dir():
        return {}
    web = tmp / "web"
    shutil.copytree(
        shared, web, symlinks=True, ignore=shutil.ignore_patterns("node_modules", "build")
    )
    shutil.copytree(
        shared / "node_modules",
        web / "node_modules",
        symlinks=True,
        copy_function=os.link,
        ignore=shutil.ignore_patterns(".vite", ".vite-temp", ".cache"),  # rewritten by builds
    )
    return {"REFLEX_WEB_WORKDIR": str(web)}


def _start_app(port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    with log_path.open("a") as log:
        log.write(f"$ reflex run --env prod --single-port (port {port})\n")
        log.flush()
        return subprocess.Popen(
            [
                str(Path(sys.executable).parent / "reflex"),
                "run",
                "--env",
                "prod",
                "--single-port",
                "--frontend-port",
                str(port),
                "--backend-port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, killed as one at the end
        )


def _wait_until_up(process: subprocess.Popen, variant: str, base_url: str, log_path: Path):
    """The page (after the /login → /login/ redirect) and the backend both answer."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            pytest.fail(
                f"The app ({variant}) exited with {process.returncode} before it answered:\n"
                f"{_tail(log_path)}",
                pytrace=False,
            )
        if _status(base_url + "/login") == 200 and _status(base_url + "/ping") == 200:
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"The app ({variant}) did not answer on {base_url} within {START_TIMEOUT} s:\n"
                f"{_tail(log_path)}",
                pytrace=False,
            )
        time.sleep(1)


@contextlib.contextmanager
def _serve(variant: str, tmp: Path) -> Iterator[AppServer]:
    port, relay_port = _free_port(), _free_port()
    log_path = tmp / "server.log"
    with contextlib.ExitStack() as stack:
        redis_url = None
        if variant == POSTGRES:
            database_url = stack.enter_context(
                sibling_database(os.environ["TEST_DATABASE_URL"], "e2e")
            )
            redis_url = os.environ["TEST_REDIS_URL"]
            _flush_redis(redis_url)
        else:
            database_url = f"sqlite:///{tmp / 'app.db'}"
        env = _app_env(database_url, redis_url, port, relay_port)
        env["UPLOAD_DIR"] = str(tmp / "uploads")
        _run_cli(["migrate"], env, log_path)
        _run_cli(["load-demo"], env, log_path)

        base_url = f"http://127.0.0.1:{port}"
        with _build_lock():
            env.update(_private_web_dir(tmp))
            process = _start_app(port, env, log_path)
            stack.callback(_stop, process)
            _wait_until_up(process, variant, base_url, log_path)
        yield AppServer(variant, base_url, database_url, log_path, tmp / "uploads", relay_port)
        if redis_url:
            _flush_redis(redis_url)


@pytest.fixture(scope="session")
def app_server(request) -> Iterator[AppServer]:
    """The app on a free port with the demo data, one per backend variant (see above)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"e2e-{request.param.replace('+', '-')}-"))
    try:
        with _serve(request.param, tmp) as server:
            yield server
    except BaseException:
        print(f"\n[e2e] server log kept in {tmp}", file=sys.stderr)
        raise
    else:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Open a fresh browser context (no cookies) on a phone; all are closed after the test."""
    contexts = []

    def make(viewport: dict | None = None):
        context = browser.new_context(
            viewport=viewport or PHONE,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()
