"""What the group-buy modules share: roles, the views pages read, access checks, and the
queries that build order cards (private to the package)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Row
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Compound, Household, Resident
from app.db import saved_id, table_of
from app.errors import Forbidden, ServiceError
from app.supplies.models import (
    BuyCompound,
    BuyItem,
    BuyStatus,
    GroupBuy,
    OrderLine,
    OrderStatus,
    SupplyOrder,
)
from app.timeutil import format_local, to_local, utcnow

STAFF_ROLES = (Role.STAFF, Role.STREET_STAFF, Role.ADMIN)


FIELD_ROLES = (Role.VOLUNTEER, *STAFF_ROLES)


MAX_ITEMS = 20


MAX_QUANTITY = 999


@dataclass(frozen=True)
class ItemView:
    id: int
    name: str
    spec: str
    price_fen: int
    price: str  # "¥12.50"
    stock: int  # left to sell
    sold: int
    limit: int
    ordered: int = 0  # by the viewer's household


@dataclass(frozen=True)
class BuyView:
    id: int
    title: str
    supplier: str
    status: str
    opens_at: str
    closes_at: str
    ordering: bool  # open now for orders
    pickup_points: list[str]
    delivery_offered: bool
    compounds: list[str]
    cancel_reason: str
    calling_batch: int
    last_batch: int
    orders: int
    items: list[ItemView] = field(default_factory=list)


@dataclass(frozen=True)
class OrderView:
    id: int
    buy_id: int
    buy_title: str
    address: str
    status: str
    lines: list[str]  # "大米 5kg × 2"
    total: str
    paid: bool
    on_behalf: bool
    delivery: bool
    pickup_number: int | None
    batch: int | None
    slot: str  # "2026-11-23 14:00–14:20", or "" before arrival
    pickup_points: list[str]
    cancel_reason: str
    can_change: bool
    delivered_at: str
    calling_batch: int


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def _points(buy: GroupBuy) -> list[str]:
    return [p for p in buy.pickup_points.split("\n") if p]


def ordering_open(buy: GroupBuy | Row[*tuple[Any, ...]], now: datetime | None = None) -> bool:
    """Whether a buy takes orders now; `buy` is the model or a Core row of its columns."""
    now = now or utcnow()
    return buy.status == BuyStatus.OPEN and buy.opens_at <= now < buy.closes_at


def _item_view(item: BuyItem, ordered: int = 0) -> ItemView:
    return ItemView(
        id=saved_id(item),
        name=item.name,
        spec=item.spec,
        price_fen=item.price_fen,
        price=yuan(item.price_fen),
        stock=item.stock,
        sold=item.sold,
        limit=item.limit_per_household,
        ordered=ordered,
    )


def _items(session: Session, buy_id: int) -> list[BuyItem]:
    return list(
        session.exec(
            select(BuyItem)
            .where(BuyItem.buy_id == buy_id)
            .order_by(col(BuyItem.position), col(BuyItem.id))
        )
    )


def _buy_views(
    session: Session, buys: list[GroupBuy], ordered: dict[int, dict[int, int]] | None = None
) -> list[BuyView]:
    """Buys with their compounds, order counts and items (with what `ordered` says a household
    has of each, per buy): three queries however many buys a list shows."""
    ids = [saved_id(b) for b in buys]
    if not ids:
        return []
    compounds: dict[int, list[str]] = defaultdict(list)
    for buy_id, name in session.exec(
        select(BuyCompound.buy_id, Compound.name)
        .join(Compound, col(Compound.id) == BuyCompound.compound_id)
        .where(col(BuyCompound.buy_id).in_(ids))
        .order_by(col(Compound.id))
    ).all():
        compounds[buy_id].append(name)
    orders = dict(
        session.exec(
            select(SupplyOrder.buy_id, func.count())
            .where(col(SupplyOrder.buy_id).in_(ids), SupplyOrder.status != OrderStatus.CANCELLED)
            .group_by(col(SupplyOrder.buy_id))
        ).all()
    )
    items: dict[int, list[BuyItem]] = defaultdict(list)
    for item in session.exec(
        select(BuyItem)
        .where(col(BuyItem.buy_id).in_(ids))
        .order_by(col(BuyItem.position), col(BuyItem.id))
    ).all():
        items[item.buy_id].append(item)
    ordered = ordered or {}
    return [
        BuyView(
            id=buy_id,
            title=buy.title,
            supplier=buy.supplier,
            status=buy.status.value,
            opens_at=format_local(buy.opens_at),
            closes_at=format_local(buy.closes_at),
            ordering=ordering_open(buy),
            pickup_points=_points(buy),
            delivery_offered=buy.delivery_offered,
            compounds=compounds[buy_id],
            cancel_reason=buy.cancel_reason,
            calling_batch=buy.calling_batch,
            last_batch=buy.last_batch,
            orders=orders.get(buy_id, 0),
            items=[
                _item_view(i, ordered.get(buy_id, {}).get(saved_id(i), 0)) for i in items[buy_id]
            ],
        )
        for buy_id, buy in zip(ids, buys, strict=True)
    ]


def _slot(buy: GroupBuy, order: SupplyOrder) -> str:
    if order.slot_at is None:
        return ""
    end = to_local(order.slot_at + timedelta(minutes=buy.slot_minutes or 0))
    return f"{format_local(order.slot_at)}–{end.strftime('%H:%M')}"


Line = tuple[str, str, int, int]  # an order's item: name, spec, price in fen, quantity


def _lines(session: Session, which: ColumnElement[bool]) -> dict[int, list[Line]]:
    """What each order holds, in the buy's item order, for every order `which` (a condition on
    SupplyOrder) selects: one query for a whole list of orders."""
    lines: dict[int, list[Line]] = defaultdict(list)
    for order_id, name, spec, price_fen, quantity in session.execute(
        sa_select(
            col(OrderLine.order_id),
            col(BuyItem.name),
            col(BuyItem.spec),
            col(BuyItem.price_fen),
            col(OrderLine.quantity),
        )
        .join(BuyItem, col(BuyItem.id) == OrderLine.item_id)
        .join(SupplyOrder, col(SupplyOrder.id) == OrderLine.order_id)
        .where(which, col(OrderLine.quantity) > 0)
        .order_by(col(BuyItem.position), col(BuyItem.id))
    ).all():
        lines[order_id].append((name, spec, price_fen, quantity))
    return lines


def _order_view(session: Session, order: SupplyOrder, buy: GroupBuy) -> OrderView:
    """One order; lists read their lines and addresses at once and use `_order_card`."""
    household = session.get(Household, order.household_id)
    lines = _lines(session, col(SupplyOrder.id) == order.id)[saved_id(order)]
    return _order_card(order, buy, household.address if household else "", lines)


def _order_card(order: SupplyOrder, buy: GroupBuy, address: str, lines: list[Line]) -> OrderView:
    return OrderView(
        id=saved_id(order),
        buy_id=saved_id(buy),
        buy_title=buy.title,
        address=address,
        status=order.status.value,
        lines=[f"{name} {spec} × {q}".replace("  ", " ") for name, spec, _, q in lines],
        total=yuan(sum(price * q for _, _, price, q in lines)),
        paid=order.paid,
        on_behalf=order.on_behalf,
        delivery=order.delivery,
        pickup_number=order.pickup_number,
        batch=order.batch,
        slot=_slot(buy, order),
        pickup_points=_points(buy),
        cancel_reason=order.cancel_reason,
        can_change=order.status == OrderStatus.PLACED and ordering_open(buy),
        delivered_at=format_local(order.delivered_at),
        calling_batch=buy.calling_batch,
    )


def _buy(session: Session, buy_id: int) -> GroupBuy:
    buy = session.get(GroupBuy, buy_id)
    if buy is None:
        raise ServiceError("errors.not_found")
    return buy


def _staff_buy(session: Session, actor: User | None, buy_id: int) -> tuple[User, GroupBuy]:
    actor = require_role(actor, *STAFF_ROLES)
    buy = _buy(session, buy_id)
    require_community(session, actor, buy.community_id)
    return actor, buy


def _field_buy(session: Session, actor: User | None, buy_id: int) -> tuple[User, GroupBuy]:
    actor = require_role(actor, *FIELD_ROLES)
    buy = _buy(session, buy_id)
    require_community(session, actor, buy.community_id)
    return actor, buy


def _compound_ids(session: Session, buy_id: int) -> set[int]:
    return set(session.exec(select(BuyCompound.compound_id).where(BuyCompound.buy_id == buy_id)))


# Core tables, for statements that go around the ORM (the ordering hot path, bulk updates).
_BUY_T, _HOUSEHOLD_T = table_of(GroupBuy), table_of(Household)
_ITEM_T, _ORDER_T, _LINE_T = table_of(BuyItem), table_of(SupplyOrder), table_of(OrderLine)
_BUY_COMPOUND_T, _RESIDENT_T = table_of(BuyCompound), table_of(Resident)


def _return_stock(session: Session, order_id: int) -> None:
    for item_id, quantity in session.exec(
        select(OrderLine.item_id, OrderLine.quantity).where(OrderLine.order_id == order_id)
    ).all():
        if quantity:
            session.exec(
                update(BuyItem)
                .where(col(BuyItem.id) == item_id)
                .values(stock=BuyItem.stock + quantity, sold=BuyItem.sold - quantity)
            )


def _my_household(session: Session, actor: User) -> Household:
    if actor.household_id is None:
        raise ServiceError("errors.household_not_linked")
    return session.get_one(Household, actor.household_id)


def _own_order(session: Session, actor: User, order_id: int) -> tuple[SupplyOrder, GroupBuy]:
    order = session.get(SupplyOrder, order_id)
    if order is None:
        raise ServiceError("errors.not_found")
    buy = _buy(session, order.buy_id)
    if actor.role == Role.RESIDENT:
        if order.household_id != actor.household_id:
            raise Forbidden()
    else:
        require_community(session, actor, buy.community_id)
    return order, buy
