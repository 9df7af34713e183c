"""Housekeeping: remove what no longer serves — sessions past their end, failed logins and
refused sign-ups older than the login window, roster files left an hour before their import.
The app runs it when it starts and every hour after (app/app.py); `python -m app.cli
housekeeping` runs it once (from cron, say, when the app is stopped)."""

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from app.accounts.service import remove_stale_logins
from app.community.register_io import remove_abandoned_uploads
from app.db import session_scope

EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Removed:
    sessions: int
    login_attempts: int
    signup_attempts: int
    uploads: int


def clean(session: Session) -> Removed:
    logins = remove_stale_logins(session)
    return Removed(**dataclasses.asdict(logins), uploads=remove_abandoned_uploads())


def _clean_now() -> Removed:
    with session_scope() as db:
        return clean(db)


async def every_hour() -> None:
    """The app's lifespan task: clean now, then every EVERY. A failure (the database away for
    a moment) is logged and the next round tries again."""
    log = logging.getLogger("app")
    while True:
        try:
            removed = await asyncio.to_thread(_clean_now)
            log.info("housekeeping: %s", removed)
        except Exception:  # noqa: BLE001  (the loop must outlive one bad round)
            log.exception("housekeeping failed; next round in %s", EVERY)
        await asyncio.sleep(EVERY.total_seconds())
