"""Group buys in a real browser on a phone: a resident orders and sees the pickup number, staff
generate batches and call them, a volunteer marks an order collected, and a sold-out item is
named next to its field."""

import re
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from test_accounts import SCREENSHOTS, below, check_fits, log_in, no_traceback, open_page

from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
STAFF = "13800000001"
VOLUNTEER = "13900000001"
OPEN_BUY = "冻肉蔬菜套餐"
ARRIVED_BUY = "大米食用油"


def buy_id(server: "AppServer", title: str) -> int:
    return server.sql("SELECT id FROM groupbuy WHERE title = :t", t=title)[0][0]


def quantity(page: Page, item: str):
    return page.get_by_label(f"{ZH['supplies.quantity']} {item}", exact=True)


@pytest.mark.parametrize("width", [390, 360])
def test_supplies_pages_fit_a_phone(app_server: "AppServer", new_context, width: int):
    server = app_server
    viewport = {"width": width, "height": 844}
    problems: list[str] = []
    arrived = buy_id(server, ARRIVED_BUY)

    resident = new_context(viewport).new_page()
    log_in(resident, server, "13700000003")
    open_page(resident, server, "/supplies")
    expect(resident.locator("#pickup-number").first).to_be_visible()
    check_fits(resident, "supplies-resident", width, [], problems)
    open_page(resident, server, f"/supplies/buy/{buy_id(server, OPEN_BUY)}")
    expect(resident.get_by_text(OPEN_BUY).first).to_be_visible()
    check_fits(resident, "supplies-order", width, [], problems)

    staff = new_context(viewport).new_page()
    log_in(staff, server, "13800000002")
    for path, shot, ready in (
        ("/supplies", "supplies-staff", ZH["supplies.buys"]),
        ("/supplies/new", "supplies-new", ZH["supplies.create"]),
        (f"/supplies/buy/{arrived}", "supplies-buy-staff", ZH["supplies.summary"]),
        (f"/supplies/call/{arrived}", "supplies-call", ZH["supplies.now_calling"]),
        ("/supplies/deliveries", "supplies-deliveries", ZH["supplies.deliveries_hint"]),
    ):
        open_page(staff, server, path)
        expect(staff.get_by_text(ready).first).to_be_visible()
        check_fits(staff, shot, width, [], problems)
        staff.screenshot(path=SCREENSHOTS / f"{shot}-top-{width}.png")

    volunteer = new_context(viewport).new_page()
    log_in(volunteer, server, "13900000002")
    open_page(volunteer, server, "/supplies/errands")
    expect(volunteer.get_by_role("heading", name=ZH["supplies.errands"])).to_be_visible()
    check_fits(volunteer, "supplies-errands", width, [], problems)
    assert not problems, "\n".join(problems)


def test_sold_out_is_said_next_to_the_item_and_nothing_is_ordered(
    app_server: "AppServer", page: Page
):
    server = app_server
    eggs = server.sql("SELECT id, stock FROM buyitem WHERE name = '鸡蛋'")[0]
    server.sql("UPDATE buyitem SET stock = 0 WHERE id = :i", i=eggs[0])
    try:
        log_in(page, server, "13700000002")
        open_page(page, server, f"/supplies/buy/{buy_id(server, OPEN_BUY)}")
        field = quantity(page, "鸡蛋")
        field.fill("1")
        page.get_by_role("button", name=ZH["supplies.place_order"], exact=True).click()
        below(page, page.get_by_text(ZH["errors.sold_out"], exact=True), field)
        orders = server.sql(
            "SELECT count(*) FROM supplyorder WHERE buy_id = :b", b=buy_id(server, OPEN_BUY)
        )
        assert orders[0][0] == 0
        no_traceback(page)
    finally:
        server.sql("UPDATE buyitem SET stock = :s WHERE id = :i", s=eggs[1], i=eggs[0])


def test_resident_orders_staff_call_batches_volunteer_marks_collected(
    app_server: "AppServer", new_context
):
    server = app_server
    the_buy = buy_id(server, OPEN_BUY)

    # A resident orders on the phone from the home page's tile.
    phone = new_context().new_page()
    log_in(phone, server, "13700000001")
    phone.get_by_role("link", name=ZH["supplies.title"]).click()
    phone.get_by_text(OPEN_BUY).click()
    quantity(phone, "猪肉").fill("3")
    phone.get_by_role("button", name=ZH["supplies.place_order"], exact=True).click()
    below(phone, phone.get_by_text(ZH["errors.quantity_above_limit"]), quantity(phone, "猪肉"))
    quantity(phone, "猪肉").fill("2")
    phone.get_by_role("button", name=ZH["supplies.place_order"], exact=True).click()
    expect(phone.get_by_text(ZH["supplies.ordered"])).to_be_visible()
    expect(phone.get_by_text("猪肉 2kg/袋 × 2")).to_be_visible()

    # Staff close the buy, and generate the numbers and batches.
    staff = new_context().new_page()
    log_in(staff, server, STAFF)
    open_page(staff, server, f"/supplies/buy/{the_buy}")
    staff.get_by_role("button", name=ZH["supplies.close_early"], exact=True).click()
    expect(staff.get_by_text(ZH["supplies.buy_status.closed"]).first).to_be_visible()
    staff.get_by_label(ZH["supplies.batch_size"], exact=True).fill("5")
    staff.locator("#generate").click()
    expect(staff.get_by_text(ZH["supplies.buy_status.arrived"]).first).to_be_visible()
    batches = server.sql("SELECT DISTINCT batch FROM supplyorder WHERE buy_id = :b", b=the_buy)
    assert batches == [(1,)]

    # The resident sees the number, batch and slot.
    number = server.sql("SELECT pickup_number FROM supplyorder WHERE buy_id = :b", b=the_buy)[0][0]
    open_page(phone, server, "/supplies")
    card = phone.locator(".rt-Card").filter(has_text=OPEN_BUY)
    expect(card.locator("#pickup-number")).to_have_text(str(number))
    expect(card).to_contain_text(ZH["supplies.batch"])

    # Staff call the first batch on the big screen.
    staff.get_by_role("link", name=ZH["supplies.calling"]).click()
    expect(staff.get_by_text(ZH["supplies.not_started"])).to_be_visible()
    staff.locator("#call-next").click()
    expect(staff.locator("#calling-batch")).to_have_text(re.compile(r"1$"))
    expect(staff.locator(".call-number")).to_have_text([str(number)])

    # The resident's page says it is their turn; a volunteer marks the order collected.
    open_page(phone, server, "/supplies")
    expect(phone.get_by_text(ZH["supplies.your_turn"])).to_be_visible()
    volunteer = new_context().new_page()
    log_in(volunteer, server, VOLUNTEER)
    open_page(volunteer, server, f"/supplies/call/{the_buy}")
    volunteer.get_by_label(ZH["supplies.pickup_number"], exact=True).fill(str(number))
    volunteer.get_by_role("button", name=ZH["supplies.collect"], exact=True).click()
    expect(volunteer.get_by_text(f"{number} 号已取货")).to_be_visible()
    volunteer.get_by_label(ZH["supplies.pickup_number"], exact=True).fill(str(number))
    volunteer.get_by_role("button", name=ZH["supplies.collect"], exact=True).click()
    expect(volunteer.get_by_text(re.compile(f"{number} 号已于 .* 取货"))).to_be_visible()
    status = server.sql("SELECT status FROM supplyorder WHERE buy_id = :b", b=the_buy)[0][0]
    assert status == "collected"
    for p in (phone, staff, volunteer):
        no_traceback(p)


def _new_buy(server: "AppServer", staff_mobile: str, title: str) -> tuple[int, str]:
    """A buy of its own (others' tests close and arrive the demo buys), open now in the staff
    member's first compound; and the address of a household there."""
    from sqlmodel import select

    from app.accounts.models import User
    from app.community.models import Compound, Household
    from app.db import make_engine, session_scope
    from app.supplies import service
    from app.timeutil import utcnow

    engine = make_engine(server.database_url)
    try:
        with session_scope(engine) as db:
            staff = db.exec(select(User).where(User.mobile == staff_mobile)).one()
            compound = db.exec(
                select(Compound)
                .where(Compound.community_id == staff.community_id)
                .order_by(Compound.id)
            ).first()
            household = db.exec(
                select(Household).where(Household.compound_id == compound.id)
            ).first()
            now = utcnow()
            buy = service.create_buy(
                db,
                staff,
                staff.community_id,
                {
                    "title": title,
                    "supplier": "鲜丰食品",
                    "opens_at": now - timedelta(hours=1),
                    "closes_at": now + timedelta(hours=5),
                    "compound_ids": [compound.id],
                    "pickup_points": ["东门"],
                    "delivery_offered": False,
                    "items": [
                        {
                            "name": "土豆",
                            "spec": "5kg",
                            "price_fen": 1250,
                            "stock": 100,
                            "limit_per_household": 2,
                        }
                    ],
                },
            )
            return buy.id, household.address
    finally:
        engine.dispose()


def test_staff_ordering_on_behalf_see_the_summary_count_it_at_once(
    app_server: "AppServer", page: Page
):
    server = app_server
    staff_mobile = "13800000002"
    the_buy, address = _new_buy(server, staff_mobile, f"代下单汇总-{uuid.uuid4().hex[:6]}")
    log_in(page, server, staff_mobile)
    open_page(page, server, f"/supplies/buy/{the_buy}")
    orders_tile = page.locator(".rt-Card").filter(
        has=page.get_by_text(ZH["supplies.orders_total"], exact=True)
    )
    expect(orders_tile).to_have_text(re.compile(rf"^0\s*{ZH['supplies.orders_total']}$"))
    expect(page.get_by_text(ZH["supplies.no_orders"])).to_be_visible()

    # Staff find the household by its door and order for it: no reload after.
    page.get_by_label(ZH["supplies.household_address"], exact=True).fill(address)
    page.get_by_role("button", name=ZH["supplies.find"], exact=True).click()
    expect(page.get_by_text(ZH["supplies.ordering_for"] + address)).to_be_visible()
    quantity(page, "土豆").fill("2")
    page.get_by_role("button", name=ZH["supplies.place_order"], exact=True).click()
    expect(page.get_by_text(ZH["supplies.ordered"])).to_be_visible()

    expect(orders_tile).to_have_text(re.compile(rf"^1\s*{ZH['supplies.orders_total']}$"))
    expect(page.get_by_text(ZH["supplies.no_orders"])).to_be_hidden()
    expect(page.get_by_text("¥25.00").first).to_be_visible()  # the grand total and the row
    expect(page.get_by_text(address, exact=True).first).to_be_visible()  # the order list row
    no_traceback(page)
