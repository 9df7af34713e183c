"""A door visit: the form, recording it (once, however often a phone sends it), the door's
state in its round, and conflicting records."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import case, func, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community import service as community
from app.community.models import CARE_FLAGS, Building, Household, Residency, Resident, Sex
from app.community.service import ResidentInput, age_today, audit
from app.db import saved_id, table_of
from app.errors import Forbidden, InvalidInput, RowId, ServiceError, parse
from app.fields import text
from app.screening.models import (
    FINAL_OUTCOMES,
    FollowUp,
    FollowUpStatus,
    HealthCode,
    Outcome,
    PersonCheck,
    PlanStatus,
    QuarantinePlan,
    Risk,
    Round,
    RoundBuilding,
    RoundDoor,
    TestStatus,
    Visit,
)
from app.timeutil import format_local, to_local, today_local, utcnow
from app.volunteers.service import team_ids_of

from ._common import (
    CLOCK_SKEW,
    FIELD_ROLES,
    _client_id,
    _covers,
    _repeat,
    _rules,
    _start_quarantine,
)
from .rules import HealthInput, assess


class PersonInput(HealthInput):
    resident_id: RowId


class NewPersonInput(HealthInput):
    """Someone living at the door who is not on the register (a tenant, a relative back)."""

    name: str
    sex: Sex
    relation: str = ""
    mobile: str = ""
    residency: Residency = Residency.TENANT


class VisitInput(BaseModel):
    client_id: str
    round_id: RowId
    household_id: RowId
    outcome: Outcome
    by_phone: bool = False
    note: str = ""
    recorded_at: datetime | None = None

    _note = field_validator("note")(text(200))
    _id = field_validator("client_id")(_client_id)

    @field_validator("recorded_at")
    @classmethod
    def _not_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value > utcnow() + CLOCK_SKEW:
            raise PydanticCustomError("date_in_future", "future")
        return value


def _people(data: dict) -> tuple[list[PersonInput], list[NewPersonInput]]:
    """Each person checked on their own, so a message can point at the right one
    (fields named `people.<i>.<field>` and `new_people.<i>.<field>`)."""
    errors = InvalidInput({})
    people, new_people = [], []
    for key, model, out in (
        ("people", PersonInput, people),
        ("new_people", NewPersonInput, new_people),
    ):
        for i, item in enumerate(data.get(key) or []):
            try:
                out.append(parse(model, item))
            except InvalidInput as exc:
                errors = errors.merged(exc.renamed(f"{key}.{i}."))
    if errors.fields:
        raise errors
    return people, new_people


@dataclass(frozen=True)
class MemberView:
    resident_id: int
    name: str
    sex: str
    age: int | None
    relation: str
    care: list[str]
    in_quarantine: bool


@dataclass(frozen=True)
class VisitRecordView:
    outcome: str
    by: str
    at: str
    by_phone: bool
    risk: int
    note: str


@dataclass(frozen=True)
class VisitForm:
    round_id: int
    round_name: str
    household_id: int
    address: str
    members: list[MemberView]
    records: list[VisitRecordView]
    conflict: bool


def _household_for_visit(
    session: Session, actor: User, round_id: int, household_id: int
) -> tuple[Round, Household]:
    """The door and its round, if the actor may record it (one query: a phone opens and
    saves doors all afternoon)."""
    # Seven columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own. The round
    # and the building's place in it are outer joins: each may be missing. Team membership is
    # the volunteers domain's, asked as a subquery.
    row: Row[Household, Round | None, *tuple[int | bool | None, ...]] | None = session.execute(
        sa_select(
            Household,
            Round,
            col(RoundBuilding.id),
            col(RoundBuilding.assignee_id),
            col(RoundBuilding.team_id),
            col(RoundBuilding.team_id).in_(team_ids_of(actor.id)),
            col(Building.grid_id),
        )
        .join(Building, col(Building.id) == Household.building_id)
        .join(Round, col(Round.id) == round_id, isouter=True)
        .join(
            RoundBuilding,
            (col(RoundBuilding.round_id) == round_id)
            & (col(RoundBuilding.building_id) == Household.building_id),
            isouter=True,
        )
        .where(col(Household.id) == household_id)
    ).first()
    if row is None:
        raise ServiceError("errors.not_found")
    household, screening_round, in_round, assignee_id, team_id, in_team, grid_id = row
    if screening_round is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, screening_round.community_id)
    if in_round is None:
        raise ServiceError("errors.door_not_in_round")
    if not _covers(actor, assignee_id, team_id, bool(in_team), grid_id):
        raise Forbidden("errors.door_not_yours")
    return screening_round, household


def visit_form(session: Session, actor: User | None, round_id: int, household_id: int) -> VisitForm:
    actor = require_role(actor, *FIELD_ROLES)
    screening_round, household = _household_for_visit(session, actor, round_id, household_id)
    people = session.exec(
        select(Resident, QuarantinePlan.id)
        .join(
            QuarantinePlan,
            (col(QuarantinePlan.resident_id) == Resident.id)
            & (col(QuarantinePlan.status) == PlanStatus.ACTIVE),
            isouter=True,
        )
        .where(Resident.household_id == household_id, col(Resident.moved_out).is_(None))
        .order_by(col(Resident.id))
    ).all()
    records = session.exec(
        select(Visit, User.name)
        .join(User, col(User.id) == Visit.recorded_by)
        .where(Visit.round_id == round_id, Visit.household_id == household_id)
        .order_by(col(Visit.recorded_at).desc())
    ).all()
    door = session.get(RoundDoor, (round_id, household_id))
    return VisitForm(
        round_id=round_id,
        round_name=screening_round.name,
        household_id=household_id,
        address=household.address,
        members=[
            MemberView(
                resident_id=saved_id(p),
                name=p.name,
                sex=p.sex.value,
                age=age_today(p.birth_date),
                relation=p.relation,
                care=[flag for flag in CARE_FLAGS if getattr(p, flag)],
                in_quarantine=plan is not None,
            )
            for p, plan in people
        ],
        records=[
            VisitRecordView(
                outcome=v.outcome.value,
                by=name,
                at=format_local(v.recorded_at),
                by_phone=v.by_phone,
                risk=v.risk,
                note=v.note,
            )
            for v, name in records
        ],
        conflict=door.conflict if door else False,
    )


@dataclass(frozen=True)
class VisitResult:
    visit_id: int
    outcome: str
    risk: int
    quarantined: list[str]  # names of people put under home quarantine by this visit
    repeated: bool  # the same record was sent before; nothing new was stored
    # The record's id came before with other answers: both are kept, the door is flagged
    # for staff, and the volunteer is told.
    conflict: bool = False


@lru_cache
def _door_upsert(dialect: str):
    """Keep the door's state: the latest record wins, both records stay, and two volunteers
    finishing the same door is marked for staff. Built once per dialect: compiling it on
    every visit cost more than running it."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = table_of(RoundDoor)
    stmt = insert(table)
    new = stmt.excluded
    newer = new.last_at >= table.c.last_at
    final = [o.value for o in FINAL_OUTCOMES]
    return stmt.on_conflict_do_update(
        index_elements=[table.c.round_id, table.c.household_id],
        set_={
            "outcome": case((newer, new.outcome), else_=table.c.outcome),
            "risk": case((newer, new.risk), else_=table.c.risk),
            "last_by": case((newer, new.last_by), else_=table.c.last_by),
            "last_at": case((newer, new.last_at), else_=table.c.last_at),
            "visits": table.c.visits + 1,
            "conflict": table.c.conflict
            | (
                (table.c.last_by != new.last_by)
                & table.c.outcome.in_(final)
                & new.outcome.in_(final)
            ),
            "done_day": func.coalesce(table.c.done_day, new.done_day),
        },
    )


def _upsert_door(session: Session, visit: Visit, done_day: date | None) -> None:
    stmt = _door_upsert(session.get_bind().dialect.name)
    session.execute(
        stmt,
        {
            "round_id": visit.round_id,
            "household_id": visit.household_id,
            "building_id": visit.building_id,
            "outcome": visit.outcome,
            "risk": visit.risk,
            "visits": 1,
            "last_by": visit.recorded_by,
            "last_at": visit.recorded_at,
            "conflict": False,
            "done_day": done_day,
        },
    )


def _quarantined_by(session: Session, visit: Visit) -> list[str]:
    """Who this visit put under home quarantine: a phone that sends a visit again (its first
    answer was lost) is told the same as the first time."""
    names = session.exec(
        select(Resident.name)
        .join(QuarantinePlan, col(QuarantinePlan.resident_id) == Resident.id)
        .where(
            QuarantinePlan.household_id == visit.household_id,
            QuarantinePlan.reason == f"visit:{visit.id}",
        )
        .order_by(col(QuarantinePlan.id))
    ).all()
    return list(names)


def visit_cue(result: VisitResult) -> tuple[str, dict[str, str]] | None:
    """The warning the volunteer must not miss after a visit, as a catalog key and its
    parameters: who starts home quarantine, else that someone needs the fever clinic."""
    if result.quarantined:
        return "visit.quarantined", {"names": "、".join(result.quarantined)}
    if result.risk >= Risk.CLINIC:
        return "visit.refer_clinic", {}
    return None


def record_visit(session: Session, actor: User | None, data: dict) -> VisitResult:
    """One door visit with everyone's answers, stored whole or not at all."""
    actor = require_role(actor, *FIELD_ROLES)
    values = parse(VisitInput, data)
    before = _repeat(session, Visit, values.client_id)
    if before is not None:
        if before.recorded_by != actor.id:
            raise Forbidden()
        if _answers(session, before) != _answers_sent(session, values, data):
            return _record_conflict(session, actor, values, data)
        quarantined = _quarantined_by(session, before)
        return VisitResult(before.id, before.outcome.value, before.risk, quarantined, True)
    screening_round, household = _household_for_visit(
        session, actor, values.round_id, values.household_id
    )
    if screening_round.closed_at is not None:
        raise ServiceError("errors.round_closed")
    people, new_people = _people(data)
    if values.outcome != Outcome.VISITED and (people or new_people):
        people, new_people = [], []  # answers only count for a door that was visited
    if values.outcome == Outcome.VISITED and not (people or new_people):
        raise InvalidInput({"people": "errors.visit_needs_people"})
    members = {
        r.id: r
        for r in session.exec(select(Resident).where(Resident.household_id == household.id)).all()
    }
    if any(p.resident_id not in members for p in people):
        raise InvalidInput({"people": "errors.not_a_member"})

    rules = _rules(session, household.community_id)
    checked: list[tuple[Resident, HealthInput, Risk]] = [
        (members[p.resident_id], p, assess(rules, p)) for p in people
    ]
    for i, person in enumerate(new_people):
        try:
            found = parse(
                ResidentInput,
                person.model_dump(include={"name", "sex", "relation", "mobile", "residency"})
                | {"moved_in": today_local()},
            )
            resident = community.enrol(session, actor, household, found)
        except InvalidInput as exc:
            raise exc.renamed(f"new_people.{i}.") from None
        checked.append((resident, person, assess(rules, person)))

    recorded_at = values.recorded_at or utcnow()
    visit = Visit(
        client_id=values.client_id,
        round_id=saved_id(screening_round),
        household_id=saved_id(household),
        building_id=household.building_id,
        outcome=values.outcome,
        by_phone=values.by_phone,
        risk=max((risk for _, _, risk in checked), default=Risk.NORMAL),
        note=values.note,
        recorded_by=saved_id(actor),
        recorded_at=recorded_at,
    )
    session.add(visit)
    try:
        session.flush()
    except IntegrityError:
        # The same record arrived twice at once; the other copy is stored.
        session.rollback()
        again = _repeat(session, Visit, values.client_id)
        if again is None:  # not a repeat: some other constraint failed
            raise
        quarantined = _quarantined_by(session, again)
        return VisitResult(again.id, again.outcome.value, again.risk, quarantined, True)
    if checked:  # one insert for the whole household (the ORM would send one per person)
        answers = [
            PersonCheck(
                visit_id=saved_id(visit),
                resident_id=saved_id(resident),
                temperature=health.temperature,
                symptoms=",".join(health.symptoms),
                symptom_note=health.symptom_note,
                travel=health.travel,
                travel_place=health.travel_place,
                travel_date=health.travel_date,
                health_code=health.health_code,
                test_status=health.test_status,
                risk=risk,
            )
            for resident, health, risk in checked
        ]
        # render_nulls: a missing temperature must not split the rows into several inserts.
        session.execute(
            insert(PersonCheck).execution_options(render_nulls=True),
            [a.model_dump(exclude={"id"}) for a in answers],
        )
    at_risk = [resident for resident, _, risk in checked if risk == Risk.QUARANTINE]
    started = _start_quarantine(session, actor, rules, at_risk, f"visit:{visit.id}")
    quarantined = [resident.name for resident in started]
    done_day = to_local(recorded_at).date() if values.outcome in FINAL_OUTCOMES else None
    _upsert_door(session, visit, done_day)
    _follow_up_after(session, visit, household)
    session.commit()
    return VisitResult(saved_id(visit), visit.outcome.value, visit.risk, quarantined, False)


def _health_key(name: str, health: HealthInput | PersonCheck) -> str:
    return repr(
        (
            name,
            health.temperature,
            ",".join(health.symptoms) if isinstance(health, HealthInput) else health.symptoms,
            health.symptom_note,
            health.travel,
            health.travel_place,
            health.travel_date,
            HealthCode(health.health_code),
            TestStatus(health.test_status),
        )
    )


def _answers(session: Session, visit: Visit) -> tuple:
    """What a stored visit says, comparable with `_answers_sent`."""
    people = session.exec(
        select(Resident.name, PersonCheck)
        .join(PersonCheck, col(PersonCheck.resident_id) == Resident.id)
        .where(PersonCheck.visit_id == visit.id)
    ).all()
    return (
        visit.round_id,
        visit.household_id,
        Outcome(visit.outcome),
        visit.by_phone,
        visit.note,
        sorted(_health_key(name, check) for name, check in people),
    )


def _answers_sent(session: Session, values: VisitInput, data: dict) -> tuple:
    people, new_people = _people(data) if values.outcome == Outcome.VISITED else ([], [])
    ids = [p.resident_id for p in people]
    names = dict(
        session.exec(select(Resident.id, Resident.name).where(col(Resident.id).in_(ids))).all()
    )
    return (
        values.round_id,
        values.household_id,
        values.outcome,
        values.by_phone,
        values.note,
        sorted(
            [_health_key(names.get(p.resident_id, ""), p) for p in people]
            + [_health_key(p.name.strip(), p) for p in new_people]
        ),
    )


def _record_conflict(session: Session, actor: User, values: VisitInput, data: dict) -> VisitResult:
    """Other answers under an id already stored (a phone's bug, or a record edited after it
    was sent): stored as a second record of the door, under an id made from the answers (so
    sending them again stores nothing new), and the door is flagged for staff to compare,
    like two volunteers' records of one door."""
    digest = hashlib.sha256(repr(_answers_sent(session, values, data)).encode()).hexdigest()
    copy_id = f"{values.client_id[:27]}:{digest[:12]}"
    result = record_visit(session, actor, data | {"client_id": copy_id})
    if not result.repeated:
        session.exec(
            update(RoundDoor)
            .where(col(RoundDoor.round_id) == values.round_id)
            .where(col(RoundDoor.household_id) == values.household_id)
            .values(conflict=True)
        )
        session.commit()
    return VisitResult(
        result.visit_id, result.outcome, result.risk, result.quarantined, result.repeated, True
    )


def _follow_up_after(session: Session, visit: Visit, household: Household) -> None:
    """Not at home opens (or keeps) a phone follow-up with a revisit tomorrow; any finished
    visit closes it."""
    if visit.outcome != Outcome.NOT_HOME:
        session.exec(
            update(FollowUp)
            .where(
                col(FollowUp.round_id) == visit.round_id,
                col(FollowUp.household_id) == household.id,
                col(FollowUp.status) != FollowUpStatus.DONE,
            )
            .values(status=FollowUpStatus.DONE, updated_at=utcnow())
        )
        return
    follow_up = session.exec(
        select(FollowUp).where(
            FollowUp.round_id == visit.round_id, FollowUp.household_id == household.id
        )
    ).first()
    if follow_up is None:
        follow_up = FollowUp(
            round_id=visit.round_id,
            household_id=saved_id(household),
            community_id=household.community_id,
        )
    elif follow_up.status == FollowUpStatus.DONE:
        follow_up.status = FollowUpStatus.OPEN
    follow_up.revisit_on = today_local() + timedelta(days=1)
    follow_up.updated_at = utcnow()
    session.add(follow_up)


def clear_conflict(session: Session, actor: User | None, round_id: int, household_id: int) -> None:
    """Staff looked at both records of a door and keep the latest."""
    actor = require_role(actor, Role.STAFF)
    door = session.get(RoundDoor, (round_id, household_id))
    if door is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, session.get_one(Round, round_id).community_id)
    door.conflict = False
    session.add(door)
    audit(session, actor, actor.community_id, "door.conflict_cleared", f"household:{household_id}")
    session.commit()
