"""Group buys, orders, pickup calling, deliveries and errands: thin states over the supplies
service, holding only what the pages show."""

import contextlib
import dataclasses
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import reflex as rx
from sqlmodel import col, select

from app.accounts.models import Role, User
from app.accounts.state import SessionState
from app.community.models import Compound
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_id, form_text, plain_digits
from app.settings import get_settings
from app.supplies import service
from app.timeutil import to_local, utcnow


@dataclasses.dataclass
class ItemRow:
    id: int
    name: str
    spec: str
    price: str
    price_yuan: str
    stock: int
    sold: int
    limit: int
    ordered: int


@dataclasses.dataclass
class BuyCard:
    id: int
    title: str
    supplier: str
    status: str
    closes_at: str
    ordering: bool
    orders: int
    compounds: str
    item_names: str


@dataclasses.dataclass
class OrderCard:
    id: int
    buy_id: int
    title: str
    address: str
    status: str
    lines: list[str]
    total: str
    paid: bool
    on_behalf: bool
    delivery: bool
    number: str  # "" before arrival
    batch: str
    slot: str
    pickup: str
    cancel_reason: str
    can_change: bool
    delivered_at: str
    called: bool  # the household's batch is being called now


@dataclasses.dataclass
class TaskCard:
    order_id: int
    title: str
    building: str
    address: str
    lines: list[str]
    deliverer: str
    delivered_at: str


@dataclasses.dataclass
class ErrandCard:
    id: int
    kind: str
    details: str
    address: str
    status: str
    volunteer: str
    asked_at: str
    mine: bool


def _buy_card(v: service.BuyView) -> BuyCard:
    return BuyCard(
        id=v.id,
        title=v.title,
        supplier=v.supplier,
        status=v.status,
        closes_at=v.closes_at,
        ordering=v.ordering,
        orders=v.orders,
        compounds="、".join(v.compounds),
        item_names="、".join(i.name for i in v.items),
    )


def _item_row(i: service.ItemView) -> ItemRow:
    return ItemRow(
        id=i.id,
        name=i.name,
        spec=i.spec,
        price=i.price,
        price_yuan=f"{i.price_fen / 100:.2f}",
        stock=i.stock,
        sold=i.sold,
        limit=i.limit,
        ordered=i.ordered,
    )


def _order_card(v: service.OrderView) -> OrderCard:
    return OrderCard(
        id=v.id,
        buy_id=v.buy_id,
        title=v.buy_title,
        address=v.address,
        status=v.status,
        lines=v.lines,
        total=v.total,
        paid=v.paid,
        on_behalf=v.on_behalf,
        delivery=v.delivery,
        number=str(v.pickup_number) if v.pickup_number else "",
        batch=str(v.batch) if v.batch else "",
        slot=v.slot,
        pickup=" / ".join(v.pickup_points),
        cancel_reason=v.cancel_reason,
        can_change=v.can_change,
        delivered_at=v.delivered_at,
        called=bool(v.batch) and v.batch == v.calling_batch and v.status == "placed",
    )


def _fen(raw: str) -> int:
    """Yuan as typed ("12.5") to fen; -1 (refused by the service) when it is not a price."""
    try:
        value = Decimal(str(raw).strip().lstrip("¥"))
    except InvalidOperation:
        return -1
    if not value.is_finite() or abs(value) > 10**9:  # NaN, Infinity, or no price anyone pays
        return -1
    fen = value * 100
    return int(fen) if fen == fen.to_integral_value() else -1


def _local_input(raw: str) -> datetime | str:
    """A datetime-local input ("2026-11-23T18:00") in the community's zone, as aware UTC."""
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return str(raw)
    return moment.replace(tzinfo=ZoneInfo(get_settings().timezone))


def _local_value(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def _int_or_zero(raw) -> int:
    digits = plain_digits(raw)
    if not digits:
        return 0
    return int(digits) if len(digits) <= 9 else -1  # more than any stock or limit: refused


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
        with session_scope() as db:
            user = self.enter(db, "/supplies")
            if user is None:
                return self.bounce()
            self._refresh(db, user)

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


class NewBuyState(SessionState):
    """Staff set up a group buy: items as rows, prices typed in yuan."""

    compounds: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    item_rows: rx.Field[int] = rx.field(2)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")
    default_opens: rx.Field[str] = rx.field("")
    default_closes: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        self.errors, self.message, self.item_rows = {}, "", 2
        with session_scope() as db:
            user = self.enter(db, "/supplies/new")
            if user is None:
                return self.bounce()
            rows = db.exec(
                select(Compound.id, Compound.name)
                .where(Compound.community_id == user.community_id)
                .order_by(col(Compound.id))
            ).all()
            self.compounds = [(str(i), n) for i, n in rows]
        now = utcnow()
        self.default_opens = _local_value(now)
        self.default_closes = _local_value(now.replace(minute=0, second=0) + timedelta(days=1))

    @rx.event
    def add_item(self):
        self.item_rows = min(self.item_rows + 1, service.MAX_ITEMS)

    @rx.event
    def submit(self, form: dict):
        self.errors, self.message = {}, ""
        items = []
        for i in range(self.item_rows):
            name = form_text(form, f"item{i}_name").strip()
            price = form_text(form, f"item{i}_price_fen").strip()
            if not name and not price and i > 0:
                continue  # an empty extra row is left out
            items.append(
                {
                    "name": name,
                    "spec": form_text(form, f"item{i}_spec"),
                    "price_fen": _fen(price) if price else -1,
                    "stock": _int_or_zero(form.get(f"item{i}_stock")),
                    "limit_per_household": _int_or_zero(form.get(f"item{i}_limit_per_household")),
                }
            )
        data = {
            "title": form_text(form, "title"),
            "supplier": form_text(form, "supplier"),
            "opens_at": _local_input(form.get("opens_at", "")),
            "closes_at": _local_input(form.get("closes_at", "")),
            "compound_ids": [int(cid) for cid, _ in self.compounds if form.get(f"compound.{cid}")],
            "pickup_points": form_text(form, "pickup_points").splitlines(),
            "delivery_offered": bool(form.get("delivery_offered")),
            "items": items,
        }
        with session_scope() as db:
            user = self.actor(db)
            try:
                buy = service.create_buy(db, user, self.community_of(user), data)
            except ServiceError as exc:
                self.errors, self.message = self.describe(exc)
                return None
        return [
            rx.toast.success(self.tr("supplies.created")),
            rx.redirect(f"/supplies/buy/{buy.id}"),
        ]


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
                found = service.find_household(db, user, self.buy_id, form_text(form, "address"))
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


class CallState(SessionState):
    """叫号: the batch now called, in numbers readable across a courtyard."""

    buy_id: rx.Field[int] = rx.field(0)
    title: rx.Field[str] = rx.field("")
    batch: rx.Field[int] = rx.field(0)
    last_batch: rx.Field[int] = rx.field(0)
    numbers: rx.Field[list[int]] = rx.field(default_factory=list)
    next_numbers: rx.Field[list[int]] = rx.field(default_factory=list)
    collected: rx.Field[int] = rx.field(0)
    waiting: rx.Field[int] = rx.field(0)
    slot: rx.Field[str] = rx.field("")
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    last_collected: rx.Field[str] = rx.field("")

    def _refresh(self, db, user) -> None:
        view = service.calling(db, user, self.buy_id)
        self.title, self.batch, self.last_batch = view.title, view.batch, view.last_batch
        self.numbers, self.next_numbers = view.numbers, view.next_numbers
        self.collected, self.waiting, self.slot = view.collected, view.waiting, view.slot

    @rx.event
    def load(self):
        self.errors, self.last_collected = {}, ""
        raw = str(self.router.page.params.get("buy_id", ""))
        self.buy_id = int(raw) if raw.isdigit() else 0
        with session_scope() as db:
            user = self.enter(db, "/supplies/call")
            if user is None:
                return self.bounce()
            try:
                self._refresh(db, user)
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])

    @rx.event
    def refresh(self):
        with session_scope() as db:
            self._refresh(db, self.actor(db))

    @rx.event
    def advance(self):
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.advance_call(db, user, self.buy_id)
            except ServiceError as exc:
                self._refresh(db, user)
                return rx.toast.error(self.describe(exc)[1])
            self._refresh(db, user)

    @rx.event
    def collect(self, form: dict):
        self.errors, self.last_collected = {}, ""
        raw = form_text(form, "number").strip()
        if not form_id(raw):
            self.errors = {"number": self.tr("errors.number_required")}
            return None
        with session_scope() as db:
            user = self.actor(db)
            try:
                view = service.collect(db, user, self.buy_id, form_id(raw))
            except ServiceError as exc:
                self.errors, message = self.describe(exc)
                return rx.toast.error(message) if message else None
            self._refresh(db, user)
        self.last_collected = self.tr("supplies.collected_one", number=raw, address=view.address)
        return rx.set_value("number", "")


class DeliveriesState(SessionState):
    """送货上门: tasks by building, taken or assigned, marked delivered."""

    tasks: rx.Field[list[TaskCard]] = rx.field(default_factory=list)
    done: rx.Field[list[TaskCard]] = rx.field(default_factory=list)
    volunteers: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    can_assign: rx.Field[bool] = rx.field(False)

    def _refresh(self, db, user) -> None:
        def cards(rows):
            return [
                TaskCard(
                    t.order_id,
                    t.buy_title,
                    t.building,
                    t.address,
                    t.lines,
                    t.deliverer,
                    t.delivered_at,
                )
                for t in rows
            ]

        self.tasks = cards(service.delivery_tasks(db, user, user.community_id))
        self.done = cards(service.delivery_tasks(db, user, user.community_id, done=True))

    @rx.event
    def load(self):
        with session_scope() as db:
            user = self.enter(db, "/supplies/deliveries")
            if user is None:
                return self.bounce()
            self.can_assign = user.role in service.STAFF_ROLES
            if self.can_assign:
                rows = db.exec(
                    select(User.id, User.name)
                    .where(User.community_id == user.community_id, User.role == Role.VOLUNTEER)
                    .order_by(User.name)
                ).all()
                self.volunteers = [(str(i), n) for i, n in rows]
            self._refresh(db, user)

    def _do(self, fn, *args):
        with session_scope() as db:
            user = self.actor(db)
            try:
                fn(db, user, *args)
            except ServiceError as exc:
                self._refresh(db, user)
                return rx.toast.error(self.describe(exc)[1])
            self._refresh(db, user)
        return None

    @rx.event
    def take(self, order_id: int):
        return self._do(service.assign_delivery, [order_id], None)

    @rx.event
    def assign(self, order_id: int, volunteer_id: str):
        return self._do(service.assign_delivery, [order_id], int(volunteer_id))

    @rx.event
    def delivered(self, order_id: int):
        return self._do(service.mark_delivered, order_id)


class ErrandsState(SessionState):
    """代购跑腿: volunteers take requests and report them done."""

    errands: rx.Field[list[ErrandCard]] = rx.field(default_factory=list)

    def _refresh(self, db, user) -> None:
        self.errands = [
            ErrandCard(
                e.id, e.kind, e.details, e.address, e.status, e.volunteer, e.asked_at, e.mine
            )
            for e in service.errands(db, user)
        ]

    @rx.event
    def load(self):
        with session_scope() as db:
            user = self.enter(db, "/supplies/errands")
            if user is None:
                return self.bounce()
            self._refresh(db, user)

    def _do(self, fn, errand_id: int):
        with session_scope() as db:
            user = self.actor(db)
            try:
                fn(db, user, errand_id)
            except ServiceError as exc:
                self._refresh(db, user)
                return rx.toast.error(self.describe(exc)[1])
            self._refresh(db, user)
        return None

    @rx.event
    def take(self, errand_id: int):
        return self._do(service.take_errand, errand_id)

    @rx.event
    def finish(self, errand_id: int):
        return self._do(service.finish_errand, errand_id)
