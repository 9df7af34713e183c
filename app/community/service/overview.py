"""Counts for home pages and the street's overview; the communities and a user's place."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Row
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Community, Compound, Household, Resident, Street
from app.db import saved_id
from app.errors import ServiceError

from ._common import FIELD_ROLES, community_ids


@dataclass(frozen=True)
class CommunityCounts:
    community_id: int
    name: str
    compounds: int
    households: int
    residents: int
    volunteers: int
    staff: int


def list_communities(session: Session) -> list[tuple[int, str]]:
    """Public: the communities a new resident can choose from when registering."""
    rows = session.exec(
        select(Community.id, Street.name, Community.name)
        .join(Street, col(Street.id) == Community.street_id)
        .order_by(Street.name, Community.name)
    ).all()
    return [(saved_id(cid), f"{street} · {name}") for cid, street, name in rows]


def place_name(session: Session, user: User) -> str:
    """The community (or street) a user belongs to, for headers and profiles."""
    if user.community_id is not None:
        community = session.get(Community, user.community_id)
        return community.name if community else ""
    if user.street_id is not None:
        street = session.get(Street, user.street_id)
        return street.name if street else ""
    return ""


def community_counts(session: Session, actor: User | None, community_id: int) -> CommunityCounts:
    actor = require_role(actor, *FIELD_ROLES)
    require_community(session, actor, community_id)

    # One round trip: home pages load this on every visit.
    def count(model, *where):
        return (
            select(func.count())
            .select_from(model)
            .where(model.community_id == community_id, *where)
            .scalar_subquery()
        )

    def users(role: Role):
        return count(User, User.role == role, col(User.is_active))

    # Six columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own.
    row: Row[str, int, int, int, int, int] | None = session.execute(
        sa_select(
            col(Community.name),
            count(Compound),
            count(Household),
            count(Resident, col(Resident.moved_out).is_(None)),
            users(Role.VOLUNTEER),
            users(Role.STAFF),
        ).where(col(Community.id) == community_id)
    ).first()
    if row is None:
        raise ServiceError("errors.not_found")
    return CommunityCounts(community_id, *row)


def street_overview(session: Session, actor: User | None) -> list[CommunityCounts]:
    """Counts for every community the actor oversees (street staff: their street; admin: all)."""
    actor = require_role(actor, Role.STREET_STAFF, Role.ADMIN)
    ids = community_ids(session, actor)
    query = select(Community.id).order_by(col(Community.id))
    if ids is not None:
        query = query.where(col(Community.id).in_(ids))
    return [community_counts(session, actor, saved_id(cid)) for cid in session.exec(query).all()]
