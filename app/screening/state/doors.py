"""我的楼栋: the volunteer's buildings, door by door."""

import reflex as rx

from app.accounts.state import SessionState
from app.db import session_scope
from app.screening import service

from ._parts import BuildingCard, _building_card


class DoorsState(SessionState):
    """我的楼栋: the volunteer's buildings in the open round, door by door."""

    buildings: rx.Field[list[BuildingCard]] = rx.field(default_factory=list)
    next_href: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        with session_scope() as db:
            user = self.enter(db, "/doors")
            if user is None:
                return self.bounce()
            views = service.my_buildings(db, user)
        self.buildings = [_building_card(v) for v in views]
        self.next_href = service.next_door(views)
