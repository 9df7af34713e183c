"""Hardening, as a phone user sees it: an uploaded roster leaves nothing on the server once
imported or cancelled, and is never served; a sign-up that keeps finding numbers registered
is told to wait."""

import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from test_accounts import log_in, open_page, wait_until

from app.settings import Settings
from app.timeutil import utcnow
from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e

expect.set_options(timeout=15_000)

STAFF = "13800000002"  # the roster tests' staff member (锦官驿社区)


def _kept(server: "AppServer", others: set[Path]) -> list[Path]:
    """The files the server keeps for imports, but those `others` (other tests' tabs, left
    without importing, wait there for housekeeping)."""
    folder = server.upload_dir
    assert folder is not None
    return sorted(set(folder.iterdir()) - others) if folder.is_dir() else []


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _choose(page: Page, name: str, content: bytes) -> None:
    page.locator("#roster input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    expect(page.get_by_role("main").get_by_text(name, exact=True)).to_be_visible()


def test_an_uploaded_roster_is_gone_once_imported_or_cancelled_and_never_served(
    app_server: "AppServer", page: Page
):
    server = app_server
    compound, building, unit, door = server.sql(
        "SELECT c.name, b.number, u.number, h.door FROM household h "
        "JOIN compound c ON c.id = h.compound_id JOIN building b ON b.id = h.building_id "
        'JOIN unit u ON u.id = h.unit_id JOIN "user" s ON s.community_id = h.community_id '
        "WHERE s.mobile = :m ORDER BY h.id LIMIT 1",
        m=STAFF,
    )[0]
    name = f"上传测{utcnow():%H%M%S%f}"[:10]
    rows = ["小区,楼栋,单元,门牌号,姓名,性别", f"{compound},{building},{unit},{door},{name},女"]
    content = ("\n".join(rows) + "\n").encode()

    log_in(page, server, STAFF)
    open_page(page, server, "/registry/import")
    main = page.get_by_role("main")
    others = set(_kept(server, set()))

    # Chosen: the file waits on the server under a random name, which no one can fetch.
    _choose(page, "新住户.csv", content)
    wait_until(lambda: len(_kept(server, others)) == 1, "the upload kept for the import")
    kept = _kept(server, others)[0]
    assert "新住户" not in kept.name
    assert _status(server.url(f"/_upload/{kept.name}")) == 404
    assert _status(server.url(f"/_upload/roster/{kept.name}")) == 404
    assert page.request.get(server.url(f"/_upload/{kept.name}")).status == 404  # logged in too

    # Checked and imported: the person is in the register, the file is gone.
    main.get_by_role("button", name=ZH["roster.check"], exact=True).click()
    main.get_by_role("button", name=ZH["roster.import_now"], exact=True).click()
    expect(main.get_by_role("status")).to_contain_text(re.compile("^导入完成：新增 1 人"))
    assert server.sql("SELECT count(*) FROM resident WHERE name = :n", n=name)[0][0] == 1
    wait_until(lambda: _kept(server, others) == [], "the imported file removed")
    assert _status(server.url(f"/_upload/{kept.name}")) == 404

    # Chosen again and cancelled: the page lets the file go, and so does the server.
    _choose(page, "再来一次.csv", content)
    wait_until(lambda: len(_kept(server, others)) == 1, "the second upload kept")
    main.get_by_role("button", name=ZH["roster.cancel"], exact=True).click()
    expect(main.get_by_text("再来一次.csv", exact=True)).to_have_count(0)
    expect(main.get_by_role("button", name=ZH["roster.check"], exact=True)).to_have_count(0)
    wait_until(lambda: _kept(server, others) == [], "the cancelled file removed")


def test_a_sign_up_that_keeps_finding_numbers_registered_is_told_to_wait(
    app_server: "AppServer", page: Page
):
    """Each refusal says the number is registered, so a client may ask only so often. All
    browser tests share one client address: the refusals are removed afterwards."""
    server = app_server
    limit = Settings().signup_max_refusals_per_client
    taken = [m for (m,) in server.sql('SELECT mobile FROM "user" ORDER BY id LIMIT :n', n=limit)]
    address = server.sql("SELECT address FROM household ORDER BY id LIMIT 1")[0][0]

    def refusals() -> int:
        return server.sql("SELECT count(*) FROM signupattempt")[0][0]

    server.sql("DELETE FROM signupattempt")  # what other tests' refusals left
    try:
        open_page(page, server, "/register")
        page.get_by_label(ZH["register.name"], exact=True).fill("试探者")
        page.get_by_label(ZH["register.password"], exact=True).fill("Abc12345")
        page.get_by_label(ZH["register.community"], exact=True).click()
        page.get_by_role("option", name=re.compile("锦官驿社区")).click()
        page.get_by_label(ZH["register.address"], exact=True).fill(address)
        mobile = page.get_by_label(ZH["register.mobile"], exact=True)
        submit = page.get_by_role("button", name=ZH["register.submit"], exact=True)
        for i, number in enumerate(taken, start=1):
            mobile.fill(number)
            submit.click()
            wait_until(lambda i=i: refusals() == i, f"refusal {i}")
            expect(page.get_by_text(ZH["errors.mobile_taken"], exact=True)).to_be_visible()
        # Even a free number is not answered now: its success would tell as much.
        mobile.fill("13655550000")
        submit.click()
        expect(page.get_by_role("alert").filter(has_text="注册尝试次数过多")).to_have_text(
            re.compile(r"^注册尝试次数过多，请 \d+ 分钟后再试$")
        )
        assert not server.sql('SELECT id FROM "user" WHERE mobile = :m', m="13655550000")
    finally:
        server.sql("DELETE FROM signupattempt")
