"""The roster page's remaining actions, pressed by staff in a real browser: a workbook's
second sheet is chosen and a column unmatched; the problem list is downloaded; the roster is
exported. Nothing is imported."""

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect
from test_accounts import log_in, no_traceback, open_page

from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e
STAFF = "13800000004"  # 清泉社区
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cells(path: Path) -> str:
    book = load_workbook(path)
    return " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row)


def test_staff_pick_a_sheet_and_columns_download_the_problems_and_export(
    app_server: "AppServer", page, tmp_path: Path
):
    server = app_server
    compound, building, unit, door = server.sql(
        "SELECT c.name, b.number, u.number, h.door FROM household h"
        " JOIN compound c ON c.id = h.compound_id JOIN building b ON b.id = h.building_id"
        " JOIN unit u ON u.id = h.unit_id WHERE h.community_id ="
        ' (SELECT community_id FROM "user" WHERE mobile = :m) ORDER BY h.id LIMIT 1',
        m=STAFF,
    )[0]
    log_in(page, server, STAFF)
    open_page(page, server, "/registry/import")
    main = page.get_by_role("main")
    chooser = page.locator("#roster input[type=file]")

    # A workbook whose first sheet is last year's: the second is chosen.
    book = Workbook()
    old = book.active
    old.title = "去年"
    old.append(["编号", "备注"])
    old.append([1, "旧数据"])
    sheet = book.create_sheet("摸底表")
    sheet.append(["小区", "楼栋", "单元", "门牌号", "姓名", "性别", "手机号"])
    sheet.append([compound, building, unit, door, "动作测试甲", "女", "13712345678"])
    sheet.append([compound, building, unit, door, "", "男", "13712345679"])  # no name
    content = io.BytesIO()
    book.save(content)
    chooser.set_input_files({"name": "两张表.xlsx", "mimeType": XLSX, "buffer": content.getvalue()})
    expect(main.get_by_text("两张表.xlsx")).to_be_visible()
    sheets = main.get_by_role("combobox").first
    expect(sheets).to_have_text("去年")
    sheets.click()
    page.get_by_role("option", name="摸底表", exact=True).click()
    mobile_column = main.get_by_role("combobox", name="手机号", exact=True)
    expect(mobile_column).to_have_text("手机号")

    # The mobiles are left out; the row with no name is named in the problem list.
    mobile_column.click()
    page.get_by_role("option", name=ZH["roster.not_imported"], exact=True).click()
    expect(mobile_column).to_have_text(ZH["roster.not_imported"])
    expect(main.get_by_text("13712345678")).to_have_count(0)  # nor in the preview
    main.get_by_role("button", name=ZH["roster.check"], exact=True).click()
    expect(main.get_by_text(ZH["roster.has_problems"])).to_be_visible()
    with page.expect_download() as download:
        main.get_by_role("button", name=ZH["roster.download_problems"]).click()
    assert download.value.suggested_filename == "两张表-问题清单.xlsx"
    problems = tmp_path / "problems.xlsx"
    download.value.save_as(problems)
    assert "姓名" in _cells(problems)
    assert server.sql("SELECT count(*) FROM resident WHERE name = '动作测试甲'") == [(0,)]

    with page.expect_download() as download:
        main.get_by_role("button", name=ZH["roster.export_now"], exact=True).click()
    exported = tmp_path / "roster.xlsx"
    download.value.save_as(exported)
    assert compound in _cells(exported)
    no_traceback(page)
