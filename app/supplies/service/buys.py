"""Staff set up and run a group buy (团购): the buy, its items and its status; residents and
field staff read buys.

A price cannot change once an item has orders; stock can be lowered only down to what is sold
(orders keep what they hold); a lower limit applies to new orders and changes only."""

from collections import defaultdict
from datetime import datetime

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Compound
from app.db import saved_id
from app.errors import Forbidden, InvalidInput, ServiceError, parse
from app.fields import text
from app.supplies.models import (
    BuyCompound,
    BuyItem,
    BuyStatus,
    GroupBuy,
    OrderLine,
    OrderStatus,
    SupplyOrder,
)
from app.timeutil import utcnow

from ._common import (
    FIELD_ROLES,
    MAX_ITEMS,
    STAFF_ROLES,
    BuyView,
    _buy,
    _buy_views,
    _compound_ids,
    _my_household,
    _return_stock,
    _staff_buy,
)


class ItemInput(BaseModel):
    name: str
    spec: str = ""
    price_fen: int
    stock: int
    limit_per_household: int

    _name = field_validator("name")(text(40, required=True))
    _spec = field_validator("spec")(text(40))

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

    _text = field_validator("title", "supplier")(text(60, required=True))

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


def compound_choices(
    session: Session, actor: User | None, community_id: int
) -> list[tuple[int, str]]:
    """The compounds a new buy of this community can cover: (id, name)."""
    actor = require_role(actor, *STAFF_ROLES)
    require_community(session, actor, community_id)
    rows = session.exec(
        select(Compound.id, Compound.name)
        .where(Compound.community_id == community_id)
        .order_by(col(Compound.id))
    ).all()
    return [(saved_id(compound_id), name) for compound_id, name in rows]
