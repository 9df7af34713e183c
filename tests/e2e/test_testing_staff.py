"""核酸检测 for the office: plan a round, its sites and building slots, the board counting a
sample by itself, the lab's results (a refused file, then a good one, and one typed), the
list for the health centre, ending the round; and refusals next to their fields."""

import io
import re
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlmodel import Session, create_engine, select
from test_accounts import below, log_in, no_traceback

from app.accounts.models import User
from app.testing import service as testing
from app.timeutil import today_local
from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
STAFF = "13800000003"  # 清泉社区


def _button(page, key: str):
    return page.get_by_role("button", name=ZH[key], exact=True)


def _compound(server: "AppServer") -> tuple[int, str, int]:
    """A compound of 清泉社区 with people: (id, name, people living there)."""
    compound_id, name, people = server.sql(
        "SELECT c.id, c.name, count(r.id) FROM compound c"
        " JOIN community m ON m.id = c.community_id"
        " JOIN household h ON h.compound_id = c.id"
        " JOIN resident r ON r.household_id = h.id AND r.moved_out IS NULL"
        " WHERE m.name = '清泉社区' GROUP BY c.id, c.name ORDER BY c.id LIMIT 1"
    )[0]
    return compound_id, name, people


def _sample(server: "AppServer", round_id: int, barcode: str, offset: int) -> None:
    """One person of the round's compound swabbed into a tube of their own, sealed, as a
    sampler at the site would."""
    engine = create_engine(server.database_url)
    try:
        with Session(engine) as db:
            staff = db.exec(select(User).where(User.mobile == STAFF)).one()
            site_id = server.sql(
                "SELECT id FROM samplingsite WHERE round_id = :r ORDER BY id LIMIT 1", r=round_id
            )[0][0]
            resident_id = server.sql(
                "SELECT r.id FROM resident r JOIN household h ON h.id = r.household_id"
                " JOIN roundcompound rc ON rc.compound_id = h.compound_id AND rc.round_id = :r"
                " WHERE r.moved_out IS NULL ORDER BY r.id LIMIT 1 OFFSET :o",
                r=round_id,
                o=offset,
            )[0][0]
            tube = testing.open_tube(db, staff, {"site_id": site_id, "barcode": barcode})
            tube_id = server.sql(
                "SELECT id FROM tube WHERE round_id = :r AND barcode = :b", r=round_id, b=barcode
            )[0][0]
            assert tube.barcode == barcode
            testing.scan_member(db, staff, tube_id, resident_id)
            testing.close_tube(db, staff, tube_id)
    finally:
        engine.dispose()


def _upload(page: Page, name: str, content: bytes) -> None:
    page.locator("#results input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )


def test_staff_run_a_testing_round_from_plan_to_results(
    app_server: "AppServer", new_context, tmp_path
):
    server = app_server
    page = new_context().new_page()
    compound_id, compound, people = _compound(server)
    name = f"全员核酸{tmp_path.name[-6:]}"
    log_in(page, server, STAFF)

    # From the home page's tile to the rounds; planning refuses a date gone by, next to it.
    page.get_by_role("link", name=ZH["testing.title"]).click()
    expect(page).to_have_url(re.compile(r"/testing$"))
    _button(page, "trounds.plan").click()
    sheet = page.get_by_role("dialog")
    _button(sheet, "common.cancel").click()
    expect(sheet).to_have_count(0)
    _button(page, "trounds.plan").click()
    sheet.get_by_label(ZH["trounds.name"], exact=True).fill(name)
    date = sheet.get_by_label(ZH["trounds.date"], exact=True)
    date.fill("2020-01-02")
    sheet.get_by_role("button", name=ZH["trounds.plan"], exact=True).click()
    below(page, sheet.get_by_text(ZH["errors.date_in_past"]), date)
    assert server.sql("SELECT count(*) FROM testinground WHERE name = :n", n=name) == [(0,)]

    date.fill(today_local().isoformat())
    sheet.get_by_label(ZH["trounds.mode"], exact=True).click()
    page.get_by_role("option", name=ZH["testing.mode.pool5"], exact=True).click()
    sheet.locator("label.check-row").filter(has_text=compound).first.click()
    sheet.get_by_role("button", name=ZH["trounds.plan"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/testing/round/\d+$"))
    round_id = int(page.url.rsplit("/", 1)[1])
    assert server.sql("SELECT mode FROM testinground WHERE id = :r", r=round_id) == [("pool5",)]
    assert server.sql("SELECT compound_id FROM roundcompound WHERE round_id = :r", r=round_id) == [
        (compound_id,)
    ]
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    # The sampled tile: the count big, the people due small under it.
    due = page.get_by_text(ZH["tround.due_of"].format(due=f"{people:,}"), exact=True)
    sampled = page.locator(".rt-Card").filter(has=due)
    expect(sampled.get_by_text("0", exact=True)).to_be_visible()
    expect(sampled).to_contain_text(ZH["tround.sampled"])

    # A site: a capacity of 0 is refused under its field, nothing saved; then it is added.
    _button(page, "tround.add_site").click()
    sheet.get_by_label(ZH["tround.site_name"], exact=True).fill("东门广场")
    capacity = sheet.get_by_label(ZH["tround.capacity"], exact=True)
    capacity.fill("0")
    sheet.get_by_role("button", name=ZH["tround.add_site"], exact=True).click()
    below(page, sheet.get_by_text(ZH["errors.capacity_out_of_range"]), capacity)
    assert server.sql("SELECT count(*) FROM samplingsite WHERE round_id = :r", r=round_id) == [(0,)]
    capacity.fill("2000")
    sheet.get_by_role("button", name=ZH["tround.add_site"], exact=True).click()
    expect(sheet).to_have_count(0)
    expect(page.get_by_text("东门广场", exact=True)).to_be_visible()
    expect(page.get_by_text("08:00–12:00 · 每小时 2000 人")).to_be_visible()

    # A building's slot at the site.
    building_id, building = server.sql(
        "SELECT b.id, b.number FROM building b WHERE b.compound_id = :c"
        " AND EXISTS (SELECT 1 FROM household h JOIN resident r ON r.household_id = h.id"
        " WHERE h.building_id = b.id) ORDER BY b.id LIMIT 1",
        c=compound_id,
    )[0]
    _button(page, "tround.add_slot").click()
    sheet.get_by_label(ZH["tround.building"], exact=True).click()
    page.get_by_role("option", name=f"{compound} {building}", exact=True).click()
    sheet.get_by_label(ZH["tround.starts"], exact=True).fill("08:00")
    sheet.get_by_label(ZH["tround.ends"], exact=True).fill("08:30")
    sheet.get_by_role("button", name=ZH["tround.add_slot"], exact=True).click()
    expect(sheet).to_have_count(0)
    expect(page.get_by_text(re.compile(f"^{compound} {building} 08:00–08:30"))).to_be_visible()
    assert server.sql("SELECT count(*) FROM siteslot WHERE round_id = :r", r=round_id) == [(1,)]

    # The compound opens to its buildings.
    page.get_by_role("button", name=re.compile(f"^{compound}")).first.click()
    expect(page.locator(".list-row").filter(has_text=building).first).to_be_visible()

    # A sample taken at the site shows on the board by itself.
    _sample(server, round_id, "QS0001", 0)
    expect(sampled.get_by_text("1", exact=True)).to_be_visible(timeout=25_000)
    _sample(server, round_id, "QS0002", 1)
    expect(sampled.get_by_text("2", exact=True)).to_be_visible(timeout=25_000)
    expect(due).to_be_visible()

    # A building's line opens its missed list for this round; back to the board.
    missed = f"/testing/missed?r={round_id}&b={building_id}"
    page.locator(f'a[href="{missed}"]').click()
    expect(page).to_have_url(re.compile(re.escape(missed) + "$"))
    expect(page.get_by_label(ZH["missed.round"], exact=True)).to_contain_text(name)
    expect(page.get_by_label(ZH["missed.building"], exact=True)).to_have_text(
        re.compile(f"^{re.escape(compound)} {re.escape(building)} · ")
    )
    page.go_back()
    expect(page.get_by_role("heading", name=name)).to_be_visible()

    # Ending it asks first.
    _button(page, "tround.end").click()
    _button(sheet, "common.cancel").click()
    expect(sheet).to_have_count(0)
    _button(page, "tround.end").click()
    _button(sheet, "tround.end_yes").click()
    expect(sheet).to_have_count(0)
    expect(page.get_by_text(ZH["trounds.ended"], exact=True)).to_be_visible()
    expect(_button(page, "tround.add_site")).to_have_count(0)
    assert server.sql("SELECT ended_at IS NOT NULL FROM testinground WHERE id = :r", r=round_id)[0][
        0
    ]

    # A results file with an unknown tube: the row and why, and nothing written.
    results = "SELECT barcode, result FROM tube WHERE round_id = :r ORDER BY barcode"
    _upload(page, "结果.csv", "管号,结果\nQS0001,阴性\nQS9999,阴性\n".encode())
    problems, main = page.locator("#result-problems"), page.get_by_role("main")
    expect(problems).to_contain_text("第 3 行")
    expect(problems).to_contain_text(ZH["errors.result_unknown_tube"])
    expect(page.get_by_role("alert").filter(has_text="没有导入任何结果")).to_be_visible()
    assert server.sql(results, r=round_id) == [("QS0001", None), ("QS0002", None)]

    _upload(page, "结果.csv", "管号,结果\nQS0001,阴性\n".encode())
    expect(main.get_by_text(re.compile("^已导入 1 管结果：阴性 1"))).to_be_visible()
    expect(problems).to_have_count(0)
    assert server.sql(results, r=round_id) == [("QS0001", "negative"), ("QS0002", None)]

    # One result typed in: an unknown tube is refused under the barcode, then the right one.
    barcode = page.get_by_label(ZH["tround.barcode"], exact=True)
    barcode.fill("QS7777")
    _button(page, "tround.save_result").click()
    below(page, page.get_by_text(ZH["errors.result_unknown_tube"]), barcode)
    barcode.fill("qs0002")
    # (Negative: a positive tube would put the demo family into home quarantine.)
    page.get_by_label(ZH["tround.result"], exact=True).click()
    page.get_by_role("option", name=ZH["testing.status.negative"], exact=True).click()
    _button(page, "tround.save_result").click()
    expect(main.get_by_text(re.compile("^已导入 1 管结果：阴性 1"))).to_be_visible()
    expect(barcode).to_have_value("")
    assert server.sql(results, r=round_id) == [("QS0001", "negative"), ("QS0002", "negative")]

    # The list for the health centre: one row a person, their tube and result.
    with page.expect_download() as download:
        _button(page, "tround.export").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet_ = load_workbook(io.BytesIO(saved.read_bytes())).active
    assert sheet_ is not None
    rows = list(sheet_.iter_rows(values_only=True))
    assert rows[1] == testing.EXPORT_HEADERS
    assert sorted((r[6], r[8]) for r in rows[2:]) == [("QS0001", "阴性"), ("QS0002", "阴性")]
    no_traceback(page)


def test_an_unknown_round_says_so(app_server: "AppServer", page: Page):
    log_in(page, app_server, STAFF)
    page.goto(app_server.url("/testing/round/999999"))
    expect(page.get_by_text(ZH["tround.not_found"])).to_be_visible()
    no_traceback(page)
