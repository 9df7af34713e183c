"""Every page of the app, as a role that can use it, on a 390 px and a 360 px phone, in Chinese
and in English: no serious or critical axe-core violation, nothing wider than the screen, and
every tap target at least 44 px tall. Screenshots land in tests/e2e/screenshots/ as
`<page>-<width>-<lang>.png`."""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from a11y import axe_violations, describe, small_targets
from playwright.sync_api import Page, expect
from test_accounts import OVERFLOW_JS, SCREENSHOTS, log_in, no_traceback, wait_hydrated

from app.ui.i18n import EN, ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e

WIDTHS = (390, 360)
HEIGHT = 844
STAFF = "13800000002"
VOLUNTEER = "13900000001"  # grid 1 of 锦官驿社区, where the demo round is under way
RESIDENT = "13700000001"
CATALOGS = {"zh": ZH, "en": EN}


@dataclass(frozen=True)
class Screen:
    shot: str  # the screenshot's name
    path: str  # a route, or "" for a screen reached by tapping (the door visit)
    heading_key: str  # the catalog key of a heading that says the page has loaded


def _household(server: "AppServer", mobile: str) -> int:
    """A household of the user's community with people in it (their own, for a resident)."""
    return server.sql(
        'SELECT h.id FROM household h JOIN "user" u ON u.mobile = :m'
        " WHERE h.community_id = u.community_id"
        " AND (u.household_id IS NULL OR h.id = u.household_id)"
        " AND EXISTS (SELECT 1 FROM resident r WHERE r.household_id = h.id)"
        " ORDER BY h.id LIMIT 1",
        m=mobile,
    )[0][0]


def _buy(server: "AppServer", title: str) -> int:
    return server.sql("SELECT id FROM groupbuy WHERE title = :t", t=title)[0][0]


def _testing_round(server: "AppServer") -> int:
    """A testing round of the staff member's community (planned for the check if none)."""
    from sqlmodel import Session, create_engine, select

    from app.accounts.models import User
    from app.testing import service as testing
    from app.timeutil import today_local

    found = server.sql(
        'SELECT t.id FROM testinground t JOIN "user" u ON u.community_id = t.community_id'
        " WHERE u.mobile = :m ORDER BY t.id DESC LIMIT 1",
        m=STAFF,
    )
    if found:
        return found[0][0]
    engine = create_engine(server.database_url)
    try:
        with Session(engine) as db:
            staff = db.exec(select(User).where(User.mobile == STAFF)).one()
            assert staff.community_id is not None
            data = {"name": "无障碍检查轮次", "test_date": today_local(), "mode": "pool10"}
            planned = testing.plan_round(db, staff, staff.community_id, data)
            assert planned.id is not None
            return planned.id
    finally:
        engine.dispose()


def screens(server: "AppServer", role: str) -> list[Screen]:
    if role == "public":
        return [
            Screen("login", "/login", "login.title"),
            Screen("register", "/register", "register.title"),
            Screen("volunteer-apply", "/volunteer/apply", "apply.title"),
        ]
    if role == "staff":
        arrived = _buy(server, "大米食用油")
        return [
            Screen("home-staff", "/", "nav.home"),
            Screen("profile", "/profile", "profile.title"),
            Screen("residents", "/residents", "residents.title"),
            Screen("registry", "/registry", "registry.title"),
            Screen("household", f"/household/{_household(server, STAFF)}", "household.title"),
            Screen("registry-places", "/registry/places", "places.title"),
            Screen("registry-audit", "/registry/audit", "audit.title"),
            Screen("registry-import", "/registry/import", "roster.title"),
            Screen("volunteers", "/volunteers", "applications.title"),
            Screen("screening", "/screening", "board.title"),
            Screen("screening-rules", "/screening/rules", "rules.title"),
            Screen("supplies-staff", "/supplies", "supplies.title"),
            Screen("supplies-new", "/supplies/new", "supplies.new"),
            Screen("supplies-buy-staff", f"/supplies/buy/{arrived}", "supplies.buy"),
            Screen("supplies-call", f"/supplies/call/{arrived}", "supplies.calling"),
            Screen("supplies-deliveries", "/supplies/deliveries", "supplies.deliveries"),
            Screen("volunteers-roster", "/volunteers/roster", "shifts.title"),
            Screen("volunteers-teams", "/volunteers/teams", "teams.title"),
            Screen(
                "testing-card-staff",
                f"/testing/card?h={_household(server, STAFF)}",
                "codecard.title",
            ),
            Screen("testing-rounds", "/testing", "testing.title"),
            Screen("testing-round", f"/testing/round/{_testing_round(server)}", "tround.title"),
        ]
    if role == "volunteer":
        return [
            Screen("home-volunteer", "/", "nav.home"),
            Screen("doors", "/doors", "doors.title"),
            Screen("visit", "", "visit.title"),
            Screen("today", "/today", "today.title"),
            Screen("arrival", "/arrival", "arrival.title"),
            Screen("testing-sample", "/testing/sample", "sampler.title"),
            Screen("testing-missed", "/testing/missed", "missed.title"),
            Screen("duty", "/duty", "duty.title"),
            Screen("supplies-errands", "/supplies/errands", "supplies.errands"),
        ]
    assert role == "resident"
    return [
        Screen("home-resident", "/", "nav.home"),
        Screen("health", "/health", "health.title"),
        Screen("supplies-resident", "/supplies", "supplies.title"),
        Screen("supplies-order", f"/supplies/buy/{_buy(server, '冻肉蔬菜套餐')}", "supplies.buy"),
        Screen("household-own", f"/household/{_household(server, RESIDENT)}", "household.title"),
        Screen("testing-codes", "/testing/codes", "codes.title"),
        Screen("testing-card", "/testing/card", "codecard.title"),
    ]


def open_screen(page: Page, server: "AppServer", screen: Screen, lang: str) -> None:
    catalog = CATALOGS[lang]
    if screen.path:
        page.goto(server.url(screen.path))
    else:  # the door visit: "next door" on my buildings
        page.get_by_role("link", name=catalog["doors.next"]).click()
        expect(page).to_have_url(re.compile(r"/visit\?r=\d+&h=\d+"))
    wait_hydrated(page)
    expect(page.get_by_role("heading", name=catalog[screen.heading_key]).first).to_be_visible()
    expect(page.locator("main .rt-Spinner")).to_have_count(0)
    expect(page.get_by_text(catalog["forbidden.title"])).to_have_count(0)
    no_traceback(page)


def check_screen(page: Page, shot: str, lang: str, problems: list[str]) -> None:
    """At each phone width: screenshot, then note violations, overflow and small targets."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.wait_for_timeout(300)  # let the layout, fonts and transitions settle
        page.screenshot(path=SCREENSHOTS / f"{shot}-{width}-{lang}.png", full_page=True)
        where = f"{shot} at {width}px ({lang})"
        if violations := axe_violations(page):
            problems.append(f"{where}: axe violations:\n{describe(violations)}")
        fit = page.evaluate(OVERFLOW_JS)
        if fit["scrollWidth"] > width or fit["wide"]:
            problems.append(f"{where}: wider than the screen: {fit}")
        if small := small_targets(page):
            problems.append(f"{where}: tap targets under 44px: {small}")


def set_locale(server: "AppServer", mobile: str, lang: str) -> None:
    server.sql('UPDATE "user" SET locale = :l WHERE mobile = :m', l=lang, m=mobile)


LOGINS = {"staff": STAFF, "volunteer": VOLUNTEER, "resident": RESIDENT}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ["public", "staff", "volunteer", "resident"])
def test_every_page_is_accessible_and_fits_a_phone(
    app_server: "AppServer", new_context, role: str, lang: str
):
    server = app_server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    context = new_context({"width": WIDTHS[0], "height": HEIGHT})
    page = context.new_page()
    mobile = LOGINS.get(role)
    try:
        if mobile is None:  # logged out: the language is the browser's cookie
            context.add_cookies([{"name": "cep_locale", "value": lang, "url": server.base_url}])
        else:  # logged in: the user's own language, which the app loads at login
            set_locale(server, mobile, lang)
            log_in(page, server, mobile)
        for screen in screens(server, role):
            open_screen(page, server, screen, lang)
            check_screen(page, screen.shot, lang, problems)
        if role == "volunteer":  # the offline field app, online, with my buildings downloaded
            page.goto(server.url("/field/"))
            expect(page.locator("#downloaded")).to_be_visible()
            expect(page.locator("#tab-doors")).to_have_text(CATALOGS[lang]["doors.title"])
            check_screen(page, "field", lang, problems)
    finally:
        if mobile is not None:
            set_locale(server, mobile, "zh")
    assert not problems, "\n".join(problems)
