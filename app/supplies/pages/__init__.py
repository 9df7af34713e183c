"""Group buys on a phone: residents order and see their pickup number; staff set buys up,
read the supplier summary, call batches; volunteers collect, deliver and run errands. One
module per page; app/app.py routes to the functions re-exported here."""

from .buy import buy
from .calling import calling
from .deliveries import deliveries
from .errands import errands
from .home import supplies
from .new_buy import new_buy

__all__ = ["buy", "calling", "deliveries", "errands", "new_buy", "supplies"]
