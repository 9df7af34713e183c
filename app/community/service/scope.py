"""Who sees which households and people, the audit trail, and the small helpers every
view of the register uses (masking, natural sort of place names, age)."""

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.accounts.models import AuditEntry, Role, User
from app.accounts.service import require_role
from app.community.models import Building, Household, Resident
from app.db import saved_id
from app.errors import Forbidden, ServiceError
from app.timeutil import to_local, today_local

from ._common import FIELD_ROLES, STAFF_ROLES, community_ids, require_staff

# ---------------------------------------------------------------- privacy


def mask_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else mobile


def mask_id_number(number: str) -> str:
    return f"{number[:4]}{'*' * 10}{number[-4:]}" if len(number) == 18 else number


def natural_key(text: str) -> tuple:
    """Sorts place names as people count: '2栋' before '10栋', '3-2-501' before '3-10-101'."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text))


def age_today(born: date | None) -> int | None:
    if born is None:
        return None
    today = today_local()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# ---------------------------------------------------------------- scope


def households_in_scope(session: Session, actor: User, query):
    """Limit a query over Household to what the actor may see."""
    if actor.role == Role.RESIDENT:
        return query.where(Household.id == (actor.household_id or -1))
    if actor.role == Role.VOLUNTEER:
        grid_buildings = select(Building.id).where(Building.grid_id == (actor.grid_id or -1))
        return query.where(
            Household.community_id == actor.community_id,
            col(Household.building_id).in_(grid_buildings),
        )
    ids = community_ids(session, actor)
    return query if ids is None else query.where(col(Household.community_id).in_(ids))


def people_in_scope(session: Session, actor: User, query):
    """Limit a query over Resident (joined to Household) to what the actor may see; filtering
    on the resident's own community lets the (community, name/mobile) indexes do the work."""
    if actor.role == Role.VOLUNTEER:
        return households_in_scope(session, actor, query).where(
            Resident.community_id == actor.community_id
        )
    if actor.role == Role.RESIDENT:
        return households_in_scope(session, actor, query)
    ids = community_ids(session, actor)
    return query if ids is None else query.where(col(Resident.community_id).in_(ids))


def household_for(
    session: Session, actor: User | None, household_id: int, *, edit: bool
) -> tuple[User, Household]:
    """The logged-in actor and a household they may see (and, with edit, change); refused
    otherwise."""
    roles = (Role.RESIDENT, *STAFF_ROLES) if edit else (Role.RESIDENT, *FIELD_ROLES)
    actor = require_role(actor, *roles)
    found = session.exec(
        households_in_scope(session, actor, select(Household)).where(Household.id == household_id)
    ).first()
    if found is None:
        if session.get(Household, household_id) is None:
            raise ServiceError("errors.not_found")
        raise Forbidden()
    return actor, found


def audit(
    session: Session,
    actor: User,
    community_id: int | None,
    action: str,
    subject: str,
    detail: str = "",
) -> None:
    session.add(
        AuditEntry(
            actor_id=saved_id(actor),
            community_id=community_id,
            action=action,
            subject=subject,
            detail=detail[:200],
        )
    )


# ---------------------------------------------------------------- audit log


@dataclass(frozen=True)
class AuditRow:
    at: str
    actor: str
    action: str
    subject: str
    detail: str


def audit_log(
    session: Session, actor: User | None, community_id: int, offset: int = 0, limit: int = 50
) -> list[AuditRow]:
    """Who saw or changed personal data in a community, newest first."""
    require_staff(session, actor, community_id)
    rows = session.exec(
        select(AuditEntry, User.name)
        .join(User, col(User.id) == AuditEntry.actor_id)
        .where(AuditEntry.community_id == community_id)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        AuditRow(to_local(e.at).strftime("%Y-%m-%d %H:%M:%S"), name, e.action, e.subject, e.detail)
        for e, name in rows
    ]
