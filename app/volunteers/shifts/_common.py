"""What the roster's sub-areas share: limits, local times, who may act, and hours worked."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic_core import PydanticCustomError
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.db import saved_id
from app.errors import InvalidInput
from app.settings import get_settings
from app.timeutil import to_local, utcnow
from app.volunteers.models import Post, Shift, ShiftSignup
from app.volunteers.shifts.views import PostView, ShiftView

STAFF_ROLES = (Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
DROP_NOTICE = timedelta(hours=2)  # a shift can be dropped up to 2 hours before it starts
CHECK_IN_EARLY = timedelta(minutes=30)  # check in from 30 minutes before the start
CHECK_OUT_LATE = timedelta(hours=2)  # check out until 2 hours after the end
MAX_DAYS = 28  # shifts created at once: up to four weeks
TEAM_SIZE = 10


def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def local_moment(day: date, at: time) -> datetime:
    """A local day and time of day as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=_zone()).astimezone(ZoneInfo("UTC"))


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def _hhmm(moment: datetime) -> str:
    return to_local(moment).strftime("%H:%M")


def _staff(session: Session, actor: User | None, community_id: int) -> User:
    actor = require_role(actor, *STAFF_ROLES)
    require_community(session, actor, community_id)
    return actor


def _volunteer_of(session: Session, community_id: int, user_id: int) -> User:
    """An active volunteer of this community, or a message next to the volunteer field."""
    user = session.get(User, user_id)
    if user is None or user.community_id != community_id or user.role != Role.VOLUNTEER:
        raise InvalidInput({"user_id": "errors.not_a_volunteer"})
    if not user.is_active:
        raise InvalidInput({"user_id": "errors.volunteer_suspended"})
    return user


def _time(value: object) -> time:
    if isinstance(value, time):
        return value
    text = str(value or "").strip()
    if not text:
        raise PydanticCustomError("missing", "required")
    try:
        hours, minutes = text.split(":")[:2]
        return time(int(hours), int(minutes))
    except ValueError:
        raise PydanticCustomError("time_invalid", "invalid time") from None


def _post_view(post: Post) -> PostView:
    return PostView(
        id=saved_id(post),
        name=post.name,
        kind=post.kind.value,
        place=post.place,
        hours=f"{post.opens:%H:%M}–{post.closes:%H:%M}",
    )


def _shift_view(shift: Shift, post: Post, **extra) -> ShiftView:
    return ShiftView(
        id=saved_id(shift),
        post_id=saved_id(post),
        post=post.name,
        day=to_local(_aware(shift.starts_at)).date().isoformat(),
        starts=_hhmm(_aware(shift.starts_at)),
        ends=_hhmm(_aware(shift.ends_at)),
        capacity=shift.capacity,
        taken=shift.taken,
        **extra,
    )


def _worked(signup: ShiftSignup, shift: Shift, now: datetime) -> timedelta:
    """Time on duty from check-in to check-out; an open check-in counts until now, or until
    the shift's end once the check-out window has passed."""
    if signup.checked_in_at is None:
        return timedelta(0)
    start = _aware(signup.checked_in_at)
    if signup.checked_out_at is not None:
        end = _aware(signup.checked_out_at)
    else:
        ends_at = _aware(shift.ends_at)
        end = now if now < ends_at + CHECK_OUT_LATE else ends_at
    return max(timedelta(0), end - start)


def _hours(session: Session, user_ids: list[int]) -> dict[int, float]:
    now = utcnow()
    totals: dict[int, timedelta] = defaultdict(timedelta)
    if not user_ids:
        return {}
    rows = session.exec(
        select(ShiftSignup, Shift)
        .join(Shift, col(Shift.id) == ShiftSignup.shift_id)
        .where(
            col(ShiftSignup.user_id).in_(user_ids),
            col(ShiftSignup.checked_in_at).is_not(None),
        )
    ).all()
    for signup, shift in rows:
        totals[signup.user_id] += _worked(signup, shift, now)
    return {uid: round(totals[uid].total_seconds() / 3600, 1) for uid in user_ids}
