"""/supplies/errands: errand requests for volunteers."""

import reflex as rx

from app.accounts.state import SessionState
from app.db import session_scope
from app.errors import ServiceError
from app.supplies import service

from ._common import ErrandCard


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
