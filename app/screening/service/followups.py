"""电话追访: households not at home, called until someone answers or staff take over."""

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_role
from app.community.models import Household, Resident
from app.community.service import households_in_scope, mask_mobile
from app.db import saved_id
from app.errors import Forbidden, ServiceError
from app.screening.models import CallAttempt, FollowUp, FollowUpStatus, Round
from app.timeutil import utcnow

from ._common import FIELD_ROLES, _rules


@dataclass(frozen=True)
class Callee:
    resident_id: int
    name: str
    mobile: str  # masked; the full number is revealed (and audited) to call


@dataclass(frozen=True)
class FollowUpView:
    id: int
    round_id: int
    household_id: int
    address: str
    status: str
    failed_calls: int
    revisit_on: str
    callees: list[Callee]


def _follow_ups_query(session: Session, actor: User):
    query = select(FollowUp, Household).join(Household, col(Household.id) == FollowUp.household_id)
    query = query.join(Round, col(Round.id) == FollowUp.round_id)
    query = query.where(col(Round.closed_at).is_(None))
    return households_in_scope(session, actor, query)


def follow_ups(session: Session, actor: User | None) -> list[FollowUpView]:
    """电话追访: households not at home still to reach; escalated ones first for staff."""
    actor = require_role(actor, *FIELD_ROLES)
    statuses = [FollowUpStatus.OPEN]
    if actor.role == Role.STAFF:
        statuses.append(FollowUpStatus.ESCALATED)
    rows = session.exec(
        _follow_ups_query(session, actor)
        .where(col(FollowUp.status).in_(statuses))
        .order_by(col(FollowUp.status).desc(), col(FollowUp.updated_at))
        .limit(200)
    ).all()
    people = defaultdict(list)
    if rows:
        for r in session.exec(
            select(Resident)
            .where(
                col(Resident.household_id).in_([h.id for _, h in rows]),
                col(Resident.moved_out).is_(None),
                Resident.mobile != "",
            )
            .order_by(col(Resident.id))
        ).all():
            people[r.household_id].append(Callee(saved_id(r), r.name, mask_mobile(r.mobile)))
    return [
        FollowUpView(
            id=saved_id(f),
            round_id=f.round_id,
            household_id=saved_id(h),
            address=h.address,
            status=f.status.value,
            failed_calls=f.failed_calls,
            revisit_on=f.revisit_on.isoformat() if f.revisit_on else "",
            callees=people[h.id],
        )
        for f, h in rows
    ]


def record_failed_call(
    session: Session, actor: User | None, follow_up_id: int, note: str = ""
) -> FollowUpView:
    """Nobody answered. After the community's number of failed calls, staff take it over.
    (A call that reaches someone is recorded as a visit by phone.)"""
    actor = require_role(actor, *FIELD_ROLES)
    row = session.exec(_follow_ups_query(session, actor).where(FollowUp.id == follow_up_id)).first()
    if row is None:
        if session.get(FollowUp, follow_up_id) is None:
            raise ServiceError("errors.not_found")
        raise Forbidden()
    follow_up, household = row
    if follow_up.status == FollowUpStatus.DONE:
        raise ServiceError("errors.follow_up_done")
    session.add(
        CallAttempt(
            follow_up_id=saved_id(follow_up),
            reached=False,
            note=note.strip()[:100],
            called_by=saved_id(actor),
        )
    )
    follow_up.failed_calls += 1
    if follow_up.failed_calls >= _rules(session, household.community_id).call_attempts:
        follow_up.status = FollowUpStatus.ESCALATED
    follow_up.updated_at = utcnow()
    session.add(follow_up)
    session.commit()
    return FollowUpView(
        saved_id(follow_up),
        follow_up.round_id,
        saved_id(household),
        household.address,
        follow_up.status.value,
        follow_up.failed_calls,
        follow_up.revisit_on.isoformat() if follow_up.revisit_on else "",
        [],
    )
