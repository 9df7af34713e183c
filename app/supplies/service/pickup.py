"""The goods arrive: pickup numbers, batches by building, the "now calling" screen, collecting."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import bindparam, func, or_, update
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.community.models import CARE_FLAGS, Building, Household, Resident
from app.db import saved_id
from app.errors import ServiceError, parse
from app.screening import service as screening
from app.supplies.models import (
    BuyStatus,
    GroupBuy,
    OrderStatus,
    SupplyOrder,
)
from app.timeutil import format_local, utcnow

from ._common import _ORDER_T, OrderView, _field_buy, _order_view, _slot, _staff_buy, ordering_open


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
    found.update(screening.households_in_quarantine(session, ids))
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
