"""漏检: who in the register is due in a building and not sampled, door by door, and the
volunteers' word on why (away, in hospital, moved out)."""

from dataclasses import dataclass

from pydantic import BaseModel, field_validator, model_validator
from sqlalchemy import and_, func
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.service import require_role
from app.community.models import Building, Compound, Household, Resident
from app.community.service import audit, natural_key
from app.db import saved_id
from app.errors import InvalidInput, ServiceError, parse
from app.fields import text
from app.testing.models import HomeSamplingTask, MissedKind, MissedMark, Sample

from ._common import (
    FIELD_ROLES,
    READ_ROLES,
    _field_actor,
    _get,
    _in_round,
    _require_building,
    _round,
)


class MarkInput(BaseModel):
    kind: MissedKind
    reason: str

    _reason = field_validator("reason")(text(100))

    @model_validator(mode="after")
    def _check(self):
        if not self.reason:
            raise InvalidInput({"reason": "errors.missed_reason_required"})
        return self


@dataclass(frozen=True)
class MissedPerson:
    resident_id: int
    name: str
    relation: str
    mark: str  # a MissedKind, or "" while nobody has said why
    reason: str
    home_task: str  # the task's status when sampled at home, else ""


@dataclass(frozen=True)
class MissedDoor:
    household_id: int
    door: str  # 3-2-501
    people: list[MissedPerson]


@dataclass(frozen=True)
class MissedList:
    building_id: int
    building: str  # compound and number
    due: int
    sampled: int
    doors: list[MissedDoor]  # by door, each with its people not sampled

    @property
    def unexplained(self) -> int:
        """People not sampled whom no one has accounted for yet."""
        return sum(1 for d in self.doors for p in d.people if not p.mark)


def missed_list(
    session: Session, actor: User | None, round_id: int, building_id: int
) -> MissedList:
    """A building's people due and not sampled, by door, with any mark and home task. Set-based:
    one query for the people, one for the counts, however big the building."""
    actor = require_role(actor, *FIELD_ROLES, *READ_ROLES)
    testing_round = _round(session, actor, round_id, open_=False)
    building: Building = _get(session, Building, building_id)
    _require_building(session, actor, building)
    if not _in_round(session, testing_round, building.compound_id):
        raise ServiceError("errors.not_in_round")
    compound = session.get(Compound, building.compound_id)
    sampled_here = select(Sample.resident_id).where(
        Sample.round_id == round_id, Sample.building_id == building_id
    )
    rows = session.execute(
        select_columns(
            col(Household.id),
            col(Household.door_key),
            col(Resident.id),
            col(Resident.name),
            col(Resident.relation),
            col(MissedMark.kind),
            col(MissedMark.reason),
            col(HomeSamplingTask.status),
        )
        .join(Resident, col(Resident.household_id) == Household.id)
        .outerjoin(
            MissedMark,
            and_(col(MissedMark.round_id) == round_id, col(MissedMark.resident_id) == Resident.id),
        )
        .outerjoin(
            HomeSamplingTask,
            and_(
                col(HomeSamplingTask.round_id) == round_id,
                col(HomeSamplingTask.resident_id) == Resident.id,
            ),
        )
        .where(
            col(Household.building_id) == building_id,
            col(Resident.moved_out).is_(None),
            col(Resident.id).not_in(sampled_here),
        )
    ).all()
    due, sampled = session.exec(
        select(func.count(col(Resident.id)), func.count(col(Sample.id)))
        .select_from(Resident)
        .join(Household, col(Household.id) == Resident.household_id)
        .outerjoin(
            Sample, and_(col(Sample.round_id) == round_id, col(Sample.resident_id) == Resident.id)
        )
        .where(Household.building_id == building_id, col(Resident.moved_out).is_(None))
    ).one()
    doors: dict[int, MissedDoor] = {}
    for household_id, door, resident_id, name, relation, kind, reason, task in rows:
        entry = doors.setdefault(household_id, MissedDoor(household_id, door, []))
        entry.people.append(
            MissedPerson(
                resident_id=resident_id,
                name=name,
                relation=relation,
                mark=str(kind or ""),
                reason=reason or "",
                home_task=str(task or ""),
            )
        )
    for entry in doors.values():
        entry.people.sort(key=lambda p: p.resident_id)
    return MissedList(
        building_id=building_id,
        building=f"{compound.name if compound else ''} {building.number}",
        due=due,
        sampled=sampled,
        doors=sorted(doors.values(), key=lambda d: natural_key(d.door)),
    )


def _due_person(session: Session, actor: User, round_id: int, resident_id: int):
    """A resident due in an open round, in a building the actor works; not yet sampled."""
    testing_round = _round(session, actor, round_id, open_=True)
    resident: Resident = _get(session, Resident, resident_id)
    household: Household = _get(session, Household, resident.household_id)
    if resident.community_id != testing_round.community_id or not _in_round(
        session, testing_round, household.compound_id
    ):
        raise ServiceError("errors.not_in_round")
    _require_building(session, actor, _get(session, Building, household.building_id))
    if session.exec(
        select(Sample.id).where(Sample.round_id == round_id, Sample.resident_id == resident_id)
    ).first():
        raise ServiceError("errors.already_sampled", tube="")
    return testing_round, resident, household


def mark_missed(
    session: Session, actor: User | None, round_id: int, resident_id: int, data: dict
) -> None:
    """Says why someone is not sampled (away, in hospital, moved out) and a reason; marking
    again replaces the earlier word."""
    actor = _field_actor(actor)
    values = parse(MarkInput, data)
    testing_round, resident, household = _due_person(session, actor, round_id, resident_id)
    mark = session.exec(
        select(MissedMark).where(
            MissedMark.round_id == round_id, MissedMark.resident_id == resident_id
        )
    ).first() or MissedMark(
        round_id=round_id,
        resident_id=resident_id,
        building_id=household.building_id,
        kind=values.kind,
        reason=values.reason,
        marked_by=saved_id(actor),
    )
    mark.kind, mark.reason, mark.marked_by = values.kind, values.reason, saved_id(actor)
    session.add(mark)
    audit(session, actor, testing_round.community_id, "testing.missed", f"resident:{resident.id}")
    try:
        session.commit()
    except IntegrityError:  # marked by someone else in the same instant: theirs stands
        session.rollback()


def clear_mark(session: Session, actor: User | None, round_id: int, resident_id: int) -> None:
    """Takes a mark back (the person is home after all)."""
    actor = _field_actor(actor)
    _due_person(session, actor, round_id, resident_id)
    mark = session.exec(
        select(MissedMark).where(
            MissedMark.round_id == round_id, MissedMark.resident_id == resident_id
        )
    ).first()
    if mark is not None:
        session.delete(mark)
        session.commit()
