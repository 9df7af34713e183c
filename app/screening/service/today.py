"""今日工作: the lists that drive a volunteer's day."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.service import require_role
from app.community.models import CARE_FLAGS, Household, Resident
from app.community.service import households_in_scope
from app.db import saved_id
from app.screening.models import (
    Arrival,
    Outcome,
    PersonCheck,
    Risk,
    Round,
    RoundBuilding,
    RoundDoor,
    Visit,
)
from app.timeutil import format_local, utcnow

from ._common import FIELD_ROLES
from .arrivals import ArrivalView, _arrival_view
from .followups import FollowUpView, follow_ups
from .quarantine import PlanView, quarantine_plans


@dataclass(frozen=True)
class CareView:
    resident_id: int
    household_id: int
    name: str
    address: str
    care: list[str]


@dataclass(frozen=True)
class RiskView:
    name: str
    address: str
    household_id: int
    risk: int
    at: str


@dataclass(frozen=True)
class Today:
    plans: list[PlanView]
    follow_ups: list[FollowUpView]
    arrivals: list[ArrivalView]
    care_not_seen: list[CareView]
    referrals: list[RiskView]


def today_lists(session: Session, actor: User | None) -> Today:
    """The lists that drive the day: quarantine checks due or missed, the phone follow-up
    queue, new arrivals (3 days), special-care residents not yet seen this round, and people
    to refer to a fever clinic."""
    actor = require_role(actor, *FIELD_ROLES)
    since = utcnow() - timedelta(days=3)
    arrivals = session.exec(
        households_in_scope(
            session,
            actor,
            select(Arrival).join(Household, col(Household.id) == Arrival.household_id),
        )
        .where(Arrival.recorded_at >= since)
        .order_by(col(Arrival.recorded_at).desc())
        .limit(100)
    ).all()
    open_rounds = select(Round.id).where(
        Round.community_id == actor.community_id, col(Round.closed_at).is_(None)
    )
    in_rounds = select(RoundBuilding.building_id).where(
        col(RoundBuilding.round_id).in_(open_rounds)
    )
    seen = select(RoundDoor.household_id).where(
        col(RoundDoor.round_id).in_(open_rounds), RoundDoor.outcome == Outcome.VISITED
    )
    care_flag = or_(*(getattr(Resident, flag) for flag in CARE_FLAGS))
    care_rows = session.exec(
        households_in_scope(
            session,
            actor,
            select(Resident, Household).join(Household, col(Household.id) == Resident.household_id),
        )
        .where(
            care_flag,
            col(Resident.moved_out).is_(None),
            col(Household.building_id).in_(in_rounds),
            col(Household.id).not_in(seen),
        )
        .order_by(Household.door_key)
        .limit(200)
    ).all()
    referrals = session.exec(
        households_in_scope(
            session,
            actor,
            select(PersonCheck, Resident.name, Household, Visit.recorded_at)
            .join(Visit, col(Visit.id) == PersonCheck.visit_id)
            .join(Resident, col(Resident.id) == PersonCheck.resident_id)
            .join(Household, col(Household.id) == Visit.household_id),
        )
        .where(PersonCheck.risk == Risk.CLINIC, Visit.received_at >= since)
        .order_by(col(Visit.recorded_at).desc())
        .limit(100)
    ).all()
    return Today(
        # Every plan under way, those still due today first (staff release from here too).
        plans=sorted(quarantine_plans(session, actor), key=lambda p: p.checked_today),
        follow_ups=follow_ups(session, actor),
        arrivals=[_arrival_view(session, a) for a in arrivals],
        care_not_seen=[
            CareView(
                saved_id(r),
                saved_id(h),
                r.name,
                h.address,
                [flag for flag in CARE_FLAGS if getattr(r, flag)],
            )
            for r, h in care_rows
        ],
        referrals=[
            RiskView(name, h.address, saved_id(h), check.risk, format_local(at))
            for check, name, h, at in referrals
        ],
    )
