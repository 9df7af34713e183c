"""Door visits and the day's lists, the actions the other screening tests leave out, pressed
in a real browser by the role that uses them: a volunteer marks someone away and adds a
tenant found at the door; staff settle a door two people recorded; a phone follow-up call;
a quarantine check, and sheets closed without saving; the risk rules; the gate changing
door; the board's rounds, buildings, assignment and weak mark."""

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect
from test_accounts import log_in, no_traceback, open_page, wait_until
from test_screening import open_next_door

from app.timeutil import today_local
from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
STAFF = "13800000002"  # 锦官驿社区
ON_DUTY = "13900000012"  # a volunteer of 清泉社区
VOLUNTEER = "13900000001"  # grid 1 of 锦官驿社区, where the demo round is under way


def _door(server: "AppServer", address: str) -> tuple[int, int]:
    return server.sql(
        "SELECT d.round_id, d.household_id FROM door d JOIN household h ON h.id = d.household_id"
        " WHERE h.address = :a",
        a=address,
    )[0]


def test_a_tenant_found_at_the_door_joins_the_register_and_staff_settle_a_double_record(
    app_server: "AppServer", new_context
):
    server, tenant = app_server, "动作测试租客"
    phone = new_context().new_page()
    log_in(phone, server, VOLUNTEER)
    address = open_next_door(phone)

    # The first person is away: no answers asked of them.
    home = phone.get_by_role("button", name=ZH["visit.home"], exact=True)
    people = home.count()
    home.first.click()
    expect(phone.get_by_role("button", name=ZH["visit.away"], exact=True)).to_have_count(1)
    expect(phone.get_by_role("button", name=ZH["visit.answers"])).to_have_count(people - 1)

    # Two slots added by mistake, one taken away again, the other filled in.
    phone.get_by_role("button", name=ZH["visit.add_found"]).click()
    phone.get_by_role("button", name=ZH["visit.add_found"]).click()
    found = phone.locator(".rt-Card").filter(has_text=ZH["visit.found_person"])
    expect(found).to_have_count(2)
    found.last.get_by_role("button", name=ZH["common.remove"]).click()
    expect(found).to_have_count(1)
    found.get_by_label(ZH["household.name"], exact=True).fill(tenant)
    found.get_by_label(ZH["household.relation"], exact=True).fill("租户")
    found.get_by_text(ZH["sex.female"], exact=True).click()
    found.get_by_label(ZH["visit.temperature"]).fill("36.5")
    phone.get_by_role("button", name=ZH["visit.save"]).click()
    expect(phone).to_have_url(re.compile(r"/doors$"))
    assert server.sql(
        "SELECT h.address FROM resident r JOIN household h ON h.id = r.household_id"
        " WHERE r.name = :n",
        n=tenant,
    ) == [(address,)]

    # Staff record the same door too: two people's records differ, the door is flagged; they
    # compare and keep the latest.
    round_id, household_id = _door(server, address)
    staff = new_context().new_page()
    log_in(staff, server, STAFF)
    open_page(staff, server, f"/visit?r={round_id}&h={household_id}")
    staff.get_by_role("button", name=ZH["visit.all_normal"]).click()
    conflict = "SELECT conflict FROM door WHERE round_id = :r AND household_id = :h"
    expect(staff).not_to_have_url(re.compile(r"/visit"))
    assert server.sql(conflict, r=round_id, h=household_id) == [(True,)]
    open_page(staff, server, f"/visit?r={round_id}&h={household_id}")
    expect(staff.get_by_text(ZH["visit.conflict"])).to_be_visible()
    staff.get_by_role("button", name=ZH["visit.clear_conflict"]).click()
    expect(staff.get_by_text(ZH["visit.conflict_cleared"])).to_be_visible()
    expect(staff.get_by_text(ZH["visit.conflict"])).to_have_count(0)
    assert server.sql(conflict, r=round_id, h=household_id) == [(False,)]
    for page in (phone, staff):
        no_traceback(page)


def test_a_follow_up_call_shows_the_whole_number(app_server: "AppServer", new_context):
    server = app_server
    phone = new_context().new_page()
    log_in(phone, server, VOLUNTEER)
    address = open_next_door(phone)
    phone.get_by_role("radio", name=ZH["outcome.not_home"]).click()
    phone.get_by_role("button", name=ZH["visit.save"]).click()
    expect(phone).to_have_url(re.compile(r"/doors$"))

    open_page(phone, server, "/today")
    phone.get_by_role("button", name=re.compile(ZH["today.tab.follow_ups"])).click()
    row = phone.locator(".list-row").filter(has_text=address)
    call = row.get_by_role("button", name=ZH["today.call"]).first
    masked = call.locator("xpath=..").locator(".number")
    expect(masked).to_have_text(re.compile(r"\*"))
    revealed = server.sql("SELECT count(*) FROM auditentry")[0][0]
    call.click()
    expect(masked).to_have_text(re.compile(r"^1\d{10}$"))
    assert server.sql("SELECT count(*) FROM auditentry")[0][0] == revealed + 1
    no_traceback(phone)


def test_staff_record_a_quarantine_check_after_closing_sheets_opened_by_mistake(
    app_server: "AppServer", page
):
    server = app_server
    ((plan_id, name),) = server.sql(
        "SELECT p.id, r.name FROM quarantineplan p JOIN resident r ON r.id = p.resident_id"
        " WHERE p.status = 'active' AND p.community_id ="
        ' (SELECT community_id FROM "user" WHERE mobile = :m)'
        ' AND p.household_id NOT IN (SELECT household_id FROM "user"'
        " WHERE household_id IS NOT NULL)"
        " AND p.id NOT IN (SELECT plan_id FROM dailycheck) ORDER BY p.id LIMIT 1",
        m=STAFF,
    )
    log_in(page, server, STAFF)
    open_page(page, server, "/today")
    row = page.locator(".list-row").filter(has_text=name)
    for button in ("today.check", "today.release"):
        row.get_by_role("button", name=ZH[button], exact=True).click()
        expect(page.get_by_role("dialog")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)
    assert server.sql("SELECT status FROM quarantineplan WHERE id = :p", p=plan_id) == [("active",)]

    row.get_by_role("button", name=ZH["today.check"], exact=True).click()
    sheet = page.get_by_role("dialog")
    sheet.get_by_label(ZH["visit.temperature"]).fill("36.5")
    sheet.get_by_role("button", name=ZH["today.save_check"]).click()
    expect(row.get_by_text(ZH["today.done_today"])).to_be_visible()
    assert server.sql("SELECT temperature FROM dailycheck WHERE plan_id = :p", p=plan_id) == [
        (36.5,)
    ]
    no_traceback(page)


QINGQUAN_STAFF = "13800000003"  # 清泉社区: its rules are no other test's


def test_staff_change_a_risk_rule_and_the_call_count_then_put_them_back(
    app_server: "AppServer", page
):
    server = app_server
    log_in(page, server, QINGQUAN_STAFF)
    open_page(page, server, "/screening/rules")
    rules = (
        "SELECT on_symptoms, call_attempts FROM rules WHERE community_id ="
        ' (SELECT community_id FROM "user" WHERE mobile = :m)'
    )
    symptoms = page.get_by_label(ZH["rules.on_symptoms"], exact=True)
    calls = page.get_by_label(ZH["rules.call_attempts"], exact=True)
    expect(calls).not_to_have_value("")
    before = calls.input_value()
    save = page.get_by_role("button", name=ZH["common.save"], exact=True)
    for level, attempts in (("2", "5"), ("1", before)):
        symptoms.click()
        page.get_by_role("option", name=ZH[f"risk.{level}"], exact=True).click()
        expect(symptoms).to_have_text(ZH[f"risk.{level}"])
        calls.fill(attempts)
        save.click()
        expect(page.get_by_text(ZH["rules.saved"]).first).to_be_visible()
        wanted = [(int(level), int(attempts))]
        wait_until(lambda w=wanted: server.sql(rules, m=QINGQUAN_STAFF) == w, "rules saved")
    no_traceback(page)


def test_the_gate_finds_a_door_then_changes_to_another(app_server: "AppServer", page):
    server = app_server
    (compound, door_key, address), *_ = server.sql(
        "SELECT c.name, h.door_key, h.address FROM household h"
        " JOIN compound c ON c.id = h.compound_id WHERE c.community_id ="
        ' (SELECT community_id FROM "user" WHERE mobile = :m) ORDER BY h.id DESC LIMIT 1',
        m=QINGQUAN_STAFF,
    )
    log_in(page, server, QINGQUAN_STAFF)
    open_page(page, server, "/arrival")
    page.get_by_label(ZH["arrival.compound"]).click()
    page.get_by_role("option", name=compound, exact=True).click()
    page.get_by_label(ZH["arrival.door"]).fill(door_key)
    page.get_by_role("button", name=ZH["arrival.find"]).click()
    expect(page.get_by_text(address, exact=True)).to_be_visible()
    page.get_by_role("button", name=ZH["arrival.change_door"]).click()
    expect(page.get_by_text(address, exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name=ZH["arrival.find"])).to_be_visible()
    no_traceback(page)


def _start_round(page, server: "AppServer", name: str, compound: str) -> None:
    page.get_by_role("button", name=ZH["board.start"]).click()
    sheet = page.get_by_role("dialog")
    sheet.get_by_label(ZH["board.round_name"]).fill(name)
    today = today_local().isoformat()
    sheet.get_by_label(ZH["board.starts_on"]).fill(today)
    sheet.get_by_label(ZH["board.ends_on"]).fill(today)
    sheet.get_by_text(compound, exact=True).click()
    sheet.get_by_role("button", name=ZH["board.start"]).click()
    expect(page.get_by_text(ZH["board.round_started"].format(name=name))).to_be_visible()
    expect(sheet).to_be_hidden()


def test_staff_switch_rounds_open_a_building_give_it_to_a_volunteer_and_set_the_weak_mark(
    app_server: "AppServer", page
):
    server = app_server
    first, second = server.sql(
        "SELECT c.name FROM compound c WHERE c.community_id ="
        ' (SELECT community_id FROM "user" WHERE mobile = :m) ORDER BY c.id LIMIT 2',
        m=QINGQUAN_STAFF,
    )
    log_in(page, server, QINGQUAN_STAFF)
    open_page(page, server, "/screening")

    # The start sheet opened by mistake closes with nothing started.
    rounds = server.sql("SELECT count(*) FROM round")[0][0]
    page.get_by_role("button", name=ZH["board.start"]).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert server.sql("SELECT count(*) FROM round")[0][0] == rounds

    _start_round(page, server, "动作测试甲轮", first[0])
    _start_round(page, server, "动作测试乙轮", second[0])
    picker = page.get_by_label(ZH["board.round"], exact=True)
    picker.click()
    page.get_by_role("option", name=re.compile("^动作测试甲轮")).click()
    expect(picker).to_contain_text("动作测试甲轮")
    card = page.locator(".rt-Card").filter(has_text=first[0])
    expect(card).to_be_visible()
    expect(page.locator(".rt-Card").filter(has_text=second[0])).to_have_count(0)

    # The compound unfolds into its buildings; one opens, is given to a volunteer.
    card.click()
    building = card.locator(".list-row").first
    expect(building).to_be_visible()
    building.click()
    sheet = page.get_by_role("dialog")
    expect(sheet.get_by_label(ZH["board.assignee"], exact=True)).to_be_visible()
    sheet.get_by_role("button", name=ZH["common.close"]).click()
    expect(sheet).to_have_count(0)
    expect(building).to_be_visible()  # the compound stays unfolded under the sheet
    building.click()
    volunteer = server.sql('SELECT name FROM "user" WHERE mobile = :m', m=ON_DUTY)[0]
    sheet.get_by_label(ZH["board.assignee"], exact=True).click()
    page.get_by_role("option", name=re.compile(f"^{volunteer[0]} ")).click()
    expect(page.get_by_text(ZH["board.assigned"])).to_be_visible()
    expect(sheet).to_have_count(0)
    expect(building).to_contain_text(volunteer[0])
    assert server.sql(
        "SELECT u.mobile FROM roundbuilding rb JOIN round r ON r.id = rb.round_id"
        ' JOIN "user" u ON u.id = rb.assignee_id WHERE r.name = :n',
        n="动作测试甲轮",
    ) == [(ON_DUTY,)]

    page.get_by_label(ZH["board.weak_below"], exact=True).fill("45")
    page.get_by_role("button", name=ZH["common.save"], exact=True).click()
    expect(page.get_by_text(ZH["board.weak_saved"])).to_be_visible()
    assert server.sql("SELECT weak_below FROM round WHERE name = '动作测试甲轮'") == [(45,)]

    # Both rounds end, so no other test finds them under way.
    for round_name in ("动作测试甲轮", "动作测试乙轮"):
        picker.click()
        page.get_by_role("option", name=re.compile(f"^{round_name}")).click()
        expect(picker).to_contain_text(round_name)
        page.get_by_role("button", name=ZH["board.close_round"]).click()
        expect(page.get_by_role("button", name=ZH["board.close_round"])).to_have_count(0)
    no_traceback(page)
