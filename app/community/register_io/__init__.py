"""The people register as spreadsheets (人员情况摸底表, the 花名册): read, check, import, export.

Staff keep the register in Excel. A file is read into a `Table` (xlsx, or CSV as Excel saves
it in China; `reading`), its columns are matched to the register's (`guess_mapping`, then
confirmed by the user; `mapping`), every row is checked without writing (`plan_import`;
`checking`), and only a file without a single error is written, in one transaction
(`import_roster`; `importing`). An export has the same columns as the template, so exporting
and importing again changes nothing (`exporting`).

Problems are catalog codes (`RowError.code`); the caller puts them into words.

    python -m app.community.register_io   writes assets/roster_template.xlsx, roster_sample.xlsx
"""

from ._common import PROGRESS_EVERY, Progress
from .checking import ImportPlan, RowError, plan_import
from .columns import (
    COLUMN_BY_KEY,
    DATA_SHEET,
    DATE_KEYS,
    HELP_SHEET,
    KEEP_WHEN_BLANK,
    MAX_LENGTHS,
    PERSON_KEYS,
    PLACE_KEYS,
    ROSTER_COLUMNS,
    TEXT_KEYS,
    RosterColumn,
)
from .exporting import (
    ASSETS,
    Describe,
    error_report,
    export_roster,
    template_workbook,
    write_assets,
)
from .importing import ImportHasErrors, ImportResult, import_roster
from .mapping import guess_mapping
from .reading import (
    HEADER_MIN_KNOWN,
    HEADER_SEARCH_ROWS,
    MAX_BYTES,
    IsHeader,
    Table,
    names_roster_columns,
    read_table,
)
from .uploads import (
    UPLOAD_MAX_AGE,
    discard_upload,
    keep_upload,
    read_upload,
    remove_abandoned_uploads,
)

__all__ = [
    "ASSETS",
    "COLUMN_BY_KEY",
    "DATA_SHEET",
    "DATE_KEYS",
    "HEADER_MIN_KNOWN",
    "HEADER_SEARCH_ROWS",
    "HELP_SHEET",
    "KEEP_WHEN_BLANK",
    "MAX_BYTES",
    "MAX_LENGTHS",
    "PERSON_KEYS",
    "PLACE_KEYS",
    "PROGRESS_EVERY",
    "ROSTER_COLUMNS",
    "TEXT_KEYS",
    "UPLOAD_MAX_AGE",
    "Describe",
    "ImportHasErrors",
    "ImportPlan",
    "ImportResult",
    "IsHeader",
    "Progress",
    "RosterColumn",
    "RowError",
    "Table",
    "discard_upload",
    "error_report",
    "export_roster",
    "guess_mapping",
    "import_roster",
    "keep_upload",
    "names_roster_columns",
    "plan_import",
    "read_table",
    "read_upload",
    "remove_abandoned_uploads",
    "template_workbook",
    "write_assets",
]
