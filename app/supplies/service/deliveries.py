"""Door delivery (送货上门) for quarantined and special-care households: tasks, assigning, done."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Row
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Building, Compound, Household
from app.db import saved_id
from app.errors import InvalidInput, ServiceError
from app.supplies.models import (
    BuyStatus,
    GroupBuy,
    OrderStatus,
    SupplyOrder,
)
from app.timeutil import format_local, utcnow

from ._common import FIELD_ROLES, STAFF_ROLES, _lines, _order_card, _own_order


@dataclass(frozen=True)
class DeliveryTask:
    order_id: int
    buy_title: str
    building: str  # "望江花园 3栋"
    address: str
    lines: list[str]
    deliverer: str
    delivered_at: str


def delivery_tasks(
    session: Session, actor: User | None, community_id: int, done: bool = False
) -> list[DeliveryTask]:
    """Door deliveries of arrived buys, by building: undelivered ones stay until done (or,
    with `done`, the delivered ones of the last week). Volunteers see theirs and unassigned."""
    actor = require_role(actor, *FIELD_ROLES)
    require_community(session, actor, community_id)
    # Five columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own.
    query = (
        sa_select(SupplyOrder, GroupBuy, Household, col(Compound.name), col(Building.number))
        .join(GroupBuy, col(GroupBuy.id) == SupplyOrder.buy_id)
        .join(Household, col(Household.id) == SupplyOrder.household_id)
        .join(Compound, col(Compound.id) == Household.compound_id)
        .join(Building, col(Building.id) == Household.building_id)
        .where(
            col(GroupBuy.community_id) == community_id,
            col(GroupBuy.status) == BuyStatus.ARRIVED,
            col(SupplyOrder.delivery) == True,  # noqa: E712
        )
    )
    if done:
        query = query.where(
            col(SupplyOrder.status) == OrderStatus.DELIVERED,
            col(SupplyOrder.delivered_at) >= utcnow() - timedelta(days=7),
        )
    else:
        query = query.where(col(SupplyOrder.status) == OrderStatus.PLACED)
    if actor.role == Role.VOLUNTEER:
        query = query.where(
            (col(SupplyOrder.deliverer_id).is_(None)) | (col(SupplyOrder.deliverer_id) == actor.id)
        )
    rows: Sequence[Row[SupplyOrder, GroupBuy, Household, str, str]] = session.execute(
        query.order_by(
            col(Household.compound_id), col(Building.number), col(Household.door_key)
        ).limit(500)
    ).all()
    names = dict(
        session.exec(
            select(User.id, User.name).where(
                col(User.id).in_({o.deliverer_id for o, *_ in rows if o.deliverer_id})
            )
        ).all()
    )
    lines = _lines(session, col(SupplyOrder.id).in_([saved_id(o) for o, *_ in rows]))
    tasks = []
    for order, buy, household, compound, building in rows:
        view = _order_card(order, buy, household.address, lines[saved_id(order)])
        tasks.append(
            DeliveryTask(
                order_id=saved_id(order),
                buy_title=buy.title,
                building=f"{compound} {building}",
                address=household.address,
                lines=view.lines,
                deliverer=names.get(order.deliverer_id, ""),
                delivered_at=format_local(order.delivered_at),
            )
        )
    return tasks


def assign_delivery(
    session: Session, actor: User | None, order_ids: list[int], volunteer_id: int | None = None
) -> int:
    """Staff assign deliveries to a volunteer; a volunteer takes them (`volunteer_id` None)."""
    actor = require_role(actor, *FIELD_ROLES)
    if actor.role == Role.VOLUNTEER:
        volunteer_id = actor.id
    volunteer = session.get(User, volunteer_id) if volunteer_id else None
    if volunteer is None or volunteer.role not in FIELD_ROLES:
        raise InvalidInput({"volunteer": "errors.volunteer_required"})
    if not order_ids:
        raise InvalidInput({"_": "errors.nothing_chosen"})
    for order_id in order_ids:
        order, buy = _own_order(session, actor, order_id)
        if volunteer.community_id != buy.community_id:
            raise InvalidInput({"volunteer": "errors.volunteer_required"})
        if not order.delivery or order.status != OrderStatus.PLACED:
            raise ServiceError(f"errors.order_{order.status.value}")
        if actor.role == Role.VOLUNTEER and order.deliverer_id not in (None, actor.id):
            raise ServiceError("errors.task_taken")
        order.deliverer_id = volunteer.id
        session.add(order)
    session.commit()
    return len(order_ids)


def mark_delivered(session: Session, actor: User | None, order_id: int) -> SupplyOrder:
    """Delivered to the door, now."""
    actor = require_role(actor, *FIELD_ROLES)
    order, _ = _own_order(session, actor, order_id)
    if not order.delivery:
        raise ServiceError("errors.not_found")
    changed = session.exec(
        update(SupplyOrder)
        .where(col(SupplyOrder.id) == order.id, col(SupplyOrder.status) == OrderStatus.PLACED)
        .values(
            status=OrderStatus.DELIVERED,
            delivered_at=utcnow(),
            deliverer_id=func.coalesce(SupplyOrder.deliverer_id, actor.id),
        )
    ).rowcount
    if changed != 1:
        session.rollback()
        session.refresh(order)
        raise ServiceError(f"errors.order_{order.status.value}")
    session.commit()
    session.refresh(order)
    return order


def deliverers(session: Session, actor: User | None, community_id: int) -> list[tuple[int, str]]:
    """The community's volunteers staff can assign a delivery to: (id, name), by name."""
    actor = require_role(actor, *STAFF_ROLES)
    require_community(session, actor, community_id)
    rows = session.exec(
        select(User.id, User.name)
        .where(User.community_id == community_id, User.role == Role.VOLUNTEER)
        .order_by(col(User.name))
    ).all()
    return [(saved_id(user_id), name) for user_id, name in rows]
