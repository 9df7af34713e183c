"""Door-to-door screening on a phone, and the board the office watches, in a real browser."""

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from test_accounts import SIZES, below, check_fits, log_in, nav, no_traceback, open_page

from app.timeutil import today_local
from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
STAFF = "13800000001"
VOLUNTEER = "13900000001"  # 王浩然, grid 1 of 锦官驿社区, where the demo round is under way


def visits(server: "AppServer") -> int:
    return server.sql("SELECT count(*) FROM visit")[0][0]


def done_doors(server: "AppServer") -> int:
    return server.sql("SELECT count(*) FROM door WHERE outcome <> 'not_home'")[0][0]


def open_next_door(page: Page) -> str:
    """Tap "next door" on my buildings; returns the address the visit page shows."""
    nav(page).get_by_role("link", name=ZH["nav.doors"], exact=True).click()
    page.get_by_role("link", name=ZH["doors.next"]).click()
    expect(page).to_have_url(re.compile(r"/visit\?r=\d+&h=\d+"))
    heading = page.get_by_role("heading", level=2).first
    expect(heading).to_have_text(re.compile(r"\d+-\d+-\d+$"))
    return heading.inner_text()


@pytest.mark.all_backends
def test_a_door_in_one_tap_shows_on_the_office_board_by_itself(
    app_server: "AppServer", new_context
):
    server = app_server
    staff = new_context().new_page()
    log_in(staff, server, STAFF)
    nav(staff).get_by_role("link", name=ZH["nav.screening"], exact=True).click()
    done_tile = staff.get_by_text(re.compile("^" + ZH["board.doors_done"].split("{")[0]))
    expect(done_tile).to_be_visible()
    before = done_doors(server)
    expect(staff.get_by_text(f"{before:,}", exact=True)).to_be_visible()
    # The lagging compound is flagged for staff to send people there.
    expect(staff.get_by_text(ZH["board.weak"], exact=True).first).to_be_visible()

    phone = new_context().new_page()
    log_in(phone, server, VOLUNTEER)
    address = open_next_door(phone)
    phone.get_by_role("button", name=ZH["visit.all_normal"]).click()
    expect(phone).to_have_url(re.compile(r"/doors$"))
    expect(phone.get_by_text(ZH["outcome.visited"]).first).to_be_visible()
    assert server.sql(
        "SELECT d.outcome FROM door d JOIN household h ON h.id = d.household_id"
        " WHERE h.address = :a",
        a=address,
    ) == [("visited",)]

    # The board refreshes itself: no reload on the office side.
    expect(staff.get_by_text(f"{before + 1:,}", exact=True)).to_be_visible(timeout=25_000)
    no_traceback(staff)


def test_a_misread_temperature_is_asked_again_and_nothing_is_saved(
    app_server: "AppServer", page: Page
):
    server = app_server
    log_in(page, server, VOLUNTEER)
    open_next_door(page)
    page.get_by_role("button", name=ZH["visit.answers"]).first.click()
    temperature = page.get_by_label(ZH["visit.temperature"]).first
    temperature.fill("45")
    before = visits(server)
    page.get_by_role("button", name=ZH["visit.save"]).click()
    below(page, page.get_by_text(ZH["errors.temperature_recheck"]), temperature)
    assert visits(server) == before

    temperature.fill("36.6")
    page.get_by_role("button", name=ZH["visit.save"]).click()
    expect(page).to_have_url(re.compile(r"/doors$"))
    assert visits(server) == before + 1


def test_not_at_home_goes_to_the_phone_follow_up_list(app_server: "AppServer", page: Page):
    server = app_server
    log_in(page, server, VOLUNTEER)
    address = open_next_door(page)
    page.get_by_role("radio", name=ZH["outcome.not_home"]).click()
    page.get_by_role("button", name=ZH["visit.save"]).click()
    expect(page).to_have_url(re.compile(r"/doors$"))

    nav(page).get_by_role("link", name=ZH["nav.today"], exact=True).click()
    page.get_by_role("button", name=re.compile(ZH["today.tab.follow_ups"])).click()
    row = page.locator(".list-row").filter(has_text=address)
    expect(row).to_have_count(1)
    row.get_by_role("button", name=ZH["today.no_answer"]).click()
    expect(row.get_by_text(re.compile(ZH["today.failed_calls"] + r"\s*1"))).to_be_visible()


def test_a_door_outside_the_volunteers_buildings_is_refused(app_server: "AppServer", page: Page):
    server = app_server
    (round_id, household_id), *_ = server.sql(
        "SELECT rb.round_id, h.id FROM roundbuilding rb"
        " JOIN building b ON b.id = rb.building_id"
        " JOIN household h ON h.building_id = b.id"
        ' WHERE b.grid_id <> (SELECT grid_id FROM "user" WHERE mobile = :m)'
        " AND rb.assignee_id IS NULL LIMIT 1",
        m=VOLUNTEER,
    )
    log_in(page, server, VOLUNTEER)
    open_page(page, server, f"/visit?r={round_id}&h={household_id}")
    expect(page.get_by_text(ZH["errors.door_not_yours"])).to_be_visible()
    expect(page.get_by_role("button", name=ZH["visit.save"])).to_have_count(0)


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[str(w) for w, _ in SIZES])
def test_screening_pages_fit_a_phone(app_server: "AppServer", new_context, width: int, height: int):
    server = app_server
    viewport = {"width": width, "height": height}
    problems: list[str] = []
    phone = new_context(viewport).new_page()
    log_in(phone, server, VOLUNTEER)
    links = nav(phone).get_by_role("link")
    links.filter(has_text=ZH["nav.doors"]).click()
    check_fits(
        phone, "doors", width, [phone.get_by_role("link", name=ZH["doors.next"]), links], problems
    )
    open_next_door(phone)
    check_fits(
        phone,
        "visit",
        width,
        [phone.get_by_role("button", name=ZH["visit.all_normal"]), phone.get_by_role("radio")],
        problems,
    )
    links.filter(has_text=ZH["nav.today"]).click()
    check_fits(phone, "today", width, [phone.get_by_role("main").get_by_role("button")], problems)
    open_page(phone, server, "/arrival")
    check_fits(
        phone, "arrival", width, [phone.get_by_role("button", name=ZH["arrival.find"])], problems
    )

    staff = new_context(viewport).new_page()
    log_in(staff, server, STAFF)
    nav(staff).get_by_role("link", name=ZH["nav.screening"], exact=True).click()
    expect(staff.get_by_text(ZH["board.weak"], exact=True).first).to_be_visible()
    check_fits(
        staff, "board", width, [staff.get_by_role("button", name=ZH["board.start"])], problems
    )
    open_page(staff, server, "/screening/rules")
    check_fits(
        staff, "rules", width, [staff.get_by_role("button", name=ZH["common.save"])], problems
    )
    assert not problems, "\n".join(problems)


def test_a_returning_resident_registered_at_the_gate_reports_from_home(
    app_server: "AppServer", new_context
):
    """A gate volunteer registers a return from a risk area; home quarantine starts, and the
    family reports the daily check from their own phone."""
    server = app_server
    resident_mobile = "13700000001"
    (compound, door_key), *_ = server.sql(
        'SELECT c.name, h.door_key FROM "user" u JOIN household h ON h.id = u.household_id'
        " JOIN compound c ON c.id = h.compound_id WHERE u.mobile = :m",
        m=resident_mobile,
    )
    gate = new_context().new_page()
    log_in(gate, server, VOLUNTEER)
    open_page(gate, server, "/arrival")
    gate.get_by_label(ZH["arrival.compound"]).click()
    gate.get_by_role("option", name=compound, exact=True).click()
    gate.get_by_label(ZH["arrival.door"]).fill(door_key)
    gate.get_by_role("button", name=ZH["arrival.find"]).click()
    gate.get_by_label(ZH["household.name"]).fill("魏小龙")
    gate.get_by_label(ZH["household.sex"]).click()
    gate.get_by_role("option", name=ZH["sex.male"]).click()
    gate.get_by_label(ZH["arrival.from_place"]).fill("上海市浦东新区")
    gate.get_by_text(ZH["arrival.risk_area"]).click()
    gate.get_by_label(ZH["arrival.transport_no"]).fill("G1234")

    # A date in the future is refused next to its field; nothing is saved.
    arrived = gate.get_by_label(ZH["arrival.arrived_on"])
    arrived.fill("2099-01-01")
    gate.get_by_role("button", name=ZH["arrival.save"]).click()
    below(gate, gate.get_by_text(ZH["errors.date_in_future"]), arrived)
    assert server.sql("SELECT count(*) FROM arrival WHERE transport_no = 'G1234'") == [(0,)]

    arrived.fill(today_local().isoformat())
    gate.get_by_role("button", name=ZH["arrival.save"]).click()
    expect(gate).to_have_url(re.compile(r"/today$"))
    expect(gate.get_by_text(ZH["arrival.saved_quarantine"].format(name="魏小龙"))).to_be_visible()
    assert server.sql(
        "SELECT p.days FROM quarantineplan p JOIN resident r ON r.id = p.resident_id"
        " WHERE r.name = '魏小龙' AND p.status = 'active'"
    ) == [(14,)]

    home = new_context().new_page()
    log_in(home, server, resident_mobile)
    home.get_by_text(ZH["home.health_due"]).click()
    card = home.locator(".rt-Card").filter(has_text="魏小龙")
    card.get_by_label(ZH["visit.temperature"]).fill("36.4")
    card.get_by_role("button", name=ZH["today.save_check"]).click()
    expect(card.get_by_text(ZH["health.done"])).to_be_visible()
    ((temperature, self_reported),) = server.sql(
        "SELECT d.temperature, d.self_reported FROM dailycheck d"
        " JOIN quarantineplan p ON p.id = d.plan_id JOIN resident r ON r.id = p.resident_id"
        " WHERE r.name = '魏小龙'"
    )
    assert (temperature, bool(self_reported)) == (36.4, True)

    # Staff end the plan early, with the reason; the household's orders go back to pickup.
    staff = new_context().new_page()
    log_in(staff, server, STAFF)
    open_page(staff, server, "/today")
    staff.get_by_role("button", name=re.compile(ZH["today.tab.arrivals"])).click()
    expect(staff.get_by_text(re.compile("^魏小龙 · "))).to_be_visible()
    staff.get_by_role("button", name=re.compile(ZH["today.tab.plans"])).click()
    row = staff.locator(".list-row").filter(has_text="魏小龙")
    expect(row.get_by_text(ZH["today.done_today"])).to_be_visible()
    row.get_by_role("button", name=ZH["today.release"]).click()
    sheet = staff.get_by_role("dialog")
    sheet.get_by_role("button", name=ZH["today.release"]).click()
    expect(sheet.get_by_text(ZH["errors.early_release_needs_reason"])).to_be_visible()
    sheet.get_by_label(ZH["today.release_note"]).fill("核酸阴性，经评估提前解除")
    sheet.get_by_role("button", name=ZH["today.release"]).click()
    expect(staff.get_by_text(ZH["today.released"])).to_be_visible()
    assert server.sql(
        "SELECT p.status FROM quarantineplan p JOIN resident r ON r.id = p.resident_id"
        " WHERE r.name = '魏小龙'"
    ) == [("released",)]


def test_staff_start_a_round_of_one_compound_and_close_it(app_server: "AppServer", page: Page):
    server = app_server
    log_in(page, server, STAFF)
    nav(page).get_by_role("link", name=ZH["nav.screening"], exact=True).click()
    page.get_by_role("button", name=ZH["board.start"]).click()
    sheet = page.get_by_role("dialog")
    # Nothing in scope: the message stands under the list and no round is made.
    sheet.get_by_label(ZH["board.round_name"]).fill("复查一个小区")
    today = today_local().isoformat()
    sheet.get_by_label(ZH["board.starts_on"]).fill(today)
    sheet.get_by_label(ZH["board.ends_on"]).fill(today)
    compound = server.sql(
        "SELECT c.name FROM compound c JOIN community m ON m.id = c.community_id"
        " WHERE m.name = '锦官驿社区' ORDER BY c.id LIMIT 1"
    )[0][0]
    sheet.get_by_text(compound, exact=True).click()
    sheet.get_by_role("button", name=ZH["board.start"]).click()
    expect(page.get_by_text(ZH["board.round_started"].format(name="复查一个小区"))).to_be_visible()
    expect(sheet).to_be_hidden()
    rows = server.sql(
        "SELECT r.id, count(DISTINCT b.compound_id) FROM round r"
        " JOIN roundbuilding rb ON rb.round_id = r.id JOIN building b ON b.id = rb.building_id"
        " WHERE r.name = '复查一个小区' AND r.closed_at IS NULL GROUP BY r.id"
    )
    assert [count for _, count in rows] == [1]
    # The board now shows the new round; closing it ends it for everyone.
    page.get_by_role("button", name=ZH["board.close_round"]).click()
    expect(page.get_by_text(ZH["board.round_closed"])).to_be_visible()
    assert server.sql(
        "SELECT count(*) FROM round WHERE name = '复查一个小区' AND closed_at IS NULL"
    ) == [(0,)]
    no_traceback(page)


def test_a_volunteer_home_shows_their_doors_and_the_next_one(app_server: "AppServer", page: Page):
    server = app_server
    log_in(page, server, VOLUNTEER)
    card = page.locator(".rt-Card").filter(has_text=ZH["home.my_round"])
    expect(card).to_be_visible()
    done, total = (int(n) for n in card.locator(".number").first.inner_text().split(" / "))
    assert 0 < done < total
    card.get_by_role("link", name=ZH["doors.next"]).click()
    expect(page).to_have_url(re.compile(r"/visit\?r=\d+&h=\d+"))
    page.get_by_role("button", name=ZH["visit.all_normal"]).click()
    expect(page).to_have_url(re.compile(r"/doors$"))
    nav(page).get_by_role("link", name=ZH["nav.home"], exact=True).click()
    expect(card.locator(".number").first).to_have_text(f"{done + 1} / {total}")


def test_the_demo_family_in_home_quarantine_reports_today(app_server: "AppServer", page: Page):
    server = app_server
    ((name,),) = server.sql(
        'SELECT r.name FROM "user" u JOIN quarantineplan p ON p.household_id = u.household_id'
        " JOIN resident r ON r.id = p.resident_id WHERE u.mobile = '13700000002'"
    )
    log_in(page, server, "13700000002")
    page.get_by_text(ZH["home.health_due"]).click()
    expect(page).to_have_url(re.compile(r"/health$"))
    card = page.locator(".rt-Card").filter(has_text=name)
    card.get_by_label(ZH["visit.temperature"]).fill("36.6")
    card.get_by_role("button", name=ZH["today.save_check"]).click()
    expect(card.get_by_text(ZH["health.done"])).to_be_visible()
