"""Errand requests (代购药品, 跑腿): residents ask, volunteers take and finish them."""

from dataclasses import dataclass

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Household
from app.db import saved_id
from app.errors import Forbidden, ServiceError, parse
from app.supplies.models import (
    Errand,
    ErrandKind,
    ErrandStatus,
)
from app.timeutil import format_local, utcnow

from ._common import FIELD_ROLES, _my_household


class ErrandInput(BaseModel):
    kind: ErrandKind
    details: str

    @field_validator("details")
    @classmethod
    def _details(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("missing", "required")
        if len(value) > 200:
            raise PydanticCustomError("details_too_long", "too long")
        return value


@dataclass(frozen=True)
class ErrandView:
    id: int
    kind: str
    details: str
    address: str
    status: str
    volunteer: str
    asked_at: str
    taken_at: str
    done_at: str
    mine: bool  # taken by the viewer


def request_errand(session: Session, actor: User | None, data: dict) -> Errand:
    """A resident asks for medicine to be bought or an errand to be run."""
    actor = require_role(actor, Role.RESIDENT)
    household = _my_household(session, actor)
    form = parse(ErrandInput, data)
    errand = Errand(
        community_id=household.community_id,
        household_id=saved_id(household),
        requested_by=saved_id(actor),
        kind=form.kind,
        details=form.details,
    )
    session.add(errand)
    session.commit()
    return errand


def errands(session: Session, actor: User | None) -> list[ErrandView]:
    """Residents: their household's requests. Volunteers and staff: the community's open and
    taken requests, then the last done ones."""
    actor = require_role(actor, Role.RESIDENT, *FIELD_ROLES)
    query = select(Errand, Household.address).join(
        Household, col(Household.id) == Errand.household_id
    )
    if actor.role == Role.RESIDENT:
        query = query.where(Errand.household_id == (actor.household_id or -1))
    else:
        query = query.where(Errand.community_id == (actor.community_id or -1))
    rows = session.exec(query.order_by(col(Errand.created_at).desc()).limit(100)).all()
    names = dict(
        session.exec(
            select(User.id, User.name).where(
                col(User.id).in_({e.volunteer_id for e, _ in rows if e.volunteer_id})
            )
        ).all()
    )
    order = {ErrandStatus.OPEN: 0, ErrandStatus.TAKEN: 1, ErrandStatus.DONE: 2}
    rows = sorted(rows, key=lambda r: order.get(r[0].status, 3))
    return [
        ErrandView(
            id=saved_id(e),
            kind=e.kind.value,
            details=e.details,
            address=address,
            status=e.status.value,
            volunteer=names.get(e.volunteer_id, ""),
            asked_at=format_local(e.created_at),
            taken_at=format_local(e.taken_at),
            done_at=format_local(e.done_at),
            mine=e.volunteer_id == actor.id,
        )
        for e, address in rows
    ]


def _errand(session: Session, actor: User, errand_id: int) -> Errand:
    errand = session.get(Errand, errand_id)
    if errand is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, errand.community_id)
    return errand


def take_errand(session: Session, actor: User | None, errand_id: int) -> Errand:
    """A volunteer (or staff) takes an open request; only one can."""
    actor = require_role(actor, *FIELD_ROLES)
    errand = _errand(session, actor, errand_id)
    changed = session.exec(
        update(Errand)
        .where(col(Errand.id) == errand.id, col(Errand.status) == ErrandStatus.OPEN)
        .values(status=ErrandStatus.TAKEN, volunteer_id=actor.id, taken_at=utcnow())
    ).rowcount
    if changed != 1:
        session.rollback()
        raise ServiceError("errors.task_taken")
    session.commit()
    session.refresh(errand)
    return errand


def finish_errand(session: Session, actor: User | None, errand_id: int) -> Errand:
    """The volunteer who took it reports it done (staff may too)."""
    actor = require_role(actor, *FIELD_ROLES)
    errand = _errand(session, actor, errand_id)
    if errand.status != ErrandStatus.TAKEN:
        raise ServiceError(f"errors.errand_{errand.status.value}")
    if actor.role == Role.VOLUNTEER and errand.volunteer_id != actor.id:
        raise Forbidden()
    errand.status, errand.done_at = ErrandStatus.DONE, utcnow()
    session.add(errand)
    session.commit()
    return errand


def cancel_errand(session: Session, actor: User | None, errand_id: int) -> Errand:
    """The resident withdraws a request nobody has taken yet."""
    actor = require_role(actor, Role.RESIDENT)
    errand = session.get(Errand, errand_id)
    if errand is None:
        raise ServiceError("errors.not_found")
    if errand.household_id != actor.household_id:
        raise Forbidden()
    changed = session.exec(
        update(Errand)
        .where(col(Errand.id) == errand.id, col(Errand.status) == ErrandStatus.OPEN)
        .values(status=ErrandStatus.CANCELLED)
    ).rowcount
    if changed != 1:
        session.rollback()
        raise ServiceError("errors.task_taken")
    session.commit()
    session.refresh(errand)
    return errand
