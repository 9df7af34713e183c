"""Volunteer rosters in a real browser: staff add a post and shifts, volunteers sign up (the
last place goes to one of two), check in, and staff see who is on duty; suspension."""

import re
from datetime import datetime, time, timedelta
from time import sleep
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from test_accounts import below, check_fits, log_in, nav, no_traceback, open_page

from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
STAFF = "13800000002"
FIRST, SECOND = "13900000003", "13900000004"  # volunteers of 锦官驿社区
POST = "测试东门"


def _field(page: Page, key: str):
    return page.get_by_label(ZH[key], exact=True)


def _shift_times() -> tuple[str, str, str]:
    """A shift starting in 5 minutes (so check-in is open at once), local time, on today's
    roster. A shift ends the day it starts, so just before midnight this waits for the
    next day (at most 10 minutes)."""
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    if (now + timedelta(minutes=10)).date() != now.date():
        midnight = datetime.combine(now.date() + timedelta(days=1), time(), now.tzinfo)
        sleep((midnight - now).total_seconds() + 1)
        now = datetime.now(ZoneInfo("Asia/Shanghai"))
    start = now + timedelta(minutes=5)
    end = min(start + timedelta(hours=2), start.replace(hour=23, minute=59))
    return start.date().isoformat(), start.strftime("%H:%M"), end.strftime("%H:%M")


def _add_post(staff: Page) -> None:
    staff.get_by_role("button", name=ZH["shifts.new_post"]).click()
    sheet = staff.get_by_role("dialog")
    _field(sheet, "shifts.post_name").fill(POST)
    _field(sheet, "shifts.opens").fill("00:00")
    _field(sheet, "shifts.closes").fill("23:59")
    sheet.get_by_role("button", name=ZH["shifts.save"], exact=True).click()
    expect(sheet).to_have_count(0)


def _add_shift(staff: Page, day: str, start: str, end: str) -> None:
    staff.get_by_role("button", name=ZH["shifts.new_shifts"]).click()
    sheet = staff.get_by_role("dialog")
    _field(sheet, "shifts.post").click()
    staff.get_by_role("option", name=POST, exact=True).click()
    _field(sheet, "shifts.first_day").fill(day)
    _field(sheet, "shifts.start").fill(start)
    _field(sheet, "shifts.capacity").fill("1")

    # End before start: said next to the end time, nothing saved.
    _field(sheet, "shifts.end").fill("00:00" if start != "00:00" else "00:00")
    sheet.get_by_role("button", name=ZH["shifts.save"], exact=True).click()
    below(sheet, sheet.get_by_text(ZH["errors.end_before_start"]), _field(sheet, "shifts.end"))

    _field(sheet, "shifts.end").fill(end)
    sheet.get_by_role("button", name=ZH["shifts.save"], exact=True).click()
    expect(sheet).to_have_count(0)


def _open_shift(page: Page):
    return page.locator(".open-shift").filter(has_text=POST)


def test_staff_roster_a_shift_one_volunteer_takes_it_checks_in_and_staff_see_them(
    app_server: "AppServer", new_context
):
    server = app_server
    day, start, end = _shift_times()
    staff = new_context().new_page()
    log_in(staff, server, STAFF)
    staff.get_by_text(ZH["shifts.title"], exact=True).click()
    expect(staff.get_by_role("heading", name=ZH["shifts.title"], level=1)).to_be_visible()
    _add_post(staff)
    _add_shift(staff, day, start, end)
    card = staff.locator(".rt-Card").filter(has_text=POST)
    expect(card).to_contain_text(f"{start}–{end}")
    expect(card.locator(".shift-row.unfilled")).to_have_count(1)  # highlighted: nobody yet

    # Two volunteers see the same open place; the first to press gets it.
    first, second = new_context().new_page(), new_context().new_page()
    for phone, mobile in ((first, FIRST), (second, SECOND)):
        log_in(phone, server, mobile)
        phone.get_by_text(ZH["duty.title"], exact=True).click()
        expect(_open_shift(phone)).to_be_visible()
    _open_shift(first).get_by_role("button", name=re.compile(ZH["duty.sign_up"])).click()
    expect(_open_shift(first)).to_have_count(0)
    _open_shift(second).get_by_role("button", name=re.compile(ZH["duty.sign_up"])).click()
    expect(second.get_by_text(ZH["errors.shift_full"])).to_be_visible()
    taken = server.sql(
        "SELECT s.taken, s.capacity FROM shift s JOIN post p ON p.id = s.post_id"
        " WHERE p.name = :name",
        name=POST,
    )
    assert taken == [(1, 1)]

    # The shift starts within 30 minutes: the volunteer checks in on the spot.
    now = first.locator(".duty-now")
    expect(now).to_contain_text(POST)
    now.get_by_role("button", name=ZH["duty.check_in"]).click()
    expect(now.get_by_text(ZH["duty.on_duty"])).to_be_visible()

    open_page(staff, server, "/volunteers/roster")
    on_duty = staff.locator(".on-duty")
    name = server.sql('SELECT name FROM "user" WHERE mobile = :m', m=FIRST)[0][0]
    expect(on_duty).to_contain_text(name)
    expect(on_duty).to_contain_text(POST)
    expect(
        staff.locator(".rt-Card").filter(has_text=POST).locator(".shift-row.unfilled")
    ).to_have_count(0)
    no_traceback(staff)


def test_a_suspended_volunteer_is_sent_to_login_at_their_next_tap(
    app_server: "AppServer", new_context
):
    server, mobile = app_server, "13900000013"  # of 清泉社区, whose staff is 13800000003
    phone = new_context().new_page()
    log_in(phone, server, mobile)
    open_page(phone, server, "/duty")
    expect(phone.get_by_role("heading", name=ZH["duty.title"], level=1)).to_be_visible()

    staff = new_context().new_page()
    log_in(staff, server, "13800000003")
    open_page(staff, server, "/volunteers/teams")
    name = server.sql('SELECT name FROM "user" WHERE mobile = :m', m=mobile)[0][0]
    staff.get_by_role("button", name=f"{ZH['teams.suspend']} {name}").click()
    expect(staff.get_by_role("button", name=ZH["teams.reinstate"])).to_be_visible()

    # The phone still shows the page; its next tap finds the account gone.
    phone.get_by_role("button", name=re.compile(ZH["duty.sign_up"])).first.click()
    expect(phone).to_have_url(re.compile(r"/login/?$"))
    expect(phone.get_by_text(ZH["errors.account_disabled"])).to_be_visible()
    staff.get_by_role("button", name=ZH["teams.reinstate"]).click()
    expect(staff.get_by_role("button", name=f"{ZH['teams.suspend']} {name}")).to_be_visible()


@pytest.mark.parametrize("width", [390, 360])
def test_roster_pages_fit_a_phone(app_server: "AppServer", new_context, width: int):
    server, problems = app_server, []
    viewport = {"width": width, "height": 844}
    staff = new_context(viewport).new_page()
    log_in(staff, server, STAFF)
    open_page(staff, server, "/volunteers/roster")
    expect(staff.locator(".on-duty")).to_be_visible()
    check_fits(staff, "roster", width, [nav(staff).get_by_role("link")], problems)
    open_page(staff, server, "/volunteers/teams")
    expect(staff.get_by_role("heading", name=ZH["teams.teams"])).to_be_visible()
    check_fits(staff, "teams", width, [nav(staff).get_by_role("link")], problems)

    volunteer = new_context(viewport).new_page()
    log_in(volunteer, server, "13900000001")
    open_page(volunteer, server, "/duty")
    buttons = volunteer.get_by_role("button", name=re.compile(ZH["duty.sign_up"]))
    check_fits(volunteer, "duty", width, [buttons], problems)
    assert not problems, "\n".join(problems)


def test_staff_give_a_new_team_some_buildings(app_server: "AppServer", page: Page):
    server = app_server
    log_in(page, server, STAFF)
    open_page(page, server, "/volunteers/teams")
    form = page.locator("form").filter(has_text=ZH["teams.new_team"])
    _field(form, "teams.name").fill("楼栋小队")
    form.get_by_text(ZH["teams.buildings"]).click()
    for building in ("望江花园 2", "锦城苑 2"):
        form.get_by_role("checkbox", name=building, exact=True).click()
    form.get_by_role("button", name=ZH["teams.create"]).click()

    card = page.locator(".rt-Card").filter(has_text="楼栋小队")
    expect(card).to_contain_text("望江花园 2")
    expect(card).to_contain_text("锦城苑 2")
    expect(_field(form, "teams.name")).to_have_value("")  # the form is blank for the next
    assert server.sql(
        "SELECT c.name || ' ' || b.number FROM teambuilding tb JOIN team t ON t.id = tb.team_id"
        " JOIN building b ON b.id = tb.building_id JOIN compound c ON c.id = b.compound_id"
        " WHERE t.name = '楼栋小队' ORDER BY c.id"
    ) == [("望江花园 2",), ("锦城苑 2",)]
