"""What the group-buy states share: the cards pages show, and reading typed input."""

import dataclasses
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from app.forms import plain_digits
from app.settings import get_settings
from app.supplies import service
from app.timeutil import to_local


@dataclasses.dataclass
class ItemRow:
    id: int
    name: str
    spec: str
    price: str
    price_yuan: str
    stock: int
    sold: int
    limit: int
    ordered: int


@dataclasses.dataclass
class BuyCard:
    id: int
    title: str
    supplier: str
    status: str
    closes_at: str
    ordering: bool
    orders: int
    compounds: str
    item_names: str


@dataclasses.dataclass
class OrderCard:
    id: int
    buy_id: int
    title: str
    address: str
    status: str
    lines: list[str]
    total: str
    paid: bool
    on_behalf: bool
    delivery: bool
    number: str  # "" before arrival
    batch: str
    slot: str
    pickup: str
    cancel_reason: str
    can_change: bool
    delivered_at: str
    called: bool  # the household's batch is being called now


@dataclasses.dataclass
class TaskCard:
    order_id: int
    title: str
    building: str
    address: str
    lines: list[str]
    deliverer: str
    delivered_at: str


@dataclasses.dataclass
class ErrandCard:
    id: int
    kind: str
    details: str
    address: str
    status: str
    volunteer: str
    asked_at: str
    mine: bool


def _buy_card(v: service.BuyView) -> BuyCard:
    return BuyCard(
        id=v.id,
        title=v.title,
        supplier=v.supplier,
        status=v.status,
        closes_at=v.closes_at,
        ordering=v.ordering,
        orders=v.orders,
        compounds="、".join(v.compounds),
        item_names="、".join(i.name for i in v.items),
    )


def _item_row(i: service.ItemView) -> ItemRow:
    return ItemRow(
        id=i.id,
        name=i.name,
        spec=i.spec,
        price=i.price,
        price_yuan=f"{i.price_fen / 100:.2f}",
        stock=i.stock,
        sold=i.sold,
        limit=i.limit,
        ordered=i.ordered,
    )


def _order_card(v: service.OrderView) -> OrderCard:
    return OrderCard(
        id=v.id,
        buy_id=v.buy_id,
        title=v.buy_title,
        address=v.address,
        status=v.status,
        lines=v.lines,
        total=v.total,
        paid=v.paid,
        on_behalf=v.on_behalf,
        delivery=v.delivery,
        number=str(v.pickup_number) if v.pickup_number else "",
        batch=str(v.batch) if v.batch else "",
        slot=v.slot,
        pickup=" / ".join(v.pickup_points),
        cancel_reason=v.cancel_reason,
        can_change=v.can_change,
        delivered_at=v.delivered_at,
        called=bool(v.batch) and v.batch == v.calling_batch and v.status == "placed",
    )


def _fen(raw: str) -> int:
    """Yuan as typed ("12.5") to fen; -1 (refused by the service) when it is not a price."""
    try:
        value = Decimal(str(raw).strip().lstrip("¥"))
    except InvalidOperation:
        return -1
    if not value.is_finite() or abs(value) > 10**9:  # NaN, Infinity, or no price anyone pays
        return -1
    fen = value * 100
    return int(fen) if fen == fen.to_integral_value() else -1


def _local_input(raw: str) -> datetime | str:
    """A datetime-local input ("2026-11-23T18:00") in the community's zone, as aware UTC."""
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return str(raw)
    return moment.replace(tzinfo=ZoneInfo(get_settings().timezone))


def _local_value(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def _int_or_zero(raw) -> int:
    digits = plain_digits(raw)
    if not digits:
        return 0
    return int(digits) if len(digits) <= 9 else -1  # more than any stock or limit: refused
