"""入户登记: one door, one visit."""

import dataclasses
import uuid

import reflex as rx

from app.accounts.state import SessionState
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_text
from app.screening import service
from app.screening.models import HealthCode, Symptom, TestStatus

from ._parts import _toggled


@dataclasses.dataclass
class Person:
    resident_id: int
    name: str
    detail: str  # sex, age, relation
    care: list[str]
    in_quarantine: bool


@dataclasses.dataclass
class Record:
    outcome: str
    by: str
    at: str
    by_phone: bool
    risk: int


def _form_person(form: dict, key: str) -> dict:
    """One person's answers, posted as `<field>-<key>` (symptoms as `sym-<key>-<symptom>`)."""
    return {
        "temperature": form_text(form, f"temperature-{key}").strip(),
        "symptoms": [s.value for s in Symptom if form.get(f"sym-{key}-{s.value}")],
        "travel": bool(form.get(f"travel-{key}")),
        "travel_place": form_text(form, f"travel_place-{key}"),
        "travel_date": form_text(form, f"travel_date-{key}"),
        "health_code": form_text(form, f"health_code-{key}") or HealthCode.GREEN.value,
        "test_status": form_text(form, f"test_status-{key}") or TestStatus.NEGATIVE.value,
    }


class VisitState(SessionState):
    """入户登记: one door, one visit. "All normal" saves the whole household in one tap."""

    round_id: rx.Field[int] = rx.field(0)
    household_id: rx.Field[int] = rx.field(0)
    round_name: rx.Field[str] = rx.field("")
    address: rx.Field[str] = rx.field("")
    people: rx.Field[list[Person]] = rx.field(default_factory=list)
    records: rx.Field[list[Record]] = rx.field(default_factory=list)
    conflict: rx.Field[bool] = rx.field(False)
    by_phone: rx.Field[bool] = rx.field(False)
    outcome: rx.Field[str] = rx.field("visited")
    # members not at home during the visit
    absent: rx.Field[list[int]] = rx.field(default_factory=list)
    # members whose full answers are shown
    opened: rx.Field[list[int]] = rx.field(default_factory=list)
    # slots for people found at the door who are not on the register
    found: rx.Field[list[int]] = rx.field(default_factory=list)
    client_id: rx.Field[str] = rx.field("")  # one per form: a double tap or resend stores one visit
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")
    saving: rx.Field[bool] = rx.field(False)

    @rx.event
    def load(self):
        params = self.router.page.params
        self.errors, self.message, self.saving = {}, "", False
        self.outcome, self.absent, self.opened, self.found = "visited", [], [], []
        self.by_phone = params.get("phone") == "1"
        self.client_id = uuid.uuid4().hex
        with session_scope() as db:
            user = self.enter(db, "/visit")
            if user is None:
                return self.bounce()
            r, h = str(params.get("r", "")), str(params.get("h", ""))
            self.round_id = int(r) if r.isdigit() else 0
            self.household_id = int(h) if h.isdigit() else 0
            try:
                view = service.visit_form(db, user, self.round_id, self.household_id)
            except ServiceError as exc:
                self.address, self.people, self.records = "", [], []
                self.message = self.tr(exc.code)
                return
        self.round_name, self.address, self.conflict = view.round_name, view.address, view.conflict
        self.people = [
            Person(
                m.resident_id,
                m.name,
                " · ".join(
                    x
                    for x in (
                        self.tr(f"sex.{m.sex}"),
                        self.tr("visit.age", age=m.age) if m.age is not None else "",
                        m.relation,
                    )
                    if x
                ),
                [self.tr(f"flag.{flag}") for flag in m.care],
                m.in_quarantine,
            )
            for m in view.members
        ]
        self.records = [Record(r.outcome, r.by, r.at, r.by_phone, r.risk) for r in view.records]

    @rx.event
    def clear_conflict(self):
        """Staff read both records and keep the latest."""
        with session_scope() as db:
            try:
                service.clear_conflict(db, self.actor(db), self.round_id, self.household_id)
            except ServiceError as exc:
                return rx.toast.error(self.describe(exc)[1])
        self.conflict = False
        return rx.toast.success(self.tr("visit.conflict_cleared"))

    @rx.event
    def set_outcome(self, value: str | list[str]):
        self.outcome = value if isinstance(value, str) else value[0]
        self.errors = {}

    @rx.event
    def toggle_absent(self, resident_id: int):
        self.absent = _toggled(self.absent, resident_id)

    @rx.event
    def toggle_open(self, resident_id: int):
        self.opened = _toggled(self.opened, resident_id)

    @rx.event
    def add_found(self):
        self.found = [*self.found, (max(self.found) + 1) if self.found else 1]

    @rx.event
    def remove_found(self, slot: int):
        self.found = [s for s in self.found if s != slot]

    @rx.event
    def all_normal(self):
        """Everyone on the register at home and well: one tap."""
        self.outcome, self.absent = "visited", []
        return self.save({})

    @rx.event
    def save(self, form: dict):
        if self.saving:
            return None
        self.errors, self.message = {}, ""
        present = [p for p in self.people if p.resident_id not in self.absent]
        data = {
            "client_id": self.client_id,
            "round_id": self.round_id,
            "household_id": self.household_id,
            "outcome": self.outcome,
            "by_phone": self.by_phone,
            "note": form_text(form, "note"),
            "people": [
                {"resident_id": p.resident_id} | _form_person(form, str(p.resident_id))
                for p in present
            ]
            if self.outcome == "visited"
            else [],
            "new_people": [
                {
                    "name": form_text(form, f"name-n{slot}"),
                    "sex": form_text(form, f"sex-n{slot}"),
                    "relation": form_text(form, f"relation-n{slot}"),
                    "mobile": form_text(form, f"mobile-n{slot}"),
                }
                | _form_person(form, f"n{slot}")
                for slot in self.found
            ]
            if self.outcome == "visited"
            else [],
        }
        self.saving = True
        with session_scope() as db:
            try:
                result = service.record_visit(db, self.actor(db), data)
            except ServiceError as exc:
                self.saving = False
                fields, text = self.describe(exc)
                self.errors = self._field_names(fields, present)
                if "people" in fields:  # about the household, not one field
                    self.message = fields["people"]
                else:
                    self.message = self.tr("visit.fix_marked") if fields else text
                return None
        cue = service.visit_cue(result)
        note = self.tr(cue[0], **cue[1]) if cue else self.tr(f"outcome.{result.outcome}")
        toast = rx.toast.warning(note) if result.risk else rx.toast.success(note)
        return [toast, rx.redirect("/today" if self.by_phone else "/doors")]

    def _field_names(self, fields: dict[str, str], present: list[Person]) -> dict[str, str]:
        """`people.<i>.<field>` → `<field>-<resident id>`, as the inputs are named."""
        named = {}
        for key, text in fields.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "people":
                named[f"{parts[2]}-{present[int(parts[1])].resident_id}"] = text
            elif len(parts) == 3 and parts[0] == "new_people":
                named[f"{parts[2]}-n{self.found[int(parts[1])]}"] = text
            else:
                named[key] = text
        return named
