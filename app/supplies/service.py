"""Group buys (团购): staff set one up, households order within limits before the cut-off, and
on arrival pickup goes by number, in batches by building, with door delivery for quarantined
and special-care households. Also errand requests (代购药品, 跑腿).

Rules that hold here, not only in pages:
* never oversold: every order takes its units with one conditional UPDATE
  (`stock = stock - q WHERE stock >= q`) inside the order's transaction;
* per-household limits and the cut-off are checked on every order and change;
* a price cannot change once an item has orders; stock can be lowered only down to what is
  sold (orders keep what they hold); a lower limit applies to new orders and changes only.
"""

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import ColumnElement, bindparam, case, exists, func, insert, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import spreadsheets
from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import CARE_FLAGS, Building, Compound, Household, Resident
from app.db import saved_id, table_of
from app.errors import Forbidden, InvalidInput, ServiceError, parse
from app.screening.models import PlanStatus, QuarantinePlan
from app.supplies.models import (
    BuyCompound,
    BuyItem,
    BuyStatus,
    Errand,
    ErrandKind,
    ErrandStatus,
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


# ---------------------------------------------------------------- input


class ItemInput(BaseModel):
    name: str
    spec: str = ""
    price_fen: int
    stock: int
    limit_per_household: int

    @field_validator("name", "spec")
    @classmethod
    def _text(cls, value: str, info) -> str:
        value = value.strip()
        if info.field_name == "name" and not value:
            raise PydanticCustomError("missing", "required")
        if len(value) > 40:
            raise PydanticCustomError("too_long", "at most {max}", {"max": 40})
        return value

    @field_validator("price_fen")
    @classmethod
    def _price(cls, value: int) -> int:
        if value <= 0 or value > 10_000_000:
            raise PydanticCustomError("price_invalid", "price")
        return value

    @field_validator("stock", "limit_per_household")
    @classmethod
    def _count(cls, value: int) -> int:
        if value < 1 or value > 1_000_000:
            raise PydanticCustomError("count_out_of_range", "count")
        return value


class BuyInput(BaseModel):
    title: str
    supplier: str
    opens_at: datetime
    closes_at: datetime
    compound_ids: list[int]
    pickup_points: list[str]
    delivery_offered: bool = False

    @field_validator("title", "supplier")
    @classmethod
    def _text(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("missing", "required")
        if len(value) > 60:
            raise PydanticCustomError("too_long", "at most {max}", {"max": 60})
        return value

    @field_validator("opens_at", "closes_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise PydanticCustomError("datetime_parsing", "time zone")
        return value

    @field_validator("pickup_points")
    @classmethod
    def _points(cls, value: list[str]) -> list[str]:
        points = [p.strip() for p in value if p.strip()]
        if any(len(p) > 60 for p in points):  # refused, not cut: residents go to the place
            raise PydanticCustomError("too_long", "at most {max}", {"max": 60})
        return points

    items: list[dict] = []


def _cross_check(data: dict) -> dict[str, str]:
    """Checks across fields, on the raw input (so they show with field errors at once)."""
    errors: dict[str, str] = {}
    opens, closes = data.get("opens_at"), data.get("closes_at")
    if isinstance(opens, datetime) and isinstance(closes, datetime):
        if closes <= opens:
            errors["closes_at"] = "errors.cutoff_before_open"
        elif closes <= utcnow():
            errors["closes_at"] = "errors.cutoff_in_past"
    if not data.get("compound_ids"):
        errors["compound_ids"] = "errors.compounds_required"
    if not [p for p in data.get("pickup_points") or [] if str(p).strip()]:
        errors["pickup_points"] = "errors.pickup_required"
    if not data.get("items"):
        errors["items"] = "errors.items_required"
    elif len(data["items"]) > MAX_ITEMS:
        errors["items"] = "errors.too_many_items"
    return errors


def _parse_items(rows: list[dict]) -> list[dict]:
    """Item rows checked one by one so a message lands next to its field (`item<i>_<field>`)."""
    errors = InvalidInput({})
    for i, row in enumerate(rows):
        try:
            parse(ItemInput, row)
        except InvalidInput as exc:
            errors = errors.merged(exc.renamed(f"item{i}_"))
    if errors.fields:
        raise errors
    return rows


# ---------------------------------------------------------------- views


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


# ---------------------------------------------------------------- who may do what


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


# Prebuilt Core statements for the ordering hot path (compiled once, cached by SQLAlchemy).
_BUY_T, _HOUSEHOLD_T = table_of(GroupBuy), table_of(Household)
_ITEM_T, _ORDER_T, _LINE_T = table_of(BuyItem), table_of(SupplyOrder), table_of(OrderLine)
_BUY_COMPOUND_T, _RESIDENT_T, _PLAN_T = (
    table_of(BuyCompound),
    table_of(Resident),
    table_of(QuarantinePlan),
)
_BUY_AND_HOUSEHOLD = (
    sa_select(
        _BUY_T.c.id,
        _BUY_T.c.community_id,
        _BUY_T.c.title,
        _BUY_T.c.status,
        _BUY_T.c.opens_at,
        _BUY_T.c.closes_at,
        _BUY_T.c.delivery_offered,
        _BUY_T.c.pickup_points,
        _BUY_T.c.slot_minutes,
        _BUY_T.c.calling_batch,
        _HOUSEHOLD_T.c.id.label("household_id"),
        _HOUSEHOLD_T.c.community_id.label("household_community"),
        _HOUSEHOLD_T.c.compound_id,
        _HOUSEHOLD_T.c.building_id,
        _HOUSEHOLD_T.c.address,
        exists()
        .where(
            _BUY_COMPOUND_T.c.buy_id == _BUY_T.c.id,
            _BUY_COMPOUND_T.c.compound_id == _HOUSEHOLD_T.c.compound_id,
        )
        .label("in_buy"),
    )
    .select_from(_BUY_T.join(_HOUSEHOLD_T, _HOUSEHOLD_T.c.id == bindparam("household")))
    .where(_BUY_T.c.id == bindparam("buy"))
)
_ITEM_LIMITS = (
    sa_select(_ITEM_T.c.id, _ITEM_T.c.limit_per_household)
    .where(_ITEM_T.c.buy_id == bindparam("buy"))
    .order_by(_ITEM_T.c.position, _ITEM_T.c.id)
)
_ORDER_AND_LINES = (
    sa_select(_ORDER_T.c.id, _ORDER_T.c.status, _LINE_T.c.item_id, _LINE_T.c.quantity)
    .select_from(_ORDER_T.outerjoin(_LINE_T, _LINE_T.c.order_id == _ORDER_T.c.id))
    .where(_ORDER_T.c.buy_id == bindparam("buy"), _ORDER_T.c.household_id == bindparam("household"))
)
_ORDER_ROW = sa_select(_ORDER_T).where(
    _ORDER_T.c.buy_id == bindparam("buy"), _ORDER_T.c.household_id == bindparam("household")
)
_ITEMS_WITH_LINES = (
    sa_select(_ITEM_T, _LINE_T.c.quantity.label("ordered"))
    .select_from(
        _ITEM_T.outerjoin(
            _LINE_T,
            (_LINE_T.c.item_id == _ITEM_T.c.id) & (_LINE_T.c.order_id == bindparam("order")),
        )
    )
    .where(_ITEM_T.c.buy_id == bindparam("buy"))
    .order_by(_ITEM_T.c.position, _ITEM_T.c.id)
)
_NEEDS_DELIVERY = sa_select(
    or_(
        exists().where(
            _RESIDENT_T.c.household_id == bindparam("household"),
            _RESIDENT_T.c.moved_out.is_(None),
            or_(*[_RESIDENT_T.c[flag] for flag in CARE_FLAGS]),
        ),
        exists().where(
            _PLAN_T.c.household_id == bindparam("household"),
            _PLAN_T.c.status == PlanStatus.ACTIVE.value,
        ),
    )
)


def _buy_and_household(session: Session, actor: User, buy_id: int, household_id: int | None):
    """One row: the buy, the household an order is for and whether its compound is in the
    buy; plus whether it is placed on the household's behalf. Refuses what the actor may not."""
    if actor.role == Role.RESIDENT:
        if actor.household_id is None:
            raise ServiceError("errors.household_not_linked")
        if household_id not in (None, actor.household_id):
            raise Forbidden()
        household_id, on_behalf = actor.household_id, False
    elif household_id is None:
        _buy(session, buy_id)
        raise InvalidInput({"household": "errors.household_required"})
    else:
        on_behalf = True
    row = (
        session.connection()
        .execute(_BUY_AND_HOUSEHOLD, {"buy": buy_id, "household": household_id})
        .first()
    )
    if row is None:
        buy = _buy(session, buy_id)  # not found, or the household is not
        if on_behalf:
            require_community(session, actor, buy.community_id)
        raise InvalidInput({"household": "errors.household_not_found"})
    if on_behalf:
        require_community(session, actor, row.community_id)
        if row.household_community != row.community_id:
            raise InvalidInput({"household": "errors.household_not_found"})
    return row, on_behalf


def needs_delivery(session: Session, household_id: int) -> bool:
    """Whether this household's goods go to its door: someone living there is in home
    quarantine or has a special-care flag (独居老人, 残疾人 ...)."""
    return bool(session.connection().execute(_NEEDS_DELIVERY, {"household": household_id}).scalar())


# ---------------------------------------------------------------- staff: set up and run a buy


def create_buy(session: Session, actor: User | None, community_id: int, data: dict) -> GroupBuy:
    """A new group buy with its items, open for orders from `opens_at` to `closes_at`."""
    actor = require_role(actor, *STAFF_ROLES)
    require_community(session, actor, community_id)
    errors = InvalidInput(_cross_check(data))
    try:
        _parse_items(list(data.get("items") or []))
    except InvalidInput as exc:
        errors = exc.merged(errors)
    form = None
    try:
        form = parse(BuyInput, data)
    except InvalidInput as exc:
        errors = errors.merged(exc)
    if errors.fields or form is None:
        raise errors
    known = set(
        session.exec(select(Compound.id).where(Compound.community_id == community_id)).all()
    )
    if not set(form.compound_ids) <= known:
        raise InvalidInput({"compound_ids": "errors.compound_not_found_here"})
    buy = GroupBuy(
        community_id=community_id,
        title=form.title,
        supplier=form.supplier,
        opens_at=form.opens_at,
        closes_at=form.closes_at,
        pickup_points="\n".join(form.pickup_points),
        delivery_offered=form.delivery_offered,
        created_by=saved_id(actor),
    )
    session.add(buy)
    session.flush()
    session.add_all(
        BuyCompound(buy_id=saved_id(buy), compound_id=c) for c in sorted(set(form.compound_ids))
    )
    session.add_all(
        BuyItem(buy_id=saved_id(buy), position=i, **ItemInput.model_validate(item).model_dump())
        for i, item in enumerate(form.items)
    )
    session.commit()
    return buy


def update_item(session: Session, actor: User | None, item_id: int, data: dict) -> BuyItem:
    """Change an item. Price: refused once the item has orders (households ordered at that
    price). Stock (the total, sold + left): never below what is sold. Limit: applies to new
    orders and changes; orders already placed keep what they hold."""
    item = session.get(BuyItem, item_id)
    if item is None:
        raise ServiceError("errors.not_found")
    actor, buy = _staff_buy(session, actor, item.buy_id)
    if buy.status in (BuyStatus.CANCELLED, BuyStatus.ARRIVED):
        raise ServiceError(f"errors.buy_{buy.status.value}")
    form = parse(
        ItemInput,
        {
            "name": data.get("name", item.name),
            "spec": data.get("spec", item.spec),
            "price_fen": data.get("price_fen", item.price_fen),
            "stock": data.get("stock", item.stock + item.sold),
            "limit_per_household": data.get("limit_per_household", item.limit_per_household),
        },
    )
    if form.price_fen != item.price_fen and item.sold > 0:
        raise InvalidInput({"price_fen": "errors.price_locked"})
    # Total stock changes in one statement, so orders placed meanwhile are never oversold.
    changed = session.exec(
        update(BuyItem)
        .where(col(BuyItem.id) == item.id, col(BuyItem.sold) <= form.stock)
        .values(
            stock=form.stock - BuyItem.sold,
            name=form.name,
            spec=form.spec,
            price_fen=form.price_fen,
            limit_per_household=form.limit_per_household,
        )
    ).rowcount
    if changed != 1:
        session.rollback()
        session.refresh(item)
        raise ServiceError("errors.stock_below_sold", field="stock", sold=item.sold)
    session.commit()
    session.refresh(item)
    return item


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


def set_buy_status(
    session: Session,
    actor: User | None,
    buy_id: int,
    action: str,
    reason: str = "",
    closes_at: datetime | None = None,
) -> GroupBuy:
    """close (early) · reopen (a closed buy, optionally with a new cut-off) · cancel (with a
    reason every household with an order reads on its page; their units go back)."""
    actor, buy = _staff_buy(session, actor, buy_id)
    reason = reason.strip()
    now = utcnow()
    if action == "close":
        if buy.status != BuyStatus.OPEN:
            raise ServiceError(f"errors.buy_{buy.status.value}")
        buy.status = BuyStatus.CLOSED
        buy.closes_at = min(buy.closes_at, now)
    elif action == "reopen":
        if buy.status != BuyStatus.CLOSED:
            raise ServiceError(f"errors.buy_{buy.status.value}")
        new_cutoff = closes_at or buy.closes_at
        if new_cutoff <= now:
            raise InvalidInput({"closes_at": "errors.cutoff_in_past"})
        buy.status, buy.closes_at = BuyStatus.OPEN, new_cutoff
    elif action == "cancel":
        if buy.status == BuyStatus.CANCELLED:
            raise ServiceError("errors.buy_cancelled")
        if not reason:
            raise InvalidInput({"reason": "errors.reason_required"})
        if len(reason) > 200:  # refused, not cut: households would read half a sentence
            raise InvalidInput({"reason": "errors.too_long"}, {"reason": {"max": 200}})
        buy.status, buy.cancel_reason = BuyStatus.CANCELLED, reason
        placed = session.exec(
            select(SupplyOrder.id).where(
                SupplyOrder.buy_id == buy.id, SupplyOrder.status == OrderStatus.PLACED
            )
        ).all()
        for order_id in placed:
            _return_stock(session, saved_id(order_id))
        session.exec(
            update(SupplyOrder)
            .where(col(SupplyOrder.id).in_(placed))
            .values(status=OrderStatus.CANCELLED, cancel_reason=reason, updated_at=now)
        )
    else:
        raise InvalidInput({"action": "errors.invalid_input"})
    session.add(buy)
    session.commit()
    return buy


def community_buys(session: Session, actor: User | None, community_id: int) -> list[BuyView]:
    """Every buy of a community, newest first (staff and volunteers)."""
    actor = require_role(actor, *FIELD_ROLES)
    require_community(session, actor, community_id)
    buys = session.exec(
        select(GroupBuy)
        .where(GroupBuy.community_id == community_id)
        .order_by(col(GroupBuy.created_at).desc(), col(GroupBuy.id).desc())
        .limit(50)
    ).all()
    return _buy_views(session, list(buys))


def _my_household(session: Session, actor: User) -> Household:
    if actor.household_id is None:
        raise ServiceError("errors.household_not_linked")
    return session.get_one(Household, actor.household_id)


def open_buys(session: Session, actor: User | None) -> list[BuyView]:
    """A resident's view: the buys open for orders in their compound, with what their household
    has ordered."""
    actor = require_role(actor, Role.RESIDENT)
    household = _my_household(session, actor)
    now = utcnow()
    buys = session.exec(
        select(GroupBuy)
        .join(BuyCompound, col(BuyCompound.buy_id) == GroupBuy.id)
        .where(
            BuyCompound.compound_id == household.compound_id,
            GroupBuy.status == BuyStatus.OPEN,
            GroupBuy.opens_at <= now,
            GroupBuy.closes_at > now,
        )
        .order_by(col(GroupBuy.closes_at))
    ).all()
    ordered = _ordered(session, [saved_id(b) for b in buys], saved_id(household))
    return _buy_views(session, list(buys), ordered)


def _ordered(session: Session, buy_ids: list[int], household_id: int) -> dict[int, dict[int, int]]:
    """Per buy, item id → how many the household's order holds."""
    ordered: dict[int, dict[int, int]] = defaultdict(dict)
    for buy_id, item_id, quantity in session.exec(
        select(SupplyOrder.buy_id, OrderLine.item_id, OrderLine.quantity)
        .join(SupplyOrder, col(SupplyOrder.id) == OrderLine.order_id)
        .where(
            col(SupplyOrder.buy_id).in_(buy_ids),
            SupplyOrder.household_id == household_id,
            SupplyOrder.status == OrderStatus.PLACED,
        )
    ).all():
        ordered[buy_id][item_id] = quantity
    return ordered


def buy_detail(
    session: Session, actor: User | None, buy_id: int, household_id: int | None = None
) -> BuyView:
    """One buy with its items; with `household_id` (a resident: their own), what that
    household has ordered."""
    actor = require_role(actor, Role.RESIDENT, *FIELD_ROLES)
    buy = _buy(session, buy_id)
    if actor.role == Role.RESIDENT:
        household = _my_household(session, actor)
        if household.compound_id not in _compound_ids(session, saved_id(buy)):
            raise Forbidden()
        household_id = household.id
    else:
        require_community(session, actor, buy.community_id)
    ordered = _ordered(session, [saved_id(buy)], household_id) if household_id else {}
    return _buy_views(session, [buy], ordered)[0]


# ---------------------------------------------------------------- households: order


def _quantities(items: Sequence[Row[int, int]], quantities: dict) -> dict[int, int]:
    """Quantities per item id, checked: whole numbers from 0 to the household limit. `items`
    are rows of (id, limit_per_household)."""
    errors: dict[str, str] = {}
    wanted: dict[int, int] = {}
    for item in items:
        raw = quantities.get(item.id, quantities.get(str(item.id), 0))
        raw = "0" if raw in (None, "") else str(raw).strip()
        try:
            quantity = int(raw)
        except ValueError:
            errors[f"qty_{item.id}"] = "errors.quantity_invalid"
            continue
        if quantity < 0:
            errors[f"qty_{item.id}"] = "errors.quantity_negative"
        elif quantity > item.limit_per_household:
            errors[f"qty_{item.id}"] = "errors.quantity_above_limit"
        else:
            wanted[item.id] = quantity
    unknown = {int(k) for k in quantities if str(k).isdigit()} - {i.id for i in items}
    if unknown:
        errors["_"] = "errors.not_found"
    if errors:
        raise InvalidInput(errors)
    if not any(wanted.values()):
        raise InvalidInput({"_": "errors.quantity_zero"})
    return wanted


def place_order(
    session: Session,
    actor: User | None,
    buy_id: int,
    quantities: dict,
    household_id: int | None = None,
    delivery: bool = False,
) -> int:
    """Order, or change the household's order, to exactly `quantities` (item id → number;
    0 drops the item). Residents order for their own household; staff and volunteers for a
    household of the community (代下单, recorded as such). All or nothing: if any item has not
    enough left, nothing is taken and that item's field says so. `delivery` asks for door
    delivery where the buy offers it; special-care households always get it. Returns the
    order's id.

    This is the hot path when a buy opens (hundreds of phones at once), so it runs a fixed,
    small number of statements: every stock change is ONE conditional UPDATE over the changed
    items (`stock = stock - q WHERE stock >= q`, rows locked in one order), and the lines are
    one upsert."""
    actor = require_role(actor, Role.RESIDENT, *FIELD_ROLES)
    buy, on_behalf = _buy_and_household(session, actor, buy_id, household_id)
    if not buy.in_buy:
        raise ServiceError("errors.compound_not_in_buy")
    if not ordering_open(buy):
        raise ServiceError("errors.ordering_closed")
    conn = session.connection()
    items = conn.execute(_ITEM_LIMITS, {"buy": buy.id}).all()
    wanted = _quantities(items, quantities)

    order_t, line_t, item_t = _ORDER_T, _LINE_T, _ITEM_T
    rows = conn.execute(_ORDER_AND_LINES, {"buy": buy.id, "household": buy.household_id}).all()
    order_id = rows[0].id if rows else None
    placed = bool(rows) and rows[0].status == OrderStatus.PLACED
    had = {r.item_id: r.quantity for r in rows if placed and r.item_id is not None}
    deltas = {
        i.id: wanted.get(i.id, 0) - had.get(i.id, 0)
        for i in items
        if wanted.get(i.id, 0) != had.get(i.id, 0)
    }
    if deltas:
        # The check and the take are one statement: 200 phones after the last 10 units get
        # exactly 10 sold, whatever the interleaving. Units given back (delta < 0) always fit.
        delta = case(deltas, value=item_t.c.id)
        changed = conn.execute(
            update(item_t)
            .where(item_t.c.id.in_(list(deltas)), item_t.c.stock >= delta)
            .values(stock=item_t.c.stock - delta, sold=item_t.c.sold + delta)
        ).rowcount
        if changed != len(deltas):
            session.rollback()
            left = dict(
                session.exec(
                    select(BuyItem.id, BuyItem.stock).where(col(BuyItem.id).in_(list(deltas)))
                ).all()
            )
            raise InvalidInput(
                {
                    f"qty_{item_id}": "errors.sold_out"
                    if left.get(item_id, 0) == 0
                    else "errors.quantity_above_stock"
                    for item_id, d in deltas.items()
                    if d > left.get(item_id, 0)
                }
                or {"_": "errors.order_changed_retry"}
            )

    now = utcnow()
    to_door = (delivery and buy.delivery_offered) or needs_delivery(session, buy.household_id)
    values = {
        "status": OrderStatus.PLACED.value,
        "cancel_reason": "",
        "placed_by": actor.id,
        "on_behalf": on_behalf,
        "delivery": to_door,
        "updated_at": now,
    }
    try:
        if order_id is None:
            order_id = conn.execute(
                insert(order_t)
                .values(
                    buy_id=buy.id,
                    household_id=buy.household_id,
                    compound_id=buy.compound_id,
                    building_id=buy.building_id,
                    paid=False,
                    missed=0,
                    created_at=now,
                    **values,
                )
                .returning(order_t.c.id)
            ).scalar_one()
        else:
            conn.execute(update(order_t).where(order_t.c.id == order_id).values(**values))
    except IntegrityError:  # another phone of the same household ordered at the same moment
        session.rollback()
        raise ServiceError("errors.order_changed_retry") from None
    if deltas:
        upsert = _dialect_insert(session)(line_t)
        conn.execute(
            upsert.on_conflict_do_update(
                index_elements=["order_id", "item_id"],
                set_={"quantity": upsert.excluded.quantity},
            ),
            [
                {"order_id": order_id, "item_id": i.id, "quantity": wanted.get(i.id, 0)}
                for i in items
                if i.id in deltas
            ],
        )
    session.commit()
    # The statements above went around the ORM: what this session holds of them is stale.
    for held in list(session.identity_map.values()):
        if isinstance(held, (SupplyOrder, BuyItem, OrderLine)):
            session.expire(held)
    return order_id


def _dialect_insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def order_page(
    session: Session, actor: User | None, buy_id: int, household_id: int | None = None
) -> tuple[list[ItemView], OrderView | None]:
    """What an order form shows, in three queries: the buy with the household, the items with
    stock left and the household's quantities, and its order (residents: their own)."""
    actor = require_role(actor, Role.RESIDENT, *FIELD_ROLES)
    conn = session.connection()
    if actor.role != Role.RESIDENT and household_id is None:
        buy = _buy(session, buy_id)
        require_community(session, actor, buy.community_id)
        rows = conn.execute(_ITEMS_WITH_LINES, {"buy": buy.id, "order": -1}).all()
        return [_item_row_view(r, 0) for r in rows], None
    buy, _ = _buy_and_household(session, actor, buy_id, household_id)
    if actor.role == Role.RESIDENT and not buy.in_buy:
        raise Forbidden()
    order = conn.execute(_ORDER_ROW, {"buy": buy.id, "household": buy.household_id}).first()
    rows = conn.execute(_ITEMS_WITH_LINES, {"buy": buy.id, "order": order.id if order else -1})
    rows = rows.all()
    placed = order is not None and order.status == OrderStatus.PLACED
    items = [_item_row_view(r, (r.ordered or 0) if placed else 0) for r in rows]
    if order is None or order.status == OrderStatus.CANCELLED:
        return items, None
    lines = [r for r in rows if r.ordered]
    end = order.slot_at + timedelta(minutes=buy.slot_minutes or 0) if order.slot_at else None
    view = OrderView(
        id=order.id,
        buy_id=buy.id,
        buy_title=buy.title,
        address=buy.address,
        status=OrderStatus(order.status).value,
        lines=[f"{r.name} {r.spec} × {r.ordered}".replace("  ", " ") for r in lines],
        total=yuan(sum(r.price_fen * r.ordered for r in lines)),
        paid=order.paid,
        on_behalf=order.on_behalf,
        delivery=order.delivery,
        pickup_number=order.pickup_number,
        batch=order.batch,
        slot=f"{format_local(order.slot_at)}–{to_local(end).strftime('%H:%M')}" if end else "",
        pickup_points=[p for p in buy.pickup_points.split("\n") if p],
        cancel_reason=order.cancel_reason,
        can_change=placed and ordering_open(buy),
        delivered_at=format_local(order.delivered_at),
        calling_batch=buy.calling_batch,
    )
    return items, view


def _item_row_view(row, ordered: int) -> ItemView:
    return ItemView(
        id=row.id,
        name=row.name,
        spec=row.spec,
        price_fen=row.price_fen,
        price=yuan(row.price_fen),
        stock=row.stock,
        sold=row.sold,
        limit=row.limit_per_household,
        ordered=ordered,
    )


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


def cancel_order(session: Session, actor: User | None, order_id: int) -> SupplyOrder:
    """The household (or staff or a volunteer for it) cancels before the cut-off; the units go
    back on sale."""
    actor = require_role(actor, Role.RESIDENT, *FIELD_ROLES)
    order, buy = _own_order(session, actor, order_id)
    if order.status != OrderStatus.PLACED:
        raise ServiceError(f"errors.order_{order.status.value}")
    if not ordering_open(buy):
        raise ServiceError("errors.ordering_closed")
    changed = session.exec(
        update(SupplyOrder)
        .where(col(SupplyOrder.id) == order.id, col(SupplyOrder.status) == OrderStatus.PLACED)
        .values(status=OrderStatus.CANCELLED, updated_at=utcnow())
    ).rowcount
    if changed != 1:
        session.rollback()
        raise ServiceError("errors.order_changed_retry")
    _return_stock(session, saved_id(order))
    session.exec(update(OrderLine).where(col(OrderLine.order_id) == order.id).values(quantity=0))
    session.commit()
    session.refresh(order)
    return order


def my_orders(session: Session, actor: User | None) -> list[OrderView]:
    """A resident's orders, newest buy first: what, the pickup number, batch and slot (or the
    delivery), and a cancelled buy's reason."""
    actor = require_role(actor, Role.RESIDENT)
    if actor.household_id is None:
        return []
    rows = session.exec(
        select(SupplyOrder, GroupBuy, Household.address)
        .join(GroupBuy, col(GroupBuy.id) == SupplyOrder.buy_id)
        .join(Household, col(Household.id) == SupplyOrder.household_id)
        .where(SupplyOrder.household_id == actor.household_id)
        .order_by(col(GroupBuy.created_at).desc())
        .limit(20)
    ).all()
    lines = _lines(session, col(SupplyOrder.household_id) == actor.household_id)
    return [
        _order_card(order, buy, address, lines[saved_id(order)])
        for order, buy, address in rows
        if order.status != OrderStatus.CANCELLED or order.cancel_reason
    ]


def find_household(
    session: Session, actor: User | None, buy_id: int, address: str
) -> tuple[int, str] | None:
    """A household of the buy's compounds by its door, '3-2-501' or '望江花园 3-2-501' (for
    ordering on behalf)."""
    import re

    actor, buy = _field_buy(session, actor, buy_id)
    numbers = re.findall(r"\d+", address)
    if len(numbers) < 3:
        return None
    building, unit, door = numbers[-3:]
    key = f"{int(building)}-{int(unit)}-{door}"
    hint = re.split(r"\d", address, maxsplit=1)[0].strip()
    rows = session.exec(
        select(Household.id, Household.address)
        .join(BuyCompound, col(BuyCompound.compound_id) == Household.compound_id)
        .where(
            BuyCompound.buy_id == buy.id,
            Household.community_id == buy.community_id,
            Household.door_key == key,
        )
    ).all()
    if hint and len(rows) > 1:
        rows = [r for r in rows if r[1].startswith(hint)]
    return (saved_id(rows[0][0]), rows[0][1]) if len(rows) == 1 else None


# ---------------------------------------------------------------- supplier summary


@dataclass(frozen=True)
class Summary:
    items: list[tuple[str, int, str]]  # (item, units, amount)
    compounds: list[str]
    per_compound: list[list[int]]  # per item, units per compound (same order)
    orders: list[OrderView]
    total: str
    paid: int
    unpaid: int


def summary(session: Session, actor: User | None, buy_id: int) -> Summary:
    """What the supplier needs (units per item, per compound) and who ordered what, paid or not."""
    actor, buy = _staff_buy(session, actor, buy_id)
    items = _items(session, saved_id(buy))
    rows = session.exec(
        select(OrderLine.item_id, SupplyOrder.compound_id, func.sum(OrderLine.quantity))
        .join(SupplyOrder, col(SupplyOrder.id) == OrderLine.order_id)
        .where(SupplyOrder.buy_id == buy.id, SupplyOrder.status != OrderStatus.CANCELLED)
        .group_by(col(OrderLine.item_id), col(SupplyOrder.compound_id))
    ).all()
    compounds = session.exec(
        select(Compound.id, Compound.name)
        .join(BuyCompound, col(BuyCompound.compound_id) == Compound.id)
        .where(BuyCompound.buy_id == buy.id)
        .order_by(col(Compound.id))
    ).all()
    units = {(item_id, compound_id): int(n or 0) for item_id, compound_id, n in rows}
    per_compound = [[units.get((saved_id(i), saved_id(c)), 0) for c, _ in compounds] for i in items]
    item_rows = [
        (f"{i.name} {i.spec}".strip(), sum(counts), yuan(sum(counts) * i.price_fen))
        for i, counts in zip(items, per_compound, strict=True)
    ]
    total = sum(sum(counts) * i.price_fen for i, counts in zip(items, per_compound, strict=True))
    orders = session.exec(
        select(SupplyOrder, Household.address)
        .join(Household, col(Household.id) == SupplyOrder.household_id)
        .where(SupplyOrder.buy_id == buy.id, SupplyOrder.status != OrderStatus.CANCELLED)
        .order_by(col(Household.compound_id), Household.door_key)
    ).all()
    lines = _lines(session, col(SupplyOrder.buy_id) == buy.id)
    views = [_order_card(o, buy, address, lines[saved_id(o)]) for o, address in orders]
    paid = sum(1 for o, _ in orders if o.paid)
    return Summary(
        items=item_rows,
        compounds=[name for _, name in compounds],
        per_compound=per_compound,
        orders=views,
        total=yuan(total),
        paid=paid,
        unpaid=len(orders) - paid,
    )


def export_summary(session: Session, actor: User | None, buy_id: int) -> bytes:
    """The summary as .xlsx: a sheet of totals for the supplier, and the order list."""
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    data = summary(session, actor, buy_id)
    buy = _buy(session, buy_id)
    book = Workbook()
    totals = book.active
    assert isinstance(totals, Worksheet)  # a new workbook opens on its one worksheet
    totals.title = "汇总"
    totals.append(spreadsheets.row(totals, [buy.title, buy.supplier]))
    totals.append(spreadsheets.row(totals, ["商品", *data.compounds, "合计", "金额"]))
    for (name, units, amount), counts in zip(data.items, data.per_compound, strict=True):
        totals.append(spreadsheets.row(totals, [name, *counts, units, amount]))
    totals.append(["总金额", *[""] * len(data.compounds), "", data.total])
    orders = book.create_sheet("订单")
    orders.append(["取货号", "住址", "商品", "金额", "已付款", "代下单", "送货上门", "状态"])
    for o in data.orders:
        orders.append(
            spreadsheets.row(
                orders,
                [
                    o.pickup_number or "",
                    o.address,
                    "；".join(o.lines),
                    o.total,
                    "是" if o.paid else "否",
                    "是" if o.on_behalf else "否",
                    "是" if o.delivery else "否",
                    o.status,
                ],
            )
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def set_paid(session: Session, actor: User | None, order_id: int, paid: bool) -> SupplyOrder:
    """Mark an order paid or unpaid (payment itself happens outside the app)."""
    actor = require_role(actor, *STAFF_ROLES)
    order, _ = _own_order(session, actor, order_id)
    order.paid = bool(paid)
    session.add(order)
    session.commit()
    return order


# ---------------------------------------------------------------- arrival: numbers and batches


class BatchPlan(BaseModel):
    batch_size: int
    slot_minutes: int
    first_slot_at: datetime

    @field_validator("batch_size", "slot_minutes")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1 or value > 1000:
            raise PydanticCustomError("count_out_of_range", "range")
        return value


def generate_batches(session: Session, actor: User | None, buy_id: int, data: dict) -> int:
    """The goods are here: every pickup order gets a number, and households are called in
    batches of `batch_size`, building after building, one slot of `slot_minutes` each from
    `first_slot_at`. Delivery orders get no number: they become delivery tasks. Only after the
    cut-off (or closing early); regenerating is allowed until calling starts. Returns the
    number of batches."""
    actor, buy = _staff_buy(session, actor, buy_id)
    plan = parse(BatchPlan, data)
    if buy.status == BuyStatus.CANCELLED:
        raise ServiceError("errors.buy_cancelled")
    if buy.calling_batch > 0:
        raise ServiceError("errors.calling_started")
    if ordering_open(buy):  # orders could still change under the numbers
        raise ServiceError("errors.close_first")
    rows = session.exec(
        select(SupplyOrder.id, SupplyOrder.household_id, SupplyOrder.delivery)
        .join(Household, col(Household.id) == SupplyOrder.household_id)
        .join(Building, col(Building.id) == Household.building_id)
        .where(SupplyOrder.buy_id == buy.id, SupplyOrder.status == OrderStatus.PLACED)
        .order_by(
            col(Household.compound_id), Building.number, Household.door_key, col(SupplyOrder.id)
        )
    ).all()
    delivery_households = _delivery_households(session, [h for _, h, _ in rows])
    changes = []
    number = 0
    for order_id, household_id, delivery in rows:
        if delivery or household_id in delivery_households:
            changes.append({"oid": order_id, "n": None, "b": None, "s": None, "d": True})
            continue
        batch = number // plan.batch_size + 1
        number += 1
        slot = plan.first_slot_at + timedelta(minutes=plan.slot_minutes * (batch - 1))
        changes.append({"oid": order_id, "n": number, "b": batch, "s": slot, "d": False})
    if changes:
        session.connection().execute(
            update(_ORDER_T)
            .where(_ORDER_T.c.id == bindparam("oid"))
            .values(
                pickup_number=bindparam("n"),
                batch=bindparam("b"),
                slot_at=bindparam("s"),
                delivery=bindparam("d"),
            ),
            changes,
        )
    batches = (number + plan.batch_size - 1) // plan.batch_size
    buy.status = BuyStatus.ARRIVED
    buy.batch_size, buy.slot_minutes = plan.batch_size, plan.slot_minutes
    buy.first_slot_at, buy.calling_batch, buy.last_batch = plan.first_slot_at, 0, batches
    session.add(buy)
    session.commit()
    return batches


def _delivery_households(session: Session, household_ids: list[int]) -> set[int]:
    """The households among these in home quarantine or with a special-care flag."""
    flagged = [getattr(Resident, flag) for flag in CARE_FLAGS]
    found: set[int] = set()
    ids = sorted(set(household_ids))
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        found.update(
            session.exec(
                select(Resident.household_id)
                .where(
                    col(Resident.household_id).in_(chunk),
                    col(Resident.moved_out).is_(None),
                    or_(*flagged),
                )
                .distinct()
            ).all()
        )
        found.update(
            session.exec(
                select(QuarantinePlan.household_id).where(
                    col(QuarantinePlan.household_id).in_(chunk),
                    QuarantinePlan.status == PlanStatus.ACTIVE,
                )
            ).all()
        )
    return found


@dataclass(frozen=True)
class Calling:
    buy_id: int
    title: str
    batch: int  # now calling (0: not started)
    last_batch: int
    numbers: list[int]  # the current batch's numbers not yet collected
    collected: int  # of the current batch
    slot: str
    next_numbers: list[int]
    waiting: int  # orders not collected in all


def calling(session: Session, actor: User | None, buy_id: int) -> Calling:
    """The "now calling" screen: the batch being called, its numbers, the next batch."""
    actor, buy = _field_buy(session, actor, buy_id)

    def batch_rows(batch: int) -> list[SupplyOrder]:
        return list(
            session.exec(
                select(SupplyOrder)
                .where(
                    SupplyOrder.buy_id == buy.id,
                    SupplyOrder.batch == batch,
                    col(SupplyOrder.status).in_([OrderStatus.PLACED, OrderStatus.COLLECTED]),
                )
                .order_by(col(SupplyOrder.pickup_number))
            )
        )

    current = batch_rows(buy.calling_batch) if buy.calling_batch else []
    upcoming = batch_rows(buy.calling_batch + 1)
    waiting = session.exec(
        select(func.count())
        .select_from(SupplyOrder)
        .where(
            SupplyOrder.buy_id == buy.id,
            SupplyOrder.status == OrderStatus.PLACED,
            col(SupplyOrder.pickup_number).is_not(None),
        )
    ).one()
    return Calling(
        buy_id=saved_id(buy),
        title=buy.title,
        batch=buy.calling_batch,
        last_batch=buy.last_batch,
        # Every order given a batch was given its number with it.
        numbers=[
            o.pickup_number
            for o in current
            if o.status == OrderStatus.PLACED and o.pickup_number is not None
        ],
        collected=sum(1 for o in current if o.status == OrderStatus.COLLECTED),
        slot=_slot(buy, current[0]) if current else "",
        next_numbers=[o.pickup_number for o in upcoming if o.pickup_number is not None],
        waiting=waiting,
    )


def advance_call(session: Session, actor: User | None, buy_id: int) -> int:
    """Call the next batch. Households of the batch just called who did not come move to a new
    batch at the end (a later slot); their number stays. Returns the batch now called."""
    actor, buy = _staff_buy(session, actor, buy_id)
    if buy.status != BuyStatus.ARRIVED:
        raise ServiceError("errors.batches_not_ready")
    current = buy.calling_batch
    if current >= buy.last_batch:
        raise ServiceError("errors.no_more_batches")
    # One statement moves the batch on: two staff pressing at once advance it once.
    moved = session.exec(
        update(GroupBuy)
        .where(col(GroupBuy.id) == buy.id, col(GroupBuy.calling_batch) == current)
        .values(calling_batch=current + 1)
    ).rowcount
    if moved != 1:
        session.rollback()
        raise ServiceError("errors.order_changed_retry")
    if current > 0:
        missed = session.exec(
            select(SupplyOrder.id).where(
                SupplyOrder.buy_id == buy.id,
                SupplyOrder.batch == current,
                SupplyOrder.status == OrderStatus.PLACED,
            )
        ).all()
        if missed:
            later = buy.last_batch + 1
            slot = (buy.first_slot_at or utcnow()) + timedelta(
                minutes=buy.slot_minutes * (later - 1)
            )
            session.exec(
                update(SupplyOrder)
                .where(col(SupplyOrder.id).in_(missed))
                .values(batch=later, slot_at=slot, missed=SupplyOrder.missed + 1)
            )
            session.exec(
                update(GroupBuy).where(col(GroupBuy.id) == buy.id).values(last_batch=later)
            )
    session.commit()
    return current + 1


def collect(session: Session, actor: User | None, buy_id: int, pickup_number: int) -> OrderView:
    """A volunteer at the pickup point marks the order with this number collected."""
    actor, buy = _field_buy(session, actor, buy_id)
    order = session.exec(
        select(SupplyOrder).where(
            SupplyOrder.buy_id == buy.id, SupplyOrder.pickup_number == pickup_number
        )
    ).first()
    if order is None:
        raise ServiceError("errors.number_unknown", field="number", number=pickup_number)
    changed = session.exec(
        update(SupplyOrder)
        .where(col(SupplyOrder.id) == order.id, col(SupplyOrder.status) == OrderStatus.PLACED)
        .values(status=OrderStatus.COLLECTED, collected_at=utcnow(), collected_by=actor.id)
    ).rowcount
    if changed != 1:
        session.rollback()
        session.refresh(order)
        if order.status == OrderStatus.COLLECTED:
            raise ServiceError(
                "errors.already_collected",
                field="number",
                number=pickup_number,
                at=format_local(order.collected_at),
            )
        raise ServiceError(f"errors.order_{order.status.value}", field="number")
    session.commit()
    session.refresh(order)
    return _order_view(session, order, buy)


# ---------------------------------------------------------------- door deliveries


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


# ---------------------------------------------------------------- errands


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
