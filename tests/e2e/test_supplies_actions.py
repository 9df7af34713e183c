"""Errands and door deliveries in a real browser, each action pressed by the role that uses
it: a resident asks for medicine and withdraws a request, a volunteer takes one and reports it
done; staff give a delivery to a volunteer, another volunteer takes one and delivers it."""

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from test_accounts import below, log_in, no_traceback, open_page, user_name

from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
RESIDENT = "13700000011"  # 清泉社区, linked to a household
ERRAND_VOLUNTEER = "13900000012"  # 清泉社区
STAFF = "13800000002"  # 锦官驿社区, where the demo's door deliveries are
DELIVERER = "13900000004"


def test_resident_asks_for_errands_a_volunteer_takes_one_and_finishes_it(
    app_server: "AppServer", new_context
):
    server = app_server
    withdrawn, wanted = "帮忙取快递（动作测试）", "降压药两盒（动作测试）"
    status = "SELECT status FROM errand WHERE details = :d"

    phone = new_context().new_page()
    log_in(phone, server, RESIDENT)
    open_page(phone, server, "/supplies")
    details = phone.get_by_label(ZH["supplies.errand_details"], exact=True)
    for text in (withdrawn, wanted):
        details.fill(text)
        phone.get_by_role("button", name=ZH["supplies.errand_send"], exact=True).click()
        expect(phone.get_by_text(text, exact=True)).to_be_visible()
        expect(details).to_have_value("")  # the box is blank for the next request
    card = phone.locator(".rt-Card").filter(has_text=withdrawn)
    card.get_by_role("button", name=ZH["supplies.errand_withdraw"]).click()
    expect(card.get_by_text(ZH["supplies.errand_status.cancelled"])).to_be_visible()
    assert server.sql(status, d=withdrawn) == [("cancelled",)]

    volunteer = new_context().new_page()
    log_in(volunteer, server, ERRAND_VOLUNTEER)
    open_page(volunteer, server, "/supplies/errands")
    task = volunteer.locator(".rt-Card").filter(has_text=wanted)
    task.get_by_role("button", name=ZH["supplies.take"]).click()
    name = user_name(server, ERRAND_VOLUNTEER)
    expect(task.get_by_text(f"{ZH['supplies.taken_by']}{name}")).to_be_visible()
    task.get_by_role("button", name=ZH["supplies.errand_done"]).click()
    expect(task.get_by_text(ZH["supplies.errand_status.done"], exact=True)).to_be_visible()
    assert server.sql(status, d=wanted) == [("done",)]

    # The family sees who helped and that it is done.
    open_page(phone, server, "/supplies")
    mine = phone.locator(".rt-Card").filter(has_text=wanted)
    expect(mine.get_by_text(ZH["supplies.errand_status.done"], exact=True)).to_be_visible()
    expect(mine.get_by_text(f"{ZH['supplies.taken_by']}{name}")).to_be_visible()
    for page in (phone, volunteer):
        no_traceback(page)


def _deliverer_of(server: "AppServer", address: str) -> list[tuple]:
    return server.sql(
        "SELECT u.mobile, o.delivered_at IS NOT NULL FROM supplyorder o JOIN household h"
        ' ON h.id = o.household_id LEFT JOIN "user" u ON u.id = o.deliverer_id'
        " WHERE o.delivery AND h.address = :a",
        a=address,
    )


def test_staff_give_a_delivery_to_a_volunteer_another_takes_one_and_delivers_it(
    app_server: "AppServer", new_context
):
    server = app_server
    staff = new_context().new_page()
    log_in(staff, server, STAFF)
    open_page(staff, server, "/supplies/deliveries")
    # The last two doors of the list (households the other tests do not log in as).
    cards = staff.locator(".rt-Card").filter(has=staff.get_by_role("combobox"))
    expect(cards.last).to_be_visible()
    count = cards.count()
    assigned, taken = cards.nth(count - 1), cards.nth(count - 2)
    assigned_address = assigned.locator("p").first.inner_text()
    taken_address = taken.locator("p").first.inner_text()

    helper = user_name(server, "13900000003")
    expect(assigned.get_by_role("combobox")).to_have_text(ZH["supplies.assign_to"])
    assigned.get_by_role("combobox").click()
    staff.get_by_role("option", name=helper, exact=True).click()
    assigned = staff.locator(".rt-Card").filter(has_text=assigned_address)
    expect(assigned.get_by_text(f"{ZH['supplies.deliverer']}{helper}")).to_be_visible()
    assert _deliverer_of(server, assigned_address) == [("13900000003", False)]

    volunteer = new_context().new_page()
    log_in(volunteer, server, DELIVERER)
    open_page(volunteer, server, "/supplies/deliveries")
    task = volunteer.locator(".rt-Card").filter(has_text=taken_address)
    task.get_by_role("button", name=ZH["supplies.take"]).click()
    name = user_name(server, DELIVERER)
    expect(task.get_by_text(f"{ZH['supplies.deliverer']}{name}")).to_be_visible()
    task.get_by_role("button", name=ZH["supplies.mark_delivered"]).click()
    done = volunteer.locator(".rt-Card").filter(has_text=taken_address)
    expect(done.get_by_text(re.compile(ZH["supplies.delivered_at"]))).to_be_visible()
    assert _deliverer_of(server, taken_address) == [(DELIVERER, True)]
    for page in (staff, volunteer):
        no_traceback(page)


BUY_STAFF = "13800000003"  # 清泉社区


def _item(page, row: int, field: str):
    return page.locator(f'[name="item{row}_{field}"]')


def _button(page, key: str):
    return page.get_by_role("button", name=ZH[key], exact=True)


def test_staff_publish_a_buy_order_for_a_household_edit_export_and_cancel_it(
    app_server: "AppServer", page, tmp_path
):
    server, title = app_server, "动作测试蔬菜包"
    log_in(page, server, BUY_STAFF)
    open_page(page, server, "/supplies/new")
    page.get_by_label(ZH["supplies.buy_title"], exact=True).fill(title)
    page.get_by_label(ZH["supplies.supplier"], exact=True).fill("动作测试农场")
    page.get_by_label(ZH["supplies.pickup_points"], exact=True).fill("东门")
    for row, (name, spec, price, stock) in enumerate(
        (("白菜", "5kg/袋", "12.5", "50"), ("土豆", "3kg/袋", "9", "40"))
    ):
        if row:
            _button(page, "supplies.add_item").click()
        _item(page, row, "name").fill(name)
        _item(page, row, "spec").fill(spec)
        _item(page, row, "price_fen").fill(price)
        _item(page, row, "stock").fill(stock)
        _item(page, row, "limit_per_household").fill("3")
    expect(_item(page, 2, "name")).to_be_visible()  # three rows: the empty third is left out
    _button(page, "supplies.create").click()
    expect(page).to_have_url(re.compile(r"/supplies/buy/\d+/?$"))
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    buy = server.sql("SELECT id FROM groupbuy WHERE title = :t", t=title)[0][0]
    assert server.sql("SELECT name FROM buyitem WHERE buy_id = :b ORDER BY id", b=buy) == [
        ("白菜",),
        ("土豆",),
    ]

    # An order on behalf of a household found by its door; cancelled, placed again.
    address = server.sql(
        "SELECT h.address FROM household h JOIN compound c ON c.id = h.compound_id"
        ' WHERE c.community_id = (SELECT community_id FROM "user" WHERE mobile = :m)'
        " ORDER BY h.id DESC LIMIT 1",
        m=BUY_STAFF,
    )[0][0]
    page.get_by_label(ZH["supplies.household_address"], exact=True).fill(address)
    _button(page, "supplies.find").click()
    quantity = page.get_by_label(f"{ZH['supplies.quantity']} 白菜", exact=True)
    quantity.fill("2")
    _button(page, "supplies.place_order").click()
    expect(page.get_by_text(ZH["supplies.ordered"])).to_be_visible()
    _button(page, "supplies.cancel_order").click()
    expect(page.get_by_text(ZH["supplies.order_cancelled"])).to_be_visible()
    orders = "SELECT status, paid FROM supplyorder WHERE buy_id = :b ORDER BY id"
    assert server.sql(orders, b=buy) == [("cancelled", False)]
    quantity.fill("2")
    _button(page, "supplies.place_order").click()
    expect(_button(page, "supplies.cancel_order")).to_be_visible()
    _button(page, "supplies.clear_household").click()
    expect(_button(page, "supplies.cancel_order")).to_have_count(0)
    expect(quantity).to_have_count(0)

    # Paid, marked in the order list.
    row = page.locator(".list-row").filter(has_text=address)
    row.get_by_role("switch").click()
    expect(row.get_by_role("switch")).to_be_checked()
    assert server.sql(orders, b=buy)[-1] == ("placed", True)

    # An item's stock: a sheet opened by mistake closes; then 60 in all, 2 of them sold.
    edit = page.get_by_role("button", name=ZH["supplies.edit"])
    cabbage = page.locator(".list-row").filter(has_text="白菜 5kg/袋").filter(has=edit)
    cabbage.get_by_role("button", name=ZH["supplies.edit"]).click()
    sheet = page.get_by_role("dialog")
    _button(sheet, "common.cancel").click()
    expect(sheet).to_have_count(0)
    cabbage.get_by_role("button", name=ZH["supplies.edit"]).click()
    sheet.get_by_label(ZH["supplies.item_stock_total"], exact=True).fill("60")
    _button(sheet, "supplies.save").click()
    expect(sheet).to_have_count(0)
    expect(cabbage).to_contain_text(f"{ZH['supplies.left']}58")

    with page.expect_download() as download:
        _button(page, "supplies.export").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    book = load_workbook(saved)
    text = " ".join(str(c.value) for ws in book for row_ in ws.iter_rows() for c in row_)
    assert "白菜" in text and "土豆" in text and address in text

    # Closed early, opened again, then cancelled with a reason the households read.
    _button(page, "supplies.close_early").click()
    expect(_button(page, "supplies.reopen")).to_be_visible()
    # Closing early moved the cut-off to now: reopening asks for a later one.
    cutoff = page.get_by_label(ZH["supplies.closes_at"], exact=True)
    cutoff.fill("2020-01-01T08:00")
    _button(page, "supplies.reopen").click()
    below(page, page.get_by_text(ZH["errors.cutoff_in_past"]), cutoff)
    cutoff.fill(f"{date.today() + timedelta(days=2)}T18:00")
    _button(page, "supplies.reopen").click()
    expect(page.get_by_text(ZH["supplies.done_reopen"])).to_be_visible()
    assert server.sql("SELECT status FROM groupbuy WHERE id = :b", b=buy) == [("open",)]
    _button(page, "supplies.cancel_buy").click()
    sheet = page.get_by_role("dialog")
    _button(sheet, "common.cancel").click()
    expect(sheet).to_have_count(0)
    _button(page, "supplies.cancel_buy").click()
    sheet.get_by_label(ZH["supplies.cancel_reason"], exact=True).fill("供应商断货")
    _button(sheet, "supplies.cancel_buy").click()
    expect(page.get_by_text(ZH["supplies.buy_cancelled_reason"] + "供应商断货")).to_be_visible()
    assert server.sql("SELECT status FROM groupbuy WHERE id = :b", b=buy) == [("cancelled",)]
    no_traceback(page)


def test_the_calling_screen_shows_the_next_batch_when_refreshed(
    app_server: "AppServer", new_context
):
    server = app_server
    buy = server.sql("SELECT id FROM groupbuy WHERE title = '大米食用油'")[0][0]
    screen, caller = new_context().new_page(), new_context().new_page()
    for phone, mobile in ((screen, "13800000001"), (caller, STAFF)):
        log_in(phone, server, mobile)
        open_page(phone, server, f"/supplies/call/{buy}")
    before = server.sql("SELECT calling_batch FROM groupbuy WHERE id = :b", b=buy)[0][0]
    caller.locator("#call-next").click()
    expect(caller.locator("#calling-batch")).to_have_text(re.compile(f"{before + 1}$"))
    screen.get_by_role("button", name=ZH["supplies.refresh"]).click()
    expect(screen.locator("#calling-batch")).to_have_text(re.compile(f"{before + 1}$"))
    no_traceback(screen)
