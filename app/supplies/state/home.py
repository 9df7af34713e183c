"""/supplies: open buys, orders and errands."""

import reflex as rx

from app.accounts.models import Role
from app.accounts.state import SessionState
from app.db import session_scope
from app.errors import ServiceError
from app.supplies import service

from ._common import BuyCard, ErrandCard, OrderCard, _buy_card, _order_card


class SuppliesState(SessionState):
    """团购: residents see open buys, their orders and errands; staff and volunteers the
    community's buys."""

    buys: rx.Field[list[BuyCard]] = rx.field(default_factory=list)
    orders: rx.Field[list[OrderCard]] = rx.field(default_factory=list)
    errands: rx.Field[list[ErrandCard]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    linked: rx.Field[bool] = rx.field(True)

    def _refresh(self, db, user) -> None:
        if user.role == Role.RESIDENT:
            self.linked = user.household_id is not None
            self.buys = [_buy_card(v) for v in service.open_buys(db, user)] if self.linked else []
            self.orders = [_order_card(v) for v in service.my_orders(db, user)]
            self.errands = [
                ErrandCard(
                    e.id, e.kind, e.details, e.address, e.status, e.volunteer, e.asked_at, e.mine
                )
                for e in service.errands(db, user)
            ]
        else:
            self.buys = [_buy_card(v) for v in service.community_buys(db, user, user.community_id)]

    @rx.event
    def load(self):
        self.errors = {}
        return self.load_page("/supplies", self._refresh)

    @rx.event
    def ask_errand(self, form: dict):
        self.errors = {}
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.request_errand(
                    db, user, {"kind": form.get("kind") or "", "details": form.get("details", "")}
                )
            except ServiceError as exc:
                self.errors, message = self.describe(exc)
                return rx.toast.error(message) if message and not self.errors else None
            self._refresh(db, user)
        return [rx.set_value("details", ""), rx.toast.success(self.tr("supplies.errand_sent"))]

    @rx.event
    def cancel_errand(self, errand_id: int):
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.cancel_errand(db, user, errand_id)
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
            self._refresh(db, user)
