"""Every .xlsx export writes what users typed as text: a name typed as a formula never
becomes a live formula in a staff member's spreadsheet."""

from datetime import time, timedelta
from io import BytesIO

from openpyxl import Workbook, load_workbook
from sqlmodel import select

from app import spreadsheets
from app.accounts.models import Role
from app.community.models import Resident
from app.community.register_io import (
    error_report,
    export_roster,
    guess_mapping,
    plan_import,
    read_table,
)
from app.supplies import service as supplies
from app.supplies.models import BuyItem
from app.timeutil import utcnow
from app.ui.i18n import translate
from app.volunteers import shifts as duty
from app.volunteers.models import Post, PostKind, Shift
from tests.conftest import add_household, add_user

LINK = '=HYPERLINK("http://e.x","点")'  # fits a 30-character name
TYPED = [LINK, "+86 139", "-1+2", "@SUM(A1:A9)", "#N/A"]


def _cells(xlsx: bytes) -> list:
    book = load_workbook(BytesIO(xlsx))
    return [cell for ws in book for row in ws.iter_rows() for cell in row]


def _assert_typed_text_is_text(xlsx: bytes, typed: list[str]) -> None:
    cells = _cells(xlsx)
    assert [c.coordinate for c in cells if c.data_type in ("f", "e")] == []
    texts = {c.value for c in cells if c.data_type == "s"}
    for value in typed:
        assert any(isinstance(t, str) and value in t for t in texts), value
    assert all(c.quotePrefix for c in cells if spreadsheets.text_needs_guard(c.value))


def test_the_helper_keeps_formula_like_text_as_text_and_numbers_as_numbers():
    for write_only in (False, True):
        book = Workbook(write_only=write_only)
        ws = book.create_sheet("x") if write_only else book.active
        ws.append(spreadsheets.row(ws, [*TYPED, "ok", -3, 2.5, None]))
        out = BytesIO()
        book.save(out)
        values = [(c.value, c.data_type) for c in _cells(out.getvalue())]
        assert values[:8] == [(v, "s") for v in TYPED] + [("ok", "s"), (-3, "n"), (2.5, "n")]


def test_the_register_export_writes_typed_formulas_as_text(db, world):
    household = add_household(db, world.community, "=望江花园", "-501", (LINK,))
    for resident in db.exec(select(Resident).where(Resident.household_id == household.id)):
        resident.relation = "+户主"
        db.add(resident)
    db.commit()
    xlsx = export_roster(db, world.staff, world.community.id)
    _assert_typed_text_is_text(xlsx, [LINK, "=望江花园", "-501", "+户主"])


def test_the_import_problem_list_writes_typed_formulas_as_text(db, world):
    csv = "小区,楼栋,单元,门牌,姓名,性别\n" + "\n".join(
        f'"{value.replace(chr(34), chr(34) * 2)}",3,2,501,{name},男'
        for value, name in zip(TYPED, ("甲", "乙", "丙", "丁", "戊"), strict=True)
    )
    table = read_table("摸底表.csv", csv.encode())
    plan = plan_import(db, world.staff, world.community.id, table, guess_mapping(table.headers))
    assert len(plan.errors) >= len(TYPED)
    for locale in ("zh", "en"):
        report = error_report(
            plan, locale, lambda code, params, lang=locale: translate(lang, code, **params)
        )
        _assert_typed_text_is_text(report, TYPED)


def test_the_supplier_summary_writes_typed_formulas_as_text(db, world):
    now = utcnow()
    buy = supplies.create_buy(
        db,
        world.staff,
        world.community.id,
        {
            "title": LINK,
            "supplier": "@供应商",
            "opens_at": now - timedelta(hours=1),
            "closes_at": now + timedelta(hours=5),
            "compound_ids": [world.household.compound_id],
            "pickup_points": ["东门"],
            "items": [
                {
                    "name": "-猪肉",
                    "spec": "+2kg",
                    "price_fen": 5800,
                    "stock": 10,
                    "limit_per_household": 2,
                }
            ],
        },
    )
    item_id = db.exec(select(BuyItem.id).where(BuyItem.buy_id == buy.id)).one()
    supplies.place_order(db, world.resident, buy.id, {item_id: 1})
    xlsx = supplies.export_summary(db, world.staff, buy.id)
    _assert_typed_text_is_text(xlsx, [LINK, "@供应商", "-猪肉 +2kg"])


def test_the_volunteer_hours_export_writes_typed_formulas_as_text(db, world):
    volunteer = add_user(db, "13900000077", Role.VOLUNTEER, world.community, name=LINK)
    post = Post(
        community_id=world.community.id,
        name="+东门",
        kind=PostKind.GATE,
        opens=time(0, 0),
        closes=time(23, 59),
    )
    db.add(post)
    db.commit()
    starts = utcnow() + timedelta(minutes=5)
    shift = Shift(
        post_id=post.id,
        community_id=post.community_id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=3,
    )
    db.add(shift)
    db.commit()
    duty.sign_up_shift(db, volunteer, shift.id)
    xlsx = duty.export_hours(db, world.staff, world.community.id)
    _assert_typed_text_is_text(xlsx, [LINK, "+东门"])
