"""Time is stored as aware UTC (SQLModel's datetime columns require it) and shown in the
community's zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.settings import get_settings


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(get_settings().timezone))


def format_local(moment: datetime | None) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
