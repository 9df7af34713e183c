"""Households order (or staff and volunteers order for them, 代下单), change and cancel orders;
staff mark them paid.

Never oversold: every order takes its units with one conditional UPDATE
(`stock = stock - q WHERE stock >= q`) inside the order's transaction; per-household limits and
the cut-off are checked on every order and change."""

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import bindparam, case, exists, insert, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import CARE_FLAGS, Household
from app.db import saved_id
from app.errors import Forbidden, InvalidInput, ServiceError
from app.screening import service as screening
from app.supplies.models import (
    BuyCompound,
    BuyItem,
    GroupBuy,
    OrderLine,
    OrderStatus,
    SupplyOrder,
)
from app.timeutil import format_local, to_local, utcnow

from ._common import (
    _BUY_COMPOUND_T,
    _BUY_T,
    _HOUSEHOLD_T,
    _ITEM_T,
    _LINE_T,
    _ORDER_T,
    _RESIDENT_T,
    FIELD_ROLES,
    STAFF_ROLES,
    ItemView,
    OrderView,
    _buy,
    _field_buy,
    _lines,
    _order_card,
    _own_order,
    _return_stock,
    ordering_open,
    yuan,
)

# Prebuilt Core statements for the ordering hot path (compiled once, cached by SQLAlchemy).
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
        screening.household_in_quarantine(bindparam("household")),
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


def household_at_door(
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


def set_paid(session: Session, actor: User | None, order_id: int, paid: bool) -> SupplyOrder:
    """Mark an order paid or unpaid (payment itself happens outside the app)."""
    actor = require_role(actor, *STAFF_ROLES)
    order, _ = _own_order(session, actor, order_id)
    order.paid = bool(paid)
    session.add(order)
    session.commit()
    return order
