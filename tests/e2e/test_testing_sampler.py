"""核酸采样 on a volunteer's phone at a site: a tube, people's codes, undo, a door without a
code, a full tube, an early seal, and the refusals read at arm's length."""

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select
from test_accessibility import SCREENSHOTS, check_screen
from test_accounts import log_in, no_traceback, open_page
from test_offline import Signal, signal  # noqa: F401  (the relay fixture)

from app.accounts.models import User
from app.community.service import personal_code
from app.testing import service as testing
from app.timeutil import today_local
from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
STAFF = "13800000003"  # 清泉社区
VOLUNTEER = "13900000011"  # 清泉社区
OTHER_RESIDENT_COMMUNITY = "锦官驿社区"
SIZE = 5  # 5 混 1
_names = itertools.count(1)


@dataclass
class Plan:
    round_id: int
    round_label: str
    site_name: str


def _staff(db: Session) -> User:
    return db.exec(select(User).where(User.mobile == STAFF)).one()


@pytest.fixture
def plan(app_server: "AppServer") -> Iterator[Plan]:
    """A 5-in-1 round of 清泉社区 with one site, planned by staff through the service and
    ended afterwards (volunteers see open rounds only)."""
    engine = create_engine(app_server.database_url)
    name = f"采样测试{next(_names)}-{id(engine) % 10000}"
    try:
        with Session(engine) as db:
            staff = _staff(db)
            assert staff.community_id is not None
            data = {"name": name, "test_date": today_local(), "mode": "pool5"}
            testing_round = testing.plan_round(db, staff, staff.community_id, data)
            round_id = testing_round.id
            assert round_id is not None
            site = {"name": f"{name}东门", "opens": "00:00", "closes": "23:59", "capacity": 500}
            testing.add_site(db, staff, round_id, site)
        yield Plan(round_id, f"{today_local().isoformat()} {name}", f"{name}东门")
        end(app_server, round_id)
    finally:
        engine.dispose()


def end(server: "AppServer", round_id: int) -> None:
    engine = create_engine(server.database_url)
    try:
        with Session(engine) as db:
            rows = server.sql("SELECT ended_at FROM testinground WHERE id = :r", r=round_id)
            if rows and rows[0][0] is None:
                testing.end_round(db, _staff(db), round_id)
    finally:
        engine.dispose()


def residents(server: "AppServer", community: str, count: int, offset: int = 0) -> list[int]:
    """People living in a community (one per household, so a door shows one of them)."""
    rows = server.sql(
        "SELECT min(r.id) FROM resident r JOIN household h ON h.id = r.household_id"
        " JOIN community c ON c.id = h.community_id"
        " WHERE c.name = :c AND r.moved_out IS NULL GROUP BY h.id ORDER BY min(r.id)"
        " LIMIT :n OFFSET :o",
        c=community,
        n=count,
        o=offset,
    )
    return [row[0] for row in rows]


def start(page: Page, server: "AppServer", plan: Plan) -> None:
    """Log in as the volunteer, open the page, choose the round and the site."""
    log_in(page, server, VOLUNTEER)
    open_page(page, server, "/testing/sample")
    expect(page.get_by_role("button", name=ZH["sampler.start"])).to_be_visible()
    rounds = page.get_by_role("combobox", name=ZH["sampler.round"])
    # Another open round first (the demo street's), then this one: the sites follow the round.
    rounds.click()
    page.get_by_role("option").filter(has_not_text=plan.round_label).first.click()
    expect(rounds).not_to_have_text(plan.round_label)
    rounds.click()
    page.get_by_role("option", name=plan.round_label).click()
    expect(rounds).to_have_text(plan.round_label)
    sites = page.get_by_role("combobox", name=ZH["sampler.site"])
    sites.click()
    page.get_by_role("option", name=plan.site_name).click()
    expect(sites).to_have_text(plan.site_name)
    page.get_by_role("button", name=ZH["sampler.start"]).click()
    expect(page.locator("#scan")).to_be_visible()
    expect(page.get_by_text(plan.site_name, exact=True)).to_be_visible()
    expect(page.get_by_text(ZH["sampler.no_tube"])).to_be_visible()


def scan(page: Page, value: str) -> None:
    """What a hardware scanner does: the code typed into the focused box, then Enter."""
    box = page.locator("#scan")
    expect(box).to_be_focused()
    box.fill(value)
    box.press("Enter")


def count(page: Page):
    return page.locator("#tube-count")


def refusal(page: Page):
    return page.locator(".flash-error")


def samples_in(server: "AppServer", barcode: str) -> int:
    return server.sql(
        "SELECT count(*) FROM sample s JOIN tube t ON t.id = s.tube_id WHERE t.barcode = :b",
        b=barcode,
    )[0][0]


def masked(server: "AppServer", resident_id: int) -> str:
    return testing.mask_name(
        server.sql("SELECT name FROM resident WHERE id = :i", i=resident_id)[0][0]
    )


def test_a_tube_two_codes_and_undo(app_server: "AppServer", page: Page, plan: Plan):
    server = app_server
    start(page, server, plan)
    people = residents(server, "清泉社区", 2)
    barcode = f"QQ{plan.round_id:06d}A"
    scan(page, barcode)
    expect(count(page)).to_have_text(f"0/{SIZE}")
    expect(page.locator(".flash-ok")).to_contain_text(ZH["sampler.tube_opened"])
    for done, resident_id in enumerate(people, start=1):
        scan(page, personal_code(resident_id))
        expect(count(page)).to_have_text(f"{done}/{SIZE}")
        expect(page.locator(".flash-ok")).to_contain_text(masked(server, resident_id))
    assert samples_in(server, barcode) == 2

    page.get_by_role("button", name=ZH["sampler.undo"]).click()
    expect(count(page)).to_have_text(f"1/{SIZE}")
    expect(page.locator(".flash-undone")).to_contain_text(masked(server, people[1]))
    assert samples_in(server, barcode) == 1
    # The loop itself, with a tube and an answer showing: axe, fit and tap targets.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    check_screen(page, "testing-sample-loop", "zh", problems)
    assert not problems, "\n".join(problems)
    page.set_viewport_size({"width": 390, "height": 844})

    # The same person again: flagged with the tube they are in, not counted.
    scan(page, personal_code(people[0]))
    expect(refusal(page)).to_contain_text(ZH["sampler.refused"])
    expect(refusal(page)).to_contain_text(barcode)
    expect(count(page)).to_have_text(f"1/{SIZE}")

    # Another community's resident, and a QR that is not ours.
    other = residents(server, OTHER_RESIDENT_COMMUNITY, 1)[0]
    scan(page, personal_code(other))
    expect(refusal(page)).to_contain_text(ZH["errors.code_other_community"])
    scan(page, "https://weixin.qq.com/r/abc")
    expect(refusal(page)).to_contain_text(ZH["errors.code_not_ours"])
    page.screenshot(path=SCREENSHOTS / "testing-sample-refused-390-zh.png")
    expect(count(page)).to_have_text(f"1/{SIZE}")
    assert samples_in(server, barcode) == 1

    # The site is remembered for the session: a reload keeps the sampler where they were.
    page.reload()
    expect(page.get_by_text(plan.site_name, exact=True)).to_be_visible()
    no_traceback(page)


def test_a_full_tube_closes_and_the_next_is_asked_for(
    app_server: "AppServer", page: Page, plan: Plan
):
    server = app_server
    start(page, server, plan)
    # A person's code before any tube: the sampler is told to scan the tube first.
    people = residents(server, "清泉社区", SIZE + 1, offset=10)
    scan(page, personal_code(people[0]))
    expect(refusal(page)).to_contain_text(ZH["sampler.scan_tube_first"])

    barcode = f"QQ{plan.round_id:06d}B"
    scan(page, barcode)
    for resident_id in people[:SIZE]:
        scan(page, personal_code(resident_id))
    expect(count(page)).to_have_text(f"{SIZE}/{SIZE}")
    expect(page.locator(".flash-full")).to_contain_text(ZH["sampler.full"])
    expect(page.locator("#scan")).to_have_attribute("placeholder", ZH["sampler.scan_tube_hint"])
    assert server.sql("SELECT closed_at IS NOT NULL FROM tube WHERE barcode = :b", b=barcode) == [
        (True,)
    ]

    # The same barcode again is refused; a new one opens the next tube.
    scan(page, barcode)
    expect(refusal(page)).to_contain_text(barcode)
    second = f"QQ{plan.round_id:06d}C"
    scan(page, second)
    expect(count(page)).to_have_text(f"0/{SIZE}")
    scan(page, personal_code(people[SIZE]))
    expect(count(page)).to_have_text(f"1/{SIZE}")

    # Sealed early: the queue is done.
    page.get_by_role("button", name=ZH["sampler.close_early"]).click()
    expect(page.locator(".flash-full")).to_contain_text(second)
    assert server.sql(
        "SELECT closed_at IS NOT NULL, filled FROM tube WHERE barcode = :b", b=second
    ) == [(True, 1)]
    expect(page.get_by_role("button", name=ZH["sampler.close_early"])).to_be_disabled()
    no_traceback(page)


def test_someone_without_a_code_is_found_by_door(app_server: "AppServer", page: Page, plan: Plan):
    server = app_server
    household, door = server.sql(
        "SELECT h.id, h.door_key FROM household h JOIN community c ON c.id = h.community_id"
        " WHERE c.name = '清泉社区'"
        " AND (SELECT count(*) FROM resident r WHERE r.household_id = h.id"
        "      AND r.moved_out IS NULL) >= 2"
        " ORDER BY h.id DESC LIMIT 1"
    )[0]
    first, second = [
        row[0]
        for row in server.sql(
            "SELECT id FROM resident WHERE household_id = :h AND moved_out IS NULL ORDER BY id"
            " LIMIT 2",
            h=household,
        )
    ]
    start(page, server, plan)
    barcode = f"QQ{plan.round_id:06d}D"
    scan(page, barcode)
    scan(page, personal_code(first))
    expect(count(page)).to_have_text(f"1/{SIZE}")

    page.get_by_role("button", name=ZH["sampler.no_code"]).click()
    sheet = page.get_by_role("dialog")
    expect(sheet.get_by_role("heading", name=ZH["sampler.door_title"])).to_be_visible()
    sheet.get_by_label(ZH["sampler.door"]).fill("99-9-999")
    sheet.get_by_role("button", name=ZH["sampler.find"]).click()
    expect(sheet.get_by_text(ZH["errors.door_not_found"])).to_be_visible()

    sheet.get_by_label(ZH["sampler.door"]).fill(door)
    sheet.get_by_role("button", name=ZH["sampler.find"]).click()
    # The one scanned already is marked and cannot be ticked again.
    expect(sheet.locator(f"#p-{first}")).to_be_disabled()
    expect(sheet.get_by_text(ZH["sampler.sampled_already"]).first).to_be_visible()
    # Nothing ticked: asked to tick someone.
    sheet.get_by_role("button", name=ZH["sampler.add_ticked"]).click()
    expect(sheet.get_by_text(ZH["sampler.tick_someone"])).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "testing-sample-door-390-zh.png")
    sheet.locator(f"#p-{second}").click()
    sheet.get_by_role("button", name=ZH["sampler.add_ticked"]).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(count(page)).to_have_text(f"2/{SIZE}")
    expect(page.locator(".flash-ok")).to_contain_text(masked(server, second))
    assert server.sql(
        "SELECT by_code FROM sample WHERE resident_id = :r AND round_id = :o",
        r=second,
        o=plan.round_id,
    ) == [(False,)]

    # A cancelled sheet adds no one.
    page.get_by_role("button", name=ZH["sampler.no_code"]).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(count(page)).to_have_text(f"2/{SIZE}")
    no_traceback(page)


def test_a_closed_round_refuses_and_another_site_can_be_chosen(
    app_server: "AppServer", page: Page, plan: Plan
):
    server = app_server
    start(page, server, plan)
    scan(page, f"QQ{plan.round_id:06d}E")
    expect(count(page)).to_have_text(f"0/{SIZE}")
    end(server, plan.round_id)
    scan(page, personal_code(residents(server, "清泉社区", 1, offset=30)[0]))
    expect(refusal(page)).to_contain_text(ZH["errors.testing_round_ended"])

    # Back to the picker, where the ended round is no longer offered to a volunteer.
    page.get_by_role("button", name=ZH["sampler.change"]).click()
    picker = page.get_by_role("button", name=ZH["sampler.start"])
    expect(picker.or_(page.get_by_text(ZH["sampler.no_round"]))).to_be_visible()
    if picker.is_visible():
        page.get_by_role("combobox", name=ZH["sampler.round"]).click()
        expect(page.get_by_role("option").first).to_be_visible()
        expect(page.get_by_role("option", name=plan.round_label)).to_have_count(0)
    expect(page.locator("#scan")).to_have_count(0)
    no_traceback(page)


def test_sampling_opens_only_for_volunteers_and_staff(app_server: "AppServer", page: Page):
    log_in(page, app_server, "13700000011")
    open_page(page, app_server, "/testing/sample")
    expect(page.get_by_text(ZH["forbidden.title"])).to_be_visible()
    expect(page.locator("#scan")).to_have_count(0)
    assert re.search(r"/testing/sample/?$", page.url)


def test_scans_with_no_signal_wait_on_the_phone_and_go_once(
    app_server: "AppServer",
    page: Page,
    plan: Plan,
    signal: Signal,  # noqa: F811
):
    """The signal cut at the site: two codes wait on the phone (nothing in the database), go
    by themselves when it returns, and a resend of the same batch adds nobody."""
    server = app_server
    log_in(page, server, VOLUNTEER)
    page.goto(signal.url("/testing/sample"))  # through the relay the test can cut
    page.get_by_role("combobox", name=ZH["sampler.round"]).click()
    page.get_by_role("option", name=plan.round_label).click()
    page.get_by_role("combobox", name=ZH["sampler.site"]).click()
    page.get_by_role("option", name=plan.site_name).click()
    page.get_by_role("button", name=ZH["sampler.start"]).click()
    barcode = f"QO{plan.round_id:06d}A"
    scan(page, barcode)
    expect(count(page)).to_have_text(f"0/{SIZE}")
    people = residents(server, "清泉社区", 2, offset=2)

    signal.lose(page)
    for resident_id in people:
        scan(page, personal_code(resident_id))
    waiting = page.locator("#scan-outbox")
    expect(waiting).to_have_text(ZH["sampler.waiting"].format(count=2))
    assert samples_in(server, barcode) == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "testing-sample-offline-390-zh.png")
    batch = page.evaluate("localStorage.getItem('cep-scan-outbox')")

    signal.back(page)
    expect(waiting).to_have_count(0, timeout=30_000)
    expect(count(page)).to_have_text(f"2/{SIZE}", timeout=30_000)
    expect(page.locator(".flash-ok")).to_contain_text(ZH["sampler.sent"].format(count=2))
    assert samples_in(server, barcode) == 2

    again = page.evaluate(
        """async (batch) => {
          const r = await fetch('/api/testing/scan', {method: 'POST',
            headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({scans: JSON.parse(batch)})});
          return (await r.json()).results.map((x) => x.status);
        }""",
        batch,
    )
    assert again == ["ok", "ok"]
    assert samples_in(server, barcode) == 2
    no_traceback(page)
