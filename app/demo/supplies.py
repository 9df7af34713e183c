"""The demo's group buys (团购), placed through the supplies service."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.community.models import Community, Compound, Household
from app.db import saved_id
from app.demo._plan import _COMMUNITIES
from app.supplies import service as supplies
from app.supplies.models import BuyItem


def _load_supplies(session: Session, community: Community) -> None:
    """团购 demo for the first community: one buy open for orders, and one whose goods have
    arrived, with orders (the linked residents' among them), pickup numbers and batches, and
    door deliveries for special-care households."""
    staff = session.exec(select(User).where(User.mobile == _COMMUNITIES[0].staff[0][1])).one()
    compounds = session.exec(
        select(Compound.id).where(Compound.community_id == community.id).order_by(col(Compound.id))
    ).all()
    now = datetime.now(UTC).replace(second=0, microsecond=0)

    def item(name: str, spec: str, price_fen: int, stock: int, limit: int) -> dict[str, Any]:
        return {
            "name": name,
            "spec": spec,
            "price_fen": price_fen,
            "stock": stock,
            "limit_per_household": limit,
        }

    supplies.create_buy(
        session,
        staff,
        saved_id(community),
        {
            "title": "冻肉蔬菜套餐",
            "supplier": "鲜丰食品配送中心",
            "opens_at": now - timedelta(hours=2),
            "closes_at": now + timedelta(days=2),
            "compound_ids": list(compounds),
            "pickup_points": ["各小区东门物资点"],
            "delivery_offered": False,
            "items": [
                item("猪肉", "2kg/袋", 5800, 193, 2),
                item("鸡蛋", "30枚/盒", 2500, 150, 1),
                item("蔬菜包", "5kg/箱", 3000, 300, 2),
            ],
        },
    )
    arrived = supplies.create_buy(
        session,
        staff,
        saved_id(community),
        {
            "title": "大米食用油",
            "supplier": "惠民粮油",
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(minutes=5),
            "compound_ids": list(compounds),
            "pickup_points": ["望江花园东门", "社区服务中心"],
            "delivery_offered": False,
            "items": [item("大米", "10kg/袋", 6500, 400, 1), item("食用油", "5L/桶", 7900, 300, 1)],
        },
    )
    rice, oil = session.exec(
        select(BuyItem.id).where(BuyItem.buy_id == arrived.id).order_by(col(BuyItem.id))
    ).all()
    residents = session.exec(
        select(User).where(User.community_id == community.id, col(User.household_id).is_not(None))
    ).all()
    for user in residents:
        supplies.place_order(session, user, saved_id(arrived), {rice: 1, oil: 1})
    others = session.exec(
        select(Household.id)
        .where(
            Household.community_id == community.id,
            col(Household.id).not_in([u.household_id for u in residents]),
        )
        .order_by(col(Household.id))
        .limit(60)
    ).all()
    for i, household_id in enumerate(others):
        supplies.place_order(
            session, staff, saved_id(arrived), {rice: 1, oil: i % 2}, household_id=household_id
        )
    arrived.closes_at = now - timedelta(minutes=1)
    session.add(arrived)
    session.commit()
    supplies.generate_batches(
        session,
        staff,
        saved_id(arrived),
        {"batch_size": 10, "slot_minutes": 20, "first_slot_at": now + timedelta(hours=1)},
    )
