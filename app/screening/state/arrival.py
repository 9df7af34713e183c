"""四问四登记 at the door or at the gate."""

import uuid

import reflex as rx

from app.accounts.state import SessionState
from app.community import service as community
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_id, form_text
from app.screening import service
from app.screening.models import Symptom
from app.volunteers.service import list_compounds


class ArrivalState(SessionState):
    """四问四登记 at the door (from a visit) or at the gate (find the door first)."""

    household_id: rx.Field[int] = rx.field(0)
    address: rx.Field[str] = rx.field("")
    members: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    compound_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    at_gate: rx.Field[bool] = rx.field(True)
    client_id: rx.Field[str] = rx.field("")
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        self.errors, self.message, self.client_id = {}, "", uuid.uuid4().hex
        self.household_id, self.address, self.members = 0, "", []
        with session_scope() as db:
            user = self.enter(db, "/arrival")
            if user is None:
                return self.bounce()
            self.compound_options = [
                (str(i), name) for i, name in list_compounds(db, self.community_of(user))
            ]
            h = str(self.router.page.params.get("h", ""))
            self.at_gate = not h.isdigit()
            if h.isdigit():
                household = community.household_file(db, user, int(h))
                self._found(
                    household.id, household.address, [(m.id, m.name) for m in household.members]
                )

    def _found(self, household_id: int, address: str, people: list[tuple[int, str]]) -> None:
        self.household_id, self.address = household_id, address
        self.members = [(str(i), n) for i, n in people]

    @rx.event
    def find(self, form: dict):
        self.errors = {}
        with session_scope() as db:
            try:
                found = service.find_door(
                    db,
                    self.actor(db),
                    form_id(form.get("compound_id")),
                    form_text(form, "door_key"),
                )
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return
        self._found(*found)

    @rx.event
    def change_door(self):
        self.household_id, self.address, self.members = 0, "", []

    @rx.event
    def save(self, form: dict):
        self.errors, self.message = {}, ""
        who = form_text(form, "who")
        data = {
            "client_id": self.client_id,
            "household_id": self.household_id,
            "resident_id": form_id(who) or None,
            "name": form_text(form, "name"),
            "sex": form_text(form, "sex"),
            "mobile": form_text(form, "mobile"),
            "from_place": form_text(form, "from_place"),
            "from_risk_area": bool(form.get("from_risk_area")),
            "arrived_on": form_text(form, "arrived_on"),
            "transport": form_text(form, "transport"),
            "transport_no": form_text(form, "transport_no"),
            "temperature": form_text(form, "temperature"),
            "symptoms": [s.value for s in Symptom if form.get(f"sym-{s.value}")],
            "at_gate": self.at_gate,
        }
        with session_scope() as db:
            try:
                view = service.record_arrival(db, self.actor(db), data)
            except ServiceError as exc:
                self.errors, self.message = self.describe(exc)
                return None
        key = "arrival.saved_quarantine" if view.risk == 2 else "arrival.saved"
        toast = rx.toast.warning if view.risk else rx.toast.success
        return [toast(self.tr(key, name=view.name)), rx.redirect("/today")]
