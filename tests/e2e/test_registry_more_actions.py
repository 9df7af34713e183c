"""The register's last unpressed actions, pressed by 清泉社区's staff in a real browser: the audit
log's "load more", a new compound and a new grid, a volunteer put in that grid, and a roster file
the upload refuses. Everything made here has a unique name and is removed at the end."""

import secrets
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from test_accounts import log_in, no_traceback, open_page, wait_until

from app.community.register_io import MAX_BYTES
from app.community.service import mask_mobile
from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e

expect.set_options(timeout=15_000)

STAFF = "13800000003"  # 清泉社区
A_VOLUNTEER = "13900000011"  # of 清泉社区: the account the test's own volunteer is copied from
PAGE_SIZE = 50  # audit lines the page shows at a time


def _community(server: "AppServer") -> int:
    return server.sql('SELECT community_id FROM "user" WHERE mobile = :m', m=STAFF)[0][0]


def _form(page: Page, title_key: str):
    return (
        page.get_by_role("main")
        .locator("form")
        .filter(has=page.get_by_role("heading", name=ZH[title_key]))
    )


def test_staff_load_more_of_the_audit_log(app_server: "AppServer", page: Page):
    server = app_server
    community = _community(server)
    staff_id = server.sql('SELECT id FROM "user" WHERE mobile = :m', m=STAFF)[0][0]
    marker = f"更多测试-{secrets.token_hex(3)}"
    # Old entries, so they sort after everything real: more than one page in all.
    for i in range(PAGE_SIZE + 5):
        server.sql(
            "INSERT INTO auditentry (at, actor_id, community_id, action, subject, detail)"
            " VALUES (:at, :a, :c, 'reveal.mobile', 'resident:0', :d)",
            at=f"2001-01-01 00:{i // 60:02d}:{i % 60:02d}",
            a=staff_id,
            c=community,
            d=f"{marker}-{i:02d}",
        )
    total = server.sql("SELECT count(*) FROM auditentry WHERE community_id = :c", c=community)[0][0]
    try:
        log_in(page, server, STAFF)
        open_page(page, server, "/registry/audit")
        main = page.get_by_role("main")
        lines = main.locator(".list-row")
        expect(lines).to_have_count(PAGE_SIZE)
        oldest = main.get_by_text(f"{marker}-00", exact=True)
        expect(oldest).to_have_count(0)

        main.get_by_role("button", name=ZH["common.more"], exact=True).click()
        expect(lines).to_have_count(min(total, 2 * PAGE_SIZE))
        more = main.get_by_role("button", name=ZH["common.more"], exact=True)
        if total <= 2 * PAGE_SIZE:  # the last page: the oldest line is there, no more button
            expect(lines.last).to_contain_text(ZH["audit.reveal.mobile"])
            expect(oldest).to_be_visible()
            expect(more).to_have_count(0)
        else:
            expect(more).to_be_visible()
        no_traceback(page)
    finally:
        server.sql("DELETE FROM auditentry WHERE detail LIKE :d", d=f"{marker}-%")


def test_staff_add_a_compound_and_a_grid_and_put_a_volunteer_in_it(
    app_server: "AppServer", page: Page
):
    server = app_server
    community = _community(server)
    token = secrets.token_hex(3)
    compound, grid = f"测试苑{token}", f"测试网格{token}"
    worker_mobile = "13612345678"
    volunteer = f"网格测试员{token}"
    volunteer_mobile = f"139{secrets.randbelow(10**8):08d}"
    # The test's own volunteer (a copy of a demo one), so no demo account changes grid.
    server.sql(
        'INSERT INTO "user" (mobile, name, password_hash, role, community_id, claimed_address,'
        " locale, is_active, created_at) SELECT :m, :n, password_hash, role, community_id,"
        ' claimed_address, locale, is_active, created_at FROM "user" WHERE mobile = :v',
        m=volunteer_mobile,
        n=volunteer,
        v=A_VOLUNTEER,
    )
    try:
        log_in(page, server, STAFF)
        open_page(page, server, "/registry/places")
        main = page.get_by_role("main")
        expect(page.get_by_role("heading", name=ZH["places.title"], level=1)).to_be_visible()

        # A compound: its card appears, with no households yet.
        form = _form(page, "places.add_compound")
        form.get_by_label(ZH["places.compound_name"], exact=True).fill(compound)
        form.get_by_label(ZH["places.compound_address"], exact=True).fill("清泉路 1 号")
        form.get_by_role("button", name=ZH["places.add_compound"]).click()
        compound_card = (
            main.locator(".rt-Card")
            .filter(has=page.get_by_text(compound, exact=True))
            .filter(has_not=page.locator("form"))
        )
        expect(compound_card).to_be_visible()
        expect(compound_card).to_contain_text(f"0{ZH['places.households_suffix']}")
        expect(form.get_by_label(ZH["places.compound_name"], exact=True)).to_have_value("")
        assert server.sql(
            "SELECT address FROM compound WHERE community_id = :c AND name = :n",
            c=community,
            n=compound,
        ) == [("清泉路 1 号",)]

        # A grid: its card shows the worker (mobile masked) and empty counts.
        form = _form(page, "places.add_grid")
        form.get_by_label(ZH["places.grid_name"], exact=True).fill(grid)
        form.get_by_label(ZH["places.worker_name"], exact=True).fill("网格员甲")
        form.get_by_label(ZH["places.worker_mobile"], exact=True).fill(worker_mobile)
        form.get_by_role("button", name=ZH["places.add_grid"]).click()
        grid_card = main.locator(".rt-Card").filter(has=page.get_by_text(grid, exact=True))
        expect(grid_card).to_be_visible()
        expect(grid_card).to_contain_text(f"网格员甲 {mask_mobile(worker_mobile)}")

        def counts(volunteers: int) -> str:
            return (
                f"0{ZH['places.buildings_suffix']} · 0{ZH['places.households_suffix']} · "
                f"{volunteers}{ZH['places.volunteers_suffix']}"
            )

        expect(grid_card.get_by_text(counts(0), exact=True)).to_be_visible()
        grid_id = server.sql(
            "SELECT id FROM grid WHERE community_id = :c AND name = :n", c=community, n=grid
        )[0][0]

        # The volunteer is put in the new grid: the select and the grid's count say so.
        select = main.get_by_role(
            "combobox", name=f"{ZH['places.grid_of_volunteer']} {volunteer}", exact=True
        )
        expect(select).to_have_text(ZH["places.no_grid"])
        select.click()
        page.get_by_role("option", name=grid, exact=True).click()
        expect(select).to_have_text(grid)
        expect(grid_card.get_by_text(counts(1), exact=True)).to_be_visible()
        wait_until(
            lambda: (
                server.sql('SELECT grid_id FROM "user" WHERE mobile = :m', m=volunteer_mobile)
                == [(grid_id,)]
            ),
            "the volunteer's grid saved",
        )
        no_traceback(page)
    finally:
        server.sql('DELETE FROM "user" WHERE mobile = :m', m=volunteer_mobile)
        server.sql("DELETE FROM grid WHERE community_id = :c AND name = :n", c=community, n=grid)
        server.sql(
            "DELETE FROM compound WHERE community_id = :c AND name = :n", c=community, n=compound
        )


def test_staff_see_why_a_too_large_roster_is_refused(app_server: "AppServer", page: Page):
    server = app_server
    log_in(page, server, STAFF)
    open_page(page, server, "/registry/import")
    main = page.get_by_role("main")
    # One byte over the limit, made in the page: handing the browser 50 MB over the wire took
    # over a minute on a busy machine. The dropzone refuses it before any upload; its empty
    # "drop" must not wipe the refusal (they race).
    page.locator("#roster input[type=file]").evaluate(
        """(input, size) => {
            const chosen = new DataTransfer();
            chosen.items.add(new File([new Uint8Array(size)], "太大的花名册.xlsx"));
            input.files = chosen.files;
            input.dispatchEvent(new Event("change", {bubbles: true}));
        }""",
        MAX_BYTES + 1,
    )
    alert = main.get_by_role("alert").filter(
        has_text=ZH["errors.file_too_large"].format(mb=MAX_BYTES // 2**20)
    )
    expect(alert).to_be_visible()
    expect(main.get_by_text("太大的花名册.xlsx")).to_have_count(0)  # no file was taken
    expect(main.get_by_role("button", name=ZH["roster.check"])).to_have_count(0)
    no_traceback(page)
