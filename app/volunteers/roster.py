"""Teams, posts, shifts and building watchers: the volunteer roster (排班).

Staff create teams with a leader, posts (岗点) with opening hours, and shifts with a capacity,
one day or several at once. Volunteers sign up for open shifts, drop them with notice, and
check in and out; their hours come from the check-in and check-out times.

A shift never takes more volunteers than its capacity: a sign-up raises the shift's `taken`
counter in one conditional UPDATE (`... WHERE taken < capacity`), which the database runs
one at a time per row, and a check constraint refuses an overfilled row in any case."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import delete, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import spreadsheets
from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Building, Compound, Grid
from app.community.service import check_grid, mask_mobile
from app.db import saved_id
from app.errors import InvalidInput, ServiceError, parse
from app.settings import get_settings
from app.timeutil import to_local, today_local, utcnow
from app.volunteers.models import (
    Application,
    ApplicationStatus,
    Post,
    PostKind,
    Shift,
    ShiftSignup,
    Team,
    TeamBuilding,
    TeamMember,
    Watcher,
)

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


# ---------------------------------------------------------------- input


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


class NewPost(BaseModel):
    name: str
    kind: PostKind
    place: str = ""
    opens: time
    closes: time

    _times = field_validator("opens", "closes", mode="before")(_time)

    @field_validator("name", "place")
    @classmethod
    def _text(cls, value: str, info) -> str:
        value = value.strip()
        if info.field_name == "name" and not value:
            raise PydanticCustomError("missing", "required")
        limit = 30 if info.field_name == "name" else 60
        if len(value) > limit:
            raise PydanticCustomError("too_long", "at most {max}", {"max": limit})
        return value


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


class NewTeam(BaseModel):
    name: str
    grid_id: int | None = None
    building_ids: list[int] = []

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("missing", "required")
        if len(value) > 30:
            raise PydanticCustomError("too_long", "at most {max}", {"max": 30})
        return value


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class PostView:
    id: int
    name: str
    kind: str
    place: str
    hours: str  # "08:00–20:00"


@dataclass(frozen=True)
class ShiftView:
    id: int
    post_id: int
    post: str
    day: str  # local date, ISO
    starts: str  # local "HH:MM"
    ends: str
    capacity: int
    taken: int
    names: list[str] = field(default_factory=list)
    on_duty: list[str] = field(default_factory=list)
    checked_in: bool = False  # the asking volunteer's own check-in (my-duty views)
    checked_out: bool = False


@dataclass(frozen=True)
class PostDay:
    post: PostView
    shifts: list[ShiftView]


@dataclass(frozen=True)
class OnDuty:
    name: str
    post: str
    since: str


@dataclass(frozen=True)
class RosterDay:
    day: str
    posts: list[PostDay]
    unfilled: int  # shifts of the day with places left
    on_duty: list[OnDuty]  # checked in now, anywhere in the community


@dataclass(frozen=True)
class TeamView:
    id: int
    name: str
    leader_id: int | None
    leader: str
    grid: str
    buildings: list[str]
    members: list[tuple[int, str]]  # (user id, name)


@dataclass(frozen=True)
class VolunteerView:
    id: int
    name: str
    mobile: str
    team: str
    grid: str
    suspended: bool
    hours: float


@dataclass(frozen=True)
class WatcherView:
    building_id: int
    building: str  # "望江花园 3栋"
    user_id: int | None
    name: str


@dataclass(frozen=True)
class MyDuty:
    team: str
    leader: str
    teammates: list[str]
    grid: str
    duties: list[str]
    watching: list[str]
    current: ShiftView | None  # the shift to check in or out of now
    upcoming: list[ShiftView]
    open_shifts: list[ShiftView]
    hours: float


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


# ---------------------------------------------------------------- posts


def create_post(session: Session, actor: User | None, community_id: int, data: dict) -> Post:
    """A post (岗点) with its opening hours, e.g. 望江花园东门 门岗 06:00–22:00."""
    _staff(session, actor, community_id)
    form = parse(NewPost, data)
    if form.closes <= form.opens:
        raise InvalidInput({"closes": "errors.closes_before_opens"})
    taken = session.exec(
        select(Post.id).where(Post.community_id == community_id, Post.name == form.name)
    ).first()
    if taken is not None:
        raise InvalidInput({"name": "errors.name_taken"})
    post = Post(community_id=community_id, **form.model_dump())
    session.add(post)
    session.commit()
    return post


def posts(session: Session, actor: User | None, community_id: int) -> list[PostView]:
    _staff(session, actor, community_id)
    rows = session.exec(
        select(Post).where(Post.community_id == community_id).order_by(col(Post.id))
    ).all()
    return [_post_view(p) for p in rows]


# ---------------------------------------------------------------- shifts


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


def _volunteer(actor: User | None) -> User:
    actor = require_role(actor, Role.VOLUNTEER)
    if actor.community_id is None:
        raise ServiceError("errors.forbidden")
    return actor


def _own_shift(session: Session, actor: User, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None or shift.community_id != actor.community_id:
        raise ServiceError("errors.not_found")
    return shift


def sign_up_shift(session: Session, actor: User | None, shift_id: int) -> ShiftSignup:
    """Take a place on a shift: refused when it is over, full, already taken by this
    volunteer, or overlapping another of their shifts."""
    actor = _volunteer(actor)
    shift = _own_shift(session, actor, shift_id)
    now = utcnow()
    if _aware(shift.ends_at) <= now:
        raise ServiceError("errors.shift_over")
    # On PostgreSQL one volunteer's sign-ups queue on their user row, so two taps on two
    # overlapping shifts cannot both pass the overlap check (SQLite ignores FOR UPDATE).
    session.exec(select(User.id).where(User.id == actor.id).with_for_update())
    mine = session.exec(
        select(ShiftSignup.id).where(
            ShiftSignup.shift_id == shift.id, ShiftSignup.user_id == actor.id
        )
    ).first()
    if mine is not None:
        raise ServiceError("errors.shift_already_yours")
    clash = session.exec(
        select(Shift, Post.name)
        .join(ShiftSignup, col(ShiftSignup.shift_id) == Shift.id)
        .join(Post, col(Post.id) == Shift.post_id)
        .where(
            ShiftSignup.user_id == actor.id,
            Shift.starts_at < shift.ends_at,
            Shift.ends_at > shift.starts_at,
        )
    ).first()
    if clash is not None:
        other, post_name = clash
        raise ServiceError(
            "errors.shift_overlaps",
            post=post_name,
            starts=_hhmm(_aware(other.starts_at)),
            ends=_hhmm(_aware(other.ends_at)),
        )
    # The capacity check and the count are one statement: under any number of concurrent
    # sign-ups the database lets exactly `capacity` of them through.
    taken = session.exec(
        update(Shift)
        .where(col(Shift.id) == shift.id, col(Shift.taken) < Shift.capacity)
        .values(taken=Shift.taken + 1)
    ).rowcount
    if taken != 1:
        session.rollback()
        raise ServiceError("errors.shift_full")
    signup = ShiftSignup(shift_id=saved_id(shift), user_id=saved_id(actor))
    session.add(signup)
    try:
        session.commit()
    except IntegrityError:  # the same volunteer, twice at once: the unique key keeps one
        session.rollback()
        raise ServiceError("errors.shift_already_yours") from None
    return signup


def _signup(session: Session, actor: User, shift: Shift) -> ShiftSignup:
    signup = session.exec(
        select(ShiftSignup).where(ShiftSignup.shift_id == shift.id, ShiftSignup.user_id == actor.id)
    ).first()
    if signup is None:
        raise ServiceError("errors.shift_not_yours")
    return signup


def drop_shift(session: Session, actor: User | None, shift_id: int) -> None:
    """Give a place back, at least two hours before the start (after that, call the
    team leader or the community: someone has to stand there)."""
    actor = _volunteer(actor)
    shift = _own_shift(session, actor, shift_id)
    signup = _signup(session, actor, shift)
    if _aware(shift.starts_at) - utcnow() < DROP_NOTICE:
        raise ServiceError("errors.drop_too_late", hours=int(DROP_NOTICE.total_seconds() // 3600))
    session.exec(delete(ShiftSignup).where(col(ShiftSignup.id) == signup.id))
    session.exec(
        update(Shift)
        .where(col(Shift.id) == shift.id, col(Shift.taken) > 0)
        .values(taken=Shift.taken - 1)
    )
    session.commit()


def check_in(session: Session, actor: User | None, shift_id: int) -> ShiftSignup:
    """Start duty: from 30 minutes before the shift until its end."""
    actor = _volunteer(actor)
    shift = _own_shift(session, actor, shift_id)
    signup = _signup(session, actor, shift)
    now = utcnow()
    if signup.checked_in_at is not None:
        raise ServiceError("errors.already_checked_in")
    if now < _aware(shift.starts_at) - CHECK_IN_EARLY:
        raise ServiceError("errors.check_in_too_early", starts=_hhmm(_aware(shift.starts_at)))
    if now > _aware(shift.ends_at):
        raise ServiceError("errors.shift_over")
    signup.checked_in_at = now
    session.add(signup)
    session.commit()
    return signup


def check_out(session: Session, actor: User | None, shift_id: int) -> ShiftSignup:
    """End duty: after checking in, until two hours after the shift's end."""
    actor = _volunteer(actor)
    shift = _own_shift(session, actor, shift_id)
    signup = _signup(session, actor, shift)
    now = utcnow()
    if signup.checked_in_at is None:
        raise ServiceError("errors.not_checked_in")
    if signup.checked_out_at is not None:
        raise ServiceError("errors.already_checked_out")
    if now > _aware(shift.ends_at) + CHECK_OUT_LATE:
        raise ServiceError("errors.check_out_too_late")
    signup.checked_out_at = now
    session.add(signup)
    session.commit()
    return signup


def my_duty(session: Session, actor: User | None) -> MyDuty:
    """我的值班: the volunteer's team and grid, roles, upcoming shifts, open shifts of the
    next week, the shift to check in or out of now, and their hours so far."""
    actor = _volunteer(actor)
    now = utcnow()
    team = session.exec(
        select(Team)
        .join(TeamMember, col(TeamMember.team_id) == Team.id)
        .where(TeamMember.user_id == actor.id)
    ).first()
    teammates: list[str] = []
    leader = ""
    if team is not None:
        names = session.exec(
            select(User.id, User.name)
            .join(TeamMember, col(TeamMember.user_id) == User.id)
            .where(TeamMember.team_id == team.id)
            .order_by(col(TeamMember.id))
        ).all()
        teammates = [n for uid, n in names if uid != actor.id]
        leader = next((n for uid, n in names if uid == team.leader_id), "")
    grid = session.get(Grid, actor.grid_id) if actor.grid_id else None
    application = session.exec(
        select(Application)
        .where(Application.user_id == actor.id, Application.status == ApplicationStatus.APPROVED)
        .order_by(col(Application.decided_at).desc())
    ).first()
    duties = [d for d in (application.granted_duties if application else "").split(",") if d]
    watching = [
        f"{compound} {number}"
        for compound, number in session.exec(
            select(Compound.name, Building.number)
            .join(Building, col(Building.compound_id) == Compound.id)
            .join(Watcher, col(Watcher.building_id) == Building.id)
            .where(Watcher.user_id == actor.id)
        ).all()
    ]
    mine = session.exec(
        select(Shift, Post, ShiftSignup)
        .join(ShiftSignup, col(ShiftSignup.shift_id) == Shift.id)
        .join(Post, col(Post.id) == Shift.post_id)
        .where(ShiftSignup.user_id == actor.id, Shift.ends_at >= now - CHECK_OUT_LATE)
        .order_by(col(Shift.starts_at))
    ).all()
    current = None
    upcoming = []
    for shift, post, signup in mine:
        view = _shift_view(
            shift,
            post,
            checked_in=signup.checked_in_at is not None,
            checked_out=signup.checked_out_at is not None,
        )
        starts, ends = _aware(shift.starts_at), _aware(shift.ends_at)
        in_window = starts - CHECK_IN_EARLY <= now <= ends
        checking_out = signup.checked_in_at is not None and signup.checked_out_at is None
        if current is None and (in_window and signup.checked_out_at is None or checking_out):
            current = view
        elif ends > now:
            upcoming.append(view)
    taken_ids = {shift.id for shift, _, _ in mine}
    open_rows = session.exec(
        select(Shift, Post)
        .join(Post, col(Post.id) == Shift.post_id)
        .where(
            Shift.community_id == actor.community_id,
            Shift.ends_at > now,
            Shift.starts_at < now + timedelta(days=7),
            Shift.taken < Shift.capacity,
        )
        .order_by(col(Shift.starts_at), col(Post.id))
        .limit(60)
    ).all()
    # The next 20 a phone can scroll through; more would bury the check-in button's page.
    open_shifts = [_shift_view(s, p) for s, p in open_rows if s.id not in taken_ids][:20]
    return MyDuty(
        team=team.name if team else "",
        leader=leader,
        teammates=teammates,
        grid=grid.name if grid else "",
        duties=duties,
        watching=watching,
        current=current,
        upcoming=upcoming,
        open_shifts=open_shifts,
        hours=_hours(session, [saved_id(actor)])[saved_id(actor)],
    )


# ---------------------------------------------------------------- teams


def create_team(session: Session, actor: User | None, community_id: int, data: dict) -> Team:
    """A team, working a grid of the community and/or some of its buildings."""
    _staff(session, actor, community_id)
    form = parse(NewTeam, data)
    check_grid(session, form.grid_id, community_id)
    if form.building_ids:
        found = session.exec(
            select(func.count())
            .select_from(Building)
            .join(Compound, col(Compound.id) == Building.compound_id)
            .where(col(Building.id).in_(form.building_ids), Compound.community_id == community_id)
        ).one()
        if found != len(set(form.building_ids)):
            raise InvalidInput({"building_ids": "errors.building_other_community"})
    exists = session.exec(
        select(Team.id).where(Team.community_id == community_id, Team.name == form.name)
    ).first()
    if exists is not None:
        raise InvalidInput({"name": "errors.name_taken"})
    team = Team(community_id=community_id, name=form.name, grid_id=form.grid_id)
    session.add(team)
    session.flush()
    session.add_all(
        TeamBuilding(team_id=saved_id(team), building_id=b) for b in set(form.building_ids)
    )
    session.commit()
    return team


def _team(session: Session, actor: User | None, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        require_role(actor, *STAFF_ROLES)
        raise ServiceError("errors.not_found")
    _staff(session, actor, team.community_id)
    return team


def add_member(session: Session, actor: User | None, team_id: int, user_id: int) -> None:
    team = _team(session, actor, team_id)
    _volunteer_of(session, team.community_id, user_id)
    current = session.exec(select(TeamMember).where(TeamMember.user_id == user_id)).first()
    if current is not None:
        other = session.get_one(Team, current.team_id)
        if other.id == team.id:
            raise InvalidInput({"user_id": "errors.already_in_team"})
        raise ServiceError("errors.in_other_team", field="user_id", team=other.name)
    size = session.exec(
        select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team.id)
    ).one()
    if size >= TEAM_SIZE:
        raise ServiceError("errors.team_full", field="user_id", size=TEAM_SIZE)
    session.add(TeamMember(team_id=saved_id(team), user_id=user_id))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidInput({"user_id": "errors.already_in_team"}) from None


def remove_member(session: Session, actor: User | None, team_id: int, user_id: int) -> None:
    team = _team(session, actor, team_id)
    gone = session.exec(
        delete(TeamMember).where(
            col(TeamMember.team_id) == team.id, col(TeamMember.user_id) == user_id
        )
    ).rowcount
    if gone != 1:
        session.rollback()
        raise ServiceError("errors.not_found")
    if team.leader_id == user_id:
        team.leader_id = None
        session.add(team)
    session.commit()


def set_leader(session: Session, actor: User | None, team_id: int, user_id: int) -> None:
    """The leader is one of the team's members."""
    team = _team(session, actor, team_id)
    member = session.exec(
        select(TeamMember.id).where(TeamMember.team_id == team.id, TeamMember.user_id == user_id)
    ).first()
    if member is None:
        raise InvalidInput({"user_id": "errors.leader_not_member"})
    team.leader_id = user_id
    session.add(team)
    session.commit()


def teams(session: Session, actor: User | None, community_id: int) -> list[TeamView]:
    _staff(session, actor, community_id)
    rows = session.exec(
        select(Team).where(Team.community_id == community_id).order_by(col(Team.id))
    ).all()
    ids = [t.id for t in rows]
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    buildings: dict[int, list[str]] = defaultdict(list)
    if ids:
        for team_id, uid, name in session.exec(
            select(TeamMember.team_id, User.id, User.name)
            .join(User, col(User.id) == TeamMember.user_id)
            .where(col(TeamMember.team_id).in_(ids))
            .order_by(col(TeamMember.id))
        ).all():
            members[team_id].append((saved_id(uid), name))
        for team_id, compound, number in session.exec(
            select(TeamBuilding.team_id, Compound.name, Building.number)
            .join(Building, col(Building.id) == TeamBuilding.building_id)
            .join(Compound, col(Compound.id) == Building.compound_id)
            .where(col(TeamBuilding.team_id).in_(ids))
            .order_by(col(Compound.id), col(Building.id))
        ).all():
            buildings[team_id].append(f"{compound} {number}")
    grids = dict(
        session.exec(select(Grid.id, Grid.name).where(Grid.community_id == community_id)).all()
    )
    return [
        TeamView(
            id=saved_id(t),
            name=t.name,
            leader_id=t.leader_id,
            leader=next((n for uid, n in members[saved_id(t)] if uid == t.leader_id), ""),
            grid=grids.get(t.grid_id, "") if t.grid_id else "",
            buildings=buildings[saved_id(t)],
            members=members[saved_id(t)],
        )
        for t in rows
    ]


# ---------------------------------------------------------------- volunteers and watchers


def community_volunteers(
    session: Session, actor: User | None, community_id: int
) -> list[VolunteerView]:
    """The community's volunteers (suspended ones too), with team, grid and hours."""
    _staff(session, actor, community_id)
    users = session.exec(
        select(User)
        .where(User.community_id == community_id, User.role == Role.VOLUNTEER)
        .order_by(col(User.id))
    ).all()
    team_of = dict(
        session.exec(
            select(TeamMember.user_id, Team.name)
            .join(Team, col(Team.id) == TeamMember.team_id)
            .where(Team.community_id == community_id)
        ).all()
    )
    grids = dict(
        session.exec(select(Grid.id, Grid.name).where(Grid.community_id == community_id)).all()
    )
    hours = _hours(session, [saved_id(u) for u in users])
    return [
        VolunteerView(
            id=saved_id(u),
            name=u.name,
            mobile=mask_mobile(u.mobile),
            team=team_of.get(saved_id(u), ""),
            grid=grids.get(u.grid_id, "") if u.grid_id else "",
            suspended=not u.is_active,
            hours=hours.get(saved_id(u), 0.0),
        )
        for u in users
    ]


def watchers(session: Session, actor: User | None, community_id: int) -> list[WatcherView]:
    """Every building of the community with its watcher (楼幢观察员), if it has one."""
    _staff(session, actor, community_id)
    # Five columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own.
    rows: Sequence[Row[int, str, str, int | None, str | None]] = session.execute(
        sa_select(
            col(Building.id),
            col(Compound.name),
            col(Building.number),
            col(Watcher.user_id),
            col(User.name),
        )
        .join(Compound, col(Compound.id) == Building.compound_id)
        .outerjoin(Watcher, col(Watcher.building_id) == Building.id)
        .outerjoin(User, col(User.id) == Watcher.user_id)
        .where(col(Compound.community_id) == community_id)
        .order_by(col(Compound.id), col(Building.id))
    ).all()
    return [
        WatcherView(bid, f"{compound} {number}", uid, name or "")
        for bid, compound, number, uid, name in rows
    ]


def set_watcher(
    session: Session, actor: User | None, building_id: int, user_id: int | None
) -> None:
    """Choose the building's watcher from the community's volunteers (None: nobody). One per
    building: the unique key on the building keeps it so under concurrent choices too."""
    building = session.get(Building, building_id)
    if building is None:
        require_role(actor, *STAFF_ROLES)
        raise ServiceError("errors.not_found")
    community_id = session.get_one(Compound, building.compound_id).community_id
    _staff(session, actor, community_id)
    if user_id is not None:
        _volunteer_of(session, community_id, user_id)
    session.exec(delete(Watcher).where(col(Watcher.building_id) == building_id))
    if user_id is not None:
        session.add(Watcher(building_id=building_id, user_id=user_id, community_id=community_id))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ServiceError("errors.watcher_taken", field="user_id") from None


def release_future_shifts(session: Session, user_id: int) -> int:
    """Give back the places a volunteer holds on shifts not yet started (on suspension), in
    the caller's transaction. Returns how many."""
    now = utcnow()
    rows = session.exec(
        select(ShiftSignup.id, ShiftSignup.shift_id)
        .join(Shift, col(Shift.id) == ShiftSignup.shift_id)
        .where(ShiftSignup.user_id == user_id, Shift.starts_at > now)
    ).all()
    for signup_id, shift_id in rows:
        session.exec(delete(ShiftSignup).where(col(ShiftSignup.id) == signup_id))
        session.exec(
            update(Shift)
            .where(col(Shift.id) == shift_id, col(Shift.taken) > 0)
            .values(taken=Shift.taken - 1)
        )
    return len(rows)


# ---------------------------------------------------------------- export


def export_hours(
    session: Session,
    actor: User | None,
    community_id: int,
    since: date | None = None,
    until: date | None = None,
) -> bytes:
    """Volunteers' hours (one row each) and activity (one row per shift taken) as .xlsx, for
    recognition and for the street."""
    from openpyxl import Workbook

    _staff(session, actor, community_id)
    start = local_moment(since, time(0)) if since else datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))
    end = (
        local_moment(until + timedelta(days=1), time(0))
        if until
        else utcnow() + timedelta(days=366)
    )
    now = utcnow()
    volunteers = community_volunteers(session, actor, community_id)
    rows = session.exec(
        select(ShiftSignup, Shift, Post.name, User.name)
        .join(Shift, col(Shift.id) == ShiftSignup.shift_id)
        .join(Post, col(Post.id) == Shift.post_id)
        .join(User, col(User.id) == ShiftSignup.user_id)
        .where(Shift.community_id == community_id, Shift.starts_at >= start, Shift.starts_at < end)
        .order_by(col(Shift.starts_at), col(Post.id), col(User.id))
    ).all()
    per_user: dict[int, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    activity = []
    for signup, shift, post_name, user_name in rows:
        worked = _worked(signup, shift, now).total_seconds() / 3600
        totals = per_user[signup.user_id]
        totals[0] += 1
        totals[1] += signup.checked_in_at is not None
        totals[2] += worked
        activity.append(
            (
                to_local(_aware(shift.starts_at)).date().isoformat(),
                post_name,
                _hhmm(_aware(shift.starts_at)),
                _hhmm(_aware(shift.ends_at)),
                user_name,
                _hhmm(_aware(signup.checked_in_at)) if signup.checked_in_at else "",
                _hhmm(_aware(signup.checked_out_at)) if signup.checked_out_at else "",
                round(worked, 2),
            )
        )
    book = Workbook(write_only=True)
    summary = book.create_sheet("志愿时长")
    summary.append(
        ["姓名", "手机号", "小队", "网格", "报名班次", "到岗班次", "服务时长（小时）", "状态"]
    )
    for v in volunteers:
        shifts_taken, shifts_done, hours = per_user.get(v.id, [0, 0, 0.0])
        summary.append(
            spreadsheets.row(
                summary,
                [
                    v.name,
                    v.mobile,
                    v.team,
                    v.grid,
                    shifts_taken,
                    shifts_done,
                    round(hours, 2),
                    "暂停" if v.suspended else "在岗",
                ],
            )
        )
    detail = book.create_sheet("值班记录")
    detail.append(["日期", "岗点", "开始", "结束", "志愿者", "签到", "签退", "时长（小时）"])
    for row in activity:
        detail.append(spreadsheets.row(detail, row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()
