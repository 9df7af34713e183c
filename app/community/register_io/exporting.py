"""The register out as spreadsheets: the export, the blank template and its sample, and a
file's problem list.

    python -m app.community.register_io   writes assets/roster_template.xlsx, roster_sample.xlsx
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from app import spreadsheets
from app.accounts.models import User
from app.community.models import (
    CARE_FLAGS,
    Building,
    Compound,
    Grid,
    Household,
    Residency,
    Resident,
    Sex,
    Unit,
)
from app.community.service import audit, id_check_code, natural_key, require_staff
from app.errors import InvalidInput, ServiceError
from app.settings import PROJECT_ROOT

from .checking import ImportPlan
from .columns import (
    COLUMN_BY_KEY,
    DATA_SHEET,
    DATE_KEYS,
    HELP_SHEET,
    PERSON_KEYS,
    RESIDENCY_LABEL,
    ROSTER_COLUMNS,
    SEX_LABEL,
    TEXT_KEYS,
)

# ---------------------------------------------------------------- error report


# A problem's words from its catalog code and parameters; the caller knows the user's language.
Describe = Callable[[str, dict[str, Any]], str]


def error_report(plan: ImportPlan, locale: str, describe: Describe) -> bytes:
    """The problems of a file as an .xlsx, one row per problem: the sheet's own headers in
    Chinese or English (`locale`), each problem in the words `describe` gives its code."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.worksheet import Worksheet

    zh = locale != "en"
    book = Workbook()
    ws = book.active
    assert isinstance(ws, Worksheet)  # a new workbook opens on its one worksheet
    ws.title = "问题清单" if zh else "Problems"
    headers = ("行号", "列", "内容", "问题") if zh else ("Row", "Column", "Value", "Problem")
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for e in plan.errors:
        ws.append(spreadsheets.row(ws, [e.row, e.column, e.value, describe(e.code, e.params)]))
    for letter, width in zip("ABCD", (8, 14, 24, 60), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "@"
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- export


def _row_values(place: Sequence[str], person: dict[str, Any]) -> list[Any]:
    values: list[Any] = list(place)
    values += [
        person["name"],
        SEX_LABEL[Sex(person["sex"])],
        person["birth_date"],
        person["mobile"] or None,
        person["id_number"] or None,
        person["relation"] or None,
        RESIDENCY_LABEL[Residency(person["residency"])],
        person["moved_in"],
        person["moved_out"],
    ]
    values += ["是" if person[f] else None for f in CARE_FLAGS]
    return values


def _write_sheet(ws, rows: Iterable[list[Any]], write_only: bool) -> None:
    """Header (bold, frozen), widths, text for ID and mobile columns, dates as dates."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for i, column in enumerate(ROSTER_COLUMNS, 1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = column.width + 2
        if column.key in TEXT_KEYS and not write_only:
            dim.number_format = "@"
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    kinds = [
        "text" if c.key in TEXT_KEYS else "date" if c.key in DATE_KEYS else ""
        for c in ROSTER_COLUMNS
    ]

    def cell(value: Any, kind: str):
        if kind == "text":
            return spreadsheets.cell(ws, value, "@")
        return spreadsheets.cell(ws, value, "yyyy-mm-dd" if value is not None else None)

    header = []
    for column in ROSTER_COLUMNS:
        c = WriteOnlyCell(ws, value=column.zh)
        c.font = bold
        header.append(c)
    ws.append(header)
    for values in rows:
        cells = [cell(v, k) if k else v for v, k in zip(values, kinds, strict=True)]
        ws.append(spreadsheets.row(ws, cells))


def export_roster(
    session: Session,
    actor: User | None,
    community_id: int,
    compound_id: int | None = None,
    grid_id: int | None = None,
    flag: str | None = None,
) -> bytes:
    """The register (or a compound, a grid's buildings, or the people with a care flag) as
    an .xlsx with the template's columns and full numbers. Audited."""
    from openpyxl import Workbook

    actor = require_staff(session, actor, community_id)
    if flag is not None and flag not in CARE_FLAGS:
        raise InvalidInput({"flag": "errors.invalid_input"})
    if compound_id is not None:
        compound = session.get(Compound, compound_id)
        if compound is None or compound.community_id != community_id:
            raise ServiceError("errors.not_found")
    if grid_id is not None:
        grid = session.get(Grid, grid_id)
        if grid is None or grid.community_id != community_id:
            raise ServiceError("errors.not_found")

    person_columns = [getattr(Resident, f) for f in ("id", *PERSON_KEYS)]
    # As many columns as the register has: more than sqlmodel's typed select() takes.
    query = (
        sa_select(
            col(Compound.id),
            col(Compound.name),
            col(Building.number),
            col(Unit.number),
            col(Household.door),
            *person_columns,
        )
        .join(Household, col(Household.id) == Resident.household_id)
        .join(Unit, col(Unit.id) == Household.unit_id)
        .join(Building, col(Building.id) == Household.building_id)
        .join(Compound, col(Compound.id) == Household.compound_id)
        .where(col(Household.community_id) == community_id)
    )
    if compound_id is not None:
        query = query.where(col(Household.compound_id) == compound_id)
    if grid_id is not None:
        query = query.where(col(Building.grid_id) == grid_id)
    if flag is not None:
        # A care list is for visiting: only the people who still live here.
        query = query.where(getattr(Resident, flag), col(Resident.moved_out).is_(None))
    fetched = session.execute(query).all()
    # Compound by compound, building by building, door by door, people in register order.
    records = sorted(
        fetched,
        key=lambda r: (r[0], natural_key(r[2]), natural_key(r[3]), natural_key(r[4]), r[5]),
    )

    book = Workbook(write_only=True)
    ws = book.create_sheet(DATA_SHEET)
    _write_sheet(
        ws,
        (_row_values(r[1:5], dict(zip(("id", *PERSON_KEYS), r[5:], strict=True))) for r in records),
        write_only=True,
    )
    out = io.BytesIO()
    book.save(out)

    audit(
        session,
        actor,
        community_id,
        "roster.export",
        f"community:{community_id}",
        f"compound={compound_id or ''} grid={grid_id or ''} flag={flag or ''} rows={len(records)}",
    )
    session.commit()
    return out.getvalue()


# ---------------------------------------------------------------- template and sample


# compound building-unit-door name sex born mobile ID-region:sequence relation residency
# moved-in care-flags (short names). Doors that exist in the demo community at any scale;
# ID numbers from districts other than the demo's own 510104, so they never clash with its
# residents.
_SHORT_FLAGS = {"alone": "elderly_alone", "chronic": "chronic_illness", "nophone": "no_smartphone"}
_SAMPLE = """
望江花园 1-1-101 张伟   男 1985-03-15 13881234567 510107:231 户主 常住 - -
望江花园 1-1-101 李娜   女 1987-08-02 13982345678 510105:142 配偶 常住 - -
望江花园 1-1-101 张子轩 男 2014-11-20 -           510107:053 子女 常住 - -
望江花园 1-1-102 王秀英 女 1941-05-06 -           510106:088 户主 常住 - alone,chronic,nophone
望江花园 1-1-201 刘洋   男 1994-07-19 15828765432 500101:315 户主 租住 2024-03-15 -
望江花园 1-1-201 陈静   女 1996-02-27 18780123456 500101:426 配偶 租住 2024-03-15 pregnant
望江花园 1-1-202 赵建国 男 1956-10-01 13551234098 510107:017 户主 常住 - chronic
望江花园 1-1-202 孙桂兰 女 1958-12-12 13551234099 510107:024 配偶 常住 - -
望江花园 1-2-301 黄志强 男 1979-04-08 13708091234 510108:117 户主 常住 - -
望江花园 1-2-301 周丽萍 女 1981-09-23 13708095678 510108:206 配偶 常住 - -
望江花园 1-2-301 黄梓涵 女 2010-06-30 -           510108:032 子女 常住 - -
望江花园 1-2-301 黄德明 男 1948-01-17 -           510108:071 父母 常住 - disabled,nophone
锦城苑   1-1-301 杨海涛 男 1988-05-21 18982214321 510105:159 户主 常住 - -
锦城苑   1-1-301 吴晓燕 女 1990-10-09 18982218765 510106:264 配偶 常住 - -
锦城苑   1-1-301 杨一诺 女 2019-03-03 -           510105:048 子女 常住 - -
锦城苑   1-1-302 马玉兰 女 1938-08-15 -           510107:062 户主 常住 - alone,nophone
锦城苑   1-2-501 郭鹏飞 男 1999-12-05 17723456789 420106:393 租客 租住 2025-09-01 -
锦城苑   1-2-502 林建华 男 1966-02-14 13908176543 510105:135 户主 常住 - chronic
锦城苑   1-2-502 何素芬 女 1968-07-07 13908176544 510105:246 配偶 常住 - -
锦城苑   1-2-502 林浩   男 1993-04-26 15008231122 510105:371 子女 常住 - -
"""


def _sample_rows() -> list[list[Any]]:
    rows = []
    for line in _SAMPLE.strip().splitlines():
        compound, place, name, sex, born, mobile, idn, relation, residency, moved_in, flags = [
            "" if part == "-" else part for part in line.split()
        ]
        region, sequence = idn.split(":")
        first17 = f"{region}{born.replace('-', '')}{sequence}"
        person = {
            "name": name,
            "sex": Sex.MALE if sex == "男" else Sex.FEMALE,
            "birth_date": date.fromisoformat(born),
            "mobile": mobile,
            "id_number": first17 + id_check_code(first17),
            "relation": relation,
            "residency": Residency.TENANT if residency == "租住" else Residency.PERMANENT,
            "moved_in": date.fromisoformat(moved_in) if moved_in else None,
            "moved_out": None,
            **{f: f in [_SHORT_FLAGS.get(x, x) for x in flags.split(",")] for f in CARE_FLAGS},
        }
        values = _row_values((compound, *place.split("-")), person)
        # The sample spells out 否 so people see both answers.
        rows.append(
            [
                "否" if value is None and key in CARE_FLAGS else value
                for value, key in zip(values, COLUMN_BY_KEY, strict=True)
            ]
        )
    return rows


def template_workbook(sample: bool) -> bytes:
    """The blank template (headers, drop-downs, a 填写说明 sheet), or with sample rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    ws = book.active
    assert isinstance(ws, Worksheet)  # a new workbook opens on its one worksheet
    ws.title = DATA_SHEET
    _write_sheet(ws, _sample_rows() if sample else [], write_only=False)
    letters = {c.key: get_column_letter(i) for i, c in enumerate(ROSTER_COLUMNS, 1)}
    for keys, options in (
        (("sex",), "男,女"),
        (("residency",), "常住,租住"),
        (CARE_FLAGS, "是,否"),
    ):
        check = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        for key in keys:
            check.add(f"{letters[key]}2:{letters[key]}5000")
        ws.add_data_validation(check)

    help_ws = book.create_sheet(HELP_SHEET)
    help_ws.append(["列名", "是否必填", "填写说明", "示例"])
    for cell in help_ws[1]:
        cell.font = Font(bold=True)
    for column in ROSTER_COLUMNS:
        help_ws.append(
            [column.zh, "必填" if column.required else "选填", column.help, column.example]
        )
    help_ws.append([])
    for line in (
        "一行填一个人；同一户的每个人都各占一行，小区、楼栋、单元、门牌号每行都要填。",
        "表头请保留在第一行；列的顺序可以调整，导入时会自动识别列名。",
        "身份证号、手机号两列请设成“文本”格式，否则 Excel 会改掉数字。",
        "已登记的人员（身份证号相同，或同一户里姓名相同）导入时会更新，不会重复登记；"
        "已登记人员空着的格子保留系统里原有的内容（特殊人群各列空着视为“否”）。",
        "文件里只要有一处错误，整份文件都不会导入；请按“问题清单”改好后重新导入。",
        "可以上传 .xlsx 文件，或 UTF-8 / GBK 编码的 .csv 文件；旧版 .xls 请先另存为 .xlsx。",
    ):
        help_ws.append([line])
    for letter, width in zip("ABCD", (14, 10, 70, 22), strict=True):
        help_ws.column_dimensions[letter].width = width
    for row in help_ws.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    help_ws.freeze_panes = "A2"

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ASSETS = PROJECT_ROOT / "assets"


def write_assets(folder: Path = ASSETS) -> list[Path]:
    """Write assets/roster_template.xlsx and assets/roster_sample.xlsx."""
    paths = []
    for name, sample in (("roster_template.xlsx", False), ("roster_sample.xlsx", True)):
        path = folder / name
        path.write_bytes(template_workbook(sample))
        paths.append(path)
    return paths
