"""The people register as spreadsheets: what staff notice when they import or export it."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func
from sqlmodel import select

from app.accounts.models import AuditEntry, Role, User
from app.community import register_io
from app.community.models import Community, Household, Resident
from app.community.register_io import (
    MAX_BYTES,
    ROSTER_COLUMNS,
    ImportHasErrors,
    error_report,
    export_roster,
    guess_mapping,
    import_roster,
    plan_import,
    read_table,
    template_workbook,
)
from app.community.service import id_check_code
from app.demo import load_demo
from app.errors import Forbidden, ServiceError
from app.settings import PROJECT_ROOT
from app.ui.i18n import translate
from tests.conftest import add_user

HEADERS = [c.zh for c in ROSTER_COLUMNS]
PLACE = ["望江花园", "3", "2", "501"]  # the world's household (罗辉, 罗小雨)


def _id(born: str, sequence: int, region: str = "510104") -> str:
    first17 = f"{region}{born.replace('-', '')}{sequence:03d}"
    return first17 + id_check_code(first17)


def _xlsx(rows, headers=HEADERS, sheet="人员情况摸底表") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _person(place, name, sex="男", born="", mobile="", id_number="", **more):
    """A full template row; `more` sets other columns by key (relation, residency, flags)."""
    values = dict.fromkeys((c.key for c in ROSTER_COLUMNS), "")
    values.update(
        zip(("compound", "building", "unit", "door"), place, strict=True),
        name=name,
        sex=sex,
        birth_date=born,
        mobile=mobile,
        id_number=id_number,
        **more,
    )
    return [values[c.key] for c in ROSTER_COLUMNS]


def _table(rows, headers=HEADERS):
    return read_table("摸底表.xlsx", _xlsx(rows, headers))


def _plan(db, actor, community, table):
    return plan_import(db, actor, community.id, table, guess_mapping(table.headers))


def _import(db, actor, community, table):
    return import_roster(db, actor, community.id, table, guess_mapping(table.headers))


def _counts(db) -> tuple[int, int, int]:
    return (
        db.exec(select(func.count()).select_from(Household)).one(),
        db.exec(select(func.count()).select_from(Resident)).one(),
        db.exec(select(func.count()).select_from(AuditEntry)).one(),
    )


def _errors(plan):
    return [(e.row, e.column, e.value, e.code, e.params) for e in plan.errors]


def _code(call) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value


# ---------------------------------------------------------------- the template and the sample


def test_the_committed_template_and_sample_are_current_and_read():
    template = (PROJECT_ROOT / "assets" / "roster_template.xlsx").read_bytes()
    sample = (PROJECT_ROOT / "assets" / "roster_sample.xlsx").read_bytes()
    blank = read_table("roster_template.xlsx", template)
    assert blank.headers == HEADERS
    assert blank.rows == []
    assert blank.sheets == ["人员情况摸底表", "填写说明"]
    help_rows = read_table("t.xlsx", template, sheet="填写说明").rows
    assert [r[0] for r in help_rows[: len(HEADERS)]] == HEADERS  # every column explained
    committed = read_table("roster_sample.xlsx", sample)
    fresh = read_table("roster_sample.xlsx", template_workbook(sample=True))
    assert committed.rows == fresh.rows  # regenerate with: python -m app.community.register_io
    assert len(committed.rows) == 20
    assert all(v is not None for v in guess_mapping(committed.headers).values())


def test_the_sample_imports_into_the_demo_community_and_again_changes_nothing(db):
    load_demo(db, scale=0.05)
    staff = db.exec(select(User).where(User.mobile == "13800000001")).one()
    table = read_table("roster_sample.xlsx", template_workbook(sample=True))
    households, residents, _ = _counts(db)

    community = db.get(Community, staff.community_id)
    plan = _plan(db, staff, community, table)
    assert plan.errors == []
    assert (plan.rows, plan.residents_to_create, plan.households_to_create) == (20, 20, 0)

    result = _import(db, staff, community, table)
    assert (result.residents_created, result.residents_updated) == (20, 0)
    assert _counts(db)[:2] == (households, residents + 20)
    tenant = db.exec(
        select(Resident).where(Resident.id_number == _id("1999-12-05", 393, "420106"))
    ).one()
    assert (tenant.residency, tenant.moved_in, tenant.mobile_tail) == (
        "tenant",
        date(2025, 9, 1),
        "6789",
    )
    alone = db.exec(
        select(Resident).where(Resident.id_number == _id("1941-05-06", 88, "510106"))
    ).one()
    assert alone.name == "王秀英"
    assert (alone.elderly_alone, alone.no_smartphone, alone.pregnant) == (True, True, False)

    again = _import(db, staff, community, table)
    assert (again.residents_created, again.residents_updated, again.residents_unchanged) == (
        0,
        0,
        20,
    )
    assert _counts(db)[:2] == (households, residents + 20)


# ---------------------------------------------------------------- reading files


def test_a_gbk_csv_as_excel_saves_it_reads(db, world):
    text = (
        "小区,楼栋,单元,门牌号,姓名,性别,手机号\r\n望江花园,3栋,2单元,501,罗辉,男,13912345678\r\n"
    )
    table = read_table("摸底表.csv", text.encode("gbk"))
    assert table.headers[:5] == ["小区", "楼栋", "单元", "门牌号", "姓名"]
    assert table.rows == [["望江花园", "3栋", "2单元", "501", "罗辉", "男", "13912345678"]]
    plan = _plan(db, world.staff, world.community, table)
    assert (plan.errors, plan.residents_to_update) == ([], 1)  # 罗辉 gets his mobile


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_utf8_csv_with_bom_reads_whatever_the_delimiter(delimiter):
    lines = [
        ["小区", "楼栋", "单元", "门牌号", "姓名", "性别"],
        ["锦城苑", "3", "2", "1101", "李雪", "女"],
    ]
    text = "\r\n".join(delimiter.join(line) for line in lines)
    table = read_table("roster.CSV", b"\xef\xbb\xbf" + text.encode())
    assert table.headers[0] == "小区"  # no BOM left in the first header
    assert table.rows == [lines[1]]
    assert table.row_numbers == [2]


def test_blank_rows_are_skipped_and_row_numbers_are_the_spreadsheets():
    content = _xlsx([["", ""], _person(PLACE, "罗辉"), [None] * 3, _person(PLACE, "罗小雨")])
    table = read_table("a.xlsx", content)
    assert [r[4] for r in table.rows] == ["罗辉", "罗小雨"]
    assert table.row_numbers == [3, 5]


def test_a_header_under_a_merged_title_row_is_found(db, world):
    book = Workbook()
    ws = book.active
    ws.title = "人员情况摸底表"
    ws.append(["锦官驿社区人员情况摸底表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.append(["序号", *HEADERS])
    ws.append(["1", *_person(PLACE, "罗辉")])
    out = io.BytesIO()
    book.save(out)
    table = read_table("摸底表.xlsx", out.getvalue())
    assert table.header_row == 2
    assert table.headers == ["序号", *HEADERS]
    assert table.row_numbers == [3]
    mapping = guess_mapping(table.headers)
    assert mapping["compound"] == 1
    assert all(mapping[c.key] is not None for c in ROSTER_COLUMNS)
    assert plan_import(db, world.staff, world.community.id, table, mapping).ok


def test_a_header_with_no_known_column_is_still_the_first_row():
    table = read_table("a.csv", "甲,乙,丙\n望江花园,3,2\n".encode())
    assert (table.header_row, table.headers) == (1, ["甲", "乙", "丙"])
    assert table.row_numbers == [2]


def test_excel_cells_become_the_text_people_see():
    book = Workbook()
    ws = book.active
    ws.append(["小区", "楼栋", "单元", "门牌号", "姓名", "性别", "出生日期", "手机号", "身份证号"])
    ws.append(
        ["望江花园", 3, 2.0, 501, "罗辉", "男", date(1980, 5, 4), 13912345678, 5.10104198803151e17]
    )
    out = io.BytesIO()
    book.save(out)
    row = read_table("a.xlsx", out.getvalue()).rows[0]
    assert row == [
        "望江花园",
        "3",
        "2",
        "501",
        "罗辉",
        "男",
        "1980-05-04",
        "13912345678",
        "5.10104198803151E+17",
    ]


@pytest.mark.parametrize(
    ("filename", "content", "code", "params"),
    [
        ("roster.xlsx", b"", "errors.file_empty", {}),
        ("roster.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "errors.file_type", {"ext": ".xls"}),
        ("roster.pdf", b"%PDF-1.4", "errors.file_type", {"ext": ".pdf"}),
        ("roster.xlsx", b"PK\x03\x04 not really a zip", "errors.file_unreadable", {}),
        ("roster.csv", b"\xff\xfe\x00\xd8\x00", "errors.file_unreadable", {}),
        ("roster.csv", b"\r\n , ,\r\n\r\n", "errors.no_header", {}),
    ],
)
def test_files_that_cannot_be_read_say_why(filename, content, code, params):
    error = _code(lambda: read_table(filename, content))
    assert (error.code, error.params) == (code, params)


def test_a_file_over_50_mb_is_refused_before_reading():
    error = _code(lambda: read_table("big.csv", b"a" * (MAX_BYTES + 1)))
    assert (error.code, error.params) == ("errors.file_too_large", {"mb": 50})


def test_a_sheet_that_is_not_there_is_named():
    content = _xlsx([_person(PLACE, "罗辉")])
    error = _code(lambda: read_table("a.xlsx", content, sheet="Sheet2"))
    assert (error.code, error.params) == ("errors.sheet_not_found", {"sheet": "Sheet2"})
    assert read_table("a.xlsx", content, sheet="人员情况摸底表").rows[0][4] == "罗辉"


# ---------------------------------------------------------------- matching columns


def test_guess_mapping_finds_chinese_headers_and_their_synonyms():
    headers = "序号 小区名称 楼号 单元号 房号 户主姓名 姓名 性别（男/女） 出生年月 联系电话 "
    headers = (headers + "公民身份号码 与户主关系 是否独居 孕产妇").split()
    mapping = guess_mapping(headers)
    expected = {
        "compound": 1,
        "building": 2,
        "unit": 3,
        "door": 4,
        "name": 6,
        "sex": 7,
        "birth_date": 8,
        "mobile": 9,
        "id_number": 10,
        "relation": 11,
        "elderly_alone": 12,
        "pregnant": 13,
    }
    assert {k: v for k, v in mapping.items() if v is not None} == expected


def test_guess_mapping_finds_english_headers_by_whole_words():
    headers = ["Community", "Compound", "Building No.", "Unit", "Door", "Full name", "Gender"]
    headers += ["Date of birth", "Mobile phone", "ID number", "Moved in", "No smartphone"]
    mapping = guess_mapping(headers)
    assert mapping["compound"] == 1
    assert mapping["unit"] == 3  # not "Community"
    assert [mapping[k] for k in ("building", "door", "name", "sex", "birth_date")] == [
        2,
        4,
        5,
        6,
        7,
    ]
    assert [mapping[k] for k in ("mobile", "id_number", "moved_in", "no_smartphone")] == [
        8,
        9,
        10,
        11,
    ]
    assert guess_mapping(["Community", "Name"])["unit"] is None


def test_a_required_column_left_unmapped_is_refused(db, world):
    table = read_table("a.csv", "小区,楼栋,单元,姓名,性别\n望江花园,3,2,罗辉,男\n".encode())
    error = _code(lambda: _plan(db, world.staff, world.community, table))
    assert (error.code, error.params) == ("errors.columns_missing", {"columns": "门牌号"})


# ---------------------------------------------------------------- checking rows


def test_bad_rows_are_reported_with_row_column_and_reason_and_nothing_is_written(db, world):
    headers = [*HEADERS[:8], "公民身份号码", *HEADERS[9:]]  # the file's own header is named
    good = _person(["望江花园", "3", "2", "502"], "陈明", born="1990-01-02")
    rows = [
        good,
        _person(PLACE, "罗军", id_number="510104198803151235"),  # wrong check digit
        _person(["望江花园", "9号楼", "2", "501"], "王芳", sex="女"),  # no building 9
        _person(["望江花园", "3", "2", "502"], "陈明"),  # the same person twice at one door
        _person(PLACE, "罗小军", id_number="5.10104198803151E+17"),  # Excel ate the digits
        _person(PLACE, "李四", sex="未知", mobile="1391234"),  # two problems, both reported
        _person(["水井坊", "1", "1", "101"], "赵六"),  # no such compound
    ]
    table = _table(rows, headers)
    before = _counts(db)

    plan = _plan(db, world.staff, world.community, table)
    assert _errors(plan) == [
        (3, "公民身份号码", "510104198803151235", "errors.id_number_invalid", {}),
        (
            4,
            "楼栋",
            "9号楼",
            "errors.building_not_found",
            {"compound": "望江花园", "name": "9号楼"},
        ),
        (5, "姓名", "陈明", "errors.roster_duplicate_name", {"row": 2}),
        (6, "公民身份号码", "5.10104198803151E+17", "errors.id_number_lost_digits", {}),
        (7, "性别", "未知", "errors.sex_invalid", {}),
        (7, "手机号", "1391234", "errors.mobile_invalid", {}),
        (8, "小区", "水井坊", "errors.compound_not_found", {"name": "水井坊"}),
    ]
    with pytest.raises(ImportHasErrors) as caught:
        _import(db, world.staff, world.community, table)
    assert caught.value.code == "errors.import_has_errors"
    assert caught.value.params == {"count": 7}
    assert len(caught.value.plan.errors) == 7
    assert _counts(db) == before  # not even the good row, not even an audit entry


def test_the_same_id_number_twice_in_a_file_names_the_first_row(db, world):
    number = _id("1990-01-02", 11)
    rows = [
        _person(["望江花园", "3", "2", "502"], "陈明", id_number=number),
        _person(["锦城苑", "3", "2", "1101"], "陈明明", id_number=number),
    ]
    plan = _plan(db, world.staff, world.community, _table(rows))
    assert [(e.row, e.code, e.params) for e in plan.errors] == [
        (3, "errors.roster_duplicate_id", {"row": 2})
    ]


def test_an_id_number_registered_at_another_door_is_an_error(db, world):
    here, far = _id("1970-03-04", 15), _id("1971-03-04", 17)
    db.add(Resident(household_id=world.outside.id, community_id=world.community.id,
                    name="李雪", sex="male", id_number=here))  # fmt: skip
    db.add(Resident(household_id=world.far_household.id, community_id=world.far.id,
                    name="张伟", sex="male", id_number=far))  # fmt: skip
    db.commit()
    rows = [_person(PLACE, "李雪", id_number=here), _person(PLACE, "张伟", id_number=far)]
    plan = _plan(db, world.staff, world.community, _table(rows))
    assert [(e.row, e.code, e.params) for e in plan.errors] == [
        (2, "errors.id_number_registered_at", {"address": "锦城苑 3-2-1101"}),
        (3, "errors.id_number_taken", {}),  # another community's address is not shown
    ]


def test_dates_flags_and_consistency_are_checked(db, world):
    rows = [
        _person(PLACE, "罗辉", born="1980/13/01"),
        _person(PLACE, "罗小雨", elderly_alone="也许"),
        _person(PLACE, "罗雨", born="2999-01-01", pregnant="是"),
        _person(PLACE, "罗平", id_number=_id("1980-05-04", 12)),  # an even digit: a woman's
        _person(PLACE, "罗安", residency="借住", moved_in="2024-05-01", moved_out="2024-04-01"),
    ]
    plan = _plan(db, world.staff, world.community, _table(rows))
    assert [(e.row, e.column, e.code) for e in plan.errors] == [
        (2, "出生日期", "errors.date_invalid"),
        (3, "独居老人", "errors.flag_invalid"),
        (4, "出生日期", "errors.date_in_future"),
        (5, "性别", "errors.id_number_sex_mismatch"),
        (6, "居住类型", "errors.residency_invalid"),
        (6, "迁出日期", "errors.moved_out_before_in"),  # one error does not hide the other
    ]


# ---------------------------------------------------------------- importing


def test_an_import_creates_doors_people_and_updates_the_changed_ones(db, world):
    rows = [
        _person(PLACE, "罗辉", mobile="139 1234 5678", relation="户主"),  # gets a mobile
        _person(PLACE, "罗小雨", relation="子女"),  # as registered
        _person(["望江花园", "3栋", "2单元", "502室"], "陈明", id_number=_id("1990-01-02", 11)),
        _person(
            ["望江花园", "3", "2", "502"],
            "陈红",
            sex="女",
            residency="租住",
            moved_in="2025-10-01",
            pregnant="√",
        ),  # fmt: skip
    ]
    households, residents, audits = _counts(db)
    plan = _plan(db, world.staff, world.community, _table(rows))
    assert (plan.households_to_create, plan.residents_to_create) == (1, 2)
    assert (plan.residents_to_update, plan.residents_unchanged) == (1, 1)

    result = _import(db, world.staff, world.community, _table(rows))
    assert result == register_io.ImportResult(4, 1, 2, 1, 1)
    assert _counts(db) == (households + 1, residents + 2, audits + 1)
    hui = db.exec(select(Resident).where(Resident.name == "罗辉")).one()
    assert (hui.mobile, hui.mobile_tail) == ("13912345678", "5678")
    door = db.exec(select(Household).where(Household.door_key == "3-2-502")).one()
    assert door.address == "望江花园 3-2-502"
    chen = db.exec(select(Resident).where(Resident.name == "陈明")).one()
    assert (chen.household_id, chen.birth_date, chen.sex) == (door.id, date(1990, 1, 2), "male")
    hong = db.exec(select(Resident).where(Resident.name == "陈红")).one()
    assert (hong.residency, hong.pregnant, hong.moved_in) == ("tenant", True, date(2025, 10, 1))
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "roster.import")).one()
    assert (entry.actor_id, entry.community_id) == (world.staff.id, world.community.id)
    assert "households_created=1" in entry.detail and "residents_created=2" in entry.detail

    again = _import(db, world.staff, world.community, _table(rows))
    assert again == register_io.ImportResult(4, 0, 0, 0, 4)


def test_columns_the_file_does_not_have_keep_what_the_register_holds(db, world):
    number = _id("1980-05-04", 13)
    rows = [_person(PLACE, "罗辉", mobile="13912345678", id_number=number, relation="户主",
                    chronic_illness="是")]  # fmt: skip
    _import(db, world.staff, world.community, _table(rows))
    table = read_table(
        "a.csv", "小区,楼栋,单元,门牌号,姓名,性别\n望江花园,3,2,501,罗辉,男\n".encode()
    )
    plan = _plan(db, world.staff, world.community, table)
    assert (plan.residents_unchanged, plan.residents_to_update) == (1, 0)
    # Blank cells keep the numbers too; a blank care flag is 否.
    blank = _table([_person(PLACE, "罗辉")])
    result = _import(db, world.staff, world.community, blank)
    assert (result.residents_updated, result.residents_unchanged) == (1, 0)
    hui = db.exec(select(Resident).where(Resident.name == "罗辉")).one()
    assert (hui.mobile, hui.id_number, hui.relation) == ("13912345678", number, "户主")
    assert (hui.birth_date, hui.chronic_illness) == (date(1980, 5, 4), False)


def test_progress_is_reported_while_planning(db, world):
    rows = [_person(["望江花园", "3", "2", str(1000 + i)], f"住户{i}") for i in range(600)]
    calls = []
    table = _table(rows)
    plan_import(db, world.staff, world.community.id, table, guess_mapping(HEADERS),
                lambda done, total: calls.append((done, total)))  # fmt: skip
    assert calls == [(250, 600), (500, 600), (600, 600)]
    result = _import(db, world.staff, world.community, table)
    assert (result.households_created, result.residents_created) == (600, 600)


# ---------------------------------------------------------------- the error report


def test_the_error_report_lists_each_problem_in_the_users_language(db, world):
    rows = [_person(["望江花园", "9", "2", "501"], "王芳", sex="女")]
    plan = _plan(db, world.staff, world.community, _table(rows))
    languages = {"zh": ["行号", "列", "内容", "问题"], "en": ["Row", "Column", "Value", "Problem"]}
    for locale, headers in languages.items():

        def describe(code: str, params: dict, locale: str = locale) -> str:
            return translate(locale, code, **params)

        book = load_workbook(io.BytesIO(error_report(plan, locale, describe)))
        values = list(book.active.iter_rows(values_only=True))
        assert list(values[0]) == headers
        assert values[1][:3] == (2, "楼栋", "9")
        assert values[1][3]  # a message (or, until the catalogs have it, its key)


# ---------------------------------------------------------------- export


def _family(db, world):
    """People with full files in the world's three households."""
    hui = db.exec(select(Resident).where(Resident.name == "罗辉")).one()
    hui.id_number, hui.birth_date, hui.mobile, hui.mobile_tail = (
        _id("1980-05-04", 13),
        date(1980, 5, 4),
        "13912345678",
        "5678",
    )
    db.add(hui)
    db.add(Resident(household_id=world.household.id, community_id=world.community.id,
                    name="王秀英", sex="female", birth_date=date(1941, 5, 6), relation="父母",
                    elderly_alone=True, no_smartphone=True, residency="tenant",
                    moved_in=date(2020, 1, 1)))  # fmt: skip
    db.add(Resident(household_id=world.outside.id, community_id=world.community.id,
                    name="李强", sex="male", moved_in=date(2019, 3, 1),
                    moved_out=date(2024, 6, 30), elderly_alone=True))  # fmt: skip
    db.commit()


def _exported(content: bytes) -> list[list[str]]:
    table = read_table("export.xlsx", content)
    assert table.headers == HEADERS
    return table.rows


def test_export_by_compound_grid_and_flag_repeats_the_household_on_each_row(db, world):
    _family(db, world)
    rows = _exported(export_roster(db, world.staff, world.community.id))
    assert [r[:5] for r in rows] == [
        ["望江花园", "3", "2", "501", "罗辉"],
        ["望江花园", "3", "2", "501", "罗小雨"],
        ["望江花园", "3", "2", "501", "王秀英"],
        ["锦城苑", "3", "2", "1101", "李雪"],
        ["锦城苑", "3", "2", "1101", "李强"],
    ]
    assert rows[0][6:9] == ["1980-05-04", "13912345678", _id("1980-05-04", 13)]  # in full
    assert rows[2][10:14] == ["租住", "2020-01-01", "", "是"]

    compound = world.outside.compound_id
    by_compound = _exported(
        export_roster(db, world.staff, world.community.id, compound_id=compound)
    )
    assert [r[4] for r in by_compound] == ["李雪", "李强"]
    by_grid = _exported(export_roster(db, world.staff, world.community.id, grid_id=world.grid.id))
    assert [r[4] for r in by_grid] == ["罗辉", "罗小雨", "王秀英"]
    # A care list is for visits: 李强 moved out.
    alone = _exported(export_roster(db, world.staff, world.community.id, flag="elderly_alone"))
    assert [r[:5] for r in alone] == [["望江花园", "3", "2", "501", "王秀英"]]
    assert _code(lambda: export_roster(db, world.staff, world.community.id, flag="rich")).code == (
        "errors.invalid_input"
    )
    other = world.far_household.compound_id
    assert _code(
        lambda: export_roster(db, world.staff, world.community.id, compound_id=other)
    ).code == ("errors.not_found")

    entries = db.exec(
        select(AuditEntry).where(AuditEntry.action == "roster.export").order_by(AuditEntry.id)
    ).all()
    assert len(entries) == 4
    assert entries[0].detail.endswith("rows=5")
    assert "flag=elderly_alone" in entries[3].detail and entries[3].detail.endswith("rows=1")


def test_an_export_is_readable_with_numbers_kept_as_text(db, world):
    _family(db, world)
    book = load_workbook(io.BytesIO(export_roster(db, world.staff, world.community.id)))
    ws = book.active
    assert ws.freeze_panes == "A2"
    assert all(cell.font.b for cell in ws[1])
    id_cell, mobile_cell = ws.cell(2, 9), ws.cell(2, 8)
    assert (id_cell.data_type, id_cell.number_format) == ("s", "@")
    assert (mobile_cell.data_type, mobile_cell.number_format) == ("s", "@")
    assert ws.column_dimensions["I"].width >= 20


def test_an_export_imports_again_with_no_changes(db, world):
    _family(db, world)
    table = read_table("export.xlsx", export_roster(db, world.staff, world.community.id))
    before = _counts(db)
    plan = _plan(db, world.staff, world.community, table)
    assert plan.errors == []
    assert (plan.rows, plan.residents_unchanged) == (5, 5)
    result = _import(db, world.staff, world.community, table)
    assert result == register_io.ImportResult(5, 0, 0, 0, 5)
    assert _counts(db)[:2] == before[:2]


def test_the_demo_community_exports_and_imports_again_with_no_changes(db):
    load_demo(db, scale=0.05)
    staff = db.exec(select(User).where(User.mobile == "13800000001")).one()
    table = read_table("export.xlsx", export_roster(db, staff, staff.community_id))
    plan = plan_import(db, staff, staff.community_id, table, guess_mapping(table.headers))
    assert plan.errors == []
    assert plan.residents_unchanged == plan.rows > 100


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ["anonymous", "resident", "volunteer", "far_staff"])
def test_only_staff_of_the_community_plan_import_and_export(db, world, who):
    actor = None if who == "anonymous" else getattr(world, who)
    table = _table([_person(PLACE, "罗辉")])
    mapping = guess_mapping(HEADERS)
    before = _counts(db)
    for call in (
        lambda: plan_import(db, actor, world.community.id, table, mapping),
        lambda: import_roster(db, actor, world.community.id, table, mapping),
        lambda: export_roster(db, actor, world.community.id),
    ):
        with pytest.raises(Forbidden):
            call()
    assert _counts(db) == before


@pytest.mark.parametrize("who", ["staff", "street_staff", "admin"])
def test_staff_street_staff_and_admins_may(db, world, who):
    actor = getattr(world, who)
    table = _table([_person(PLACE, "罗辉")])
    assert _import(db, actor, world.community, table).residents_unchanged == 1
    assert len(_exported(export_roster(db, actor, world.community.id))) == 3
    actions = db.exec(select(AuditEntry.action).where(AuditEntry.actor_id == actor.id)).all()
    assert sorted(actions) == ["roster.export", "roster.import"]


def test_street_staff_of_another_street_may_not(db, world):
    west = add_user(db, "13800000019", Role.STREET_STAFF, street=world.other_street)
    with pytest.raises(Forbidden):
        export_roster(db, west, world.community.id)


def test_a_door_in_another_community_is_not_found_by_name(db, world):
    # 上游小区 is in the far community: for community A it does not exist.
    rows = [_person(["上游小区", "3", "2", "301"], "张伟")]
    plan = _plan(db, world.staff, world.community, _table(rows))
    assert [(e.column, e.code) for e in plan.errors] == [("小区", "errors.compound_not_found")]
