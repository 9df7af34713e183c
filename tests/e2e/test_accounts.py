"""Accounts end to end, as a phone user sees them: logging in per role, login errors and the
lockout, expired sessions, pages a role may not use, the language switch, resident
self-registration and linking, and how the pages fit a phone screen."""

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from app.demo import DEMO_PASSWORD
from app.settings import Settings
from app.ui.i18n import EN, ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e

expect.set_options(timeout=15_000)

ADMIN = "13800000000"
STREET_STAFF = "13800000009"
STAFF = "13800000001"
VOLUNTEER = "13900000001"
RESIDENT = "13700000001"

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
LOGIN_URL = re.compile(r"/login/?$")
REGISTER_URL = re.compile(r"/register/?$")
RESIDENTS_URL = re.compile(r"/residents/?$")
VOLUNTEER_SECTIONS_EN = [EN[f"nav.{s}"] for s in ("home", "doors", "today", "registry", "profile")]
# The bottom bar of each role: five sections at most, so each stays a thumb wide.
SECTIONS = {
    "staff": ("home", "screening", "registry", "volunteers", "profile"),
    "volunteer": ("home", "doors", "today", "registry", "profile"),
    "street_staff": ("home", "registry", "profile"),
    "admin": ("home", "registry", "profile"),
    "resident": ("home", "profile"),
}
HOME_TILES = ("home.households", "home.residents", "home.compounds", "home.volunteers")


# ---------------------------------------------------------------- helpers


def home_url(server: "AppServer") -> re.Pattern:
    return re.compile(re.escape(server.base_url) + r"/?$")


def wait_hydrated(page: Page) -> None:
    """Pages are pre-rendered: wait until React owns them, or a click would submit the bare
    HTML form (a GET with the password in the URL) instead of sending the event."""
    page.wait_for_function(
        "() => { const m = document.querySelector('main');"
        " return !!m && Object.keys(m).some(k => k.startsWith('__react')); }"
    )


def open_page(page: Page, server: "AppServer", path: str) -> None:
    page.goto(server.url(path))
    wait_hydrated(page)


def submit_login(page: Page, server: "AppServer", mobile: str, password: str) -> None:
    if not LOGIN_URL.search(page.url):
        open_page(page, server, "/login")
    page.get_by_label(ZH["login.mobile"], exact=True).fill(mobile)
    page.get_by_label(ZH["login.password"], exact=True).fill(password)
    page.get_by_role("button", name=ZH["login.submit"], exact=True).click()


def greeting(page: Page, server: "AppServer", mobile: str):
    """The home page's greeting heading, in the user's language."""
    catalog = EN if user_locale(server, mobile) == "en" else ZH
    return page.get_by_role("heading", name=catalog["home.greeting"] + user_name(server, mobile))


def log_in(page: Page, server: "AppServer", mobile: str, password: str = DEMO_PASSWORD) -> str:
    """Log in and wait for the home page; returns the user's name."""
    submit_login(page, server, mobile, password)
    expect(page).to_have_url(home_url(server))
    expect(greeting(page, server, mobile)).to_be_visible()
    return user_name(server, mobile)


def user_name(server: "AppServer", mobile: str) -> str:
    rows = server.sql('SELECT name FROM "user" WHERE mobile = :m', m=mobile)
    assert rows, f"no user with mobile {mobile}"
    return rows[0][0]


def user_locale(server: "AppServer", mobile: str) -> str:
    return server.sql('SELECT locale FROM "user" WHERE mobile = :m', m=mobile)[0][0]


def wait_until(check, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        time.sleep(0.1)


def server_settings_window() -> int:
    """The lockout lasts the login window (15 minutes unless LOGIN_WINDOW_MINUTES is set)."""
    return Settings().login_window_minutes


def nav(page: Page):
    """The bottom navigation, named in the page's language."""
    return page.get_by_role(
        "navigation", name=re.compile(f"^({ZH['nav.label']}|{EN['nav.label']})$")
    )


def below(page: Page, message, field) -> None:
    """`message` is shown right under `field` (within the same field block)."""
    expect(message).to_be_visible()
    box, under = field.bounding_box(), message.bounding_box()
    assert box and under
    gap = under["y"] - (box["y"] + box["height"])
    assert -1 <= gap <= 48, f"message is {gap:.0f}px from its field"
    assert under["x"] < box["x"] + box["width"] and under["x"] + under["width"] > box["x"]


def no_traceback(page: Page) -> None:
    content = page.content()
    assert "Traceback" not in content
    assert 'File "' not in content


# ---------------------------------------------------------------- 1. every role


ROLES = [
    pytest.param(ADMIN, "admin", id="admin"),
    pytest.param(STREET_STAFF, "street_staff", id="street_staff"),
    pytest.param(STAFF, "staff", id="staff"),
    pytest.param(VOLUNTEER, "volunteer", id="volunteer"),
    pytest.param(RESIDENT, "resident", id="resident"),
]


@pytest.mark.all_backends
@pytest.mark.parametrize(("mobile", "role"), ROLES)
def test_every_role_logs_in_and_sees_their_home(
    app_server: "AppServer", page: Page, mobile: str, role: str
):
    server = app_server
    log_in(page, server, mobile)
    main = page.get_by_role("main")

    # The role badge sits right under the greeting.
    badge = greeting(page, server, mobile).locator("xpath=following-sibling::*[1]")
    expect(badge).to_have_text(ZH[f"role.{role}"])
    sections = [ZH[f"nav.{s}"] for s in SECTIONS[role]]
    expect(nav(page).get_by_role("link")).to_have_text(sections)

    if role in ("staff", "volunteer"):
        for key in HOME_TILES:  # tile labels (the role badge may read 志愿者 too)
            tile = main.get_by_role("paragraph").filter(has_text=re.compile(f"^{ZH[key]}$"))
            expect(tile).to_be_visible()
        households = server.sql(
            "SELECT count(*) FROM household WHERE community_id = "
            '(SELECT community_id FROM "user" WHERE mobile = :m)',
            m=mobile,
        )[0][0]
        expect(main.get_by_text(f"{households:,}", exact=True)).to_be_visible()
        expect(main.get_by_text(ZH["home.communities"])).to_have_count(0)
    elif role in ("street_staff", "admin"):
        expect(main.get_by_role("heading", name=ZH["home.communities"])).to_be_visible()
        for community in ("锦官驿社区", "清泉社区"):
            expect(main.get_by_text(community, exact=True)).to_be_visible()
        expect(main.get_by_text(ZH["home.households"], exact=True)).to_be_visible()
    else:
        expect(main.get_by_role("heading", name=ZH["home.my_household"])).to_be_visible()
        household = server.sql(
            'SELECT h.id, h.address FROM household h JOIN "user" u ON u.household_id = h.id '
            "WHERE u.mobile = :m",
            m=mobile,
        )
        assert household, "the demo resident should be linked to a household"
        household_id, address = household[0]
        expect(main.get_by_text(address, exact=True)).to_be_visible()
        expect(main.get_by_text(ZH["home.members"], exact=True)).to_be_visible()
        members = [
            r[0]
            for r in server.sql("SELECT name FROM resident WHERE household_id = :h", h=household_id)
        ]
        assert members
        for member in members:
            expect(main.get_by_text(member, exact=True).first).to_be_visible()
        expect(main.get_by_text(ZH["home.households"], exact=True)).to_have_count(0)
    no_traceback(page)


# ---------------------------------------------------------------- 2. login errors


def test_login_errors_are_shown_next_to_the_field(app_server: "AppServer", page: Page):
    server = app_server
    password = page.get_by_label(ZH["login.password"], exact=True)
    mobile = page.get_by_label(ZH["login.mobile"], exact=True)
    wrong = page.get_by_text(ZH["errors.wrong_credentials"])

    submit_login(page, server, "13800000002", "Wrong2026")
    below(page, wrong, password)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(LOGIN_URL)

    submit_login(page, server, "12345", "Whatever1")
    malformed = page.get_by_text(re.compile("^手机号格式不对"))
    below(page, malformed, mobile)
    expect(mobile).to_have_attribute("aria-invalid", "true")
    expect(wrong).to_have_count(0)
    expect(page).to_have_url(LOGIN_URL)

    submit_login(page, server, "13611112222", "Whatever1")  # no such account
    below(page, wrong, password)
    expect(malformed).to_have_count(0)
    expect(page).to_have_url(LOGIN_URL)
    no_traceback(page)


# ---------------------------------------------------------------- 3. lockout


def test_too_many_attempts_locks_the_number(app_server: "AppServer", page: Page):
    server = app_server
    mobile = "13900000014"  # used by no other test
    locked = page.get_by_text(re.compile(r"^尝试次数过多，请 (\d+) 分钟后再试$"))

    def failures() -> int:
        return server.sql("SELECT count(*) FROM loginattempt WHERE mobile = :m", m=mobile)[0][0]

    for attempt in range(1, 6):
        submit_login(page, server, mobile, f"Wrong{attempt}xyz")
        expect(page.get_by_text(ZH["errors.wrong_credentials"])).to_be_visible()
        wait_until(lambda n=attempt: failures() == n, f"{attempt} failed logins recorded")
    expect(locked).to_have_count(0)

    submit_login(page, server, mobile, "Wrong6xyz")
    expect(locked).to_be_visible()
    minutes = int(re.search(r"\d+", locked.inner_text()).group())
    assert minutes == server_settings_window(), locked.inner_text()
    expect(page.get_by_text(ZH["errors.wrong_credentials"])).to_have_count(0)

    # Even the right password is refused now, and no session is opened.
    submit_login(page, server, mobile, DEMO_PASSWORD)
    page.wait_for_timeout(1000)
    expect(locked).to_be_visible()
    expect(page).to_have_url(LOGIN_URL)
    sessions = server.sql(
        "SELECT count(*) FROM loginsession "
        'WHERE user_id = (SELECT id FROM "user" WHERE mobile = :m)',
        m=mobile,
    )[0][0]
    assert sessions == 0
    assert failures() == 5, "a refused attempt during the lockout is not counted again"


# ---------------------------------------------------------------- 4. sessions


def test_expired_session_sends_back_to_login(app_server: "AppServer", new_context):
    server = app_server
    mobile = "13900000002"
    page = new_context().new_page()
    log_in(page, server, mobile)

    server.sql(
        "UPDATE loginsession SET expires_at = '2020-01-01 00:00:00' "
        'WHERE user_id = (SELECT id FROM "user" WHERE mobile = :m)',
        m=mobile,
    )
    page.reload()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_text(ZH["login.expired"], exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=ZH["login.submit"], exact=True)).to_be_visible()

    # Without any session: sent to login, asked to log in first.
    fresh = new_context().new_page()
    fresh.goto(server.url("/"))
    expect(fresh).to_have_url(LOGIN_URL)
    expect(fresh.get_by_text(ZH["login.required"], exact=True)).to_be_visible()
    expect(fresh.get_by_text(ZH["login.expired"], exact=True)).to_have_count(0)


def test_the_session_cookie_is_out_of_scripts_reach(app_server: "AppServer", new_context):
    server = app_server
    page = new_context().new_page()
    log_in(page, server, "13900000003")
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "cep_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "cep_session" not in page.evaluate("document.cookie")

    open_page(page, server, "/profile")
    page.get_by_role("button", name=ZH["profile.logout"]).click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_text(ZH["login.logged_out"], exact=True)).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "cep_session"]
    # The old cookie, kept by someone, opens nothing: the server ended that session.
    kept = new_context()
    kept.add_cookies([cookie])
    again = kept.new_page()
    again.goto(server.url("/"))
    expect(again).to_have_url(LOGIN_URL)


# ---------------------------------------------------------------- 5. forbidden pages


def test_resident_cannot_open_the_staff_page(app_server: "AppServer", page: Page):
    server = app_server
    log_in(page, server, "13700000002")
    expect(page.get_by_role("link", name=ZH["home.review_residents"])).to_have_count(0)

    open_page(page, server, "/residents")
    expect(page.get_by_role("heading", name=ZH["forbidden.title"])).to_be_visible()
    expect(page.get_by_text(ZH["forbidden.body"])).to_be_visible()
    back = page.get_by_role("button", name=ZH["forbidden.back"])
    expect(back).to_be_visible()
    expect(page.get_by_text(ZH["residents.empty"])).to_have_count(0)
    no_traceback(page)

    back.click()
    expect(page).to_have_url(home_url(server))
    expect(page.get_by_role("heading", name=re.compile("^" + ZH["home.greeting"]))).to_be_visible()


# ---------------------------------------------------------------- 6. language


def test_language_is_remembered_per_user(app_server: "AppServer", new_context):
    server = app_server
    mobile = "13900000003"  # used by no other test
    try:
        page = new_context().new_page()
        name = log_in(page, server, mobile)
        nav(page).get_by_role("link", name=ZH["nav.profile"], exact=True).click()
        expect(page.get_by_role("heading", name=ZH["profile.title"], level=1)).to_be_visible()

        page.get_by_role("radio", name="English").click()
        expect(page.get_by_role("heading", name=EN["profile.title"], level=1)).to_be_visible()
        expect(page.get_by_role("button", name=EN["profile.logout"])).to_be_visible()
        expect(nav(page).get_by_role("link")).to_have_text(VOLUNTEER_SECTIONS_EN)
        expect(page.get_by_text(EN["role.volunteer"], exact=True)).to_be_visible()
        wait_until(lambda: user_locale(server, mobile) == "en", "the choice saved for the user")

        page.get_by_role("button", name=EN["profile.logout"]).click()
        expect(page).to_have_url(LOGIN_URL)
        expect(page.get_by_text(EN["login.logged_out"], exact=True)).to_be_visible()

        # Another phone (no cookies): the login page is Chinese, the app after login English.
        other = new_context().new_page()
        log_in(other, server, mobile)
        expect(other.get_by_role("heading", name=f"{EN['home.greeting']}{name}")).to_be_visible()
        expect(nav(other).get_by_role("link")).to_have_text(VOLUNTEER_SECTIONS_EN)

        nav(other).get_by_role("link", name=EN["nav.profile"], exact=True).click()
        other.get_by_role("radio", name="中文").click()
        expect(other.get_by_role("heading", name=ZH["profile.title"], level=1)).to_be_visible()
        expect(other.get_by_role("button", name=ZH["profile.logout"])).to_be_visible()
        wait_until(lambda: user_locale(server, mobile) == "zh", "Chinese saved again")
    finally:
        server.sql("UPDATE \"user\" SET locale = 'zh' WHERE mobile = :m", m=mobile)


# ---------------------------------------------------------------- 7. registration


def test_resident_registers_and_staff_link_the_household(app_server: "AppServer", new_context):
    server = app_server
    name, mobile = "测试居民", "13600000123"
    address = server.sql(
        "SELECT address FROM household WHERE community_id = "
        "(SELECT id FROM community WHERE name = '锦官驿社区') ORDER BY id LIMIT 1"
    )[0][0]

    def saved() -> int:
        return server.sql('SELECT count(*) FROM "user" WHERE mobile = :m', m=mobile)[0][0]

    page = new_context().new_page()
    open_page(page, server, "/register")
    expect(page.get_by_role("heading", name=ZH["register.title"])).to_be_visible()
    page.get_by_label(ZH["register.name"], exact=True).fill(name)
    page.get_by_label(ZH["register.mobile"], exact=True).fill(mobile)
    password = page.get_by_label(ZH["register.password"], exact=True)
    password.fill("abc")
    page.get_by_label(ZH["register.community"], exact=True).click()
    page.get_by_role("option", name=re.compile("锦官驿社区")).click()
    expect(page.get_by_label(ZH["register.community"], exact=True)).to_contain_text("锦官驿社区")
    page.get_by_label(ZH["register.address"], exact=True).fill(address)
    submit = page.get_by_role("button", name=ZH["register.submit"], exact=True)
    submit.click()

    below(page, page.get_by_text(ZH["errors.password_weak"], exact=True), password)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(REGISTER_URL)
    assert saved() == 0

    # Same form, a good password: registered, sent to login with the notice.
    password.fill("Abc12345")
    submit.click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_text(ZH["register.done"], exact=True)).to_be_visible()
    assert saved() == 1
    log_in(page, server, mobile, "Abc12345")
    main = page.get_by_role("main")
    expect(main.get_by_text(ZH["role.resident"], exact=True)).to_be_visible()
    expect(main.get_by_text(re.compile("^社区正在核对您的住址"))).to_be_visible()

    # Staff of the community link the new resident to the household.
    staff = new_context().new_page()
    log_in(staff, server, STAFF)
    expect(staff.get_by_text(re.compile("^" + ZH["home.pending_residents"]))).to_be_visible()
    staff.get_by_role("link", name=ZH["home.review_residents"]).click()
    expect(staff).to_have_url(RESIDENTS_URL)
    expect(staff.get_by_role("heading", name=ZH["residents.title"], level=1)).to_be_visible()
    card = staff.locator("form").filter(has=staff.get_by_text(name, exact=True))
    expect(card).to_have_count(1)
    expect(card.get_by_text(address)).to_be_visible()
    expect(card.get_by_label(ZH["residents.household_address"])).to_have_value(address)
    card.get_by_role("button", name=ZH["residents.link"], exact=True).click()
    expect(
        staff.get_by_text(ZH["residents.linked"].format(name=name, address=address))
    ).to_be_visible()
    expect(card).to_have_count(0)
    no_traceback(staff)

    # The resident, on a fresh phone, now sees the household.
    again = new_context().new_page()
    log_in(again, server, mobile, "Abc12345")
    main = again.get_by_role("main")
    expect(main.get_by_role("heading", name=ZH["home.my_household"])).to_be_visible()
    expect(main.get_by_text(address, exact=True)).to_be_visible()
    expect(main.get_by_text(re.compile("^社区正在核对您的住址"))).to_have_count(0)


# ---------------------------------------------------------------- 8. phone layout

SIZES = [(390, 844), (360, 780)]

# With is_mobile the layout viewport grows to fit content that overflows (window.innerWidth
# follows it), so the screen width to compare with is the one the page was opened with.
OVERFLOW_JS = """() => {
    const screenWidth = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
        .filter(e => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.height > 1 && getComputedStyle(e).visibility !== 'hidden'
                && (r.right > screenWidth + 1 || r.left < -1);
        })
        .map(e => `<${e.tagName.toLowerCase()} class="${e.className}">`
                  + ` ${e.textContent.slice(0, 30)}`);
    return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        screenWidth,
        wide: wide.slice(0, 5),
    };
}"""


def check_fits(page: Page, shot: str, width: int, targets, problems: list[str]) -> None:
    """Screenshot the page, then note anything wider than the phone and any tap target under
    44 px; the test fails at the end, so every screenshot is still taken."""
    page.wait_for_timeout(300)  # let fonts and transitions settle
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{shot}-{width}.png", full_page=True)
    where = f"{shot} at {width}px"
    fit = page.evaluate(OVERFLOW_JS)
    if not fit["scrollWidth"] <= fit["innerWidth"] == fit["screenWidth"] == width:
        problems.append(f"{where}: wider than the screen: {fit}")
    elif fit["wide"]:
        problems.append(f"{where}: elements past the screen edge: {fit['wide']}")
    no_traceback(page)
    for target in targets:
        expect(target.first).to_be_visible()
        for i in range(target.count()):
            box = target.nth(i).bounding_box()
            if not box or box["height"] < 44:
                height = f"{box['height']:.0f}px" if box else "not laid out"
                problems.append(
                    f"{where}: {target.nth(i).inner_text()!r} is {height} tall (< 44px)"
                )


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[str(w) for w, _ in SIZES])
def test_pages_fit_a_phone(app_server: "AppServer", new_context, width: int, height: int):
    server = app_server
    viewport = {"width": width, "height": height}
    problems: list[str] = []

    page = new_context(viewport).new_page()
    open_page(page, server, "/login")
    login_button = page.get_by_role("button", name=ZH["login.submit"], exact=True)
    check_fits(page, "login", width, [login_button], problems)
    open_page(page, server, "/register")
    expect(page.get_by_role("heading", name=ZH["register.title"])).to_be_visible()
    register_button = page.get_by_role("button", name=ZH["register.submit"], exact=True)
    check_fits(page, "register", width, [register_button], problems)

    staff = new_context(viewport).new_page()
    log_in(staff, server, "13800000002")
    links = nav(staff).get_by_role("link")
    check_fits(staff, "home-staff", width, [links], problems)

    links.filter(has_text=ZH["nav.profile"]).click()
    logout = staff.get_by_role("button", name=ZH["profile.logout"])
    expect(logout).to_be_visible()
    check_fits(staff, "profile", width, [logout, links], problems)

    open_page(staff, server, "/residents")
    expect(staff.get_by_role("heading", name=ZH["residents.title"], level=1)).to_be_visible()
    link_buttons = staff.get_by_role("button", name=ZH["residents.link"], exact=True)
    check_fits(staff, "residents", width, [link_buttons, links], problems)

    resident = new_context(viewport).new_page()
    log_in(resident, server, "13700000003")
    expect(resident.get_by_role("heading", name=ZH["home.my_household"])).to_be_visible()
    check_fits(resident, "home-resident", width, [nav(resident).get_by_role("link")], problems)

    assert not problems, "\n".join(problems)
