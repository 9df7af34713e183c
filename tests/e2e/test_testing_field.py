"""Nucleic-acid testing in the field and at home, in a real browser: a volunteer works the
missed list door by door and takes home sampling; a resident shows the family's codes and
prints the household card; staff print it for a family from the household file."""

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select
from test_accessibility import check_screen, set_locale
from test_accounts import SCREENSHOTS, below, log_in, nav, no_traceback, open_page

from app.accounts.models import User
from app.testing import service as testing
from app.timeutil import today_local
from app.ui.i18n import EN, ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
STAFF = "13800000003"  # 清泉社区
VOLUNTEER = "13900000011"  # 吴俊杰, grid of 清泉雅居 1–5
RESIDENT = "13700000011"  # 张鑫, a household of 清泉社区
# Every table that holds a round's rows, children first: the test's round leaves no trace.
ROUND_TABLES = (
    "sample",
    "tube",
    "missedmark",
    "homesamplingtask",
    "siteslot",
    "samplingsite",
    "roundcompound",
)


@dataclass(frozen=True)
class FieldRound:
    id: int
    label: str  # as the round picker shows it
    other_label: str  # another open round of the community
    site: str
    # a door of the volunteer's grid, two people due there
    door: str
    door_household_id: int
    building_option: re.Pattern
    people: list[tuple[int, str]]
    # the resident's household and the slot its building got
    household_id: int
    slot_line: str


def _user(db: Session, mobile: str) -> User:
    return db.exec(select(User).where(User.mobile == mobile)).one()


@pytest.fixture
def field_round(app_server: "AppServer") -> Iterator[FieldRound]:
    """A round of the whole of 清泉社区 (dated past any other, so it is the resident's latest),
    a site, and a slot for the resident's building; removed afterwards."""
    server = app_server
    engine = create_engine(server.database_url)
    tag = uuid.uuid4().hex[:6]
    test_date = today_local() + timedelta(days=300)
    site_name = f"东门广场采样点{tag}"
    with Session(engine) as db:
        staff, resident = _user(db, STAFF), _user(db, RESIDENT)
        assert staff.community_id and resident.household_id
        name = f"全员核酸{tag}"
        found = testing.plan_round(
            db,
            staff,
            staff.community_id,
            {"name": name, "test_date": test_date.isoformat(), "mode": "pool10"},
        )
        round_id = found.id
        assert round_id
        # A second open round, of one compound, to switch from.
        (compound_id,), *_ = server.sql(
            "SELECT id FROM compound WHERE community_id = :c ORDER BY id DESC LIMIT 1",
            c=staff.community_id,
        )
        other_name = f"复核轮{tag}"
        other = testing.plan_round(
            db,
            staff,
            staff.community_id,
            {
                "name": other_name,
                "test_date": (test_date - timedelta(days=1)).isoformat(),
                "compound_ids": [compound_id],
            },
        )
        other_id = other.id
        site = testing.add_site(
            db,
            staff,
            round_id,
            {
                "name": site_name,
                "place": "清泉雅居东门外",
                "opens": "07:00",
                "closes": "12:00",
                "capacity": 900,
            },
        )
        assert site.id
        (building_id, number), *_ = server.sql(
            "SELECT b.id, b.number FROM household h JOIN building b ON b.id = h.building_id"
            " WHERE h.id = :h",
            h=resident.household_id,
        )
        testing.add_slot(
            db, staff, site.id, {"building_id": building_id, "starts": "08:00", "ends": "08:30"}
        )
        household_id = resident.household_id
    engine.dispose()
    # A door of the volunteer's grid where two people are due and none is sampled at home.
    (door_household, door, compound, number_b), *_ = server.sql(
        "SELECT h.id, h.door_key, c.name, b.number FROM household h"
        " JOIN building b ON b.id = h.building_id JOIN compound c ON c.id = b.compound_id"
        ' JOIN "user" u ON u.mobile = :v AND b.grid_id = u.grid_id'
        " WHERE (SELECT count(*) FROM resident r WHERE r.household_id = h.id"
        "        AND r.moved_out IS NULL) = 2"
        " AND NOT EXISTS (SELECT 1 FROM homesamplingtask t"
        "                 WHERE t.round_id = :r AND t.household_id = h.id)"
        " ORDER BY h.id LIMIT 1",
        v=VOLUNTEER,
        r=round_id,
    )
    people = [
        (rid, rname)
        for rid, rname in server.sql(
            "SELECT id, name FROM resident WHERE household_id = :h AND moved_out IS NULL"
            " ORDER BY id",
            h=door_household,
        )
    ]
    yield FieldRound(
        id=round_id,
        label=f"{name} · {test_date.isoformat()}",
        other_label=f"{other_name} · {(test_date - timedelta(days=1)).isoformat()}",
        site=site_name,
        door=door,
        door_household_id=door_household,
        building_option=re.compile(f"^{re.escape(compound)} {re.escape(number_b)} · "),
        people=people,
        household_id=household_id,
        slot_line=ZH["mytest.slot"].format(building=number, slot="08:00–08:30", site=site_name),
    )
    for made in (round_id, other_id):
        for table in ROUND_TABLES:
            server.sql(f"DELETE FROM {table} WHERE round_id = :r", r=made)
        server.sql("DELETE FROM testinground WHERE id = :r", r=made)


def _open_missed(page: Page, server: "AppServer", fr: FieldRound) -> None:
    """From the home page's tile, to the round and the building of the test's door."""
    page.get_by_role("link", name=ZH["missed.title"]).click()
    expect(page).to_have_url(re.compile(r"/testing/missed/?$"))
    # Another round first, then the test's (the newest, shown first); then another building
    # of mine, then the test's.
    page.get_by_label(ZH["missed.round"]).click()
    page.get_by_role("option", name=fr.other_label).click()
    expect(page.get_by_label(ZH["missed.round"])).to_have_text(fr.other_label)
    page.get_by_label(ZH["missed.round"]).click()
    page.get_by_role("option", name=fr.label).click()
    expect(page.get_by_label(ZH["missed.round"])).to_have_text(fr.label)
    page.get_by_label(ZH["missed.building"]).click()
    page.get_by_role("option").filter(has_not_text=fr.building_option).first.click()
    expect(page.get_by_label(ZH["missed.building"])).not_to_have_text(fr.building_option)
    page.get_by_label(ZH["missed.building"]).click()
    page.get_by_role("option", name=fr.building_option).click()
    expect(page.get_by_role("heading", name=fr.door, exact=True)).to_be_visible()


def _person(page: Page, name: str):
    return page.locator(".missed-person").filter(has=page.get_by_text(name, exact=True))


def _sampled_count(page: Page):
    return page.locator(".count-sampled")


def _mark(server: "AppServer", fr: FieldRound, resident_id: int) -> list:
    return server.sql(
        "SELECT kind, reason FROM missedmark WHERE round_id = :r AND resident_id = :p",
        r=fr.id,
        p=resident_id,
    )


def test_a_volunteer_works_the_missed_list_and_samples_at_home(
    app_server: "AppServer", page: Page, field_round: FieldRound
):
    server, fr = app_server, field_round
    (away_id, away), (home_id, home) = fr.people
    log_in(page, server, VOLUNTEER)
    _open_missed(page, server, fr)
    door = page.locator(".rt-Card").filter(has=page.get_by_role("heading", name=fr.door))
    expect(door.get_by_text(away, exact=True)).to_be_visible()
    expect(door.get_by_text(home, exact=True)).to_be_visible()

    # A sheet opened by mistake is closed with nothing saved.
    _person(page, home).get_by_role("button", name=ZH["missed.mark"]).click()
    sheet = page.get_by_role("dialog")
    expect(sheet.get_by_text(home)).to_be_visible()
    sheet.get_by_role("button", name=ZH["common.cancel"]).click()
    expect(sheet).to_have_count(0)
    assert _mark(server, fr, home_id) == []

    # Away: a reason is required; the message sits under its field and nothing is saved.
    _person(page, away).get_by_role("button", name=ZH["missed.mark"]).click()
    expect(sheet.get_by_text(away)).to_be_visible()
    sheet.get_by_role("radio", name=ZH["testing.missed.hospital"]).click()
    sheet.get_by_role("button", name=ZH["missed.save"]).click()
    reason = sheet.get_by_label(ZH["missed.reason"])
    below(page, sheet.get_by_text(ZH["errors.missed_reason_required"]), reason)
    assert _mark(server, fr, away_id) == []

    reason.fill("市一医院住院")
    sheet.get_by_role("button", name=ZH["missed.save"]).click()
    expect(sheet).to_have_count(0)
    row = _person(page, away)
    expect(row.get_by_text(f"{ZH['testing.missed.hospital']} · 市一医院住院")).to_be_visible()
    expect(row.get_by_role("button", name=ZH["missed.mark"])).to_have_count(0)
    assert _mark(server, fr, away_id) == [("hospital", "市一医院住院")]

    # Back home after all: the mark goes, and they are asked about again.
    row.get_by_role("button", name=ZH["missed.clear"]).click()
    expect(row.get_by_role("button", name=ZH["missed.mark"])).to_be_visible()
    expect(row.get_by_text("市一医院住院")).to_have_count(0)
    assert _mark(server, fr, away_id) == []

    # Cannot come down: a home sampling task, which this volunteer takes and finishes.
    _person(page, home).get_by_role("button", name=ZH["missed.home"]).click()
    badge = ZH["missed.home_badge"].format(status=ZH["testing.task.open"])
    expect(_person(page, home).get_by_text(badge)).to_be_visible()
    masked = testing.mask_name(home)
    page.get_by_role("button", name=f"{ZH['homesampling.take']} {masked}").click()
    finish = page.get_by_role("button", name=f"{ZH['homesampling.finish']} {masked}")
    expect(finish).to_be_visible()
    taken = ZH["missed.home_badge"].format(status=ZH["testing.task.taken"])
    expect(_person(page, home).get_by_text(taken)).to_be_visible()

    finish.click()
    sheet = page.get_by_role("dialog")
    sheet.get_by_role("button", name=ZH["common.cancel"]).click()
    expect(sheet).to_have_count(0)

    # A barcode that is no barcode: said under the field, nobody sampled.
    finish.click()
    barcode = sheet.get_by_label(ZH["homesampling.barcode"])
    barcode.fill("12")
    sheet.get_by_role("button", name=ZH["homesampling.save"]).click()
    below(page, sheet.get_by_text(ZH["errors.barcode_invalid"]), barcode)

    def sampled() -> int:
        return server.sql(
            "SELECT count(*) FROM sample WHERE round_id = :r AND resident_id = :p",
            r=fr.id,
            p=home_id,
        )[0][0]

    assert sampled() == 0
    sampled_before = int(_sampled_count(page).inner_text())
    barcode.fill(f"HT{uuid.uuid4().int % 10**8:08d}")
    sheet.get_by_role("button", name=ZH["homesampling.save"]).click()
    expect(sheet).to_have_count(0)
    expect(page.get_by_text(ZH["homesampling.finished"].format(name=masked))).to_be_visible()
    # Sampled: gone from the missed list, counted, and done in my tasks.
    expect(_person(page, home)).to_have_count(0)
    expect(_sampled_count(page)).to_have_text(str(sampled_before + 1))
    assert sampled() == 1
    no_traceback(page)


def test_a_resident_shows_the_family_codes_and_prints_the_card(
    app_server: "AppServer", page: Page, field_round: FieldRound
):
    server, fr = app_server, field_round
    members = [
        name
        for (name,) in server.sql(
            "SELECT name FROM resident WHERE household_id = :h AND moved_out IS NULL ORDER BY id",
            h=fr.household_id,
        )
    ]
    address = server.sql("SELECT address FROM household WHERE id = :h", h=fr.household_id)[0][0]
    log_in(page, server, RESIDENT)
    card = page.locator(".rt-Card").filter(has=page.get_by_role("heading", name=ZH["mytest.title"]))
    expect(card.get_by_text(fr.slot_line)).to_be_visible()
    for name in members:
        row = card.locator(".test-person").filter(has_text=name)
        expect(row.get_by_text(ZH["testing.status.none"])).to_be_visible()

    card.get_by_role("link", name=ZH["mytest.codes"]).click()
    expect(page).to_have_url(re.compile(r"/testing/codes/?$"))
    slides = page.locator(".code-slide")
    expect(slides).to_have_count(len(members))
    expect(page.locator(".code-slide svg")).to_have_count(len(members))
    for name in members:
        # Named for a screen reader (those off to the side are hidden until swiped to).
        qr = page.get_by_role(
            "img", name=ZH["codes.qr_label"].format(name=name), include_hidden=True
        )
        expect(qr).to_be_attached()
    # Big enough to scan at arm's length: most of a phone's width.
    box = page.locator(".code-slide svg").first.bounding_box()
    assert box and box["width"] >= 280, box
    if len(members) > 1:  # tap a name: that member's code slides into view
        last = members[-1]
        expect(slides.last).not_to_be_in_viewport()
        page.locator(".code-chips").get_by_role("link", name=last).click()
        expect(slides.last).to_be_in_viewport()
        expect(page.get_by_role("img", name=ZH["codes.qr_label"].format(name=last))).to_be_visible()
        expect(slides.first).not_to_be_in_viewport()

    page.get_by_role("link", name=ZH["codes.card"]).click()
    expect(page).to_have_url(re.compile(r"/testing/card/?$"))
    expect(page.get_by_text(address, exact=True)).to_be_visible()
    expect(page.locator(".code-card-cell svg")).to_have_count(len(members))
    for name in members:
        expect(page.locator(".code-card-cell").filter(has_text=name)).to_have_count(1)
    page.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )
    page.get_by_role("button", name=ZH["codecard.print"]).click()
    page.wait_for_function("() => window.__printed === 1")
    # On paper: no navigation, no print button.
    page.emulate_media(media="print")
    expect(nav(page)).to_be_hidden()
    expect(page.get_by_role("button", name=ZH["codecard.print"])).to_be_hidden()
    expect(page.locator(".code-card-cell").first).to_be_visible()
    page.emulate_media(media="screen")
    no_traceback(page)


def test_staff_print_a_familys_card_from_the_household_file(
    app_server: "AppServer", new_context, field_round: FieldRound
):
    server, fr = app_server, field_round
    count = server.sql(
        "SELECT count(*) FROM resident WHERE household_id = :h AND moved_out IS NULL",
        h=fr.household_id,
    )[0][0]
    address = server.sql("SELECT address FROM household WHERE id = :h", h=fr.household_id)[0][0]
    page = new_context().new_page()
    log_in(page, server, STAFF)
    open_page(page, server, f"/household/{fr.household_id}")
    page.get_by_role("link", name=ZH["codecard.open"]).click()
    expect(page).to_have_url(re.compile(rf"/testing/card/?\?h={fr.household_id}$"))
    expect(page.get_by_text(address, exact=True)).to_be_visible()
    expect(page.locator(".code-card-cell svg")).to_have_count(count)
    assert server.sql(
        "SELECT count(*) FROM auditentry WHERE action = 'testing.card' AND subject = :s",
        s=f"household:{fr.household_id}",
    ) != [(0,)]

    # A volunteer opens no family's card; the link is not offered to them.
    other = new_context().new_page()
    log_in(other, server, VOLUNTEER)
    open_page(other, server, f"/household/{fr.door_household_id}")
    expect(other.get_by_text(ZH["household.add_member"])).to_have_count(0)
    expect(other.get_by_role("heading", level=2).first).to_be_visible()
    expect(other.get_by_role("link", name=ZH["codecard.open"])).to_have_count(0)
    open_page(other, server, f"/testing/card?h={fr.household_id}")
    expect(other.get_by_text(ZH["forbidden.title"])).to_be_visible()
    expect(other.locator(".code-card-cell")).to_have_count(0)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_field_and_resident_pages_with_a_round_pass_axe_and_fit(
    app_server: "AppServer", new_context, field_round: FieldRound, lang: str
):
    """The accessibility sweep's checks on these pages with a round under way (the sweep's own
    logins are in a community with none)."""
    server, fr = app_server, field_round
    catalog = ZH if lang == "zh" else EN
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for mobile, shots in (
        (VOLUNTEER, [("testing-missed-round", f"/testing/missed?r={fr.id}", "missed.title")]),
        (
            RESIDENT,
            [
                ("home-resident-testing", "/", "mytest.title"),
                ("testing-codes-round", "/testing/codes", "codes.title"),
                ("testing-card-round", "/testing/card", "codecard.heading"),
            ],
        ),
    ):
        set_locale(server, mobile, lang)
        try:
            page = new_context({"width": 390, "height": 844}).new_page()
            log_in(page, server, mobile)
            for shot, path, heading in shots:
                open_page(page, server, path)
                expect(page.get_by_role("heading", name=catalog[heading]).first).to_be_visible()
                expect(page.locator("main .rt-Spinner")).to_have_count(0)
                check_screen(page, shot, lang, problems)
        finally:
            set_locale(server, mobile, "zh")
    assert not problems, "\n".join(problems)
