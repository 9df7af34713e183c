"""Volunteer sign-up on a phone and the staff approval queue, in a real browser."""

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from test_accounts import below, check_fits, log_in, nav, no_traceback, open_page, submit_login

from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
STAFF = "13800000001"


def fill_sign_up(page: Page, name: str, mobile: str) -> None:
    page.get_by_label(ZH["register.name"], exact=True).fill(name)
    page.get_by_label(ZH["register.mobile"], exact=True).fill(mobile)
    page.get_by_label(ZH["register.password"], exact=True).fill("Abc12345")
    page.get_by_label(ZH["apply.compound"], exact=True).click()
    page.get_by_role("option").first.click()
    page.get_by_label(ZH["apply.building"], exact=True).fill("3")
    page.get_by_text(ZH["duty.screener"], exact=True).click()
    page.get_by_text(ZH["time.weekend"], exact=True).click()


def submit(page: Page) -> None:
    page.get_by_role("button", name=ZH["apply.submit"], exact=True).click()


def community_link(server: "AppServer") -> str:
    community_id = server.sql('SELECT community_id FROM "user" WHERE mobile = :m', m=STAFF)[0][0]
    return f"/volunteer/apply?c={community_id}"


def test_sign_up_then_approval_turns_the_account_into_a_volunteer(
    app_server: "AppServer", new_context
):
    server, mobile = app_server, "13655550001"
    phone = new_context().new_page()
    open_page(phone, server, community_link(server))
    fill_sign_up(phone, "周小川", mobile)

    # Forgetting the two promises: both are named next to their boxes, nothing is saved.
    submit(phone)
    below(
        phone,
        phone.get_by_text(ZH["errors.health_required"]),
        phone.get_by_text(ZH["apply.healthy"]),
    )
    expect(phone.get_by_text(ZH["errors.consent_required"])).to_be_visible()
    assert server.sql('SELECT id FROM "user" WHERE mobile = :m', m=mobile) == []
    expect(phone.get_by_label(ZH["register.name"], exact=True)).to_have_value("周小川")

    phone.get_by_text(ZH["apply.healthy"]).click()
    phone.get_by_text(ZH["apply.consent"]).click()
    submit(phone)
    expect(phone.get_by_text(ZH["apply.done"])).to_be_visible()
    log_in(phone, server, mobile, "Abc12345")
    expect(phone.get_by_text(ZH["home.application_pending"])).to_be_visible()
    expect(nav(phone).get_by_role("link")).to_have_text([ZH["nav.home"], ZH["nav.profile"]])

    staff = new_context().new_page()
    log_in(staff, server, STAFF)
    nav(staff).get_by_role("link", name=ZH["nav.volunteers"], exact=True).click()
    card = staff.locator(".rt-Card").filter(has_text="周小川")
    expect(card).to_contain_text(ZH["duty.screener"])
    expect(card).to_contain_text("136****0001")
    card.get_by_role("button", name=ZH["applications.approve"], exact=True).click()

    # The approval sheet ticks what they offered; staff grant gate duty instead, and a grid.
    sheet = staff.get_by_role("dialog")
    screener = sheet.get_by_role("checkbox", name=ZH["duty.screener"])
    expect(screener).to_be_checked()
    expect(sheet.get_by_role("checkbox", name=ZH["duty.gate_guard"])).not_to_be_checked()
    screener.click()
    sheet.get_by_role("button", name=ZH["applications.approve"], exact=True).click()
    expect(sheet.get_by_text(ZH["errors.grant_required"])).to_be_visible()
    assert server.sql('SELECT role FROM "user" WHERE mobile = :m', m=mobile)[0][0] == "applicant"
    sheet.get_by_role("checkbox", name=ZH["duty.gate_guard"]).click()
    sheet.get_by_label(ZH["applications.grid"]).click()
    staff.get_by_role("option", name="第一网格").click()
    sheet.get_by_role("button", name=ZH["applications.approve"], exact=True).click()
    expect(sheet).to_have_count(0)
    expect(card).to_have_count(0)

    # The applicant's open session becomes a volunteer's at its next page, in that grid.
    open_page(phone, server, "/")
    expect(nav(phone).get_by_role("link", name=ZH["nav.registry"], exact=True)).to_be_visible()
    assert server.sql(
        'SELECT u.role, g.name FROM "user" u JOIN grid g ON g.id = u.grid_id WHERE u.mobile = :m',
        m=mobile,
    ) == [("volunteer", "第一网格")]
    open_page(phone, server, "/duty")
    expect(phone.get_by_text(ZH["duty.gate_guard"], exact=True)).to_be_visible()
    expect(phone.get_by_text(ZH["duty.screener"], exact=True)).to_have_count(0)
    no_traceback(staff)


def test_a_declined_applicant_reads_the_reason(app_server: "AppServer", new_context):
    server, mobile = app_server, "13655550002"
    phone = new_context().new_page()
    open_page(phone, server, community_link(server))
    fill_sign_up(phone, "吴晓丽", mobile)
    phone.get_by_text(ZH["apply.healthy"]).click()
    phone.get_by_text(ZH["apply.consent"]).click()
    submit(phone)
    expect(phone.get_by_text(ZH["apply.done"])).to_be_visible()

    staff = new_context().new_page()
    log_in(staff, server, STAFF)
    open_page(staff, server, "/volunteers")
    card = staff.locator(".rt-Card").filter(has_text="吴晓丽")
    card.get_by_role("button", name=ZH["applications.decline"], exact=True).click()
    sheet = staff.get_by_role("dialog")
    sheet.get_by_role("button", name=ZH["applications.decline"], exact=True).click()
    expect(sheet.get_by_text(ZH["errors.reason_required"])).to_be_visible()
    sheet.get_by_label(ZH["applications.reason"]).fill("本楼栋志愿者已满员，感谢报名")
    sheet.get_by_role("button", name=ZH["applications.decline"], exact=True).click()
    expect(card).to_have_count(0)

    submit_login(phone, server, mobile, "Abc12345")
    expect(phone.get_by_text("本楼栋志愿者已满员，感谢报名")).to_be_visible()
    expect(phone.get_by_role("link", name=ZH["apply.title"])).to_be_visible()  # may apply again


def test_a_number_that_already_has_an_account_is_asked_to_log_in(
    app_server: "AppServer", page: Page
):
    open_page(page, app_server, community_link(app_server))
    fill_sign_up(page, "刘晓燕", STAFF)
    page.get_by_text(ZH["apply.healthy"]).click()
    page.get_by_text(ZH["apply.consent"]).click()
    submit(page)
    below(
        page,
        page.get_by_text(ZH["errors.mobile_taken_login"]),
        page.get_by_label(ZH["register.mobile"], exact=True),
    )


@pytest.mark.parametrize("width", [390, 360])
def test_sign_up_and_approval_fit_a_phone(app_server: "AppServer", new_context, width: int):
    server, problems = app_server, []
    viewport = {"width": width, "height": 844}
    phone = new_context(viewport).new_page()
    open_page(phone, server, community_link(server))
    boxes = phone.locator("label.check-row")
    check_fits(
        phone,
        "apply",
        width,
        [boxes, phone.get_by_role("button", name=ZH["apply.submit"])],
        problems,
    )
    fill_sign_up(phone, f"试宽{width}", f"136555{width:05d}")
    phone.get_by_text(ZH["apply.healthy"]).click()
    phone.get_by_text(ZH["apply.consent"]).click()
    submit(phone)
    expect(phone.get_by_text(ZH["apply.done"])).to_be_visible()

    staff = new_context(viewport).new_page()
    log_in(staff, server, STAFF)
    open_page(staff, server, "/volunteers")
    card = staff.locator(".rt-Card").filter(has_text=f"试宽{width}")
    decide = card.get_by_role("button")
    check_fits(staff, "applications", width, [decide, nav(staff).get_by_role("link")], problems)
    card.get_by_role("button", name=ZH["applications.approve"], exact=True).click()
    sheet = staff.get_by_role("dialog")
    check_fits(
        staff,
        "approve",
        width,
        [sheet.locator("label.check-row"), sheet.get_by_role("button")],
        problems,
    )
    assert not problems, "\n".join(problems)
