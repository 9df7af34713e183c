"""The people register end to end, as a phone user sees it: search as you type, the household
file with masked numbers and audited reveals, the member form and its checks, what volunteers
and residents may see, places and grids, and how the pages fit a phone screen.

Everything compared is read from the database the server uses; tests that change data put it
back, so they can run in any order."""

import io
import re
from datetime import date
from typing import TYPE_CHECKING

import pytest
from openpyxl import Workbook
from playwright.sync_api import Locator, Page, expect
from test_accounts import (
    SIZES,
    below,
    check_fits,
    log_in,
    nav,
    no_traceback,
    open_page,
    wait_until,
)

from app.community.register_io import ROSTER_COLUMNS
from app.community.service import id_check_code, mask_id_number, mask_mobile
from app.timeutil import to_local, utcnow
from app.ui.i18n import ZH

if TYPE_CHECKING:
    from conftest import AppServer

pytestmark = pytest.mark.e2e

expect.set_options(timeout=15_000)

STAFF = "13800000001"
OTHER_STAFF = "13800000002"  # for the screenshots, so the audit log of STAFF stays readable
VOLUNTEER = "13900000004"  # used by no accounts test: its grid is changed here
RESIDENT = "13700000001"
OTHER_RESIDENT = "13700000002"

MASKED_MOBILE = re.compile(r"^1\d{2}\*{4}\d{4}$")
# Either refusal the app shows: the page-level notice, or the household file's own message.
REFUSED = re.compile(f"^{re.escape(ZH['forbidden.title'])}$")
GRID_COUNTS = re.compile(
    f"^\\d+{ZH['places.buildings_suffix']} · \\d+{ZH['places.households_suffix']} · "
    f"\\d+{ZH['places.volunteers_suffix']}$"
)


# ---------------------------------------------------------------- data


def community_of(server: "AppServer", mobile: str) -> int:
    return server.sql('SELECT community_id FROM "user" WHERE mobile = :m', m=mobile)[0][0]


def members_of(server: "AppServer", household_id: int) -> list[dict]:
    rows = server.sql(
        "SELECT id, name, sex, birth_date, mobile, id_number, relation, moved_in, moved_out, "
        "chronic_illness, no_smartphone FROM resident WHERE household_id = :h ORDER BY id",
        h=household_id,
    )
    return [dict(r._mapping) for r in rows]


def resident_row(server: "AppServer", resident_id: int) -> dict:
    return dict(server.sql("SELECT * FROM resident WHERE id = :i", i=resident_id)[0]._mapping)


def household(server: "AppServer", household_id: int) -> dict:
    row = server.sql(
        "SELECT h.id, h.address, h.door_key, c.name AS compound FROM household h "
        "JOIN compound c ON c.id = h.compound_id WHERE h.id = :h",
        h=household_id,
    )[0]
    return dict(row._mapping)


def pick_household(server: "AppServer", community_id: int, skip: int, members: int = 2) -> int:
    """A household of the community (the `skip`-th such) whose members all have a mobile and an
    ID number, nobody has moved in or out, and nobody is marked 慢性病 yet."""
    rows = server.sql(
        "SELECT h.id FROM household h JOIN resident r ON r.household_id = h.id "
        "WHERE h.community_id = :c GROUP BY h.id "
        "HAVING count(*) >= :n AND min(length(r.mobile)) = 11 AND min(length(r.id_number)) = 18 "
        "AND count(r.moved_in) = 0 AND count(r.moved_out) = 0 "
        "AND sum(CASE WHEN r.chronic_illness THEN 1 ELSE 0 END) = 0 "
        "ORDER BY h.id LIMIT 1 OFFSET :s",
        c=community_id,
        n=members,
        s=skip,
    )
    assert rows, "the demo data should have such households"
    return rows[0][0]


def free_id_number(server: "AppServer", born: date, female: bool) -> str:
    """A valid ID number for that birth date and sex that nobody in the register has."""
    for sequence in range(100):
        first17 = f"510104{born:%Y%m%d}{sequence:02d}{4 if female else 3}"
        number = first17 + id_check_code(first17)
        if not server.sql("SELECT 1 FROM resident WHERE id_number = :n", n=number):
            return number
    raise AssertionError("no free ID number")


def age_on_today(born: date) -> int:
    today = to_local(utcnow()).date()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# ---------------------------------------------------------------- page parts


def search_box(page: Page) -> Locator:
    return page.get_by_label(ZH["registry.search_label"], exact=True)


def hits(page: Page) -> Locator:
    """Result cards (links to the household); the staff tiles are hidden while searching."""
    return page.get_by_role("main").get_by_role("link")


def open_registry(page: Page) -> None:
    nav(page).get_by_role("link", name=ZH["nav.registry"], exact=True).click()
    expect(page.get_by_role("heading", name=ZH["registry.title"], level=1)).to_be_visible()
    expect(search_box(page)).to_be_visible()


def member_card(page: Page, name: str) -> Locator:
    return (
        page.get_by_role("main").locator(".rt-Card").filter(has=page.get_by_text(name, exact=True))
    )


def number_row(card: Locator, label_key: str) -> Locator:
    """The 手机 or 身份证 line of a member card (label, number, 显示)."""
    return card.get_by_text(ZH[label_key], exact=True).locator("xpath=..")


def member_form(page: Page, title_key: str = "household.edit_member") -> Locator:
    return page.get_by_role("dialog", name=ZH[title_key])


def audit_lines(page: Page) -> Locator:
    return page.get_by_role("main").locator(".list-row")


def open_audit(page: Page) -> None:
    open_registry(page)
    page.get_by_role("main").get_by_role("link", name=ZH["registry.audit"]).click()
    expect(page.get_by_role("heading", name=ZH["audit.title"], level=1)).to_be_visible()


def expect_refused(page: Page) -> None:
    main = page.get_by_role("main")
    expect(main.get_by_text(REFUSED).first).to_be_visible()
    expect(main.get_by_role("heading", level=2)).to_have_count(0)  # no address heading
    expect(main.get_by_role("button", name=ZH["household.edit"])).to_have_count(0)


# ---------------------------------------------------------------- 1. search


@pytest.mark.all_backends
def test_staff_search_as_you_type(app_server: "AppServer", page: Page):
    server = app_server
    community = community_of(server, STAFF)
    log_in(page, server, STAFF)
    open_registry(page)
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name=ZH["registry.places"])).to_be_visible()
    box = search_box(page)

    # A surname a few people of the community have (at least two of them with a phone).
    surname, count = server.sql(
        "SELECT substr(name, 1, 1) AS s, count(*) AS c FROM resident WHERE community_id = :c "
        "GROUP BY substr(name, 1, 1) HAVING count(*) BETWEEN 3 AND 8 "
        "AND sum(CASE WHEN mobile <> '' THEN 1 ELSE 0 END) >= 2 ORDER BY c DESC, s LIMIT 1",
        c=community,
    )[0]
    people = server.sql(
        "SELECT r.name, r.mobile, h.address FROM resident r "
        "JOIN household h ON h.id = r.household_id "
        "WHERE r.community_id = :c AND substr(r.name, 1, 1) = :s",
        c=community,
        s=surname,
    )
    assert len(people) == count
    box.press_sequentially(surname, delay=60)
    expect(hits(page)).to_have_count(count)
    for name, mobile, address in people:
        card = (
            hits(page)
            .filter(has=page.get_by_text(name, exact=True))
            .filter(has=page.get_by_text(address, exact=True))
        )
        expect(card).to_have_count(1)
        if mobile:
            expect(card.get_by_text(MASKED_MOBILE)).to_have_text(mask_mobile(mobile))
        expect(card).not_to_contain_text(mobile or "no number")
    expect(main.get_by_role("link", name=ZH["registry.places"])).to_have_count(0)

    # Building-unit in a compound: only that compound's doors of 3-2 (at most 20 shown).
    compound = server.sql(
        "SELECT name FROM compound WHERE community_id = :c ORDER BY id LIMIT 1", c=community
    )[0][0]
    doors = server.sql(
        "SELECT h.address FROM household h JOIN compound c ON c.id = h.compound_id "
        "WHERE c.name = :n AND h.community_id = :c AND h.door_key LIKE '3-2-%'",
        n=compound,
        c=community,
    )
    assert doors, f"{compound} should have a building 3 with a unit 2"
    query = f"{compound} 3-2"
    box.fill("")
    box.press_sequentially(query, delay=40)
    expect(hits(page)).to_have_count(min(20, len(doors)))
    expect(hits(page).filter(has_not_text=re.compile(f"^{re.escape(query)}-"))).to_have_count(0)
    # A door hit names who lives there.
    first = hits(page).first.get_by_text(re.compile(f"^{re.escape(query)}-")).inner_text()
    living = [
        r[0]
        for r in server.sql(
            "SELECT r.name FROM resident r JOIN household h ON h.id = r.household_id "
            "WHERE h.address = :a AND r.moved_out IS NULL ORDER BY r.id",
            a=first,
        )
    ]
    label = "、".join(living[:3]) + ("…" if len(living) > 3 else "")
    expect(hits(page).first.get_by_text(label, exact=True)).to_be_visible()

    # The last four digits of someone's mobile (digits that are no door number).
    name, mobile, address = server.sql(
        "SELECT r.name, r.mobile, h.address FROM resident r "
        "JOIN household h ON h.id = r.household_id "
        "WHERE r.community_id = :c AND r.mobile <> '' AND r.mobile_tail NOT IN "
        "(SELECT door FROM household WHERE community_id = :c) ORDER BY r.id LIMIT 1",
        c=community,
    )[0]
    box.fill(mobile[-4:])
    card = hits(page).filter(has=page.get_by_text(name, exact=True))
    expect(card.get_by_text(address, exact=True)).to_be_visible()
    expect(card.get_by_text(mask_mobile(mobile), exact=True)).to_be_visible()
    expect(hits(page).filter(has_not_text=mobile[-4:])).to_have_count(0)

    box.fill("zzqx")
    expect(main.get_by_text(ZH["registry.no_hits"], exact=True)).to_be_visible()
    expect(hits(page)).to_have_count(0)
    no_traceback(page)


# ---------------------------------------------------------------- 2. the household file


def test_household_file_and_audited_reveal(app_server: "AppServer", page: Page):
    server = app_server
    staff_name = log_in(page, server, STAFF)
    home = household(server, pick_household(server, community_of(server, STAFF), 0, members=3))
    members = members_of(server, home["id"])

    open_registry(page)
    search_box(page).fill(f"{home['compound']} {home['door_key']}")
    expect(hits(page)).to_have_count(1)
    hits(page).get_by_text(home["address"], exact=True).click()
    expect(page).to_have_url(re.compile(f"/household/{home['id']}/?$"))

    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name=home["address"], level=2)).to_be_visible()
    expect(main.get_by_text(f"{ZH['household.members_count']} {len(members)}")).to_be_visible()
    for m in members:
        card = member_card(page, m["name"])
        expect(card).to_have_count(1)
        expect(number_row(card, "household.mobile")).to_contain_text(mask_mobile(m["mobile"]))
        expect(number_row(card, "household.id_number")).to_contain_text(
            mask_id_number(m["id_number"])
        )
        expect(card).not_to_contain_text(m["mobile"])
        expect(card).not_to_contain_text(m["id_number"])

    person = members[0]

    def reveals() -> int:
        return server.sql(
            "SELECT count(*) FROM auditentry WHERE action = 'reveal.mobile' AND subject = :s",
            s=f"resident:{person['id']}",
        )[0][0]

    before = reveals()
    row = number_row(member_card(page, person["name"]), "household.mobile")
    row.get_by_role("button", name=ZH["household.reveal"]).click()
    expect(row.get_by_text(person["mobile"], exact=True)).to_be_visible()
    expect(row.get_by_role("button", name=ZH["household.reveal"])).to_have_count(0)
    # Only that one number: the others stay masked.
    for m in members[1:]:
        expect(main.get_by_text(m["mobile"], exact=True)).to_have_count(0)
    wait_until(lambda: reveals() == before + 1, "the reveal written to the audit log")

    open_audit(page)
    newest = audit_lines(page).first
    expect(newest).to_contain_text(staff_name)
    expect(newest).to_contain_text(ZH["audit.reveal.mobile"])
    expect(newest).to_contain_text(person["name"])
    expect(newest).not_to_contain_text(person["mobile"])
    no_traceback(page)


# ---------------------------------------------------------------- 3. editing a member


def test_member_form_checks_and_saves(app_server: "AppServer", page: Page):
    server = app_server
    staff_name = log_in(page, server, STAFF)
    home = household(server, pick_household(server, community_of(server, STAFF), 1))
    person = members_of(server, home["id"])[0]
    try:
        open_page(page, server, f"/household/{home['id']}")
        card = member_card(page, person["name"])
        expect(card.get_by_text(ZH["flag.chronic_illness"], exact=True)).to_have_count(0)
        card.get_by_role("button", name=ZH["household.edit"]).click()
        form = member_form(page)
        expect(form).to_be_visible()
        expect(form.get_by_label(ZH["household.name"], exact=True)).to_have_value(person["name"])
        id_field = form.get_by_label(ZH["household.id_number"], exact=True)
        expect(id_field).to_have_value(mask_id_number(person["id_number"]))
        save = form.get_by_role("button", name=ZH["common.save"], exact=True)
        saved = resident_row(server, person["id"])

        # An ID number with the wrong check digit.
        real = person["id_number"]
        wrong = real[:17] + next(c for c in "0123456789X" if c != real[17])
        id_field.fill(wrong)
        save.click()
        below(page, form.get_by_text(ZH["errors.id_number_invalid"], exact=True), id_field)
        expect(id_field).to_have_attribute("aria-invalid", "true")
        expect(form).to_be_visible()
        assert resident_row(server, person["id"]) == saved

        # Moved out before moving in.
        id_field.fill(mask_id_number(real))
        form.get_by_label(ZH["household.moved_in"], exact=True).fill("2024-05-01")
        moved_out = form.get_by_label(ZH["household.moved_out_on"], exact=True)
        moved_out.fill("2024-01-01")
        save.click()
        below(page, form.get_by_text(ZH["errors.moved_out_before_in"], exact=True), moved_out)
        expect(form.get_by_text(ZH["errors.id_number_invalid"], exact=True)).to_have_count(0)
        assert resident_row(server, person["id"]) == saved

        # A valid change: no dates after all, and 慢性病 ticked.
        form.get_by_label(ZH["household.moved_in"], exact=True).fill("")
        moved_out.fill("")
        form.get_by_role("checkbox", name=ZH["flag.chronic_illness"]).click()
        save.click()
        expect(form).to_be_hidden()
        expect(card.get_by_text(ZH["flag.chronic_illness"], exact=True)).to_be_visible()
        expect(card.get_by_text(ZH["household.moved_out"])).to_have_count(0)
        now = resident_row(server, person["id"])
        assert now["chronic_illness"]
        assert (now["moved_in"], now["moved_out"], now["id_number"], now["mobile"]) == (
            None,
            None,
            person["id_number"],
            person["mobile"],
        )

        expect(page.get_by_text(ZH["household.saved"], exact=True)).to_be_visible()
        # The toast sits over the bottom navigation for a few seconds: open the log by URL.
        open_page(page, server, "/registry/audit")
        newest = audit_lines(page).first
        expect(newest).to_contain_text(staff_name)
        expect(newest).to_contain_text(ZH["audit.resident.update"])
        expect(newest).to_contain_text(person["name"])
        no_traceback(page)
    finally:
        server.sql(
            "UPDATE resident SET chronic_illness = :f WHERE id = :i", f=False, i=person["id"]
        )


# ---------------------------------------------------------------- 4. adding a member


def test_adding_a_member(app_server: "AppServer", page: Page):
    server = app_server
    log_in(page, server, STAFF)
    home = household(server, pick_household(server, community_of(server, STAFF), 2))
    name, born = "欧阳晓岚", date(1990, 3, 15)
    id_number = free_id_number(server, born, female=True)
    assert not server.sql("SELECT 1 FROM resident WHERE name = :n", n=name)
    try:
        open_page(page, server, f"/household/{home['id']}")
        count = len(members_of(server, home["id"]))
        page.get_by_role("button", name=ZH["household.add_member"]).click()
        form = member_form(page, "household.add_member")
        expect(form).to_be_visible()
        expect(form.get_by_label(ZH["household.name"], exact=True)).to_have_value("")
        form.get_by_label(ZH["household.name"], exact=True).fill(name)
        form.get_by_role("radio", name=ZH["sex.female"], exact=True).click()
        form.get_by_label(ZH["household.id_number"], exact=True).fill(id_number)
        form.get_by_role("button", name=ZH["common.save"], exact=True).click()
        expect(form).to_be_hidden()

        card = member_card(page, name)
        expect(card).to_have_count(1)
        age = age_on_today(born)
        expect(card).to_contain_text(f"{ZH['sex.female']} · {age}{ZH['household.years']}")
        expect(number_row(card, "household.id_number")).to_contain_text(mask_id_number(id_number))
        main = page.get_by_role("main")
        expect(main.get_by_text(f"{ZH['household.members_count']} {count + 1}")).to_be_visible()
        added = server.sql(
            "SELECT birth_date, sex, household_id FROM resident WHERE id_number = :n", n=id_number
        )
        assert [(str(r[0])[:10], r[1], r[2]) for r in added] == [
            (born.isoformat(), "female", home["id"])
        ]

        # The birth date the form shows is the one in the ID number.
        card.get_by_role("button", name=ZH["household.edit"]).click()
        form = member_form(page)
        expect(form.get_by_label(ZH["household.birth_date"], exact=True)).to_have_value(
            born.isoformat()
        )
        form.get_by_role("button", name=ZH["common.cancel"], exact=True).click()
        expect(form).to_be_hidden()
        no_traceback(page)
    finally:
        server.sql("DELETE FROM resident WHERE id_number = :n", n=id_number)


# ---------------------------------------------------------------- 5. volunteers


def test_volunteer_sees_only_their_grid(app_server: "AppServer", page: Page):
    server = app_server
    community = community_of(server, VOLUNTEER)
    grid = server.sql(
        "SELECT g.id FROM grid g JOIN building b ON b.grid_id = g.id "
        "WHERE g.community_id = :c GROUP BY g.id ORDER BY g.id LIMIT 1",
        c=community,
    )[0][0]
    in_grid = (
        "(SELECT h.id FROM household h JOIN building b ON b.id = h.building_id "
        "WHERE b.grid_id = :g)"
    )
    person_id, inside_id = server.sql(
        "SELECT r.id, r.household_id FROM resident r "
        f"WHERE r.household_id IN {in_grid} AND length(r.mobile) = 11 "
        "AND length(r.id_number) = 18 ORDER BY r.id LIMIT 1",
        g=grid,
    )[0]
    inside = household(server, inside_id)
    person = next(m for m in members_of(server, inside_id) if m["id"] == person_id)
    # Someone outside the grid whose name starts no name inside it.
    outside_name, outside_id = server.sql(
        "SELECT r.name, r.household_id FROM resident r "
        f"WHERE r.community_id = :c AND r.household_id NOT IN {in_grid} AND NOT EXISTS "
        "(SELECT 1 FROM resident r2 WHERE substr(r2.name, 1, length(r.name)) = r.name "
        f"AND r2.household_id IN {in_grid}) ORDER BY r.id LIMIT 1",
        c=community,
        g=grid,
    )[0]
    seen = server.sql(
        "SELECT count(*) FROM resident WHERE substr(name, 1, length(:n)) = :n "
        f"AND household_id IN {in_grid}",
        n=person["name"],
        g=grid,
    )[0][0]

    server.sql('UPDATE "user" SET grid_id = :g WHERE mobile = :m', g=grid, m=VOLUNTEER)
    try:
        log_in(page, server, VOLUNTEER)
        open_registry(page)
        main = page.get_by_role("main")
        expect(main.get_by_role("link", name=ZH["registry.places"])).to_have_count(0)
        box = search_box(page)
        box.fill(outside_name)
        expect(main.get_by_text(ZH["registry.no_hits"], exact=True)).to_be_visible()
        expect(hits(page)).to_have_count(0)

        box.fill(person["name"])
        expect(hits(page)).to_have_count(min(20, seen))
        card = hits(page).filter(has=page.get_by_text(inside["address"], exact=True))
        expect(card.get_by_text(person["name"], exact=True)).to_be_visible()
        expect(card.get_by_text(mask_mobile(person["mobile"]), exact=True)).to_be_visible()

        # Outside the grid, even by its address: refused.
        open_page(page, server, f"/household/{outside_id}")
        expect_refused(page)

        # Inside: masked numbers; a mobile may be revealed (to call), an ID number not;
        # nothing can be changed.
        open_page(page, server, f"/household/{inside_id}")
        expect(main.get_by_role("heading", name=inside["address"], level=2)).to_be_visible()
        card = member_card(page, person["name"])
        mobile_row = number_row(card, "household.mobile")
        id_row = number_row(card, "household.id_number")
        expect(id_row).to_contain_text(mask_id_number(person["id_number"]))
        expect(id_row.get_by_role("button", name=ZH["household.reveal"])).to_have_count(0)
        expect(main.get_by_role("button", name=ZH["household.edit"])).to_have_count(0)
        expect(main.get_by_role("button", name=ZH["household.add_member"])).to_have_count(0)
        mobile_row.get_by_role("button", name=ZH["household.reveal"]).click()
        expect(mobile_row.get_by_text(person["mobile"], exact=True)).to_be_visible()
        expect(id_row).not_to_contain_text(person["id_number"])
        no_traceback(page)
    finally:
        server.sql('UPDATE "user" SET grid_id = NULL WHERE mobile = :m', m=VOLUNTEER)


# ---------------------------------------------------------------- 6. residents


def test_resident_sees_and_edits_only_their_family(app_server: "AppServer", page: Page):
    server = app_server
    own_id = server.sql('SELECT household_id FROM "user" WHERE mobile = :m', m=RESIDENT)[0][0]
    other_id = server.sql('SELECT household_id FROM "user" WHERE mobile = :m', m=OTHER_RESIDENT)[0][
        0
    ]
    members = members_of(server, own_id)
    person = next(m for m in members if not m["no_smartphone"])
    try:
        log_in(page, server, RESIDENT)
        main = page.get_by_role("main")
        main.get_by_role("link", name=ZH["household.open"]).click()
        expect(page).to_have_url(re.compile(f"/household/{own_id}/?$"))
        address = household(server, own_id)["address"]
        expect(main.get_by_role("heading", name=address, level=2)).to_be_visible()
        for m in members:
            card = member_card(page, m["name"])
            if m["mobile"]:
                expect(number_row(card, "household.mobile")).to_contain_text(m["mobile"])
            if m["id_number"]:
                expect(number_row(card, "household.id_number")).to_contain_text(m["id_number"])
        expect(main.get_by_text(re.compile(r"\*{4}"))).to_have_count(0)
        expect(main.get_by_role("button", name=ZH["household.reveal"])).to_have_count(0)
        expect(main.get_by_role("button", name=ZH["household.edit"])).to_have_count(len(members))

        card = member_card(page, person["name"])
        card.get_by_role("button", name=ZH["household.edit"]).click()
        form = member_form(page)
        expect(form.get_by_label(ZH["household.id_number"], exact=True)).to_have_value(
            person["id_number"]
        )
        form.get_by_role("checkbox", name=ZH["flag.no_smartphone"]).click()
        form.get_by_role("button", name=ZH["common.save"], exact=True).click()
        expect(form).to_be_hidden()
        expect(card.get_by_text(ZH["flag.no_smartphone"], exact=True)).to_be_visible()
        assert resident_row(server, person["id"])["no_smartphone"]

        open_page(page, server, f"/household/{other_id}")
        expect_refused(page)
        for m in members_of(server, other_id):
            expect(main.get_by_text(m["name"], exact=True)).to_have_count(0)

        open_page(page, server, "/registry")
        expect(page.get_by_role("heading", name=ZH["forbidden.title"])).to_be_visible()
        expect(search_box(page)).to_have_count(0)
        no_traceback(page)
    finally:
        server.sql("UPDATE resident SET no_smartphone = :f WHERE id = :i", f=False, i=person["id"])


# ---------------------------------------------------------------- 7. places and grids


def test_places_building_and_grid(app_server: "AppServer", page: Page):
    server = app_server
    community = community_of(server, STAFF)
    compound_id, compound = server.sql(
        "SELECT c.id, c.name FROM compound c JOIN building b ON b.compound_id = c.id "
        "WHERE c.community_id = :c GROUP BY c.id, c.name ORDER BY count(*), c.id LIMIT 1",
        c=community,
    )[0]
    assert not server.sql(
        "SELECT 1 FROM building WHERE compound_id = :c AND number = '88'", c=compound_id
    )
    grid = server.sql(
        "SELECT id, name FROM grid WHERE community_id = :c ORDER BY id LIMIT 1", c=community
    )[0]

    def compound_households() -> int:
        return server.sql("SELECT count(*) FROM household WHERE compound_id = :c", c=compound_id)[
            0
        ][0]

    def grid_counts() -> tuple[int, int, int]:
        buildings = server.sql("SELECT count(*) FROM building WHERE grid_id = :g", g=grid[0])
        doors = server.sql(
            "SELECT count(*) FROM household h JOIN building b ON b.id = h.building_id "
            "WHERE b.grid_id = :g",
            g=grid[0],
        )
        volunteers = server.sql(
            "SELECT count(*) FROM \"user\" WHERE grid_id = :g AND role = 'volunteer' AND is_active",
            g=grid[0],
        )
        return buildings[0][0], doors[0][0], volunteers[0][0]

    def counts_text(b: int, h: int, v: int) -> str:
        return (
            f"{b}{ZH['places.buildings_suffix']} · {h}{ZH['places.households_suffix']} · "
            f"{v}{ZH['places.volunteers_suffix']}"
        )

    try:
        log_in(page, server, STAFF)
        open_registry(page)
        page.get_by_role("main").get_by_role("link", name=ZH["registry.places"]).click()
        expect(page.get_by_role("heading", name=ZH["places.title"], level=1)).to_be_visible()
        main = page.get_by_role("main")
        compound_card = (
            main.locator(".rt-Card")
            .filter(has=page.get_by_text(compound, exact=True))
            .filter(has_not=page.locator("form"))
        )
        before = compound_households()
        expect(
            compound_card.get_by_text(f"{before}{ZH['places.households_suffix']}")
        ).to_be_visible()
        grid_card = (
            main.locator(".rt-Card")
            .filter(has=page.get_by_text(grid[1], exact=True))
            .filter(has=page.get_by_text(GRID_COUNTS))
        )
        b, h, v = grid_counts()
        expect(grid_card.get_by_text(GRID_COUNTS)).to_have_text(counts_text(b, h, v))

        form = main.locator("form").filter(
            has=page.get_by_role("heading", name=ZH["places.add_building"])
        )
        number = form.get_by_label(ZH["places.building_number"], exact=True)

        def add_building() -> None:
            form.get_by_label(ZH["places.compound"], exact=True).click()
            page.get_by_role("option", name=compound, exact=True).click()
            number.fill("88")
            form.get_by_label(ZH["places.units"], exact=True).fill("2")
            form.get_by_label(ZH["places.floors"], exact=True).fill("6")
            form.get_by_label(ZH["places.doors_per_floor"], exact=True).fill("2")
            form.get_by_role("button", name=ZH["places.add_building"]).click()

        add_building()
        label = page.get_by_text(f"88{ZH['places.building_suffix']}", exact=True)
        expect(compound_card.locator(label)).to_be_visible()
        row = (  # the building's line: number, counts and its grid select
            compound_card.locator("div")
            .filter(has=label)
            .filter(has=page.get_by_role("combobox"))
            .last
        )
        expect(row).to_contain_text(
            f"2{ZH['places.units_suffix']} · 24{ZH['places.households_suffix']}"
        )
        expect(
            compound_card.get_by_text(f"{before + 24}{ZH['places.households_suffix']}", exact=True)
        ).to_be_visible()
        assert compound_households() == before + 24

        add_building()
        below(page, form.get_by_text(ZH["errors.building_exists"], exact=True), number)
        expect(number).to_have_attribute("aria-invalid", "true")
        expect(number).to_have_value("88")  # a refused form keeps what was typed
        assert compound_households() == before + 24

        row.get_by_role("combobox", name=ZH["places.grid_of_building"]).click()
        page.get_by_role("option", name=grid[1], exact=True).click()
        expect(row.get_by_role("combobox")).to_have_text(grid[1])
        expect(grid_card.get_by_text(GRID_COUNTS)).to_have_text(counts_text(b + 1, h + 24, v))
        assert grid_counts() == (b + 1, h + 24, v)
        no_traceback(page)
    finally:
        building = "(SELECT id FROM building WHERE compound_id = :c AND number = '88')"
        server.sql(f"DELETE FROM household WHERE building_id IN {building}", c=compound_id)
        server.sql(f"DELETE FROM unit WHERE building_id IN {building}", c=compound_id)
        server.sql("DELETE FROM building WHERE compound_id = :c AND number = '88'", c=compound_id)


# ---------------------------------------------------------------- 8. phone layout


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[str(w) for w, _ in SIZES])
def test_registry_pages_fit_a_phone(app_server: "AppServer", new_context, width: int, height: int):
    server = app_server
    problems: list[str] = []
    page = new_context({"width": width, "height": height}).new_page()
    log_in(page, server, OTHER_STAFF)
    links = nav(page).get_by_role("link")
    community = community_of(server, OTHER_STAFF)

    open_registry(page)
    tiles = page.get_by_role("main").get_by_role("link")
    check_fits(page, "registry-start", width, [tiles, links], problems)
    surname = server.sql(
        "SELECT substr(name, 1, 1) FROM resident WHERE community_id = :c "
        "GROUP BY substr(name, 1, 1) HAVING count(*) BETWEEN 4 AND 8 ORDER BY count(*) DESC "
        "LIMIT 1",
        c=community,
    )[0][0]
    search_box(page).fill(surname)
    expect(hits(page).first).to_be_visible()
    check_fits(page, "registry", width, [hits(page), links], problems)

    # The fullest household file: most members, badges, numbers.
    household_id = server.sql(
        "SELECT household_id FROM resident WHERE community_id = :c GROUP BY household_id "
        "ORDER BY count(*) DESC, household_id LIMIT 1",
        c=community,
    )[0][0]
    members = members_of(server, household_id)
    open_page(page, server, f"/household/{household_id}")
    add = page.get_by_role("button", name=ZH["household.add_member"])
    expect(add).to_be_visible()
    person = next(m for m in members if m["mobile"])
    row = number_row(member_card(page, person["name"]), "household.mobile")
    row.get_by_role("button", name=ZH["household.reveal"]).click()
    expect(row.get_by_text(person["mobile"], exact=True)).to_be_visible()
    small = [
        page.get_by_role("main").get_by_role("button", name=ZH[k], exact=True)
        for k in ("household.reveal", "household.edit")
    ]
    check_fits(page, "household", width, [add, links, *small], problems)

    member_card(page, members[0]["name"]).get_by_role("button", name=ZH["household.edit"]).click()
    form = member_form(page)
    save = form.get_by_role("button", name=ZH["common.save"], exact=True)
    expect(save).to_be_visible()
    check_fits(
        page,
        "member-form",
        width,
        [save, form.get_by_role("button", name=ZH["common.cancel"], exact=True)],
        problems,
    )
    form.get_by_role("button", name=ZH["common.cancel"], exact=True).click()
    expect(form).to_be_hidden()

    open_page(page, server, "/registry/places")
    expect(page.get_by_role("heading", name=ZH["places.title"], level=1)).to_be_visible()
    adds = page.get_by_role("main").locator("form").get_by_role("button")
    expect(adds).to_have_text(
        [ZH[k] for k in ("places.add_building", "places.add_compound", "places.add_grid")]
    )
    check_fits(page, "places", width, [adds, links], problems)

    open_page(page, server, "/registry/audit")
    expect(audit_lines(page).first).to_be_visible()
    check_fits(page, "audit", width, [links], problems)

    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- roster import


def test_roster_header_under_a_merged_title_row_is_found(app_server: "AppServer", page: Page):
    """Office templates put a merged title above the header: the header row is found and the
    page says which row it read; every column is matched and the file checks clean."""
    server = app_server
    compound, building, unit, door = server.sql(
        "SELECT c.name, b.number, u.number, h.door FROM household h "
        "JOIN compound c ON c.id = h.compound_id JOIN building b ON b.id = h.building_id "
        "JOIN unit u ON u.id = h.unit_id WHERE h.community_id = :c ORDER BY h.id LIMIT 1",
        c=community_of(server, OTHER_STAFF),
    )[0]
    book = Workbook()
    ws = book.active
    ws.title = "人员情况摸底表"
    ws.append(["锦官驿社区人员情况摸底表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=7)
    ws.append(["序号", "小区", "楼栋", "单元", "门牌号", "姓名", "性别"])
    ws.append([1, compound, building, unit, door, f"表头测{utcnow():%H%M%S}", "女"])
    content = io.BytesIO()
    book.save(content)

    log_in(page, server, OTHER_STAFF)
    open_page(page, server, "/registry/import")
    page.locator("#roster input[type=file]").set_input_files(
        {
            "name": "摸底表.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": content.getvalue(),
        }
    )
    main = page.get_by_role("main")
    expect(main.get_by_text(ZH["roster.header_row"].format(row=2))).to_be_visible()
    for column in ROSTER_COLUMNS[:6]:
        expect(main.get_by_role("combobox", name=column.zh, exact=True)).to_have_text(column.zh)
    expect(main.get_by_role("combobox", name="出生日期", exact=True)).to_have_text(
        ZH["roster.not_imported"]
    )
    main.get_by_role("button", name=ZH["roster.check"], exact=True).click()
    expect(main.get_by_role("button", name=ZH["roster.import_now"], exact=True)).to_be_visible()
    expect(main.get_by_text(ZH["roster.has_problems"])).to_have_count(0)
    no_traceback(page)
