"""Group buys (团购): staff set one up, households order within limits before the cut-off, and
on arrival pickup goes by number, in batches by building, with door delivery for quarantined
and special-care households. Also errand requests (代购药品, 跑腿).

Callers use `from app.supplies import service` and `service.<operation>`; the modules are
sub-areas of the domain."""

from ._common import (
    FIELD_ROLES,
    MAX_ITEMS,
    MAX_QUANTITY,
    STAFF_ROLES,
    BuyView,
    ItemView,
    Line,
    OrderView,
    ordering_open,
    yuan,
)
from .buys import (
    BuyInput,
    ItemInput,
    buy_detail,
    community_buys,
    compound_choices,
    create_buy,
    open_buys,
    set_buy_status,
    update_item,
)
from .deliveries import DeliveryTask, assign_delivery, deliverers, delivery_tasks, mark_delivered
from .errand_requests import (
    ErrandInput,
    ErrandView,
    cancel_errand,
    errands,
    finish_errand,
    request_errand,
    take_errand,
)
from .orders import (
    cancel_order,
    household_at_door,
    my_orders,
    needs_delivery,
    order_page,
    place_order,
    set_paid,
)
from .pickup import BatchPlan, Calling, advance_call, calling, collect, generate_batches
from .supplier_summary import Summary, export_summary, summary

__all__ = [
    "BatchPlan",
    "BuyInput",
    "BuyView",
    "Calling",
    "DeliveryTask",
    "ErrandInput",
    "ErrandView",
    "FIELD_ROLES",
    "ItemInput",
    "ItemView",
    "Line",
    "MAX_ITEMS",
    "MAX_QUANTITY",
    "OrderView",
    "STAFF_ROLES",
    "Summary",
    "advance_call",
    "assign_delivery",
    "buy_detail",
    "calling",
    "cancel_errand",
    "cancel_order",
    "collect",
    "community_buys",
    "compound_choices",
    "create_buy",
    "deliverers",
    "delivery_tasks",
    "errands",
    "export_summary",
    "finish_errand",
    "generate_batches",
    "household_at_door",
    "mark_delivered",
    "my_orders",
    "needs_delivery",
    "open_buys",
    "order_page",
    "ordering_open",
    "place_order",
    "request_errand",
    "set_buy_status",
    "set_paid",
    "summary",
    "take_errand",
    "update_item",
    "yuan",
]
