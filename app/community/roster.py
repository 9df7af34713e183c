"""The people register as spreadsheets (人员情况摸底表): read, check, import and export.

Staff keep the register in Excel. A file is read into a `Table` (xlsx, or CSV as Excel saves
it in China), its columns are matched to the register's (`guess_mapping`, then confirmed by
the user), every row is checked without writing (`plan_import`), and only a file without a
single error is written, in one transaction (`import_roster`). An export has the same columns
as the template, so exporting and importing again changes nothing.

    python -m app.community.roster     writes assets/roster_template.xlsx and roster_sample.xlsx
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

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
from app.community.service import (
    ResidentInput,
    _require_staff,
    audit,
    id_check_code,
    natural_key,
    new_household,
)
from app.db import saved_id
from app.errors import InvalidInput, ServiceError, parse
from app.settings import get_settings
from app.timeutil import utcnow

MAX_BYTES = 50 * 1024 * 1024
UPLOAD_MAX_AGE = timedelta(hours=1)  # an uploaded file left this long was abandoned
DATA_SHEET = "人员情况摸底表"
HELP_SHEET = "填写说明"
PROGRESS_EVERY = 250
HEADER_SEARCH_ROWS = 10  # the header is looked for in this many non-blank rows
HEADER_MIN_KNOWN = 3  # a row naming this many of the register's columns is the header
_CHUNK = 500  # rows per IN (...) lookup and per bulk insert

Progress = Callable[[int, int], None]


# ---------------------------------------------------------------- the columns


@dataclass(frozen=True)
class RosterColumn:
    key: str
    zh: str  # the header the template and exports use
    en: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    width: int = 10  # in characters, for templates and exports
    help: str = ""  # 填写说明
    example: str = ""


_YES_NO = "填“是”或“否”（也可填 Y/N、1/0、√），不填视为“否”。"

ROSTER_COLUMNS: tuple[RosterColumn, ...] = (
    RosterColumn(
        "compound",
        "小区",
        "Compound",
        True,
        (
            "小区/院落",
            "院落",
            "小区名称",
            "小区名",
            "小区(院落)",
            "所属小区",
            "estate",
            "compound name",
            "residential compound",
        ),
        14,
        "小区或院落的名称，须与系统中本社区的小区名称一致。",
        "望江花园",
    ),
    RosterColumn(
        "building",
        "楼栋",
        "Building",
        True,
        ("楼栋号", "楼号", "栋", "幢", "楼幢", "栋号", "bldg", "block", "building no"),
        7,
        "楼栋号，填“3”“3栋”“3号楼”均可；楼栋须已在系统中建好。",
        "3",
    ),
    RosterColumn(
        "unit",
        "单元",
        "Unit",
        True,
        ("单元号", "unit no", "stairwell", "entrance"),
        7,
        "单元号，填“2”或“2单元”均可；单元须已在系统中建好。",
        "2",
    ),
    RosterColumn(
        "door",
        "门牌号",
        "Door",
        True,
        ("房号", "房间号", "门牌", "户号", "室", "room", "door no", "flat", "apartment"),
        8,
        "房号，如“501”；系统中还没有的房号会在导入时新建。",
        "501",
    ),
    RosterColumn(
        "name",
        "姓名",
        "Name",
        True,
        ("居民姓名", "人员姓名", "full name", "resident name"),
        9,
        "居民姓名。同一户里不能有两个同名的人。",
        "张伟",
    ),
    RosterColumn(
        "sex",
        "性别",
        "Sex",
        True,
        ("gender",),
        5,
        "填“男”或“女”；填了身份证号的，须与身份证号一致。",
        "男",
    ),
    RosterColumn(
        "birth_date",
        "出生日期",
        "Date of birth",
        False,
        ("出生年月日", "出生年月", "生日", "birth date", "birthday", "dob", "born"),
        12,
        "如 1985-03-15；填了身份证号的可以不填，系统按身份证号补上。",
        "1985-03-15",
    ),
    RosterColumn(
        "mobile",
        "手机号",
        "Mobile",
        False,
        (
            "联系电话",
            "手机号码",
            "手机",
            "电话",
            "联系方式",
            "phone",
            "mobile number",
            "mobile phone",
            "tel",
        ),
        14,
        "11位手机号。请把这一列设成“文本”格式。",
        "13881234567",
    ),
    RosterColumn(
        "id_number",
        "身份证号",
        "ID number",
        False,
        (
            "身份证号码",
            "公民身份号码",
            "身份证",
            "证件号码",
            "证件号",
            "id no",
            "id card",
            "id card number",
            "id",
        ),
        21,
        "18位居民身份证号。请先把这一列设成“文本”格式再填写，否则 Excel 会把后几位变成 0。",
        "510104198503152311",
    ),
    RosterColumn(
        "relation",
        "与户主关系",
        "Relation to head",
        False,
        ("户主关系", "关系", "家庭关系", "relation", "relationship"),
        10,
        "户主、配偶、子女、父母、孙子女、儿媳、女婿、租客等。",
        "户主",
    ),
    RosterColumn(
        "residency",
        "居住类型",
        "Residency",
        False,
        (
            "居住情况",
            "居住性质",
            "居住状态",
            "人员类型",
            "常住/租住",
            "residence type",
            "residence",
        ),
        9,
        "填“常住”或“租住”，不填视为“常住”。",
        "常住",
    ),
    RosterColumn(
        "moved_in",
        "迁入日期",
        "Moved in",
        False,
        (
            "迁入时间",
            "入住日期",
            "入住时间",
            "搬入日期",
            "move in",
            "move in date",
            "moved in date",
        ),
        12,
        "租住或新搬来的人员填写，如 2024-03-01。",
        "",
    ),
    RosterColumn(
        "moved_out",
        "迁出日期",
        "Moved out",
        False,
        ("迁出时间", "搬离日期", "搬出日期", "move out", "move out date", "moved out date"),
        12,
        "已搬走的人员填写搬走的日期；不能早于迁入日期。",
        "",
    ),
    RosterColumn(
        "elderly_alone",
        "独居老人",
        "Elderly living alone",
        False,
        ("独居", "空巢独居", "独居老年人", "living alone", "elderly alone", "lives alone"),
        9,
        "是否独居老人。" + _YES_NO,
        "否",
    ),
    RosterColumn(
        "pregnant",
        "孕妇",
        "Pregnant",
        False,
        ("孕产妇", "怀孕", "pregnancy", "pregnant woman"),
        6,
        "是否孕妇（男性不能填“是”）。" + _YES_NO,
        "否",
    ),
    RosterColumn(
        "disabled",
        "残疾人",
        "Disabled",
        False,
        ("残疾", "disability"),
        7,
        "是否残疾人。" + _YES_NO,
        "否",
    ),
    RosterColumn(
        "chronic_illness",
        "慢性病",
        "Chronic illness",
        False,
        ("慢病", "慢性病患者", "基础病", "chronic", "chronic disease"),
        7,
        "是否患有慢性病（高血压、糖尿病等）。" + _YES_NO,
        "否",
    ),
    RosterColumn(
        "child_without_carer",
        "无人照料儿童",
        "Child without carer",
        False,
        ("无人看护儿童", "无人照顾儿童", "unattended child", "child without care"),
        12,
        "是否无人照料的儿童（如父母被隔离）。" + _YES_NO,
        "否",
    ),
    RosterColumn(
        "no_smartphone",
        "无智能手机",
        "No smartphone",
        False,
        ("没有智能手机", "无智能机", "不会用智能手机", "no smart phone", "without smartphone"),
        10,
        "是否没有智能手机（需要工作人员代为操作）。" + _YES_NO,
        "否",
    ),
)
COLUMN_BY_KEY = {c.key: c for c in ROSTER_COLUMNS}
PLACE_KEYS = ("compound", "building", "unit", "door")
PERSON_KEYS = tuple(c.key for c in ROSTER_COLUMNS if c.key not in PLACE_KEYS)
DATE_KEYS = ("birth_date", "moved_in", "moved_out")
# For people already registered, a blank cell in these columns keeps what the register
# holds (a partial sheet must not wipe numbers); a blank care flag is 否, as the template says.
KEEP_WHEN_BLANK = (
    "birth_date",
    "mobile",
    "id_number",
    "relation",
    "residency",
    "moved_in",
    "moved_out",
)
TEXT_KEYS = ("mobile", "id_number")  # stored as text so Excel keeps every digit
MAX_LENGTHS = {"name": 30, "relation": 20}  # the register's column sizes

_SEX_WORDS = {
    Sex.MALE: ("男", "男性", "m", "male", "man"),
    Sex.FEMALE: ("女", "女性", "f", "female", "woman"),
}
_SEX_LABEL = {Sex.MALE: "男", Sex.FEMALE: "女"}
_RESIDENCY_WORDS = {
    Residency.PERMANENT: ("常住", "户籍", "常住人口", "户籍人口", "本地", "自住", "permanent"),
    Residency.TENANT: ("租住", "租户", "租房", "租客", "出租", "流动", "流动人口", "tenant"),
}
_RESIDENCY_LABEL = {Residency.PERMANENT: "常住", Residency.TENANT: "租住"}
_YES = {"是", "y", "yes", "1", "√", "✓", "✔", "有", "true", "t"}
_NO = {"否", "n", "no", "0", "×", "✗", "无", "false", "f", "-", "/"}
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE][+]?\d+$")


# ---------------------------------------------------------------- results


@dataclass
class Table:
    """One sheet of a spreadsheet: the header row and the non-blank rows as cleaned strings."""

    sheet: str
    sheets: list[str]
    headers: list[str]
    rows: list[list[str]]
    row_numbers: list[int]  # the spreadsheet row of each row (1 = the first row of the sheet)
    header_row: int = 1


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number
    column: str  # the header as the file has it
    value: str
    code: str  # an i18n catalog key
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportPlan:
    rows: int = 0
    households_to_create: int = 0
    residents_to_create: int = 0
    residents_to_update: int = 0
    residents_unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # What import_roster writes: new doors, new people (with the door's key), changed people.
    new_households: dict[tuple[int, str], Household] = field(default_factory=dict, repr=False)
    new_residents: list[tuple[int | tuple[int, str], dict[str, Any]]] = field(
        default_factory=list, repr=False
    )
    updates: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportResult:
    rows: int
    households_created: int
    residents_created: int
    residents_updated: int
    residents_unchanged: int


class ImportHasErrors(ServiceError):
    """The file has errors; nothing was written. `plan.errors` lists them row by row."""

    def __init__(self, plan: ImportPlan):
        super().__init__("errors.import_has_errors", count=len(plan.errors))
        self.plan = plan


# ---------------------------------------------------------------- reading files


def _clean_text(value: str) -> str:
    value = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    value = value.replace("\u200b", "").replace("\ufeff", "").strip(" \t\u3000\xa0")
    # ="0123" is how some tools keep leading zeros in a CSV.
    if len(value) >= 3 and value.startswith('="') and value.endswith('"'):
        value = value[2:-1].strip()
    return value


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person sees in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time | timedelta):
        return str(value)
    if isinstance(value, int | float):
        if abs(value) >= 1e15:
            # Excel keeps 15 significant digits: a long number such as an ID number has lost
            # its last ones. Keep what Excel shows so the check can say so.
            return f"{value:.15G}"
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else f"{value:.15G}"
        return str(value)
    return _clean_text(str(value))


def _known_columns(cells: Sequence[str]) -> int:
    return sum(i is not None for i in guess_mapping(cells).values())


def _header_index(candidates: Sequence[list[str]]) -> int:
    """Which of the first non-blank rows is the header: the first that names enough of the
    register's columns (office templates put a merged title row, or notes, above it); the
    first row when none does, so the user maps the columns by hand."""
    for i, cells in enumerate(candidates):
        if _known_columns(cells) >= HEADER_MIN_KNOWN:
            return i
    return 0


def _table(sheet: str, sheets: list[str], raw_rows: Iterable[Sequence[Any]]) -> Table:
    numbered = ((number, [_cell_text(v) for v in raw]) for number, raw in enumerate(raw_rows, 1))
    filled = ((number, cells) for number, cells in numbered if any(cells))
    candidates = list(itertools.islice(filled, HEADER_SEARCH_ROWS))
    if not candidates:
        raise ServiceError("errors.no_header")
    first = _header_index([cells for _, cells in candidates])
    header_row, headers = candidates[first]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, cells in itertools.chain(candidates[first + 1 :], filled):
        cells = (cells + [""] * width)[:width]
        if any(cells):  # not just notes to the right of the table
            rows.append(cells)
            numbers.append(number)
    return Table(sheet, sheets, headers, rows, numbers, header_row)


def _read_xlsx(content: bytes, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # zip, XML or openpyxl errors: all mean the same to the user
        raise ServiceError("errors.file_unreadable") from None
    try:
        names = list(book.sheetnames)
        if sheet is not None:
            if sheet not in names:
                raise ServiceError("errors.sheet_not_found", sheet=sheet)
            chosen = sheet
        else:
            data = [n for n in names if n not in (HELP_SHEET, "Instructions")]
            if not data:
                raise ServiceError("errors.no_header")
            chosen = data[0]
        ws = book[chosen]
        if not hasattr(ws, "reset_dimensions"):  # a chart sheet
            raise ServiceError("errors.no_header")
        ws.reset_dimensions()  # the stored size is often wrong; read what is there
        try:
            return _table(chosen, names, ws.iter_rows(values_only=True))
        except ServiceError:
            raise
        except Exception:
            raise ServiceError("errors.file_unreadable") from None
    finally:
        book.close()


def _decode(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)  # Excel's "Unicode text"
    else:
        encodings = ("utf-8", "gb18030")  # GB18030 covers GBK and GB2312
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError("errors.file_unreadable")


def _delimiter(text: str) -> str:
    """The delimiter of the first non-blank line: the most frequent of , tab ;"""
    for line in text.splitlines():
        if line.strip():
            counts = {d: line.count(d) for d in (",", "\t", ";")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    if "\x00" in text:
        raise ServiceError("errors.file_unreadable")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return _table("", [], reader)
    except csv.Error:
        raise ServiceError("errors.file_unreadable") from None


def read_table(filename: str, content: bytes, sheet: str | None = None) -> Table:
    """Read the first data sheet (or `sheet`) of an .xlsx, or a CSV file."""
    if not content:
        raise ServiceError("errors.file_empty")
    if len(content) > MAX_BYTES:
        raise ServiceError("errors.file_too_large", mb=MAX_BYTES // (1024 * 1024))
    ext = Path(filename or "").suffix.lower()
    if ext == ".xlsx":
        if content.startswith(b"\xd0\xcf\x11\xe0"):  # an old .xls renamed
            raise ServiceError("errors.file_type", ext=".xls")
        if not zipfile.is_zipfile(io.BytesIO(content)):
            raise ServiceError("errors.file_unreadable")
        return _read_xlsx(content, sheet)
    if ext == ".csv":
        return _read_csv(content)
    raise ServiceError("errors.file_type", ext=ext or filename or "")


# ---------------------------------------------------------------- the file until it is imported


def keep_upload(filename: str, content: bytes) -> str:
    """Keep an uploaded file (full ID numbers) for the checks and the import that follow, under
    a random name in the private upload folder, which is never served. Returns its path."""
    folder = get_settings().upload_dir
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(12)}{Path(filename).suffix.lower()}"
    path.write_bytes(content)
    return str(path)


def read_upload(filename: str, path: str, sheet: str | None = None) -> Table:
    """The kept file read again. Reading it marks it in use, so housekeeping leaves it."""
    file = Path(path)
    try:
        content = file.read_bytes()
        file.touch()
    except OSError:  # removed by housekeeping after an hour untouched
        raise ServiceError("errors.upload_gone") from None
    return read_table(filename, content, sheet)


def discard_upload(path: str) -> None:
    """The file is imported or cancelled: nothing of it stays on the server."""
    if path:
        Path(path).unlink(missing_ok=True)


def remove_abandoned_uploads() -> int:
    """Housekeeping: kept files untouched for UPLOAD_MAX_AGE (the page was left before the
    import). Returns how many were removed."""
    folder = get_settings().upload_dir
    if not folder.is_dir():
        return 0
    oldest = (datetime.now() - UPLOAD_MAX_AGE).timestamp()
    removed = 0
    for file in folder.iterdir():
        if file.is_file() and file.stat().st_mtime < oldest:
            file.unlink(missing_ok=True)
            removed += 1
    return removed


# ---------------------------------------------------------------- matching the columns


def _header_key(text: str) -> str:
    """A header reduced for comparing: no brackets, marks, spaces, case."""
    text = unicodedata.normalize("NFKC", text).lower().replace("_", " ")
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", text)


def _header_words(text: str) -> str:
    """A header as lower-case words, for finding an English word in it."""
    text = unicodedata.normalize("NFKC", text).lower().replace("_", " ")
    return " ".join(re.findall(r"[0-9a-z]+", text))


def _contains(header: str, word: str) -> bool:
    if word.isascii():  # whole words: "unit" is not in "community"
        return (
            re.search(rf"(?<![0-9a-z]){re.escape(_header_words(word))}(?![0-9a-z])", header)
            is not None
        )
    return _header_key(word) in header


def guess_mapping(headers: Sequence[str]) -> dict[str, int | None]:
    """Which header holds each column: exact or synonym matches first, then headers that
    contain a known word (the longest word wins). Chinese and English."""
    keys = [_header_key(h) for h in headers]
    words = {c.key: (c.zh, c.en, c.key, *c.synonyms) for c in ROSTER_COLUMNS}
    mapping: dict[str, int | None] = dict.fromkeys(COLUMN_BY_KEY)
    taken: set[int] = set()
    for column in ROSTER_COLUMNS:
        exact = {_header_key(w) for w in words[column.key]}
        for i, key in enumerate(keys):
            if i not in taken and key and key in exact:
                mapping[column.key] = i
                taken.add(i)
                break
    candidates = []
    for i, header in enumerate(headers):
        key, spaced = _header_key(header), _header_words(header)
        for column in ROSTER_COLUMNS:
            for word in words[column.key]:
                if _contains(spaced if word.isascii() else key, word):
                    candidates.append((-len(_header_key(word)), i, column.key))
    for _, i, key in sorted(candidates):
        if mapping[key] is None and i not in taken:
            mapping[key] = i
            taken.add(i)
    return mapping


def _check_mapping(table: Table, mapping: dict[str, int | None]) -> dict[str, int]:
    mapped = {k: i for k, i in mapping.items() if k in COLUMN_BY_KEY and i is not None}
    missing = [c.zh for c in ROSTER_COLUMNS if c.required and c.key not in mapped]
    bad = [k for k, i in mapped.items() if not 0 <= i < len(table.headers)]
    if missing or bad:
        names = missing + [COLUMN_BY_KEY[k].zh for k in bad]
        raise ServiceError("errors.columns_missing", columns="、".join(names))
    seen: dict[int, str] = {}
    for key, i in mapped.items():
        if i in seen:
            raise ServiceError("errors.column_mapped_twice", column=table.headers[i])
        seen[i] = key
    return mapped


# ---------------------------------------------------------------- reading values

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _cn_number(text: str) -> str:
    """一 → 1, 十二 → 12, 二十 → 20 (up to 99); anything else unchanged."""
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return text
    if "十" not in text:
        return "".join(str(_CN_DIGITS[c]) for c in text)
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return text
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))


def _number(text: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> str:
    """A building or unit number as the register writes it: "3号楼" → "3", "02" → "2"."""
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    for prefix in prefixes:
        text = text.removeprefix(prefix)
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    text = _cn_number(text)
    return str(int(text)) if text.isdigit() else text.upper()


def _building_number(text: str) -> str:
    return _number(text, ("第",), ("号楼", "栋", "幢", "座", "楼", "号", "#"))


def _unit_number(text: str) -> str:
    return _number(text, ("第",), ("单元", "单", "号"))


def _door_number(text: str, building: str, unit: str) -> str | None:
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    for suffix in ("室", "号", "房"):
        text = text.removesuffix(suffix)
    parts = text.split("-")
    same_place = len(parts) == 3 and (_building_number(parts[0]), _unit_number(parts[1])) == (
        building,
        unit,
    )
    if same_place:
        text = parts[2]  # the whole "3-2-501" in the door column
    if not re.fullmatch(r"[0-9A-Za-z\u4e00-\u9fff]{1,10}", text):
        return None
    return str(int(text)) if text.isdigit() else text.upper()


def _date(text: str) -> date | None:
    """2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日, 20230501; ValueError otherwise."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    found = re.fullmatch(
        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(:\d{2})?)?",
        text,
    )
    if found:
        return date(int(found[1]), int(found[2]), int(found[3]))
    if re.fullmatch(r"\d{8}", text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    raise ValueError(text)


def _word(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _value(key: str, text: str) -> Any:
    """One person cell as ResidentInput takes it; ServiceError(code) if it cannot be read."""
    if key in DATE_KEYS:
        try:
            return _date(text)
        except ValueError:
            raise ServiceError("errors.date_invalid") from None
    if key == "sex":
        word = _word(text)
        for sex, words in _SEX_WORDS.items():
            if word in words:
                return sex
        raise ServiceError("errors.missing" if not word else "errors.sex_invalid")
    if key == "residency":
        word = _word(text)
        if not word:
            return Residency.PERMANENT
        for residency, words in _RESIDENCY_WORDS.items():
            if word in words:
                return residency
        raise ServiceError("errors.residency_invalid")
    if key in CARE_FLAGS:
        word = _word(text)
        if not word or word in _NO:
            return False
        if word in _YES:
            return True
        raise ServiceError("errors.flag_invalid")
    if key == "id_number":
        if _SCIENTIFIC.match(text.strip()):
            raise ServiceError("errors.id_number_lost_digits")
        return re.sub(r"\s", "", unicodedata.normalize("NFKC", text)).upper()
    if key == "mobile":
        text = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", text))
        if _SCIENTIFIC.match(text):
            raise ServiceError("errors.mobile_invalid")
        return re.sub(r"^(\+?86)(?=1\d{10}$)", "", text)
    if key in MAX_LENGTHS and len(text) > MAX_LENGTHS[key]:
        raise ServiceError("errors.string_too_long", max=MAX_LENGTHS[key])
    return text


# ---------------------------------------------------------------- the register in memory


@dataclass
class _Places:
    compounds: dict[str, Compound]
    buildings: dict[tuple[int, str], Building]  # (compound id, number)
    units: dict[tuple[int, str], Unit]  # (building id, number)
    doors: dict[tuple[int, str], int]  # (unit id, door) → household id
    addresses: dict[int, str]  # household id → address

    @classmethod
    def load(cls, session: Session, community_id: int) -> _Places:
        compounds = list(
            session.exec(select(Compound).where(Compound.community_id == community_id))
        )
        compound_ids = [c.id for c in compounds]
        buildings = list(
            session.exec(select(Building).where(col(Building.compound_id).in_(compound_ids)))
        )
        units = list(
            session.exec(select(Unit).where(col(Unit.building_id).in_([b.id for b in buildings])))
        )
        doors: dict[tuple[int, str], int] = {}
        addresses: dict[int, str] = {}
        for hid, unit_id, door, address in session.exec(
            select(Household.id, Household.unit_id, Household.door, Household.address).where(
                Household.community_id == community_id
            )
        ):
            doors[(unit_id, door)] = saved_id(hid)
            addresses[saved_id(hid)] = address
        return cls(
            {_place_name(c.name): c for c in compounds},
            {(b.compound_id, _building_number(b.number)): b for b in buildings},
            {(u.building_id, _unit_number(u.number)): u for u in units},
            doors,
            addresses,
        )


def _place_name(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))


_RESIDENT_FIELDS = ("id", "household_id", "community_id", *PERSON_KEYS)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _residents_where(session: Session, column, values: Iterable[Any]) -> list[dict[str, Any]]:
    values = sorted(set(values))
    columns = [getattr(Resident, f) for f in _RESIDENT_FIELDS]
    found: list[dict[str, Any]] = []
    for chunk in _chunks(values):
        for row in session.exec(select(*columns).where(col(column).in_(chunk))):
            found.append(dict(zip(_RESIDENT_FIELDS, row, strict=True)))
    return found


# ---------------------------------------------------------------- planning


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    household: int | tuple[int, str] | None = None  # an id, or (unit id, door) of a new door
    data: dict[str, Any] = field(default_factory=dict)  # the mapped person fields, read
    person: ResidentInput | None = None
    bad: set[str] = field(default_factory=set)  # person fields already reported
    blank: set[str] = field(default_factory=set)  # optional fields left blank


class _Planner:
    def __init__(
        self,
        session: Session,
        community_id: int,
        table: Table,
        mapping: dict[str, int],
    ):
        self.session = session
        self.community_id = community_id
        self.table = table
        self.mapping = mapping
        self.places = _Places.load(session, community_id)
        self.plan = ImportPlan(rows=len(table.rows))
        self._place_cache: dict[tuple[str, str, str], tuple[tuple | None, list]] = {}
        self.new_doors: dict[tuple[int, str], Household] = {}

    # -- errors

    def header(self, key: str) -> str:
        i = self.mapping.get(key)
        return self.table.headers[i] if i is not None else COLUMN_BY_KEY[key].zh

    def error(self, row: _Row, key: str, code: str, /, **params: Any) -> None:
        self.plan.errors.append(
            RowError(row.number, self.header(key), row.cells.get(key, ""), code, params)
        )

    # -- the place

    def _unit(self, compound: str, building: str, unit: str) -> tuple[tuple | None, list]:
        """(compound, building, unit) of the register, or the errors: (key, code, params)."""
        cached = self._place_cache.get((compound, building, unit))
        if cached is not None:
            return cached
        errors: list[tuple[str, str, dict]] = []
        found = None
        c = self.places.compounds.get(_place_name(compound))
        if c is None:
            errors.append(("compound", "errors.compound_not_found", {"name": compound}))
        else:
            b = self.places.buildings.get((saved_id(c), _building_number(building)))
            if b is None:
                errors.append(
                    (
                        "building",
                        "errors.building_not_found",
                        {"compound": c.name, "name": building},
                    )
                )
            else:
                u = self.places.units.get((saved_id(b), _unit_number(unit)))
                if u is None:
                    errors.append(
                        (
                            "unit",
                            "errors.unit_not_found",
                            {"compound": c.name, "building": b.number, "name": unit},
                        )
                    )
                else:
                    found = (c, b, u)
        result = (found, errors)
        self._place_cache[(compound, building, unit)] = result
        return result

    def place(self, row: _Row) -> None:
        missing = False
        for key in PLACE_KEYS:
            if not row.cells[key]:
                self.error(row, key, "errors.missing")
                missing = True
        if missing:
            return
        found, errors = self._unit(row.cells["compound"], row.cells["building"], row.cells["unit"])
        for key, code, params in errors:
            self.error(row, key, code, **params)
        door = _door_number(
            row.cells["door"],
            _building_number(row.cells["building"]),
            _unit_number(row.cells["unit"]),
        )
        if door is None:
            self.error(row, "door", "errors.door_invalid")
        if found is None or door is None:
            return
        compound, building, unit = found
        household = self.places.doors.get((unit.id, door))
        if household is not None:
            row.household = household
            return
        key = (unit.id, door)
        if key not in self.new_doors:
            self.new_doors[key] = new_household(compound, building, unit, door)
        row.household = key

    # -- the person

    def person(self, row: _Row) -> None:
        for key in PERSON_KEYS:
            if key not in self.mapping:
                continue
            if not row.cells[key] and key in KEEP_WHEN_BLANK:
                row.blank.add(key)
                continue
            try:
                row.data[key] = _value(key, row.cells[key])
            except ServiceError as exc:
                row.bad.add(key)
                self.error(row, key, exc.code, **exc.params)
        row.person = self.validate(row, row.data)

    def validate(self, row: _Row, data: dict[str, Any]) -> ResidentInput | None:
        try:
            return parse(ResidentInput, data)
        except InvalidInput as exc:
            for name, code in exc.fields.items():
                if name not in row.bad:
                    row.bad.add(name)
                    params = exc.field_params.get(name, {})
                    self.error(row, name if name in COLUMN_BY_KEY else "name", code, **params)
            return None


def plan_import(
    session: Session,
    actor: User | None,
    community_id: int,
    table: Table,
    mapping: dict[str, int | None],
    progress: Progress | None = None,
) -> ImportPlan:
    """Check every row against the register without writing anything: what would be created,
    updated or left as it is, and every error with its row, column and reason."""
    _require_staff(session, actor, community_id)
    mapped = _check_mapping(table, mapping)
    planner = _Planner(session, community_id, table, mapped)
    plan = planner.plan
    total = len(table.rows)

    rows: list[_Row] = []
    for i, (number, cells) in enumerate(zip(table.row_numbers, table.rows, strict=True)):
        row = _Row(number, {k: cells[idx] for k, idx in mapped.items()})
        planner.place(row)
        planner.person(row)
        rows.append(row)
        if progress is not None and i % PROGRESS_EVERY == 0 and i:
            progress(i, total)

    # Who is already in the register: by ID number anywhere, and at the doors of the file.
    ids = [r.person.id_number for r in rows if r.person and r.person.id_number]
    by_id = {p["id_number"]: p for p in _residents_where(session, Resident.id_number, ids)}
    doors = [r.household for r in rows if isinstance(r.household, int)]
    by_door: dict[tuple[int, str], dict[str, Any]] = {}
    for p in _residents_where(session, Resident.household_id, doors):
        by_door.setdefault((p["household_id"], p["name"]), p)

    unmapped = [k for k in PERSON_KEYS if k not in mapped]
    first_of_id: dict[str, int] = {}
    first_of_name: dict[tuple[Any, str], int] = {}
    claimed: dict[int, int] = {}  # resident id → the row that matched it
    for row in rows:
        name = row.data.get("name", "").strip() if "name" not in row.bad else ""
        if row.household is not None and name:
            first = first_of_name.setdefault((row.household, name), row.number)
            if first != row.number:
                planner.error(row, "name", "errors.roster_duplicate_name", row=first)
                continue
        number = row.data.get("id_number", "") if "id_number" not in row.bad else ""
        if number:
            first = first_of_id.setdefault(number, row.number)
            if first != row.number:
                planner.error(row, "id_number", "errors.roster_duplicate_id", row=first)
                continue
        person = row.person
        if person is None or row.household is None:
            continue

        existing = None
        if person.id_number and person.id_number in by_id:
            existing = by_id[person.id_number]
            if existing["household_id"] != row.household:
                if existing["community_id"] == community_id:
                    address = planner.places.addresses.get(existing["household_id"], "")
                    planner.error(
                        row, "id_number", "errors.id_number_registered_at", address=address
                    )
                else:
                    planner.error(row, "id_number", "errors.id_number_taken")
                continue
        if existing is None and isinstance(row.household, int):
            existing = by_door.get((row.household, person.name))
        if existing is not None:
            first = claimed.setdefault(existing["id"], row.number)
            if first != row.number:
                planner.error(row, "name", "errors.roster_same_person", row=first)
                continue
            keep = [*unmapped, *row.blank]
            if keep:  # what the file leaves out keeps what the register holds
                merged = {k: existing[k] for k in keep} | row.data
                if "birth_date" in keep and row.data.get("id_number"):
                    merged["birth_date"] = None  # follows the ID number
                person = planner.validate(row, merged)
                if person is None:
                    continue
            values = person.model_dump()
            if any(existing[k] != v for k, v in values.items()):
                plan.updates.append(
                    {"id": existing["id"], **values, "mobile_tail": values["mobile"][-4:]}
                )
            else:
                plan.residents_unchanged += 1
        else:
            plan.new_residents.append((row.household, person.model_dump()))

    if progress is not None:
        progress(total, total)
    plan.errors.sort(key=lambda e: e.row)
    used = {h for h, _ in plan.new_residents if isinstance(h, tuple)}
    plan.new_households = {k: h for k, h in planner.new_doors.items() if k in used}
    plan.households_to_create = len(plan.new_households)
    plan.residents_to_create = len(plan.new_residents)
    plan.residents_to_update = len(plan.updates)
    return plan


# ---------------------------------------------------------------- importing


def import_roster(
    session: Session,
    actor: User | None,
    community_id: int,
    table: Table,
    mapping: dict[str, int | None],
    progress: Progress | None = None,
) -> ImportResult:
    """Check the file again and, only if no row has an error, write it all in one
    transaction: new doors, new people, changed people, and one audit entry."""
    actor = _require_staff(session, actor, community_id)
    plan = plan_import(session, actor, community_id, table, mapping, progress)
    if plan.errors:
        raise ImportHasErrors(plan)
    now = utcnow()
    try:
        household_ids: dict[tuple[int, str], int] = {}
        keys = list(plan.new_households)
        add_households = insert(Household).returning(
            col(Household.id), sort_by_parameter_order=True
        )
        for chunk in _chunks(keys):
            params = [
                plan.new_households[k].model_dump(exclude={"id"}) | {"updated_at": now}
                for k in chunk
            ]
            ids = session.exec(add_households, params=params).scalars().all()
            household_ids.update(zip(chunk, ids, strict=True))

        resident_rows = []
        for household, values in plan.new_residents:
            hid = household_ids[household] if isinstance(household, tuple) else household
            resident_rows.append(
                {
                    **values,
                    "household_id": hid,
                    "community_id": community_id,
                    "mobile_tail": values["mobile"][-4:],
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for chunk in _chunks(resident_rows):
            session.exec(insert(Resident), params=list(chunk))
        for chunk in _chunks(plan.updates):
            session.exec(update(Resident), params=[u | {"updated_at": now} for u in chunk])

        touched = {r["household_id"] for r in resident_rows}
        if plan.updates:
            updated_ids = [u["id"] for u in plan.updates]
            for chunk in _chunks(updated_ids):
                touched.update(
                    session.exec(
                        select(Resident.household_id).where(col(Resident.id).in_(chunk))
                    ).all()
                )
        for chunk in _chunks(sorted(touched)):
            session.exec(
                update(Household).where(col(Household.id).in_(chunk)).values(updated_at=now)
            )

        result = ImportResult(
            rows=plan.rows,
            households_created=plan.households_to_create,
            residents_created=plan.residents_to_create,
            residents_updated=plan.residents_to_update,
            residents_unchanged=plan.residents_unchanged,
        )
        audit(
            session,
            actor,
            community_id,
            "roster.import",
            f"community:{community_id}",
            f"rows={result.rows} households_created={result.households_created} "
            f"residents_created={result.residents_created} "
            f"residents_updated={result.residents_updated} "
            f"residents_unchanged={result.residents_unchanged}",
        )
        session.commit()
    except IntegrityError:
        session.rollback()  # someone changed the register meanwhile: nothing was written
        raise ServiceError("errors.import_conflict") from None
    except BaseException:
        session.rollback()
        raise
    if plan.updates:  # objects the caller holds must not show the old values
        changed = {u["id"] for u in plan.updates}
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Resident) and obj.id in changed:
                session.expire(obj)
    return result


# ---------------------------------------------------------------- error report


def error_report(plan: ImportPlan, locale: str) -> bytes:
    """The problems of a file as an .xlsx, in the user's language, one row per problem."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.worksheet import Worksheet

    from app.ui.i18n import translate

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
        ws.append(
            spreadsheets.row(ws, [e.row, e.column, e.value, translate(locale, e.code, **e.params)])
        )
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
        _SEX_LABEL[Sex(person["sex"])],
        person["birth_date"],
        person["mobile"] or None,
        person["id_number"] or None,
        person["relation"] or None,
        _RESIDENCY_LABEL[Residency(person["residency"])],
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

    actor = _require_staff(session, actor, community_id)
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


ASSETS = Path(__file__).resolve().parent.parent.parent / "assets"


def write_assets(folder: Path = ASSETS) -> list[Path]:
    """Write assets/roster_template.xlsx and assets/roster_sample.xlsx."""
    paths = []
    for name, sample in (("roster_template.xlsx", False), ("roster_sample.xlsx", True)):
        path = folder / name
        path.write_bytes(template_workbook(sample))
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_assets():
        print(written)
