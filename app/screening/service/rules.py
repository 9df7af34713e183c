"""研判规则: what each answer at the door means, per community."""

from datetime import date

from pydantic import BaseModel, field_validator, model_validator
from sqlmodel import Session

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.service import audit
from app.errors import InvalidInput, parse
from app.fields import text
from app.screening.models import HealthCode, Risk, Rules, Symptom, TestStatus
from app.timeutil import utcnow

from ._common import STAFF_ROLES, _blank_none, _past, _rules, _temperature, _within


class HealthInput(BaseModel):
    """One person's answers at the door."""

    temperature: float | None = None
    symptoms: list[Symptom] = []
    symptom_note: str = ""
    travel: bool = False
    travel_place: str = ""
    travel_date: date | None = None
    health_code: HealthCode = HealthCode.GREEN
    test_status: TestStatus = TestStatus.NEGATIVE

    _blank = field_validator("temperature", "travel_date", mode="before")(_blank_none)
    _temp = field_validator("temperature")(_temperature)
    _date = field_validator("travel_date")(_past)
    _note = field_validator("symptom_note")(text(100))
    _place = field_validator("travel_place")(text(60))

    @model_validator(mode="after")
    def _travel_told(self):
        if self.travel and not self.travel_place:
            raise InvalidInput({"travel_place": "errors.travel_place_required"})
        return self


def rules(session: Session, actor: User | None, community_id: int) -> Rules:
    actor = require_role(actor, *STAFF_ROLES)
    require_community(session, actor, community_id)
    return _rules(session, community_id)


class RulesInput(BaseModel):
    fever_from: float
    on_fever: Risk
    on_symptoms: Risk
    on_travel: Risk
    on_yellow_code: Risk
    on_red_code: Risk
    on_positive_test: Risk
    quarantine_days: int
    call_attempts: int

    _fever = field_validator("fever_from")(_within(37, 38.5, "fever_out_of_range"))
    _days = field_validator("quarantine_days")(_within(1, 28, "days_out_of_range"))
    _attempts = field_validator("call_attempts")(_within(1, 10, "attempts_out_of_range"))


def update_rules(session: Session, actor: User | None, community_id: int, data: dict) -> Rules:
    actor = require_role(actor, Role.STAFF)
    require_community(session, actor, community_id)
    values = parse(RulesInput, data)
    row = session.get(Rules, community_id) or Rules(community_id=community_id)
    for name, value in values.model_dump().items():
        setattr(row, name, int(value) if isinstance(value, Risk) else value)
    row.updated_by, row.updated_at = actor.id, utcnow()
    session.add(row)
    audit(session, actor, community_id, "rules.update", f"community:{community_id}")
    session.commit()
    return row


def assess(rules: Rules, health: HealthInput) -> Risk:
    """The risk level the community's rules give these answers."""
    levels = [Risk.NORMAL]
    if health.temperature is not None and health.temperature >= rules.fever_from:
        levels.append(Risk(rules.on_fever))
    symptoms = set(health.symptoms)
    if Symptom.FEVER in symptoms:
        levels.append(Risk(rules.on_fever))
    if symptoms - {Symptom.FEVER}:
        levels.append(Risk(rules.on_symptoms))
    if health.travel:
        levels.append(Risk(rules.on_travel))
    if health.health_code == HealthCode.YELLOW:
        levels.append(Risk(rules.on_yellow_code))
    if health.health_code == HealthCode.RED:
        levels.append(Risk(rules.on_red_code))
    if health.test_status == TestStatus.POSITIVE:
        levels.append(Risk(rules.on_positive_test))
    return max(levels)
