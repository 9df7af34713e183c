"""Offline field work in Chromium: door visits saved with no signal survive a reload, send
themselves when the network returns, and never arrive twice."""

import contextlib
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from playwright.sync_api import Page, WebSocketRoute, expect
from test_accounts import check_fits, log_in, open_page
from test_screening import open_next_door

from app.timeutil import today_local
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

    def __init__(self, app_port: int, port: int):
        self.app_port, self.up, self.links = app_port, True, set()
        self.stalled = False
        # A port the app counts among its origins: the field app's sends come from it.
        self.listener = socket.create_server(("127.0.0.1", port))
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
            if self.stalled:
                self.links.add(phone)  # accepted, never answered
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

    def stall(self) -> None:
        """A weak signal: the phone thinks it is online, connections open, nothing answers."""
        self.stalled = True
        self._cut()

    def close(self) -> None:
        # shutdown wakes the thread blocked in accept(); close alone would leave the port
        # listening, and the next test's relay could not take it.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
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
    relay = Signal(int(app_server.base_url.rsplit(":", 1)[1]), app_server.relay_port)
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


def visit_one_person(page: Page, answer) -> tuple[str, str]:
    """Record the next open door with people offline, only its first member at home, answered
    by `answer(card)`; returns the address and the member's name."""
    doors, cards = open_doors(page), page.locator("[data-member]")
    for i in range(doors.count()):
        address = doors.nth(i).get_attribute("aria-label")
        doors.nth(i).click()
        expect(page.get_by_role("heading", name=address)).to_be_visible()
        if cards.count():
            break
        page.get_by_role("button", name=ZH["field.back"]).click()  # an empty flat
    for i in range(1, cards.count()):
        cards.nth(i).get_by_role("button", name=ZH["visit.home"]).click()  # not at home
    card = cards.first
    name = card.locator("strong").first.inner_text()
    card.locator("summary").click()
    answer(card)
    page.get_by_role("button", name=ZH["field.save_on_phone"]).click()
    expect(page.locator("button.door").first).to_be_visible()
    return address, name


def test_a_visit_sent_later_warns_of_the_fever_clinic_and_home_quarantine(
    app_server: "AppServer", page: Page, signal: Signal
):
    open_field(page, app_server, signal)
    signal.lose(page)
    fever, _ = visit_one_person(
        page, lambda card: card.locator("input[name^=temperature-]").fill("38.6")
    )
    yesterday = (today_local() - timedelta(days=1)).isoformat()

    def travelled(card) -> None:
        card.get_by_label(ZH["visit.travel"]).check()
        card.get_by_label(ZH["visit.travel_place"]).fill("上海浦东")
        card.get_by_label(ZH["visit.travel_date"]).fill(yesterday)

    travel, traveller = visit_one_person(page, travelled)
    expect(page.locator("#waiting")).to_have_text(waiting(2))
    expect(page.locator("#cues")).to_be_hidden()  # nothing is known before the server says

    signal.back(page)
    expect(page.locator("#waiting")).to_have_text(ZH["field.all_sent"], timeout=40_000)
    cues = page.locator("#cues .cue")
    expect(cues.filter(has_text=fever)).to_contain_text(ZH["visit.refer_clinic"])
    quarantined = ZH["visit.quarantined"].format(names=traveller)
    expect(cues.filter(has_text=travel)).to_contain_text(quarantined)
    page.locator("#tab-sent").click()  # kept with the record, also after it is seen
    expect(page.locator("#main .card").filter(has_text=travel)).to_contain_text(quarantined)

    for _ in range(2):
        cues.first.get_by_role("button", name=ZH["field.cue_seen"]).click()
    expect(page.locator("#cues")).to_be_hidden()
    page.reload()
    expect(page.locator("#waiting")).to_have_text(ZH["field.all_sent"])
    expect(page.locator("#cues")).to_be_hidden()  # seen stays seen


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


class EventSocket:
    """The online pages' websocket, cut and restored by the test. Reflex opens it to the
    app's own port, so the `Signal` relay does not carry it: each one is routed, the open
    ones are closed when the signal goes, and the phone being offline refuses new ones."""

    def __init__(self, page: Page):
        self.page, self.open = page, []
        page.context.route_web_socket(re.compile(r"/_event/"), self._route)

    def _route(self, ws: WebSocketRoute) -> None:
        self.open.append((ws, ws.connect_to_server()))

    def lose(self) -> None:
        self.page.context.set_offline(True)
        for ws, server in self.open:
            ws.close()
            server.close()
        self.open = []

    def back(self) -> None:
        self.page.context.set_offline(False)


def test_a_visit_saved_with_no_signal_on_the_online_page_waits_and_is_sent(
    app_server: "AppServer", page: Page
):
    server = app_server
    socket_ = EventSocket(page)
    log_in(page, server, VOLUNTEER)
    address = open_next_door(page)

    socket_.lose()  # in the stairwell
    notice = page.get_by_role("alert").filter(has_text=ZH["connection.lost"])
    expect(notice).to_contain_text(ZH["connection.waiting"])
    field = notice.get_by_role("link", name=ZH["connection.field_link"])
    expect(field).to_have_attribute("href", "/field/")
    page.get_by_role("button", name=ZH["visit.all_normal"]).click()
    page.wait_for_timeout(1_000)  # still no signal a moment later: nothing went anywhere
    expect(notice).to_be_visible()
    expect(page.get_by_text("Cannot connect to server")).to_have_count(0)
    assert stored(server, [address]) == []

    socket_.back()
    expect(page.get_by_text(ZH["connection.back_sent"])).to_be_visible(timeout=20_000)
    expect(notice).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/doors$"))  # the save went through
    assert stored(server, [address]) == [(address, "visited", 1)]


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


def wire_bytes(response) -> int:
    """The body's size as it crossed the network (compressed)."""
    response.finished()
    return response.request.sizes()["responseBodySize"]


PACKAGE_DOOR = """(address) => state.pkg.buildings.flatMap((b) => b.doors)
  .find((d) => d.address === address).outcome"""
DOWNLOAD = "**/api/field/download*"


def test_after_a_send_the_package_is_not_downloaded_again(
    app_server: "AppServer", page: Page, signal: Signal
):
    with page.expect_response(DOWNLOAD) as first:
        open_field(page, app_server, signal)
    doors = page.locator("button.door").count()
    whole = wire_bytes(first.value)

    signal.lose(page)
    address = visit_next(page)
    with page.expect_response(DOWNLOAD, timeout=40_000) as after_send:
        signal.back(page)  # sends by itself, then asks what changed
    # Only the door states came back, compressed: not the buildings and people again.
    assert after_send.value.status == 200
    assert wire_bytes(after_send.value) <= min(5_000, whole / 4), (whole, after_send.value)
    page.wait_for_function(f"({PACKAGE_DOOR})({address!r}) === 'visited'")
    expect(page.locator("button.door")).to_have_count(doors)
    expect(page.get_by_label(address)).to_have_class(re.compile("visited"))

    with page.expect_response(DOWNLOAD) as again:
        page.get_by_role("button", name=ZH["field.download_again"]).click()
    assert again.value.status == 304  # nothing changed since: no body at all
    expect(page.locator("button.door")).to_have_count(doors)


WEEK_OLD = """async (address) => {
  const eightDaysAgo = new Date(Date.now() - 8 * 86400000).toISOString();
  const conn = await new Promise((resolve) => {
    const open = indexedDB.open("cep-field", 1);
    open.onsuccess = () => resolve(open.result);
  });
  for (const name of ["sent", "outbox"]) {
    const records = await new Promise((resolve) => {
      const all = conn.transaction(name).objectStore(name).getAll();
      all.onsuccess = () => resolve(all.result);
    });
    const t = conn.transaction(name, "readwrite");
    for (const r of records) {
      if (name === "sent" && r.label.startsWith(address)) r.at = eightDaysAgo;
      if (name === "outbox") r.data.recorded_at = eightDaysAgo;
      t.objectStore(name).put(r);
    }
    await new Promise((resolve) => (t.oncomplete = resolve));
  }
  conn.close();
}"""


def test_sent_answers_leave_the_phone_after_a_week_and_waiting_ones_stay(
    app_server: "AppServer", page: Page, signal: Signal
):
    open_field(page, app_server, signal)
    signal.lose(page)
    old, recent = visit_next(page), visit_next(page)
    with page.expect_response(DOWNLOAD, timeout=40_000):
        signal.back(page)
    expect(page.locator("#waiting")).to_have_text(ZH["field.all_sent"])
    page.wait_for_function(f"({PACKAGE_DOOR})({old!r}) === 'visited'")
    signal.lose(page)
    unsent = visit_next(page, "not_home")
    page.evaluate(WEEK_OLD, old)  # sent 8 days ago; the unsent one recorded 8 days ago

    page.reload()
    expect(page.locator("#waiting")).to_have_text(waiting(1))
    page.locator("#tab-sent").click()
    cards = page.locator("#main .card")
    expect(cards.filter(has_text=recent)).to_contain_text(ZH["field.status.saved"])
    expect(cards.filter(has_text=unsent)).to_contain_text(ZH["field.waiting_one"])
    expect(cards.filter(has_text=old)).to_have_count(0)
    # The door keeps its state: the package the phone downloaded after the send has it.
    page.locator("#tab-doors").click()
    expect(page.get_by_label(old)).to_have_class(re.compile("visited"))


def test_a_signal_that_never_answers_falls_back_to_the_phone_in_seconds(
    app_server: "AppServer", page: Page, signal: Signal
):
    open_field(page, app_server, signal)
    doors = page.locator("button.door").count()
    signal.stall()
    started = time.monotonic()
    page.goto(signal.url("/today"), timeout=20_000)  # a page of the online app
    expect(page.locator("button.door")).to_have_count(doors)
    took = time.monotonic() - started
    assert took < 10, f"fell back after {took:.1f} s"
    expect(page.locator("#net")).to_be_hidden()  # the phone still believes it is online

    address = visit_next(page)  # the app works; the visit waits for a better signal
    expect(page.locator("#waiting")).to_have_text(waiting(1))
    expect(page.get_by_label(address)).to_have_class(re.compile("waiting"))
