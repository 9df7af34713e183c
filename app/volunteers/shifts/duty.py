"""On duty: volunteers sign up for shifts, drop them with notice, check in and out, and see
their own duty (我的值班)."""

from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_role
from app.community.models import Building, Compound, Grid
from app.db import saved_id
from app.errors import ServiceError
from app.timeutil import utcnow
from app.volunteers.models import (
    Application,
    ApplicationStatus,
    Post,
    Shift,
    ShiftSignup,
    Team,
    TeamMember,
    Watcher,
)
from app.volunteers.shifts._common import (
    CHECK_IN_EARLY,
    CHECK_OUT_LATE,
    DROP_NOTICE,
    _aware,
    _hhmm,
    _hours,
    _shift_view,
)
from app.volunteers.shifts.views import MyDuty


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
