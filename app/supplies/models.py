"""Group-buy supplies (团购): buys with items, household orders, pickup batches, door
deliveries, and errand requests (代购药品, 跑腿)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import enum_column
from app.timeutil import utcnow


class BuyStatus(StrEnum):
    OPEN = "open"  # taking orders between opens_at and closes_at
    CLOSED = "closed"  # closed early by staff (may be reopened)
    CANCELLED = "cancelled"  # called off; every order is told why
    ARRIVED = "arrived"  # goods arrived: pickup numbers and batches are out


class OrderStatus(StrEnum):
    PLACED = "placed"
    CANCELLED = "cancelled"  # by the household, or because the buy was cancelled
    COLLECTED = "collected"  # picked up at the pickup point
    DELIVERED = "delivered"  # brought to the door


class GroupBuy(SQLModel, table=True):
    """团购: one delivery of goods from one supplier, ordered by households."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    title: str = Field(max_length=60)
    supplier: str = Field(max_length=60)
    opens_at: datetime
    closes_at: datetime  # 截单时间
    pickup_points: str = Field(default="", max_length=200)  # one per line
    delivery_offered: bool = False  # 送货上门 for everyone (always for quarantine/special care)
    status: BuyStatus = Field(default=BuyStatus.OPEN, sa_type=enum_column(BuyStatus), index=True)
    cancel_reason: str = Field(default="", max_length=200)
    # On arrival: households per batch, minutes per slot, the first slot, the batch now called.
    batch_size: int = 0
    slot_minutes: int = 0
    first_slot_at: datetime | None = None
    calling_batch: int = 0
    last_batch: int = 0
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class BuyCompound(SQLModel, table=True):
    """The compounds whose households may order in a buy."""

    buy_id: int = Field(foreign_key="groupbuy.id", primary_key=True)
    compound_id: int = Field(foreign_key="compound.id", primary_key=True, index=True)


class BuyItem(SQLModel, table=True):
    """团购商品: price in fen; `stock` is what is left to sell, `sold` what orders hold."""

    id: int | None = Field(default=None, primary_key=True)
    buy_id: int = Field(foreign_key="groupbuy.id", index=True)
    position: int = 0
    name: str = Field(max_length=40)
    spec: str = Field(default="", max_length=40)  # 规格, e.g. 2.5kg/袋
    price_fen: int
    stock: int
    sold: int = 0
    limit_per_household: int


class SupplyOrder(SQLModel, table=True):
    """订单: one per household per buy, changed in place until the cut-off."""

    __table_args__ = (UniqueConstraint("buy_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    buy_id: int = Field(foreign_key="groupbuy.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    compound_id: int = Field(foreign_key="compound.id")
    building_id: int = Field(foreign_key="building.id")
    status: OrderStatus = Field(
        default=OrderStatus.PLACED, sa_type=enum_column(OrderStatus), index=True
    )
    placed_by: int = Field(foreign_key="user.id")
    on_behalf: bool = False  # placed by staff or a volunteer for the household (代下单)
    paid: bool = False
    delivery: bool = False  # brought to the door instead of picked up
    cancel_reason: str = Field(default="", max_length=200)
    pickup_number: int | None = None
    batch: int | None = None
    slot_at: datetime | None = None
    missed: int = 0  # slots missed; each moves the order to a later batch
    collected_at: datetime | None = None
    collected_by: int | None = Field(default=None, foreign_key="user.id")
    deliverer_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    delivered_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OrderLine(SQLModel, table=True):
    order_id: int = Field(foreign_key="supplyorder.id", primary_key=True)
    item_id: int = Field(foreign_key="buyitem.id", primary_key=True, index=True)
    quantity: int


class ErrandKind(StrEnum):
    MEDICINE = "medicine"  # 代购药品
    ERRAND = "errand"  # 跑腿


class ErrandStatus(StrEnum):
    OPEN = "open"
    TAKEN = "taken"
    DONE = "done"
    CANCELLED = "cancelled"


class Errand(SQLModel, table=True):
    """代购 / 跑腿: a household asks, a volunteer takes it and reports it done."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    requested_by: int = Field(foreign_key="user.id")
    kind: ErrandKind = Field(sa_type=enum_column(ErrandKind))
    details: str = Field(max_length=200)
    status: ErrandStatus = Field(
        default=ErrandStatus.OPEN, sa_type=enum_column(ErrandStatus), index=True
    )
    volunteer_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    taken_at: datetime | None = None
    done_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
