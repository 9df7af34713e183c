"""The home page's state: what each role sees first."""

import reflex as rx

from app.accounts import service as accounts
from app.accounts.models import Role
from app.accounts.state import SessionState
from app.community import service as community
from app.db import session_scope
from app.screening import service as screening
from app.testing import service as testing
from app.volunteers import service as volunteers


class HomeState(SessionState):
    tiles: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)  # (label, value)
    communities: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    household_address: rx.Field[str] = rx.field("")
    household_id: rx.Field[int] = rx.field(0)
    members: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    pending_residents: rx.Field[int] = rx.field(0)
    # The user's volunteer application: "" none, else pending / approved / declined.
    application: rx.Field[str] = rx.field("")
    application_reason: rx.Field[str] = rx.field("")
    # people at home in quarantine whose check today is not in
    health_due: rx.Field[int] = rx.field(0)
    # A volunteer's own work in the open round: (building, done, doors) and the next door.
    my_buildings: rx.Field[list[tuple[str, int, int]]] = rx.field(default_factory=list)
    my_done: rx.Field[int] = rx.field(0)
    my_doors: rx.Field[int] = rx.field(0)
    next_door: rx.Field[str] = rx.field("")
    # A resident's nucleic-acid test: the round, their slot and site, each member's status.
    test_round: rx.Field[str] = rx.field("")
    test_date: rx.Field[str] = rx.field("")
    test_slot: rx.Field[str] = rx.field("")
    test_place: rx.Field[str] = rx.field("")
    test_open: rx.Field[bool] = rx.field(False)
    test_people: rx.Field[list[tuple[str, str, str]]] = rx.field(default_factory=list)

    @rx.event
    def load(self):
        with session_scope() as db:
            user = self.enter(db, "/")
            if user is None:
                return self.bounce()
            self.tiles, self.communities, self.members = [], [], []
            self.household_address, self.pending_residents = "", 0
            self.application, self.application_reason, self.health_due = "", "", 0
            self.my_buildings, self.my_done, self.my_doors, self.next_door = [], 0, 0, ""
            self.test_round, self.test_people = "", []
            if user.role in (Role.APPLICANT, Role.RESIDENT):
                mine = volunteers.my_application(db, user)
                if mine is not None:
                    self.application = mine.status
                    reason = f"{self.tr('home.application_declined')} {mine.decline_reason}"
                    self.application_reason = reason
            if user.role in (Role.APPLICANT, Role.RESIDENT):
                if user.household_id is not None:
                    plans = (
                        screening.quarantine_plans(db, user) if user.role == Role.RESIDENT else []
                    )
                    self.health_due = sum(1 for p in plans if not p.checked_today)
                    view = community.household_file(db, user, user.household_id)
                    self.household_address, self.household_id = view.address, view.id
                    self.members = [(m.name, m.relation) for m in view.members]
                    if user.role == Role.RESIDENT:
                        self._my_testing(testing.my_testing(db, user))
            elif user.role in (Role.STREET_STAFF, Role.ADMIN):
                overview = community.street_overview(db, user)
                self.communities = [
                    {
                        "name": c.name,
                        "households": f"{c.households:,}",
                        "residents": f"{c.residents:,}",
                        "volunteers": f"{c.volunteers:,}",
                    }
                    for c in overview
                ]
                self.tiles = self._tiles(
                    households=sum(c.households for c in overview),
                    residents=sum(c.residents for c in overview),
                    compounds=sum(c.compounds for c in overview),
                    volunteers=sum(c.volunteers for c in overview),
                )
            else:
                if user.role == Role.VOLUNTEER:
                    self._my_round(screening.my_buildings(db, user))
                community_id = self.community_of(user)
                counts = community.community_counts(db, user, community_id)
                self.tiles = self._tiles(
                    households=counts.households,
                    residents=counts.residents,
                    compounds=counts.compounds,
                    volunteers=counts.volunteers,
                )
                if user.role == Role.STAFF:
                    self.pending_residents = len(accounts.pending_residents(db, user, community_id))

    def _my_round(self, buildings: list[screening.BuildingDoors]) -> None:
        self.my_buildings = [(b.name, b.done, len(b.doors)) for b in buildings]
        self.my_done = sum(b.done for b in buildings)
        self.my_doors = sum(len(b.doors) for b in buildings)
        self.next_door = screening.next_door(buildings)

    def _my_testing(self, mine: testing.MyTesting | None) -> None:
        if mine is None:
            return
        self.test_round, self.test_date, self.test_open = mine.round_name, mine.test_date, mine.open
        self.test_slot = (
            self.tr("mytest.slot", building=mine.building, slot=mine.slot, site=mine.site)
            if mine.slot
            else ""
        )
        self.test_place = mine.place
        self.test_people = [
            (p.name, p.status or "none", self.tr(f"testing.status.{p.status or 'none'}"))
            for p in mine.people
        ]

    def _tiles(self, **counts: int) -> list[tuple[str, str]]:
        return [(self.tr(f"home.{name}"), f"{value:,}") for name, value in counts.items()]
