"""/supplies/call/[id]: calling batches and collecting."""

import reflex as rx

from app.accounts.state import SessionState
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_id, form_text
from app.supplies import service


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
