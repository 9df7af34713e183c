"""Who may do what in the register: the role groups and the checks every sub-area shares."""

from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Community
from app.db import saved_id

STAFF_ROLES = (Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
FIELD_ROLES = (Role.VOLUNTEER, *STAFF_ROLES)
# Whose work needs the full number (each reveal is audited): volunteers call households.
REVEAL_ROLES = {"mobile": FIELD_ROLES, "id_number": STAFF_ROLES}


def require_staff(session: Session, actor: User | None, community_id: int) -> User:
    actor = require_role(actor, *STAFF_ROLES)
    require_community(session, actor, community_id)
    return actor


def community_ids(session: Session, actor: User) -> list[int] | None:
    """The communities an office role oversees; None means all (admin)."""
    if actor.role == Role.ADMIN:
        return None
    if actor.role == Role.STREET_STAFF:
        query = select(Community.id).where(Community.street_id == actor.street_id)
        return [saved_id(cid) for cid in session.exec(query)]
    return [actor.community_id] if actor.community_id is not None else []
