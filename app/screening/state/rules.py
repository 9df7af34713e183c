"""研判规则: the community's risk rules."""

import reflex as rx

from app.accounts.state import SessionState
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_text
from app.screening import service
from app.timeutil import utcnow

RISK_FIELDS = (
    "on_fever",
    "on_symptoms",
    "on_travel",
    "on_yellow_code",
    "on_red_code",
    "on_positive_test",
)


class RulesState(SessionState):
    """研判规则: what each answer means, the quarantine length and when calls escalate."""

    values: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # re-mounts the inputs with the stored values after a load
    loaded_at: rx.Field[str] = rx.field("")
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    @rx.event
    def load(self):
        self.errors = {}
        with session_scope() as db:
            user = self.enter(db, "/screening/rules")
            if user is None:
                return self.bounce()
            current = service.rules(db, user, self.community_of(user))
        self.values = {
            name: str(getattr(current, name)) for name in service.RulesInput.model_fields
        }
        self.loaded_at = utcnow().isoformat()

    @rx.event
    def set_value(self, name: str, value: str):
        self.values = {**self.values, name: value}

    @rx.event
    def save(self, form: dict):
        # A form sent before the page loaded its values is refused by the service, field by field.
        data = {name: self.values.get(name, "") for name in RISK_FIELDS}
        for name in ("fever_from", "quarantine_days", "call_attempts"):
            data[name] = form_text(form, name).strip()
        with session_scope() as db:
            user = self.actor(db)
            try:
                service.update_rules(db, user, self.community_of(user), data)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return None
        self.errors = {}
        return rx.toast.success(self.tr("rules.saved"))
