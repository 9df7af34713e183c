"""/supplies/deliveries: door delivery tasks."""

import reflex as rx

from app.accounts.state import SessionState
from app.db import session_scope
from app.supplies import service

from ._common import TaskCard


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
                community_id = user.community_id
                rows = service.deliverers(db, user, community_id) if community_id else []
                self.volunteers = [(str(i), n) for i, n in rows]
            self._refresh(db, user)

    @rx.event
    def take(self, order_id: int):
        return self.act(service.assign_delivery, [order_id], None, refresh=self._refresh)

    @rx.event
    def assign(self, order_id: int, volunteer_id: str):
        return self.act(
            service.assign_delivery, [order_id], int(volunteer_id), refresh=self._refresh
        )

    @rx.event
    def delivered(self, order_id: int):
        return self.act(service.mark_delivered, order_id, refresh=self._refresh)
