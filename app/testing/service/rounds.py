"""Testing rounds: planning one (date, scope, pooling), listing and ending them. Planning
lists at once who is sampled at home."""

from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, field_validator, model_validator
from sqlalchemy import case, func, insert, literal, or_
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Compound, Household, Resident
from app.community.service import audit
from app.db import saved_id, table_of
from app.errors import InvalidInput, RowId, parse
from app.fields import text
from app.screening.service import quarantined_households_query
from app.testing.models import (
    HomeReason,
    HomeSamplingTask,
    PoolMode,
    RoundCompound,
    Sample,
    TaskStatus,
    TestingRound,
)
from app.timeutil import to_local, today_local, utcnow

from ._common import FIELD_ROLES, IMMOBILE_FLAGS, PLAN_ROLES, READ_ROLES, _round


class RoundInput(BaseModel):
    name: str
    test_date: date
    mode: PoolMode = PoolMode.POOL10
    compound_ids: list[RowId] = []  # none: the whole community

    _name = field_validator("name")(text(50))

    @model_validator(mode="after")
    def _check(self):
        errors = {}
        if not self.name:
            errors["name"] = "errors.missing"
        if self.test_date < today_local():
            errors["test_date"] = "errors.date_in_past"
        if errors:
            raise InvalidInput(errors)
        return self


@dataclass(frozen=True)
class RoundView:
    id: int
    name: str
    test_date: str
    mode: str
    open: bool
    compounds: int
    ended_at: str


def plan_round(session: Session, actor: User | None, community_id: int, data: dict) -> TestingRound:
    """A testing round over the whole community or some of its compounds. Everyone in scope
    who cannot queue (special care) or may not (home quarantine) gets a home sampling task."""
    actor = require_role(actor, *PLAN_ROLES)
    require_community(session, actor, community_id)
    values = parse(RoundInput, data)
    compounds = select(Compound.id).where(Compound.community_id == community_id)
    if values.compound_ids:
        compounds = compounds.where(col(Compound.id).in_(values.compound_ids))
    compound_ids = [saved_id(c) for c in session.exec(compounds).all()]
    if not compound_ids or len(compound_ids) < len(set(values.compound_ids)):
        raise InvalidInput({"compound_ids": "errors.compound_not_here"})
    testing_round = TestingRound(
        community_id=community_id,
        name=values.name,
        test_date=values.test_date,
        mode=values.mode,
        created_by=saved_id(actor),
    )
    session.add(testing_round)
    session.flush()
    round_id = saved_id(testing_round)
    session.add_all(RoundCompound(round_id=round_id, compound_id=c) for c in compound_ids)
    session.flush()
    _list_home_tasks(session, round_id, compound_ids)
    audit(session, actor, community_id, "testing.plan", f"testing_round:{round_id}")
    session.commit()
    return testing_round


def _list_home_tasks(session: Session, round_id: int, compound_ids: list[int]) -> None:
    """One INSERT … SELECT: the immobile and the quarantined of the round's compounds."""
    quarantined = col(Resident.household_id).in_(quarantined_households_query())
    immobile = or_(*(getattr(Resident, flag) for flag in IMMOBILE_FLAGS))
    reason = case(
        (quarantined, literal(HomeReason.QUARANTINE.value)), else_=literal(HomeReason.CARE.value)
    )
    tasks = table_of(HomeSamplingTask)
    people = (
        select_columns(
            literal(round_id),
            col(Resident.id),
            col(Resident.household_id),
            col(Household.building_id),
            reason,
            literal(TaskStatus.OPEN.value),
            literal(utcnow(), type_=tasks.c.created_at.type),
        )
        .join(Household, col(Household.id) == Resident.household_id)
        .where(
            col(Household.compound_id).in_(compound_ids),
            col(Resident.moved_out).is_(None),
            or_(quarantined, immobile),
        )
    )
    columns = ["round_id", "resident_id", "household_id", "building_id", "reason", "status"]
    session.execute(insert(tasks).from_select([*columns, "created_at"], people))


def end_round(session: Session, actor: User | None, round_id: int) -> None:
    """结束: no more sampling; results may still come in."""
    actor = require_role(actor, *PLAN_ROLES)
    testing_round = _round(session, actor, round_id, open_=True)
    testing_round.ended_at = utcnow()
    session.add(testing_round)
    audit(session, actor, testing_round.community_id, "testing.end", f"testing_round:{round_id}")
    session.commit()


def testing_rounds(session: Session, actor: User | None, community_id: int) -> list[RoundView]:
    """A community's rounds, newest first (volunteers: the open ones)."""
    actor = require_role(actor, *FIELD_ROLES, *READ_ROLES)
    require_community(session, actor, community_id)
    query = select(TestingRound).where(TestingRound.community_id == community_id)
    if actor.role == Role.VOLUNTEER:
        query = query.where(col(TestingRound.ended_at).is_(None))
    found = session.exec(
        query.order_by(col(TestingRound.test_date).desc(), col(TestingRound.id).desc())
    ).all()
    counts: dict[int, int] = {}
    if found:
        counts = dict(
            session.exec(
                select(RoundCompound.round_id, func.count())
                .where(col(RoundCompound.round_id).in_([r.id for r in found]))
                .group_by(col(RoundCompound.round_id))
            ).all()
        )
    return [round_view(r, counts.get(saved_id(r), 0)) for r in found]


def round_view(testing_round: TestingRound, compounds: int) -> RoundView:
    ended = testing_round.ended_at
    return RoundView(
        id=saved_id(testing_round),
        name=testing_round.name,
        test_date=testing_round.test_date.isoformat(),
        mode=testing_round.mode.value,
        open=ended is None,
        compounds=compounds,
        ended_at=to_local(ended).strftime("%Y-%m-%d %H:%M") if ended else "",
    )


def round_progress(
    session: Session, actor: User | None, community_id: int
) -> dict[int, tuple[int, int]]:
    """Per round of a community: (people sampled, people due), in two grouped queries, for
    the office's list of rounds."""
    actor = require_role(actor, *READ_ROLES)
    require_community(session, actor, community_id)
    rounds = select(TestingRound.id).where(TestingRound.community_id == community_id)
    sampled = dict(
        session.exec(
            select(Sample.round_id, func.count())
            .where(col(Sample.round_id).in_(rounds))
            .group_by(col(Sample.round_id))
        ).all()
    )
    due = session.exec(
        select(RoundCompound.round_id, func.count(col(Resident.id)))
        .join(Household, col(Household.compound_id) == RoundCompound.compound_id)
        .join(Resident, col(Resident.household_id) == Household.id)
        .where(col(RoundCompound.round_id).in_(rounds), col(Resident.moved_out).is_(None))
        .group_by(col(RoundCompound.round_id))
    ).all()
    return {round_id: (sampled.get(round_id, 0), people) for round_id, people in due}
