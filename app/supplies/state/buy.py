"""/supplies/buy/[id]: one buy, ordering and running it."""

import contextlib
from datetime import datetime, timedelta

import reflex as rx

from app.accounts.models import Role
from app.accounts.state import SessionState
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_text
from app.supplies import service
from app.timeutil import to_local, utcnow

from ._common import (
    ItemRow,
    OrderCard,
    _fen,
    _int_or_zero,
    _item_row,
    _local_input,
    _local_value,
    _order_card,
)


class BuyState(SessionState):
    """One buy: residents order; staff and volunteers order on behalf, staff run it."""

    buy_id: rx.Field[int] = rx.field(0)
    title: rx.Field[str] = rx.field("")
    supplier: rx.Field[str] = rx.field("")
    status: rx.Field[str] = rx.field("")
    closes_at: rx.Field[str] = rx.field("")
    ordering: rx.Field[bool] = rx.field(False)
    pickup: rx.Field[str] = rx.field("")
    delivery_offered: rx.Field[bool] = rx.field(False)
    compounds: rx.Field[str] = rx.field("")
    cancel_reason: rx.Field[str] = rx.field("")
    calling_batch: rx.Field[int] = rx.field(0)
    last_batch: rx.Field[int] = rx.field(0)
    items: rx.Field[list[ItemRow]] = rx.field(default_factory=list)
    # the household's order (0 or 1)
    my_order: rx.Field[list[OrderCard]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")
    # ordering on behalf
    household_id: rx.Field[int] = rx.field(0)
    household_address: rx.Field[str] = rx.field("")
    # staff: summary
    totals: rx.Field[list[tuple[str, str, str]]] = rx.field(default_factory=list)
    compound_names: rx.Field[list[str]] = rx.field(default_factory=list)
    per_compound: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    order_rows: rx.Field[list[OrderCard]] = rx.field(default_factory=list)
    paid_count: rx.Field[int] = rx.field(0)
    unpaid_count: rx.Field[int] = rx.field(0)
    grand_total: rx.Field[str] = rx.field("")
    editing: rx.Field[int] = rx.field(0)  # the item whose edit sheet is open
    cancelling: rx.Field[bool] = rx.field(False)
    default_first_slot: rx.Field[str] = rx.field("")
    default_cutoff: rx.Field[str] = rx.field("")  # offered when reopening a closed buy

    def _refresh(self, db, user) -> None:
        household = self.household_id or None
        view = service.buy_detail(db, user, self.buy_id, household)
        self.title, self.supplier, self.status = view.title, view.supplier, view.status
        self.closes_at, self.ordering = view.closes_at, view.ordering
        self.pickup = " / ".join(view.pickup_points)
        self.delivery_offered, self.compounds = view.delivery_offered, "、".join(view.compounds)
        self.cancel_reason = view.cancel_reason
        self.calling_batch, self.last_batch = view.calling_batch, view.last_batch
        self.items = [_item_row(i) for i in view.items]
        if user.role == Role.RESIDENT or self.household_id:
            self._show_order(db, user)
        else:
            self.my_order = []
        if user.role in service.STAFF_ROLES:
            self._show_summary(db, user)

    def _show_summary(self, db, user) -> None:
        data = service.summary(db, user, self.buy_id)
        self.totals = [(n, str(u), a) for n, u, a in data.items]
        self.compound_names = data.compounds
        self.per_compound = [
            [t[0], *[str(c) for c in counts]]
            for t, counts in zip(data.items, data.per_compound, strict=True)
        ]
        self.order_rows = [_order_card(o) for o in data.orders]
        self.paid_count, self.unpaid_count = data.paid, data.unpaid
        self.grand_total = data.total

    @rx.event
    def load(self):
        self.errors, self.message, self.editing, self.cancelling = {}, "", 0, False
        self.household_id, self.household_address = 0, ""
        raw = str(self.router.page.params.get("buy_id", ""))
        self.buy_id = int(raw) if raw.isdigit() else 0
        self.default_first_slot = _local_value(utcnow().replace(second=0, microsecond=0))
        self.default_cutoff = _local_value(utcnow().replace(minute=0, second=0) + timedelta(days=1))
        with session_scope() as db:
            user = self.enter(db, "/supplies/buy")
            if user is None:
                return self.bounce()
            try:
                self._refresh(db, user)
            except ServiceError as exc:
                self.message = self.describe(exc)[1]
                self.title = ""

    def _call(self, fn, *args, success: str | None = None, **kwargs):
        """Run a service operation for the logged-in user, then show the page again."""
        self.errors, self.message = {}, ""
        with session_scope() as db:
            user = self.actor(db)
            try:
                result = fn(db, user, *args, **kwargs)
            except ServiceError as exc:
                self.errors, self.message = self.describe(exc)
                db.rollback()
                with contextlib.suppress(ServiceError):
                    self._refresh(db, user)
                return None, (rx.toast.error(self.message) if self.message else None)
            self._refresh(db, user)
        return result, (rx.toast.success(self.tr(success)) if success else None)

    @rx.event
    def order(self, form: dict):
        """Order or change: the hot path when a buy opens, so only the form is shown again
        (items with stock left, and the household's order), from the same session; and to
        staff, who order on behalf with the summary on the same page, the summary."""
        self.errors, self.message = {}, ""
        quantities = {i.id: form_text(form, f"qty_{i.id}") for i in self.items}
        household = self.household_id or None
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.place_order(
                    db, user, self.buy_id, quantities, household, bool(form.get("delivery"))
                )
            except ServiceError as exc:
                db.rollback()
                self.errors, self.message = self.describe(exc)
                with contextlib.suppress(ServiceError):
                    self._show_order(db, user)
                return rx.toast.error(self.message) if self.message and not self.errors else None
            self._show_order(db, user)
            if user.role in service.STAFF_ROLES:
                self._show_summary(db, user)
        return rx.toast.success(self.tr("supplies.ordered"))

    def _show_order(self, db, user) -> None:
        items, mine = service.order_page(db, user, self.buy_id, self.household_id or None)
        self.items = [_item_row(i) for i in items]
        self.my_order = [_order_card(mine)] if mine is not None else []

    @rx.event
    def cancel_order(self, order_id: int):
        return self._call(service.cancel_order, order_id, success="supplies.order_cancelled")[1]

    @rx.event
    def find(self, form: dict):
        self.errors = {}
        with session_scope() as db:
            user = self.actor(db)
            try:
                found = service.household_at_door(db, user, self.buy_id, form_text(form, "address"))
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
            if found is None:
                self.household_id, self.household_address = 0, ""
                self.errors = {"address": self.tr("errors.household_not_found")}
            else:
                self.household_id, self.household_address = found
            self._refresh(db, user)

    @rx.event
    def clear_household(self):
        self.household_id, self.household_address = 0, ""
        with session_scope() as db:
            self._refresh(db, self.actor(db))

    @rx.event
    def set_status(self, action: str):
        return self._call(
            service.set_buy_status, self.buy_id, action, success=f"supplies.done_{action}"
        )[1]

    @rx.event
    def reopen(self, form: dict):
        """Open a closed buy again until the new cut-off given (closing early moved the
        cut-off to that moment)."""
        cutoff = _local_input(form.get("closes_at", ""))
        return self._call(
            service.set_buy_status,
            self.buy_id,
            "reopen",
            closes_at=cutoff if isinstance(cutoff, datetime) else None,
            success="supplies.done_reopen",
        )[1]

    @rx.event
    def set_cancelling(self, is_open: bool):
        self.cancelling = is_open
        self.errors = {}

    @rx.event
    def cancel_buy(self, form: dict):
        _, toast = self._call(
            service.set_buy_status,
            self.buy_id,
            "cancel",
            form_text(form, "reason"),
            success="supplies.cancelled",
        )
        if not self.errors:
            self.cancelling = False
        return toast

    @rx.event
    def open_edit(self, item_id: int):
        self.editing, self.errors = item_id, {}

    @rx.event
    def set_edit_open(self, is_open: bool):
        if not is_open:
            self.editing = 0

    @rx.event
    def save_item(self, form: dict):
        data = {
            "price_fen": _fen(form_text(form, "price_fen")),
            "stock": _int_or_zero(form.get("stock")),
            "limit_per_household": _int_or_zero(form.get("limit_per_household")),
        }
        _, toast = self._call(service.update_item, self.editing, data, success="supplies.saved")
        if not self.errors and not self.message:
            self.editing = 0
        return toast

    @rx.event
    def toggle_paid(self, order_id: int, paid: bool):
        return self._call(service.set_paid, order_id, paid)[1]

    @rx.event
    def generate(self, form: dict):
        data = {
            "batch_size": _int_or_zero(form.get("batch_size")),
            "slot_minutes": _int_or_zero(form.get("slot_minutes")),
            "first_slot_at": _local_input(form.get("first_slot_at", "")),
        }
        batches, toast = self._call(service.generate_batches, self.buy_id, data)
        if batches is not None:
            return rx.toast.success(self.tr("supplies.generated", batches=batches))
        return toast

    @rx.event
    def export(self):
        with session_scope() as db:
            try:
                data = service.export_summary(db, self.actor(db), self.buy_id)
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
        stamp = to_local(utcnow()).strftime("%Y%m%d")
        return rx.download(data=data, filename=f"团购汇总-{self.title}-{stamp}.xlsx")
