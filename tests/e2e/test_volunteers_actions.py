"""The volunteer pages' remaining actions, pressed in a real browser by the role that uses
them: team members, leader and building watchers; the roster's day picker, sheets and hours
export; dropping a shift and checking out; the approval queue's bulk approve and decline;
choosing the community on the sign-up page. All in 清泉社区, apart from the other tests."""

import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from test_accounts import log_in, no_traceback, open_page, user_name
from test_rosters import _shift_times

from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
STAFF = "13800000004"  # 清泉社区
IN_A_TEAM = "13900000011"  # of the demo's 第一小队
FREE = "13900000014"  # in no team
ON_DUTY = "13900000012"


def _field(page, key: str):
    return page.get_by_label(ZH[key], exact=True)


def _choose(page: Page, picker, option: str) -> None:
    picker.click()
    page.get_by_role("option", name=option, exact=True).click()


def _community_id(server: "AppServer") -> int:
    return server.sql('SELECT community_id FROM "user" WHERE mobile = :m', m=STAFF)[0][0]


def test_staff_fill_a_team_pick_its_leader_and_a_building_watcher(
    app_server: "AppServer", page: Page
):
    server, team = app_server, "动作测试小队"
    log_in(page, server, STAFF)
    open_page(page, server, "/volunteers/teams")
    form = page.locator("form").filter(has_text=ZH["teams.new_team"])
    _field(form, "teams.name").fill(team)
    form.get_by_role("button", name=ZH["teams.create"]).click()
    adding = page.get_by_role("combobox", name=ZH["teams.add_member"])
    # The team's card (the volunteer list names the team too, once someone is in it).
    card = page.locator(".rt-Card").filter(has_text=team).filter(has=adding)
    expect(card).to_be_visible()
    adding = card.get_by_role("combobox", name=ZH["teams.add_member"])

    free, busy = user_name(server, FREE), user_name(server, IN_A_TEAM)
    _choose(page, adding, free)
    expect(card.get_by_text(free, exact=True)).to_be_visible()
    # One team at a time: the message names the team the volunteer is in.
    _choose(page, adding, busy)
    expect(card.get_by_text(re.compile("第一小队"))).to_be_visible()
    expect(card.get_by_text(busy, exact=True)).to_have_count(0)

    card.get_by_role("button", name=ZH["teams.make_leader"]).click()
    expect(card.get_by_text(ZH["teams.leader"], exact=True)).to_be_visible()
    expect(card.get_by_role("button", name=ZH["teams.make_leader"])).to_have_count(0)
    leader = server.sql(
        'SELECT u.mobile FROM team t JOIN "user" u ON u.id = t.leader_id WHERE t.name = :n', n=team
    )
    assert leader == [(FREE,)]

    card.get_by_role("button", name=ZH["teams.remove"]).click()
    expect(card.get_by_text(free, exact=True)).to_have_count(0)
    assert server.sql(
        "SELECT count(*), max(t.leader_id) FROM teammember m JOIN team t ON t.id = m.team_id"
        " WHERE t.name = :n",
        n=team,
    ) == [(0, None)]

    # A building with no watcher gets one, then none again.
    building_id, building = server.sql(
        "SELECT b.id, c.name || ' ' || b.number FROM building b"
        " JOIN compound c ON c.id = b.compound_id WHERE c.community_id = :c"
        " AND b.id NOT IN (SELECT building_id FROM watcher) ORDER BY b.id LIMIT 1",
        c=_community_id(server),
    )[0]
    picker = page.get_by_role("combobox", name=f"{ZH['teams.watcher']} {building}", exact=True)
    _choose(page, picker, free)
    expect(picker).to_have_text(free)
    watcher = (
        'SELECT u.mobile FROM watcher w JOIN "user" u ON u.id = w.user_id WHERE w.building_id = :b'
    )
    assert server.sql(watcher, b=building_id) == [(FREE,)]
    _choose(page, picker, ZH["teams.no_watcher"])
    expect(picker).to_have_text(ZH["teams.choose_volunteer"])  # as for every unwatched one
    assert server.sql(watcher, b=building_id) == []
    no_traceback(page)


def test_staff_move_between_days_cancel_a_sheet_and_export_hours(
    app_server: "AppServer", page: Page, tmp_path: Path
):
    server = app_server
    log_in(page, server, STAFF)
    open_page(page, server, "/volunteers/roster")
    day = page.get_by_label(ZH["shifts.day"], exact=True)
    today = date.fromisoformat(day.input_value())

    # The demo's shifts run for a week: tomorrow has some, ten days on none.
    page.get_by_role("button", name=ZH["shifts.next_day"]).click()
    expect(day).to_have_value((today + timedelta(days=1)).isoformat())
    expect(page.get_by_text("08:00–12:00").first).to_be_visible()
    later = (today + timedelta(days=10)).isoformat()
    day.fill(later)
    expect(page.get_by_text(ZH["shifts.no_shifts"]).first).to_be_visible()
    page.get_by_role("button", name=ZH["shifts.prev_day"]).click()
    expect(day).to_have_value((today + timedelta(days=9)).isoformat())

    # A sheet opened by mistake closes with 取消, saving nothing.
    posts = server.sql("SELECT count(*) FROM post")[0][0]
    page.get_by_role("button", name=ZH["shifts.new_post"]).click()
    sheet = page.get_by_role("dialog")
    _field(sheet, "shifts.post_name").fill("不要保存的岗点")
    sheet.get_by_role("button", name=ZH["common.cancel"], exact=True).click()
    expect(sheet).to_have_count(0)
    assert server.sql("SELECT count(*) FROM post")[0][0] == posts

    with page.expect_download() as download:
        page.get_by_role("button", name=ZH["shifts.export"]).click()
    assert download.value.suggested_filename.startswith("志愿服务时长-")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet_rows = load_workbook(saved).active
    assert sheet_rows is not None
    cells = {str(c.value) for row in sheet_rows.iter_rows() for c in row if c.value is not None}
    assert user_name(server, ON_DUTY) in cells
    no_traceback(page)


def _add_shift_now(staff: Page, post: str) -> str:
    """A post open all day and a one-place shift starting in 5 minutes; returns its start."""
    day, start, end = _shift_times()
    staff.get_by_role("button", name=ZH["shifts.new_post"]).click()
    sheet = staff.get_by_role("dialog")
    _field(sheet, "shifts.post_name").fill(post)
    _field(sheet, "shifts.opens").fill("00:00")
    _field(sheet, "shifts.closes").fill("23:59")
    sheet.get_by_role("button", name=ZH["shifts.save"], exact=True).click()
    expect(sheet).to_have_count(0)
    staff.get_by_role("button", name=ZH["shifts.new_shifts"]).click()
    sheet = staff.get_by_role("dialog")
    _choose(staff, _field(sheet, "shifts.post"), post)
    _field(sheet, "shifts.first_day").fill(day)
    _field(sheet, "shifts.start").fill(start)
    _field(sheet, "shifts.end").fill(end)
    _field(sheet, "shifts.capacity").fill("1")
    sheet.get_by_role("button", name=ZH["shifts.save"], exact=True).click()
    expect(sheet).to_have_count(0)
    return start


def test_volunteer_drops_a_shift_and_checks_out_of_the_one_on_now(
    app_server: "AppServer", new_context
):
    server, post = app_server, "动作测试南门"
    staff = new_context().new_page()
    log_in(staff, server, STAFF)
    open_page(staff, server, "/volunteers/roster")
    _add_shift_now(staff, post)

    phone = new_context().new_page()
    log_in(phone, server, ON_DUTY)
    open_page(phone, server, "/duty")
    mine = (
        'SELECT count(*) FROM shiftsignup s JOIN "user" u ON u.id = s.user_id WHERE u.mobile = :m'
    )
    before = server.sql(mine, m=ON_DUTY)[0][0]

    # The last open shift is days away: taken, then given back.
    last = phone.get_by_role("button", name=re.compile(f"^{ZH['duty.sign_up']} ")).last
    label = last.get_attribute("aria-label") or ""
    what = label.removeprefix(ZH["duty.sign_up"] + " ")
    last.click()
    drop = phone.get_by_role("button", name=f"{ZH['duty.drop']} {what}", exact=True)
    expect(drop).to_be_visible()
    assert server.sql(mine, m=ON_DUTY)[0][0] == before + 1
    drop.click()
    expect(phone.get_by_text(ZH["duty.dropped"])).to_be_visible()
    expect(drop).to_have_count(0)
    assert server.sql(mine, m=ON_DUTY)[0][0] == before

    # The shift starting now: sign up, check in, check out; the hours are recorded.
    open_shift = phone.locator(".rt-Card").filter(has_text=post)
    open_shift.get_by_role("button", name=re.compile(ZH["duty.sign_up"])).click()
    now = phone.locator(".duty-now")
    now.get_by_role("button", name=ZH["duty.check_in"]).click()
    expect(now.get_by_text(ZH["duty.on_duty"])).to_be_visible()
    # Back to the page later (the toasts so far sit over the card at the top).
    open_page(phone, server, "/duty")
    expect(now.get_by_text(ZH["duty.on_duty"])).to_be_visible()
    now.get_by_role("button", name=ZH["duty.check_out"]).click()
    expect(phone.get_by_text(ZH["duty.checked_out"])).to_be_visible()
    checked_out = server.sql(
        "SELECT s.checked_out_at IS NOT NULL FROM shiftsignup s JOIN shift h ON h.id = s.shift_id"
        " JOIN post p ON p.id = h.post_id WHERE p.name = :p",
        p=post,
    )
    assert checked_out == [(True,)]
    no_traceback(phone)


def _apply(page: Page, server: "AppServer", name: str, mobile: str) -> None:
    """Sign up from the bare link (no community in it): the community is chosen first."""
    open_page(page, server, "/volunteer/apply")
    _field(page, "register.name").fill(name)
    _field(page, "register.mobile").fill(mobile)
    _field(page, "register.password").fill("Abc12345")
    _field(page, "register.community").click()
    page.get_by_role("option", name=re.compile("清泉社区")).click()
    _field(page, "apply.compound").click()
    page.get_by_role("option").first.click()
    _field(page, "apply.building").fill("2")
    page.get_by_text(ZH["duty.gate_guard"], exact=True).click()
    page.get_by_text(ZH["apply.healthy"]).click()
    page.get_by_text(ZH["apply.consent"]).click()
    page.get_by_role("button", name=ZH["apply.submit"], exact=True).click()
    expect(page.get_by_text(ZH["apply.done"])).to_be_visible()


def test_staff_decline_one_application_and_approve_two_chosen_at_once(
    app_server: "AppServer", new_context
):
    server = app_server
    people = [("郑一帆", "13655560001"), ("郑二帆", "13655560002"), ("郑三帆", "13655560003")]
    for name, mobile in people:
        _apply(new_context().new_page(), server, name, mobile)
    status = (
        'SELECT a.status FROM application a JOIN "user" u ON u.id = a.user_id WHERE u.mobile = :m'
    )

    staff = new_context().new_page()
    log_in(staff, server, STAFF)
    open_page(staff, server, "/volunteers")
    cards = {name: staff.locator(".rt-Card").filter(has_text=name) for name, _ in people}
    first, second, third = (cards[name] for name, _ in people)

    # Sheets opened by mistake close with 取消 and decide nothing.
    first.get_by_role("button", name=ZH["applications.approve"], exact=True).click()
    sheet = staff.get_by_role("dialog")
    sheet.get_by_role("button", name=ZH["common.cancel"], exact=True).click()
    expect(sheet).to_have_count(0)
    first.get_by_role("button", name=ZH["applications.decline"], exact=True).click()
    sheet = staff.get_by_role("dialog")
    sheet.get_by_role("button", name=ZH["common.cancel"], exact=True).click()
    expect(sheet).to_have_count(0)
    assert server.sql(status, m=people[0][1]) == [("pending",)]

    first.get_by_role("button", name=ZH["applications.decline"], exact=True).click()
    sheet = staff.get_by_role("dialog")
    sheet.get_by_label(ZH["applications.reason"]).fill("本楼栋志愿者已满员")
    sheet.get_by_role("button", name=ZH["applications.decline"], exact=True).click()
    expect(staff.get_by_text(ZH["applications.declined"].format(count=1))).to_be_visible()
    expect(first).to_have_count(0)
    assert server.sql(status, m=people[0][1]) == [("declined",)]

    for name in (people[1][0], people[2][0]):
        staff.get_by_role("checkbox", name=f"{ZH['applications.choose']} {name}").click()
    expect(staff.get_by_text(f"{ZH['applications.chosen']}2")).to_be_visible()
    staff.get_by_role("button", name=ZH["applications.approve_chosen"]).click()
    expect(staff.get_by_text(ZH["applications.approved"].format(count=2))).to_be_visible()
    expect(second).to_have_count(0)
    expect(third).to_have_count(0)
    roles = server.sql(
        'SELECT role FROM "user" WHERE mobile IN (:a, :b)', a=people[1][1], b=people[2][1]
    )
    assert roles == [("volunteer",), ("volunteer",)]
    no_traceback(staff)
