"""Offline field work in Chromium: door visits saved with no signal survive a reload, send
themselves when the network returns, and never arrive twice."""

import contextlib
import re
import socket
import tempfile
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from playwright.sync_api import Page, expect
from test_accounts import check_fits, log_in, open_page

from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
VOLUNTEER = "13900000002"  # 李雪梅, grid 2 of 锦官驿社区 (the screening tests use grid 1)
OTHER_VOLUNTEER = "13900000003"


def waiting(count: int) -> str:
    return ZH["field.waiting"].format(count=count)


class Signal:
    """The phone's signal: a TCP relay between Chromium and the app that the test cuts, so no
    network is real — refused connections, as in a basement — and does not rest on Chromium's
    emulated offline mode alone (that has let a freshly reloaded page reach the server)."""

    def __init__(self, app_port: int):
        self.app_port, self.up, self.links = app_port, True, set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str) -> str:
        return self.base_url + path

    def _accept(self) -> None:
        while True:
            try:
                phone, _ = self.listener.accept()
            except OSError:
                return  # closed
            if not self.up:
                phone.close()
                continue
            app = socket.create_connection(("127.0.0.1", self.app_port))
            self.links |= {phone, app}
            for source, sink in ((phone, app), (app, phone)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def lose(self, page: Page) -> None:
        """Cut every connection and refuse new ones; the phone also knows it is offline."""
        self.up = False
        self._cut()
        page.context.set_offline(True)

    def back(self, page: Page) -> None:
        self.up = True
        page.context.set_offline(False)

    def close(self) -> None:
        self.listener.close()
        self._cut()

    def _cut(self) -> None:
        links, self.links = self.links, set()
        for link in links:
            with contextlib.suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
            link.close()


@pytest.fixture
def signal(app_server: "AppServer") -> Iterator[Signal]:
    relay = Signal(int(app_server.base_url.rsplit(":", 1)[1]))
    yield relay
    relay.close()


def open_field(page: Page, server: "AppServer", signal: Signal) -> None:
    """Open the offline app online: it downloads my buildings, the service worker keeps it.
    The login cookie belongs to the host, so the relay's port shares it."""
    log_in(page, server, VOLUNTEER)
    page.goto(signal.url("/field/"))
    expect(page.locator("#downloaded")).to_be_visible()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def open_doors(page: Page) -> list:
    """The doors not finished yet, as buttons."""
    return page.locator(
        "button.door:not(.visited):not(.vacant):not(.refused):not(.not_home):not(.waiting)"
    )


def visit_next(page: Page, how: str = "all_normal") -> str:
    """Record the next open door offline; returns its address."""
    door = open_doors(page).first
    address = door.get_attribute("aria-label")
    door.click()
    expect(page.get_by_role("heading", name=address)).to_be_visible()
    if how == "all_normal":
        page.get_by_role("button", name=ZH["visit.all_normal"]).click()
    else:
        page.get_by_role("radio", name=ZH[f"outcome.{how}"]).click()
        page.get_by_role("button", name=ZH["field.save_on_phone"]).click()
    expect(page.locator("#main .card").first).to_be_visible()
    return address


def stored(server: "AppServer", addresses: list[str]) -> list[tuple[str, str, int]]:
    """(address, door state, records) on the server for these doors."""
    marks = ", ".join(f":a{i}" for i in range(len(addresses)))
    return server.sql(
        "SELECT h.address, d.outcome, (SELECT count(*) FROM visit v"
        "  WHERE v.household_id = h.id AND v.round_id = d.round_id)"
        " FROM household h JOIN door d ON d.household_id = h.id"
        f" WHERE h.address IN ({marks}) ORDER BY h.address",
        **{f"a{i}": a for i, a in enumerate(addresses)},
    )


@pytest.mark.all_backends
def test_visits_saved_offline_survive_a_reload_and_send_when_online(
    app_server: "AppServer", page: Page, signal: Signal
):
    server = app_server
    open_field(page, server, signal)
    # Only the volunteer's own buildings are on the phone, not the whole community.
    (grid_doors,) = server.sql(
        "SELECT count(*) FROM household h JOIN building b ON b.id = h.building_id"
        ' WHERE b.grid_id = (SELECT grid_id FROM "user" WHERE mobile = :m)',
        m=VOLUNTEER,
    )[0]
    expect(page.locator("button.door")).to_have_count(grid_doors)

    signal.lose(page)
    addresses = [visit_next(page), visit_next(page, "not_home"), visit_next(page)]
    expect(page.locator("#waiting")).to_have_text(waiting(3))
    expect(page.locator("#net")).to_have_text(ZH["field.offline"])

    page.reload()  # no network: the service worker opens the app, the records are still there
    expect(page.locator("#waiting")).to_have_text(waiting(3))
    for address in addresses:
        expect(page.get_by_label(address)).to_have_class(re.compile("waiting"))
    assert stored(server, addresses) == []

    signal.back(page)  # they send by themselves
    expect(page.locator("#waiting")).to_have_text(ZH["field.all_sent"], timeout=40_000)
    assert sorted(stored(server, addresses)) == sorted(
        [(addresses[0], "visited", 1), (addresses[1], "not_home", 1), (addresses[2], "visited", 1)]
    )
    page.locator("#tab-sent").click()
    expect(page.get_by_text(ZH["field.status.saved"], exact=True)).to_have_count(3)


def test_a_send_cut_off_half_way_stores_each_record_once(
    app_server: "AppServer", page: Page, signal: Signal
):
    server = app_server
    open_field(page, server, signal)
    signal.lose(page)
    addresses = [visit_next(page), visit_next(page)]
    expect(page.locator("#waiting")).to_have_text(waiting(2))

    # The server receives the batch, but the answer never reaches the phone.
    cut = []

    def lose_the_answer(route):
        route.fetch()
        cut.append(route.request.url)
        route.abort()

    page.route("**/api/field/sync", lose_the_answer)
    with page.expect_event("requestfailed", timeout=40_000):
        signal.back(page)
    assert cut
    expect(page.locator("#waiting")).to_have_text(waiting(2))  # still waiting: not confirmed
    assert [n for _, _, n in stored(server, addresses)] == [1, 1]  # but stored already

    page.unroute("**/api/field/sync")
    page.locator("#waiting").click()
    page.get_by_role("button", name=ZH["field.send_now"]).click()
    expect(page.locator("#waiting")).to_have_text(ZH["field.all_sent"])
    assert [n for _, _, n in stored(server, addresses)] == [1, 1]  # the resend made no copy


def test_refused_damaged_and_logged_out_records_are_shown_not_lost(
    app_server: "AppServer", page: Page, signal: Signal
):
    server = app_server
    open_field(page, server, signal)
    signal.lose(page)
    reassigned = visit_next(page)
    # A record altered on the phone, and one that is not whole any more.
    page.evaluate(
        """() => new Promise((resolve) => {
          const open = indexedDB.open("cep-field", 1);
          open.onsuccess = () => {
            const t = open.result.transaction("outbox", "readwrite");
            const s = t.objectStore("outbox");
            s.put({client_id: "tampered-0000001", kind: "visit", label: "tampered",
                   data: {round_id: 1, household_id: 1, outcome: "burgled", people: []}});
            s.put({client_id: "damaged-00000001", label: "damaged"});
            t.oncomplete = resolve;
          };
        })"""
    )
    page.reload()
    expect(page.locator("#waiting")).to_have_text(waiting(2))  # the damaged one is not sent

    # Meanwhile the office gave that building to someone else, and the login ran out.
    server.sql(
        'UPDATE roundbuilding SET assignee_id = (SELECT id FROM "user" WHERE mobile = :o)'
        " WHERE building_id = (SELECT building_id FROM household WHERE address = :a)",
        o=OTHER_VOLUNTEER,
        a=reassigned,
    )
    server.sql(
        'DELETE FROM loginsession WHERE user_id = (SELECT id FROM "user" WHERE mobile = :m)',
        m=VOLUNTEER,
    )
    signal.back(page)
    page.locator("#waiting").click()
    page.get_by_role("button", name=ZH["field.send_now"]).click()
    expect(page.locator("#banner")).to_contain_text(ZH["field.login_again"])
    expect(page.locator("#waiting")).to_have_text(waiting(2))  # kept on the phone

    log_in(page, server, VOLUNTEER)
    page.goto(signal.url("/field/"))
    expect(page.locator("#waiting")).to_have_text(ZH["field.all_sent"])
    page.locator("#tab-sent").click()
    refused = page.locator(".card").filter(has_text=ZH["field.status.refused"])
    expect(refused.filter(has_text=reassigned)).to_contain_text(ZH["errors.door_not_yours"])
    expect(refused.filter(has_text="tampered")).to_have_count(1)
    expect(refused.filter(has_text="damaged")).to_contain_text(ZH["field.damaged"])
    assert stored(server, [reassigned]) == []


# A phone whose storage is full refuses writes with QuotaExceededError. Chromium here has
# gigabytes of quota and ignores DevTools quota overrides in its test contexts, so the
# refusal is raised where the browser would raise it: on the store's write.
FULL_STORAGE = """
const realPut = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (...args) {
  if (window.__storageFull) throw new DOMException("quota exceeded", "QuotaExceededError");
  return realPut.apply(this, args);
};
"""


def test_a_full_phone_says_so_and_keeps_the_visit_on_screen(
    app_server: "AppServer", page: Page, signal: Signal
):
    page.add_init_script(FULL_STORAGE)
    open_field(page, app_server, signal)
    signal.lose(page)
    page.evaluate("window.__storageFull = true")
    address = open_doors(page).first.get_attribute("aria-label")
    open_doors(page).first.click()
    page.get_by_label(ZH["visit.note"]).fill("三楼老人行动不便")
    page.get_by_role("button", name=ZH["visit.all_normal"]).click()
    expect(page.locator("#banner")).to_have_text(ZH["field.storage_full"])
    expect(page.get_by_role("heading", name=address)).to_be_visible()  # still on the form
    expect(page.get_by_label(ZH["visit.note"])).to_have_value("三楼老人行动不便")
    expect(page.locator("#waiting")).to_have_text(ZH["field.all_sent"])  # nothing pretends

    page.evaluate("window.__storageFull = false")  # space freed: the same tap saves it
    page.get_by_role("button", name=ZH["visit.all_normal"]).click()
    expect(page.locator("#waiting")).to_have_text(waiting(1))
    expect(page.locator("#banner")).to_be_hidden()
    expect(page.get_by_label(address)).to_have_class(re.compile("waiting"))


def test_chrome_finds_the_app_installable(app_server: "AppServer", browser):
    # Installability is not judged in incognito contexts: use a profile on disk.
    with tempfile.TemporaryDirectory() as profile:
        context = browser.browser_type.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
        )
        try:
            page = context.new_page()
            open_page(page, app_server, "/login")
            page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
            cdp = context.new_cdp_session(page)
            assert cdp.send("Page.getInstallabilityErrors") == {"installabilityErrors": []}
            manifest = cdp.send("Page.getAppManifest")
            assert manifest["errors"] == []
        finally:
            context.close()


@pytest.mark.parametrize("width", [390, 360])
def test_the_field_app_fits_a_phone(
    app_server: "AppServer", new_context, signal: Signal, width: int
):
    problems: list[str] = []
    page = new_context({"width": width, "height": 844}).new_page()
    open_field(page, app_server, signal)
    tabs = page.locator("nav.tabs button")
    check_fits(page, "field-doors", width, [page.locator("button.door"), tabs], problems)
    address = open_doors(page).first.get_attribute("aria-label")
    open_doors(page).first.click()
    expect(page.get_by_role("heading", name=address)).to_be_visible()
    check_fits(page, "field-visit", width, [page.locator("#main button")], problems)
    assert not problems, "\n".join(problems)
