"""/supplies/new: staff set up a group buy."""

from datetime import timedelta

import reflex as rx

from app.accounts.state import SessionState
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_text
from app.supplies import service
from app.timeutil import utcnow

from ._common import _fen, _int_or_zero, _local_input, _local_value


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
            # An office user of no community (street, admin) sees no compounds, not an error.
            community_id = user.community_id
            rows = service.compound_choices(db, user, community_id) if community_id else []
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
