"""Opening a spreadsheet: an .xlsx (its first data sheet, or the one chosen) or a CSV as Excel
saves it in China, read into a `Table` under the header row found in it."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from app.errors import ServiceError

from .columns import HELP_SHEET
from .mapping import guess_mapping

MAX_BYTES = 50 * 1024 * 1024
HEADER_SEARCH_ROWS = 10  # the header is looked for in this many non-blank rows
HEADER_MIN_KNOWN = 3  # a row naming this many of the register's columns is the header

IsHeader = Callable[[Sequence[str]], bool]


@dataclass
class Table:
    """One sheet of a spreadsheet: the header row and the non-blank rows as cleaned strings."""

    sheet: str
    sheets: list[str]
    headers: list[str]
    rows: list[list[str]]
    row_numbers: list[int]  # the spreadsheet row of each row (1 = the first row of the sheet)
    header_row: int = 1


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


def names_roster_columns(cells: Sequence[str]) -> bool:
    """Whether a row names enough of the register's columns to be the roster's header."""
    return sum(i is not None for i in guess_mapping(cells).values()) >= HEADER_MIN_KNOWN


def _header_index(candidates: Sequence[list[str]], is_header: IsHeader) -> int:
    """Which of the first non-blank rows is the header: the first `is_header` accepts (office
    templates put a merged title row, or notes, above it); the first row when none does, so
    the user maps the columns by hand."""
    for i, cells in enumerate(candidates):
        if is_header(cells):
            return i
    return 0


def _table(
    sheet: str, sheets: list[str], raw_rows: Iterable[Sequence[Any]], is_header: IsHeader
) -> Table:
    numbered = ((number, [_cell_text(v) for v in raw]) for number, raw in enumerate(raw_rows, 1))
    filled = ((number, cells) for number, cells in numbered if any(cells))
    candidates = list(itertools.islice(filled, HEADER_SEARCH_ROWS))
    if not candidates:
        raise ServiceError("errors.no_header")
    first = _header_index([cells for _, cells in candidates], is_header)
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


def _read_xlsx(content: bytes, sheet: str | None, is_header: IsHeader) -> Table:
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
            return _table(chosen, names, ws.iter_rows(values_only=True), is_header)
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


def _read_csv(content: bytes, is_header: IsHeader) -> Table:
    text = _decode(content)
    if "\x00" in text:
        raise ServiceError("errors.file_unreadable")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return _table("", [], reader, is_header)
    except csv.Error:
        raise ServiceError("errors.file_unreadable") from None


def read_table(
    filename: str,
    content: bytes,
    sheet: str | None = None,
    is_header: IsHeader = names_roster_columns,
) -> Table:
    """Read the first data sheet (or `sheet`) of an .xlsx, or a CSV file. The header is the
    first of the first HEADER_SEARCH_ROWS non-blank rows that `is_header` accepts (by default
    one naming the register's columns), else the first non-blank row."""
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
        return _read_xlsx(content, sheet, is_header)
    if ext == ".csv":
        return _read_csv(content, is_header)
    raise ServiceError("errors.file_type", ext=ext or filename or "")
