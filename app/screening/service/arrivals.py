"""返乡人员四问四登记: returning residents registered at the door or at the gate."""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, field_validator, model_validator
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.service import require_community, require_role
from app.community import service as community
from app.community.models import Compound, Household, Resident, Sex
from app.community.service import ResidentInput
from app.db import saved_id
from app.errors import InvalidInput, RowId, ServiceError, parse
from app.fields import text
from app.screening.models import Arrival, Risk, Symptom, Transport
from app.timeutil import format_local

from ._common import (
    FIELD_ROLES,
    _blank_none,
    _client_id,
    _past,
    _repeat,
    _rules,
    _start_quarantine,
    _temperature,
)
from .rules import HealthInput, assess


class ArrivalInput(BaseModel):
    client_id: str
    household_id: RowId
    resident_id: RowId | None = None
    name: str = ""  # someone not on the register yet
    sex: Sex | None = None
    mobile: str = ""
    from_place: str
    from_risk_area: bool = False
    arrived_on: date
    transport: Transport
    transport_no: str = ""
    symptoms: list[Symptom] = []
    temperature: float | None = None
    at_gate: bool = False

    _blank = field_validator("temperature", "sex", mode="before")(_blank_none)
    _temp = field_validator("temperature")(_temperature)
    _date = field_validator("arrived_on")(_past)
    _place = field_validator("from_place")(text(60))
    _no = field_validator("transport_no")(text(20))
    _id = field_validator("client_id")(_client_id)

    @model_validator(mode="after")
    def _who(self):
        errors = {}
        if not self.from_place:
            errors["from_place"] = "errors.missing"
        if self.resident_id is None:
            if not self.name.strip():
                errors["name"] = "errors.missing"
            if self.sex is None:
                errors["sex"] = "errors.missing"
        if errors:
            raise InvalidInput(errors)
        return self


@dataclass(frozen=True)
class ArrivalView:
    id: int
    household_id: int
    name: str
    address: str
    from_place: str
    arrived_on: str
    transport: str
    transport_no: str
    risk: int
    at_gate: bool
    recorded_at: str


def record_arrival(session: Session, actor: User | None, data: dict) -> ArrivalView:
    """四问四登记: from where, when, how, health now — at the door or at the gate. Gate
    guards register people of any building of their community."""
    actor = require_role(actor, *FIELD_ROLES)
    values = parse(ArrivalInput, data)
    before = _repeat(session, Arrival, values.client_id)
    if before is not None:
        return _arrival_view(session, before)
    household = session.get(Household, values.household_id)
    if household is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, household.community_id)
    if values.resident_id is not None:
        resident = session.get(Resident, values.resident_id)
        if resident is None or resident.household_id != household.id:
            raise InvalidInput({"resident_id": "errors.not_a_member"})
    else:
        person = parse(
            ResidentInput,
            {
                "name": values.name,
                "sex": values.sex,
                "mobile": values.mobile,
                "moved_in": values.arrived_on,
            },
        )
        resident = community.enrol(session, actor, household, person)
    rules = _rules(session, household.community_id)
    risk = assess(
        rules,
        HealthInput(
            temperature=values.temperature,
            symptoms=values.symptoms,
            travel=values.from_risk_area,
            travel_place=values.from_place,
        ),
    )
    arrival = Arrival(
        client_id=values.client_id,
        community_id=household.community_id,
        household_id=saved_id(household),
        resident_id=saved_id(resident),
        from_place=values.from_place,
        from_risk_area=values.from_risk_area,
        arrived_on=values.arrived_on,
        transport=values.transport,
        transport_no=values.transport_no,
        symptoms=",".join(values.symptoms),
        temperature=values.temperature,
        at_gate=values.at_gate,
        risk=risk,
        recorded_by=saved_id(actor),
    )
    session.add(arrival)
    session.flush()
    if risk == Risk.QUARANTINE:
        _start_quarantine(session, actor, rules, [resident], f"arrival:{arrival.id}")
    session.commit()
    return _arrival_view(session, arrival)


def _arrival_view(session: Session, arrival: Arrival) -> ArrivalView:
    resident = session.get_one(Resident, arrival.resident_id)
    household = session.get_one(Household, arrival.household_id)
    return ArrivalView(
        id=saved_id(arrival),
        household_id=saved_id(household),
        name=resident.name,
        address=household.address,
        from_place=arrival.from_place,
        arrived_on=arrival.arrived_on.isoformat(),
        transport=arrival.transport.value,
        transport_no=arrival.transport_no,
        risk=arrival.risk,
        at_gate=arrival.at_gate,
        recorded_at=format_local(arrival.recorded_at),
    )


def find_door(
    session: Session, actor: User | None, compound_id: int, door_key: str
) -> tuple[int, str, list[tuple[int, str]]]:
    """The household at "3-2-501" in a compound, for registering at the gate:
    (household id, address, [(resident id, name)])."""
    actor = require_role(actor, *FIELD_ROLES)
    compound = session.get(Compound, compound_id)
    if compound is None:
        raise InvalidInput({"compound_id": "errors.missing"})
    require_community(session, actor, compound.community_id)
    key = door_key.strip().replace(" ", "")
    household = session.exec(
        select(Household).where(Household.compound_id == compound_id, Household.door_key == key)
    ).first()
    if household is None:
        raise InvalidInput({"door_key": "errors.door_not_found"})
    people = session.exec(
        select(Resident.id, Resident.name)
        .where(Resident.household_id == household.id, col(Resident.moved_out).is_(None))
        .order_by(col(Resident.id))
    ).all()
    return saved_id(household), household.address, [(saved_id(i), n) for i, n in people]
