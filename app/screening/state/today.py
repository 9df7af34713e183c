"""今日工作: quarantine checks, phone follow-ups, arrivals, special care not yet seen."""

import dataclasses
import uuid

import reflex as rx

from app.accounts.state import SessionState
from app.community import service as community
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_text
from app.screening import service
from app.screening.models import Symptom

from ._parts import PlanRow, _plan_row


@dataclasses.dataclass
class Callee:
    resident_id: int
    name: str
    mobile: str


@dataclasses.dataclass
class FollowUpRow:
    id: int
    round_id: int
    household_id: int
    address: str
    escalated: bool
    failed_calls: int
    callees: list[Callee]


@dataclasses.dataclass
class ListRow:
    household_id: int
    title: str
    detail: str
    warn: bool


class TodayState(SessionState):
    """今日工作: quarantine checks, phone follow-ups, arrivals, special care not yet seen."""

    plans: rx.Field[list[PlanRow]] = rx.field(default_factory=list)
    plans_due: rx.Field[int] = rx.field(0)
    follow_ups: rx.Field[list[FollowUpRow]] = rx.field(default_factory=list)
    arrivals: rx.Field[list[ListRow]] = rx.field(default_factory=list)
    care: rx.Field[list[ListRow]] = rx.field(default_factory=list)
    referrals: rx.Field[list[ListRow]] = rx.field(default_factory=list)
    tab: rx.Field[str] = rx.field("plans")
    # The daily-check sheet and the release sheet.
    checking: rx.Field[int] = rx.field(0)
    releasing: rx.Field[int] = rx.field(0)
    check_client_id: rx.Field[str] = rx.field("")
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # resident id → full number, after an audited reveal
    dialled: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    @rx.event
    def load(self):
        self.errors, self.checking, self.releasing, self.dialled = {}, 0, 0, {}
        return self.load_page("/today", self._refresh)

    def _refresh(self, db, user) -> None:
        lists = service.today_lists(db, user)
        tr = self.tr
        self.plans = [_plan_row(tr, p) for p in lists.plans]
        self.plans_due = sum(1 for p in lists.plans if not p.checked_today)
        self.follow_ups = [
            FollowUpRow(
                f.id,
                f.round_id,
                f.household_id,
                f.address,
                f.status == "escalated",
                f.failed_calls,
                [Callee(c.resident_id, c.name, c.mobile) for c in f.callees],
            )
            for f in lists.follow_ups
        ]
        self.arrivals = [
            ListRow(
                a.household_id,
                f"{a.name} · {a.address}",
                tr(
                    "today.arrival_detail",
                    place=a.from_place,
                    date=a.arrived_on[5:],
                    transport=tr(f"transport.{a.transport}"),
                    number=a.transport_no,
                ),
                a.risk >= 2,
            )
            for a in lists.arrivals
        ]
        self.care = [
            ListRow(
                c.household_id,
                f"{c.name} · {c.address}",
                "、".join(tr(f"flag.{f}") for f in c.care),
                False,
            )
            for c in lists.care_not_seen
        ]
        self.referrals = [
            ListRow(r.household_id, f"{r.name} · {r.address}", r.at, True) for r in lists.referrals
        ]

    @rx.event
    def set_tab(self, tab: str):
        self.tab = tab

    @rx.event
    def call(self, resident_id: int):
        """Show and dial the full number; revealing it is written to the access log."""
        with session_scope() as db:
            try:
                number = community.reveal(db, self.actor(db), resident_id, "mobile")
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
        self.dialled = {**self.dialled, str(resident_id): number}
        return rx.call_script(f"window.location.href = 'tel:{number}'")

    @rx.event
    def no_answer(self, follow_up_id: int):
        with session_scope() as db:
            user = self.actor(db)
            try:
                row = service.record_failed_call(db, user, follow_up_id)
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
            self._refresh(db, user)
        key = "today.escalated" if row.status == "escalated" else "today.call_logged"
        return rx.toast.info(self.tr(key, count=row.failed_calls))

    @rx.event
    def open_check(self, plan_id: int):
        self.checking, self.errors, self.check_client_id = plan_id, {}, uuid.uuid4().hex

    @rx.event
    def set_check_open(self, is_open: bool):
        if not is_open:
            self.checking = 0

    @rx.event
    def save_check(self, form: dict):
        data = {
            "client_id": self.check_client_id,
            "temperature": form_text(form, "temperature"),
            "symptoms": [s.value for s in Symptom if form.get(f"sym-{s.value}")],
        }
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.record_check(db, user, self.checking, data)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return None
            self._refresh(db, user)
        self.checking = 0
        return rx.toast.success(self.tr("today.checked"))

    @rx.event
    def open_release(self, plan_id: int):
        self.releasing, self.errors = plan_id, {}

    @rx.event
    def set_release_open(self, is_open: bool):
        if not is_open:
            self.releasing = 0

    @rx.event
    def release(self, form: dict):
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.release(db, user, self.releasing, form_text(form, "note"))
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return None
            self._refresh(db, user)
        self.releasing = 0
        return rx.toast.success(self.tr("today.released"))
