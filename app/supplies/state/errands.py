"""/supplies/errands: errand requests for volunteers."""

import reflex as rx

from app.accounts.state import SessionState
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
        return self.load_page("/supplies/errands", self._refresh)

    @rx.event
    def take(self, errand_id: int):
        return self.act(service.take_errand, errand_id, refresh=self._refresh)

    @rx.event
    def finish(self, errand_id: int):
        return self.act(service.finish_errand, errand_id, refresh=self._refresh)
