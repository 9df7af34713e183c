"""Every action a page offers was fired by a browser test in this run.

The app writes each event handler it runs and each API route it answers to EVENT_LOG (see
app/eventlog.py). This test lists every `rx.event` handler of the app's states and every API
route, and names those no browser test fired. It runs last, and only when the whole browser
suite ran: a selection (-k, one file) fires only some."""

import ast
import importlib
from pathlib import Path

import pytest
from conftest import EVENT_LOG, ROOT
from starlette.routing import Route

from app.app import API_APPS

pytestmark = [pytest.mark.e2e, pytest.mark.after_all_e2e]
HERE = Path(__file__).resolve().parent
APP = ROOT / "app"


def _is_rx_event(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ast.unparse(target) == "rx.event"


def app_handlers() -> set[str]:
    """Full names of the `@rx.event` handlers written in the app's states."""
    names = set()
    for path in sorted(APP.rglob("*.py")):
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if "rx.event" not in path.read_text(encoding="utf-8"):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.ClassDef):
                continue
            handlers = [
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                and any(_is_rx_event(d) for d in item.decorator_list)
            ]
            state = getattr(module, node.name)
            names.update(f"{state.get_full_name()}.{name}" for name in handlers)
    return names


def app_routes() -> set[str]:
    """METHOD path of the app's own HTTP routes (HEAD comes with GET)."""
    return {
        f"{method} {route.path}"
        for api in API_APPS
        for route in api.routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }


def _whole_suite_ran(session: pytest.Session) -> bool:
    files = {Path(str(item.fspath)).name for item in session.items}
    wanted = {path.name for path in HERE.glob("test_*.py")}
    config = session.config
    return wanted <= files and not config.getoption("keyword") and not config.getoption("markexpr")


def test_every_action_a_page_offers_was_fired_by_a_browser_test(request):
    if not _whole_suite_ran(request.session):
        pytest.skip("only meaningful after the whole browser suite")
    fired = EVENT_LOG.read_text(encoding="utf-8").splitlines() if EVENT_LOG.exists() else []
    events = {line.removeprefix("event ") for line in fired if line.startswith("event ")}
    routes = {line.removeprefix("route ") for line in fired if line.startswith("route ")}
    never = sorted(app_handlers() - events) + sorted(app_routes() - routes)
    assert not never, f"{len(never)} actions no browser test fired:\n" + "\n".join(never)
