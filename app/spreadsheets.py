"""Writing rows into .xlsx files so that what users typed stays text.

openpyxl stores a string starting with `=` as a formula, and a spreadsheet program runs text
starting with `=`, `+`, `-` or `@` as one when the cell is edited: a name typed as
`=HYPERLINK(...)` in a form would become a live link in a staff member's export. Every export
writes its rows through `row()`."""

from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

FORMULA_STARTS = ("=", "+", "-", "@")


def text_needs_guard(value: Any) -> bool:
    """Text a spreadsheet would read as a formula or an error code."""
    return isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value in ERROR_CODES)


def cell(ws: Any, value: Any, number_format: str | None = None) -> Cell:
    """A cell for `ws.append` (any sheet, write-only or not): such text is stored as a plain
    string with the quote prefix, which is what a spreadsheet does when one types `'=...`."""
    out = WriteOnlyCell(ws, value=value)
    if text_needs_guard(value):
        out.data_type = "s"
        out.quotePrefix = True
    if number_format:
        out.number_format = number_format
    return out


def row(ws: Any, values: list[Any] | tuple[Any, ...]) -> list[Any]:
    """One row for `ws.append`, with every guarded text as a `cell()`; the other values (and
    cells already made) pass through unchanged."""
    return [cell(ws, v) if text_needs_guard(v) else v for v in values]
