"""Community registry reads used by the home pages. (The full registry arrives with its issue.)"""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.accounts.service import count_users, require_community, require_role
from app.community.models import Community, Compound, Household, Resident, Street
from app.errors import Forbidden


@dataclass(frozen=True)
class CommunityCounts:
    community_id: int
    name: str
    compounds: int
    households: int
    residents: int
    volunteers: int
    staff: int


@dataclass(frozen=True)
class HouseholdView:
    address: str
    members: list[tuple[str, str]]  # (name, relation)


def list_communities(session: Session) -> list[tuple[int, str]]:
    """Public: the communities a new resident can choose from when registering."""
    rows = session.exec(
        select(Community.id, Street.name, Community.name)
        .join(Street, Street.id == Community.street_id)
        .order_by(Street.name, Community.name)
    ).all()
    return [(cid, f"{street} · {name}") for cid, street, name in rows]


def place_name(session: Session, user: User) -> str:
    """The community (or street) a user belongs to, for headers and profiles."""
    if user.community_id is not None:
        community = session.get(Community, user.community_id)
        return community.name if community else ""
    if user.street_id is not None:
        street = session.get(Street, user.street_id)
        return street.name if street else ""
    return ""


def _count(session: Session, model, community_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(model).where(model.community_id == community_id)
    ).one()


def community_counts(session: Session, actor: User | None, community_id: int) -> CommunityCounts:
    actor = require_role(actor, Role.VOLUNTEER, Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
    require_community(session, actor, community_id)
    community = session.get(Community, community_id)
    if community is None:
        raise Forbidden("errors.not_found")
    return CommunityCounts(
        community_id=community_id,
        name=community.name,
        compounds=_count(session, Compound, community_id),
        households=_count(session, Household, community_id),
        residents=_count(session, Resident, community_id),
        volunteers=count_users(session, community_id, Role.VOLUNTEER),
        staff=count_users(session, community_id, Role.STAFF),
    )


def street_overview(session: Session, actor: User | None) -> list[CommunityCounts]:
    """Counts for every community the actor oversees (street staff: their street; admin: all)."""
    actor = require_role(actor, Role.STREET_STAFF, Role.ADMIN)
    query = select(Community.id).order_by(Community.id)
    if actor.role == Role.STREET_STAFF:
        query = query.where(Community.street_id == actor.street_id)
    return [community_counts(session, actor, cid) for cid in session.exec(query).all()]


def my_household(session: Session, actor: User | None) -> HouseholdView | None:
    """A resident's own household and its members; None until staff link it."""
    actor = require_role(actor, Role.RESIDENT)
    if actor.household_id is None:
        return None
    household = session.get(Household, actor.household_id)
    members = session.exec(
        select(Resident.name, Resident.relation)
        .where(Resident.household_id == actor.household_id)
        .order_by(Resident.id)
    ).all()
    return HouseholdView(address=household.address, members=[tuple(m) for m in members])
