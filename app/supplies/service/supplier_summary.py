"""What the supplier needs: units per item and compound, the order list, and its .xlsx."""

import io
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import spreadsheets
from app.accounts.models import User
from app.community.models import Compound, Household
from app.db import saved_id
from app.supplies.models import (
    BuyCompound,
    OrderLine,
    OrderStatus,
    SupplyOrder,
)

from ._common import OrderView, _buy, _items, _lines, _order_card, _staff_buy, yuan


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
