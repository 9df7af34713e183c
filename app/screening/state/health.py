"""居民自报: a resident's own daily check."""

import uuid

import reflex as rx

from app.accounts.state import SessionState
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_id, form_text
from app.screening import service
from app.screening.models import Symptom

from ._parts import PlanRow, _plan_row


class HealthState(SessionState):
    """居民自报: a resident in home quarantine reports today's check from their own phone."""

    plans: rx.Field[list[PlanRow]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    client_id: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        self.errors, self.client_id = {}, uuid.uuid4().hex
        with session_scope() as db:
            user = self.enter(db, "/health")
            if user is None:
                return self.bounce()
            self.plans = [_plan_row(self.tr, p) for p in service.quarantine_plans(db, user)]

    @rx.event
    def report(self, form: dict):
        plan_id = form_id(form.get("plan_id"))
        data = {
            "client_id": f"{self.client_id}-{plan_id}",
            "temperature": form_text(form, "temperature"),
            "symptoms": [s.value for s in Symptom if form.get(f"sym-{s.value}")],
        }
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.record_check(db, user, plan_id, data)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = {f"{k}-{plan_id}": v for k, v in (fields or {"_": text}).items()}
                return None
            self.plans = [_plan_row(self.tr, p) for p in service.quarantine_plans(db, user)]
        self.errors = {}
        return rx.toast.success(self.tr("today.checked"))
