"""居家隔离: plans, daily checks and release."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from pydantic import BaseModel, field_validator
from sqlalchemy import ColumnElement, Exists, exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Household, Resident
from app.community.service import audit, households_in_scope
from app.db import saved_id, table_of
from app.errors import MAX_ID, Forbidden, InvalidInput, ServiceError, parse
from app.screening.models import DailyCheck, PlanStatus, QuarantinePlan, Rules, Symptom
from app.timeutil import today_local, utcnow

from ._common import (
    FIELD_ROLES,
    _blank_none,
    _client_id,
    _repeat,
    _rules,
    _start_quarantine,
    _temperature,
)


@dataclass(frozen=True)
class PlanView:
    id: int
    resident_id: int
    name: str
    address: str
    household_id: int
    reason: str
    starts_on: str
    ends_on: str
    day: int  # today is day N of the plan
    days: int
    checked_today: bool
    missed: int  # past days without a check
    last_temperature: str
    abnormal: bool  # the last check had fever or symptoms
    status: str


def _plan_views(session: Session, rows, rules_by_community: dict[int, Rules]) -> list[PlanView]:
    plans = [p for p, _, _ in rows]
    checks = defaultdict(list)
    if plans:
        for c in session.exec(
            select(DailyCheck)
            .where(col(DailyCheck.plan_id).in_([p.id for p in plans]))
            .order_by(col(DailyCheck.day))
        ).all():
            checks[c.plan_id].append(c)
    now = today_local()
    views = []
    for plan, name, address in rows:
        ends = plan.starts_on + timedelta(days=plan.days - 1)
        done_days = {c.day for c in checks[plan.id]}
        last_day = min(now - timedelta(days=1), ends)
        past = (last_day - plan.starts_on).days + 1 if last_day >= plan.starts_on else 0
        missed = sum(1 for i in range(past) if plan.starts_on + timedelta(days=i) not in done_days)
        last = checks[plan.id][-1] if checks[plan.id] else None
        if plan.community_id not in rules_by_community:  # once: default rules have no row
            rules_by_community[plan.community_id] = _rules(session, plan.community_id)
        rules = rules_by_community[plan.community_id]
        views.append(
            PlanView(
                id=plan.id,
                resident_id=plan.resident_id,
                name=name,
                address=address,
                household_id=plan.household_id,
                reason=plan.reason,
                starts_on=plan.starts_on.isoformat(),
                ends_on=ends.isoformat(),
                day=min((now - plan.starts_on).days + 1, plan.days),
                days=plan.days,
                checked_today=now in done_days,
                missed=missed,
                last_temperature=f"{last.temperature:.1f}" if last else "",
                abnormal=bool(last and (last.symptoms or last.temperature >= rules.fever_from)),
                status=plan.status.value,
            )
        )
    return views


def _plans_query(session: Session, actor: User):
    query = (
        select(QuarantinePlan, Resident.name, Household.address)
        .join(Resident, col(Resident.id) == QuarantinePlan.resident_id)
        .join(Household, col(Household.id) == QuarantinePlan.household_id)
    )
    return households_in_scope(session, actor, query)


def quarantine_plans(session: Session, actor: User | None) -> list[PlanView]:
    """居家隔离 under follow-up in the actor's scope: today's check due or done, days missed."""
    actor = require_role(actor, *FIELD_ROLES, Role.RESIDENT)
    rows = session.exec(
        _plans_query(session, actor)
        .where(QuarantinePlan.status == PlanStatus.ACTIVE)
        .order_by(col(QuarantinePlan.starts_on), col(QuarantinePlan.id))
    ).all()
    return _plan_views(session, rows, {})


class CheckInput(BaseModel):
    client_id: str
    temperature: float
    symptoms: list[Symptom] = []

    _id = field_validator("client_id")(_client_id)

    _temp = field_validator("temperature", mode="before")(_blank_none)
    _range = field_validator("temperature")(_temperature)


def record_check(session: Session, actor: User | None, plan_id: int, data: dict) -> PlanView:
    """Today's check of one person in home quarantine: by a volunteer or staff, or the
    resident themselves from their own phone."""
    actor = require_role(actor, *FIELD_ROLES, Role.RESIDENT)
    if not 0 < plan_id <= MAX_ID:
        raise ServiceError("errors.not_found")
    row = session.exec(_plans_query(session, actor).where(QuarantinePlan.id == plan_id)).first()
    if row is None:
        if session.get(QuarantinePlan, plan_id) is None:
            raise ServiceError("errors.not_found")
        raise Forbidden()
    plan = row[0]
    if plan.status != PlanStatus.ACTIVE:
        raise ServiceError("errors.plan_released")
    values = parse(CheckInput, data)
    before = _repeat(session, DailyCheck, values.client_id)
    sent = (plan.id, values.temperature, ",".join(values.symptoms))
    if before is not None and (before.plan_id, before.temperature, before.symptoms) != sent:
        # A check has one answer a day and no second record to keep: the first stands.
        raise ServiceError("errors.record_id_reused")
    if before is None:
        if session.exec(
            select(DailyCheck.id).where(
                DailyCheck.plan_id == plan.id, DailyCheck.day == today_local()
            )
        ).first():
            raise ServiceError("errors.checked_today")
        session.add(
            DailyCheck(
                client_id=values.client_id,
                plan_id=saved_id(plan),
                day=today_local(),
                temperature=values.temperature,
                symptoms=",".join(values.symptoms),
                self_reported=actor.role == Role.RESIDENT,
                recorded_by=saved_id(actor),
            )
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise ServiceError("errors.checked_today") from None
    return _plan_views(session, [row], {})[0]


def release(session: Session, actor: User | None, plan_id: int, note: str) -> None:
    """解除隔离: the release record. Before the last day it needs a reason."""
    actor = require_role(actor, Role.STAFF)
    plan = session.get(QuarantinePlan, plan_id)
    if plan is None:
        raise ServiceError("errors.not_found")
    require_community(session, actor, plan.community_id)
    if plan.status != PlanStatus.ACTIVE:
        raise ServiceError("errors.plan_released")
    note = note.strip()
    if len(note) > 200:
        raise InvalidInput({"note": "errors.too_long"}, {"note": {"max": 200}})
    if today_local() < plan.starts_on + timedelta(days=plan.days - 1) and not note:
        raise InvalidInput({"note": "errors.early_release_needs_reason"})
    plan.status, plan.released_by, plan.released_at = PlanStatus.RELEASED, actor.id, utcnow()
    plan.release_note = note
    session.add(plan)
    audit(session, actor, plan.community_id, "quarantine.release", f"plan:{plan.id}")
    session.commit()


# ---------------------------------------------------------------- for other domains


def quarantined_households_query() -> SelectOfScalar[int]:
    """The ids of households with someone in home quarantine now, as a select: usable as a
    subquery (`col(Household.id).in_(quarantined_households_query())`)."""
    return select(QuarantinePlan.household_id).where(QuarantinePlan.status == PlanStatus.ACTIVE)


def household_in_quarantine(household_id: ColumnElement[int]) -> Exists:
    """Whether someone of one household is in home quarantine now, as an EXISTS clause on a
    column or a bound parameter: for a prebuilt statement on a hot path."""
    plans = table_of(QuarantinePlan)
    return exists().where(
        plans.c.household_id == household_id, plans.c.status == PlanStatus.ACTIVE.value
    )


def households_in_quarantine(session: Session, household_ids: Iterable[int]) -> set[int]:
    """Those of these households with someone in home quarantine now."""
    ids = sorted(set(household_ids))
    found: set[int] = set()
    for start in range(0, len(ids), 900):  # under SQLite's limit of bound parameters
        chunk = ids[start : start + 900]
        found.update(
            session.exec(
                quarantined_households_query().where(col(QuarantinePlan.household_id).in_(chunk))
            ).all()
        )
    return found


def start_quarantine(
    session: Session, by: User, resident_ids: Iterable[int], reason: str
) -> list[int]:
    """Home quarantine for these residents, as another domain's rule decides (a positive
    test): a plan as long as each community's rules say, for those without one running. The
    ids of those started. Writes without committing: it joins the caller's unit of work, whose
    operation has checked `by`."""
    ids = sorted(set(resident_ids))
    residents: list[Resident] = []
    for start in range(0, len(ids), 900):  # under SQLite's limit of bound parameters
        chunk = ids[start : start + 900]
        residents += session.exec(select(Resident).where(col(Resident.id).in_(chunk))).all()
    started: list[int] = []
    for community_id in sorted({r.community_id for r in residents}):
        mine = [r for r in residents if r.community_id == community_id]
        rules = _rules(session, community_id)
        started += [saved_id(r) for r in _start_quarantine(session, by, rules, mine, reason)]
    return started
