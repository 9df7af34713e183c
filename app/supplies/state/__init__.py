"""Group buys, orders, pickup calling, deliveries and errands: thin states over the supplies
service, holding only what the pages show. One module per page."""

from ._common import BuyCard, ErrandCard, ItemRow, OrderCard, TaskCard
from .buy import BuyState
from .calling import CallState
from .deliveries import DeliveriesState
from .errands import ErrandsState
from .home import SuppliesState
from .new_buy import NewBuyState

__all__ = [
    "BuyCard",
    "BuyState",
    "CallState",
    "DeliveriesState",
    "ErrandCard",
    "ErrandsState",
    "ItemRow",
    "NewBuyState",
    "OrderCard",
    "SuppliesState",
    "TaskCard",
]
