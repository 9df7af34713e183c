"""The uploaded file between its upload and its import: kept private, then removed."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path

from app.errors import ServiceError
from app.settings import get_settings

from .reading import Table, read_table

UPLOAD_MAX_AGE = timedelta(hours=1)  # an uploaded file left this long was abandoned


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
