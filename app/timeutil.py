"""Time is stored as aware UTC (SQLModel's datetime columns require it) and shown in the
community's zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.settings import get_settings


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_local() -> date:
    """Today's date where the community is (the day a shift, a round or a check belongs to)."""
    return to_local(utcnow()).date()


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(get_settings().timezone))


def format_local(moment: datetime | None) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
