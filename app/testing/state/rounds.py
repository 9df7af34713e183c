"""/testing: the community's testing rounds, and the sheet that plans a new one."""

import dataclasses

import reflex as rx

from app.accounts.state import SessionState
from app.community import service as community
from app.db import saved_id, session_scope
from app.errors import ServiceError
from app.forms import form_text
from app.testing import service
from app.timeutil import today_local

MODES = ("single", "pool5", "pool10")


@dataclasses.dataclass
class RoundRow:
    id: int
    name: str
    test_date: str
    mode: str
    open: bool
    progress: str  # "已采 120 / 应采 300 人"
    percent: int


class TestingRoundsState(SessionState):
    """核酸检测: rounds newest first; staff plan one and land on its page."""

    rounds: rx.Field[list[RoundRow]] = rx.field(default_factory=list)
    planning: rx.Field[bool] = rx.field(False)
    compound_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    today: rx.Field[str] = rx.field("")
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    @rx.event
    def load(self):
        self.errors, self.planning = {}, False
        with session_scope() as db:
            user = self.enter(db, "/testing")
            if user is None:
                return self.bounce()
            community_id = self.community_of(user)
            progress = service.round_progress(db, user, community_id)
            self.rounds = [
                RoundRow(
                    r.id,
                    r.name,
                    r.test_date,
                    r.mode,
                    r.open,
                    self.tr("trounds.progress", sampled=f"{done:,}", due=f"{due:,}"),
                    done * 100 // due if due else 0,
                )
                for r in service.testing_rounds(db, user, community_id)
                for done, due in [progress.get(r.id, (0, 0))]
            ]

    @rx.event
    def open_plan(self):
        self.errors, self.planning = {}, True
        self.today = today_local().isoformat()
        with session_scope() as db:
            user = self.actor(db)
            places = community.places(db, user, self.community_of(user))
            self.compound_options = [(str(c.id), c.name) for c in places]

    @rx.event
    def set_plan_open(self, is_open: bool):
        self.planning = bool(is_open)

    @rx.event
    def plan(self, form: dict):
        mode = form_text(form, "mode")
        data = {
            "name": form_text(form, "name"),
            "test_date": form_text(form, "test_date"),
            "mode": mode if mode in MODES else "",
            "compound_ids": [int(v) for v, _ in self.compound_options if form.get(f"c-{v}")],
        }
        with session_scope() as db:
            user = self.actor(db)
            try:
                planned = service.plan_round(db, user, self.community_of(user), data)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return None
            round_id, name = saved_id(planned), planned.name
        self.planning = False
        return [
            rx.toast.success(self.tr("trounds.planned", name=name)),
            rx.redirect(f"/testing/round/{round_id}"),
        ]
