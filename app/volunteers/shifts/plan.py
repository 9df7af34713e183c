"""The plan: shifts created on a post for one day or several, and one day of the roster."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import saved_id
from app.errors import InvalidInput, parse
from app.timeutil import today_local, utcnow
from app.volunteers.models import Post, Shift, ShiftSignup
from app.volunteers.shifts._common import (
    CHECK_IN_EARLY,
    CHECK_OUT_LATE,
    MAX_DAYS,
    _aware,
    _hhmm,
    _post_view,
    _shift_view,
    _staff,
    _time,
    local_moment,
)
from app.volunteers.shifts.views import OnDuty, PostDay, RosterDay, ShiftView


class NewShifts(BaseModel):
    """`days` shifts, one a day from `first_day`, each `start`–`end` local time."""

    post_id: int
    first_day: date
    days: int = 1
    start: time
    end: time
    capacity: int

    _times = field_validator("start", "end", mode="before")(_time)

    @field_validator("days")
    @classmethod
    def _days(cls, value: int) -> int:
        if not 1 <= value <= MAX_DAYS:
            raise PydanticCustomError("days_out_of_range", "1 to 28 days")
        return value

    @field_validator("capacity")
    @classmethod
    def _capacity(cls, value: int) -> int:
        if value < 1:
            raise PydanticCustomError("capacity_too_small", "at least 1")
        if value > 50:
            raise PydanticCustomError("capacity_too_large", "at most 50")
        return value


def create_shifts(session: Session, actor: User | None, data: dict) -> list[Shift]:
    """Shifts on a post, the same hours on each of `days` days from `first_day` (e.g. every
    day this week 08:00–12:00, 3 people). All or none: one in the past refuses them all."""
    form = parse(NewShifts, data)
    post = session.get(Post, form.post_id)
    if post is None:
        raise InvalidInput({"post_id": "errors.missing"})
    actor = _staff(session, actor, post.community_id)
    if form.end <= form.start:
        raise InvalidInput({"end": "errors.end_before_start"})
    if form.start < post.opens or form.end > post.closes:
        raise InvalidInput(
            {"start" if form.start < post.opens else "end": "errors.shift_outside_hours"}
        )
    now = utcnow()
    shifts = []
    for offset in range(form.days):
        day = form.first_day + timedelta(days=offset)
        starts_at, ends_at = local_moment(day, form.start), local_moment(day, form.end)
        if starts_at <= now:
            field_name = "first_day" if day < today_local() else "start"
            raise InvalidInput({field_name: "errors.shift_in_past"})
        shifts.append(
            Shift(
                post_id=saved_id(post),
                community_id=post.community_id,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=form.capacity,
                created_by=actor.id,
            )
        )
    session.add_all(shifts)
    session.commit()
    return shifts


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    return local_moment(day, time(0)), local_moment(day + timedelta(days=1), time(0))


def _on_duty(session: Session, community_id: int, now: datetime) -> list[tuple[str, str, str]]:
    rows = session.exec(
        select(User.name, Post.name, ShiftSignup.checked_in_at)
        .join(Shift, col(Shift.id) == ShiftSignup.shift_id)
        .join(Post, col(Post.id) == Shift.post_id)
        .join(User, col(User.id) == ShiftSignup.user_id)
        .where(
            Shift.community_id == community_id,
            Shift.starts_at <= now + CHECK_IN_EARLY,
            Shift.ends_at >= now - CHECK_OUT_LATE,
            col(ShiftSignup.checked_in_at).is_not(None),
            col(ShiftSignup.checked_out_at).is_(None),
        )
        .order_by(Post.name, User.name)
    ).all()
    # The query keeps only signups checked in, so `since` is always set.
    return [(name, post, _hhmm(_aware(since))) for name, post, since in rows if since]


def roster_day(session: Session, actor: User | None, community_id: int, day: date) -> RosterDay:
    """One day of the roster: every post with its shifts and who is on them, the shifts
    still short of people, and who is on duty right now. Three queries, whatever the size."""
    _staff(session, actor, community_id)
    start, end = _day_bounds(day)
    post_rows = session.exec(
        select(Post).where(Post.community_id == community_id).order_by(col(Post.id))
    ).all()
    shift_rows = session.exec(
        select(Shift)
        .where(
            Shift.community_id == community_id,
            Shift.starts_at >= start,
            Shift.starts_at < end,
        )
        .order_by(col(Shift.starts_at), col(Shift.id))
    ).all()
    people: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    if shift_rows:
        for shift_id, name, checked_in, checked_out in session.exec(
            select(
                ShiftSignup.shift_id,
                User.name,
                ShiftSignup.checked_in_at,
                ShiftSignup.checked_out_at,
            )
            .join(User, col(User.id) == ShiftSignup.user_id)
            .where(col(ShiftSignup.shift_id).in_([s.id for s in shift_rows]))
            .order_by(col(ShiftSignup.id))
        ).all():
            people[shift_id].append((name, checked_in is not None and checked_out is None))
    by_post: dict[int, list[ShiftView]] = defaultdict(list)
    posts_by_id = {p.id: p for p in post_rows}
    for shift in shift_rows:
        here = people[saved_id(shift)]
        by_post[shift.post_id].append(
            _shift_view(
                shift,
                posts_by_id[shift.post_id],
                names=[n for n, _ in here],
                on_duty=[n for n, on in here if on],
            )
        )
    now = utcnow()
    return RosterDay(
        day=day.isoformat(),
        posts=[PostDay(_post_view(p), by_post[saved_id(p)]) for p in post_rows],
        unfilled=sum(1 for s in shift_rows if s.taken < s.capacity),
        on_duty=[OnDuty(*row) for row in _on_duty(session, community_id, now)],
    )
