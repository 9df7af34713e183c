"""Residents: the ID number's checks, the person's input, enrolling and editing people, and
revealing a full number (audited)."""

import re
from datetime import date

from pydantic import BaseModel, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Session, select

from app.accounts.models import User
from app.accounts.service import require_role
from app.community.models import Household, Residency, Resident, Sex
from app.db import saved_id
from app.errors import InvalidInput, ServiceError, parse
from app.fields import optional_mobile, plain_number, text
from app.timeutil import today_local, utcnow

from ._common import REVEAL_ROLES
from .scope import audit, household_for, mask_id_number, mask_mobile

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CODES = "10X98765432"


def id_check_code(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CODES[total % 11]


def parse_id_number(value: str) -> tuple[date, Sex]:
    """Birth date and sex from a valid 18-character ID number; ValueError otherwise."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValueError("format")
    if id_check_code(value[:17]) != value[17]:
        raise ValueError("checksum")
    born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))  # ValueError if bad
    return born, Sex.MALE if int(value[16]) % 2 else Sex.FEMALE


# ---------------------------------------------------------------- input


def _optional_date(value):
    return None if value in ("", None) else value


class ResidentInput(BaseModel):
    """One person's file as staff or the resident's family edit it."""

    name: str
    sex: Sex
    birth_date: date | None = None
    mobile: str = ""
    id_number: str = ""
    relation: str = ""
    residency: Residency = Residency.PERMANENT
    moved_in: date | None = None
    moved_out: date | None = None
    elderly_alone: bool = False
    pregnant: bool = False
    disabled: bool = False
    chronic_illness: bool = False
    child_without_carer: bool = False
    no_smartphone: bool = False

    _dates = field_validator("birth_date", "moved_in", "moved_out", mode="before")(_optional_date)

    _name = field_validator("name")(text(30, required=True))
    _relation = field_validator("relation")(text(20))
    _mobile = field_validator("mobile")(optional_mobile)

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str) -> str:
        value = plain_number(value).upper()
        if value:
            try:
                parse_id_number(value)
            except ValueError:
                raise PydanticCustomError("id_number_invalid", "invalid id") from None
        return value

    @field_validator("birth_date", "moved_in", "moved_out")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value is not None and value > today_local():
            raise PydanticCustomError("date_in_future", "future")
        return value

    @model_validator(mode="after")
    def _consistent(self):
        errors = {}
        if self.id_number:
            born, sex = parse_id_number(self.id_number)
            if self.birth_date is None:
                self.birth_date = born
            elif self.birth_date != born:
                errors["birth_date"] = "id_number_birth_mismatch"
            if sex != self.sex:
                errors["sex"] = "id_number_sex_mismatch"
        if self.moved_in and self.moved_out and self.moved_out < self.moved_in:
            errors["moved_out"] = "moved_out_before_in"
        if self.pregnant and self.sex == Sex.MALE:
            errors["pregnant"] = "pregnant_male"
        if errors:
            raise InvalidInput({k: f"errors.{v}" for k, v in errors.items()})
        return self


def reveal(session: Session, actor: User | None, resident_id: int, what: str) -> str:
    """The full mobile or ID number of one person, written to the audit log."""
    if what not in REVEAL_ROLES:
        raise InvalidInput({"what": "errors.invalid_input"})
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise ServiceError("errors.not_found")
    actor = require_role(actor, *REVEAL_ROLES[what])
    household_for(session, actor, resident.household_id, edit=False)
    audit(
        session,
        actor,
        resident.community_id,
        f"reveal.{what}",
        f"resident:{resident.id}",
        resident.name,
    )
    session.commit()
    return getattr(resident, what)


def _keep_masked(data: dict, current: Resident | None) -> dict:
    """A form shows masked numbers; sending the mask back means 'unchanged'."""
    if current is None:
        return data
    data = dict(data)
    for name, mask in (("mobile", mask_mobile), ("id_number", mask_id_number)):
        if data.get(name) is not None and data[name] == mask(getattr(current, name)):
            data[name] = getattr(current, name)
    return data


def _check_id_free(session: Session, id_number: str, resident_id: int | None) -> None:
    if not id_number:
        return
    other = session.exec(
        select(Resident.id).where(Resident.id_number == id_number, Resident.id != resident_id)
    ).first()
    if other is not None:
        raise InvalidInput({"id_number": "errors.id_number_taken"})


def _apply(resident: Resident, person: ResidentInput) -> list[str]:
    """Copy the input onto the resident; the names of the fields that changed."""
    changed = []
    for name, value in person.model_dump().items():
        if getattr(resident, name) != value:
            setattr(resident, name, value)
            changed.append(name)
    resident.mobile_tail = resident.mobile[-4:]
    return changed


def add_resident(session: Session, actor: User | None, household_id: int, data: dict) -> Resident:
    actor, household = household_for(session, actor, household_id, edit=True)
    resident = enrol(session, actor, household, parse(ResidentInput, data), "resident.add")
    session.commit()
    return resident


def enrol(
    session: Session,
    actor: User,
    household: Household,
    person: ResidentInput,
    action: str = "resident.found",
) -> Resident:
    """Put a person into a household the caller has checked the actor may change (a staff edit,
    or someone found living there at the door), audited; the caller commits."""
    _check_id_free(session, person.id_number, None)
    resident = Resident(
        household_id=saved_id(household),
        community_id=household.community_id,
        name=person.name,
        sex=person.sex,
    )
    _apply(resident, person)
    session.add(resident)
    session.flush()
    audit(session, actor, household.community_id, action, f"resident:{resident.id}", resident.name)
    return resident


def update_resident(session: Session, actor: User | None, resident_id: int, data: dict) -> Resident:
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise ServiceError("errors.not_found")
    actor, _ = household_for(session, actor, resident.household_id, edit=True)
    person = parse(ResidentInput, _keep_masked(data, resident))
    _check_id_free(session, person.id_number, resident.id)
    changed = _apply(resident, person)
    if changed:
        resident.updated_at = utcnow()
        session.add(resident)
        audit(
            session,
            actor,
            resident.community_id,
            "resident.update",
            f"resident:{resident.id}",
            f"{resident.name}: {', '.join(changed)}",
        )
        session.commit()
    return resident
