"""Events a page does not offer, forced by a logged-in resident through the page's own socket
(as anyone can from the browser's console): each is refused with a message, changes nothing,
and leaves no stack trace in the server's log."""

import json
import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect
from test_accounts import log_in, open_page

from app.screening.state import BoardState, RulesState
from app.ui.i18n import EN, ZH
from app.volunteers.state import ApplicationsState

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
RESIDENT = "13700000003"


def forge_next_locale_switch(page: Page, name: str, payload: dict) -> dict:
    """Route the page's websocket so that its next language switch goes out as `name` with
    `payload` instead: what a user could send from the browser's console."""
    pending = {"forged": False}

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            if not pending["forged"] and isinstance(message, str) and "switch_locale" in message:
                prefix, body = message.split("[", 1)  # 42/_event,["event",{...}]
                packet = json.loads("[" + body)
                packet[1]["name"], packet[1]["payload"] = name, payload
                message = prefix + json.dumps(packet, ensure_ascii=False)
                pending["forged"] = True
            server.send(message)

        ws.on_message(from_page)

    page.route_web_socket(re.compile(r"/_event"), route)
    return pending


FORCED = [
    pytest.param(f"{ApplicationsState.get_full_name()}.approve_chosen", {}, id="approve"),
    pytest.param(
        f"{BoardState.get_full_name()}.start",
        {"form": {"name": "伪造的一轮", "starts_on": "2026-01-01", "ends_on": "2026-01-02"}},
        id="start-round",
    ),
    pytest.param(f"{RulesState.get_full_name()}.save", {"form": {}}, id="rules-partial-form"),
]


def _snapshot(server: "AppServer") -> list:
    """What the forced events would change: rounds, the risk rules, decided applications."""
    return [
        server.sql("SELECT count(*) FROM round"),
        server.sql("SELECT * FROM rules ORDER BY community_id"),
        server.sql("SELECT id, status FROM application ORDER BY id"),
    ]


def _log_size(server: "AppServer") -> int:
    return server.log_path.stat().st_size


@pytest.mark.parametrize(("name", "payload"), FORCED)
def test_a_forced_staff_event_is_refused_with_a_message(
    app_server: "AppServer", page: Page, name: str, payload: dict
):
    server = app_server
    forged = forge_next_locale_switch(page, name, payload)
    log_in(page, server, RESIDENT)
    open_page(page, server, "/profile")  # where the language switch is
    before = _snapshot(server)
    log_from = _log_size(server)

    page.get_by_role("radio", name=EN["lang.en"]).click()
    page.wait_for_timeout(500)
    assert forged["forged"]

    if "approve_chosen" in name:
        expect(page.get_by_text(ZH["errors.forbidden"], exact=False)).to_be_visible()
    page.wait_for_timeout(1000)  # let the server finish the event before reading its log
    assert _snapshot(server) == before
    with server.log_path.open(errors="replace") as log:
        log.seek(log_from)
        written = log.read()
    assert "Traceback" not in written, written
