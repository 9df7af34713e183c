"""Screening rounds: starting and closing one, its buildings and who covers them, and when a
compound counts as weak."""

from dataclasses import dataclass
from datetime import date, datetime, time

from pydantic import BaseModel, field_validator, model_validator
from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_community, require_role
from app.community.models import Building, Compound, Household
from app.community.service import audit
from app.db import saved_id
from app.errors import InvalidInput, ServiceError, parse
from app.fields import text
from app.screening.models import FINAL_OUTCOMES, Round, RoundBuilding, RoundDoor, RoundKind
from app.timeutil import to_local, today_local, utcnow
from app.volunteers.service import team_choices

from ._common import STAFF_ROLES, _within


class RoundInput(BaseModel):
    name: str
    kind: RoundKind = RoundKind.FULL
    starts_on: date
    ends_on: date
    compound_ids: list[int] = []
    grid_ids: list[int] = []

    _name = field_validator("name")(text(50))

    @model_validator(mode="after")
    def _check(self):
        errors = {}
        if not self.name:
            errors["name"] = "errors.missing"
        if self.ends_on < self.starts_on:
            errors["ends_on"] = "errors.ends_before_start"
        elif self.ends_on < today_local():
            errors["ends_on"] = "errors.round_in_past"
        if errors:
            raise InvalidInput(errors)
        return self


@dataclass(frozen=True)
class RoundView:
    id: int
    name: str
    kind: str
    starts_on: str
    ends_on: str
    open: bool
    doors: int
    done: int


def _open_round(session: Session, round_id: int) -> Round:
    found = session.get(Round, round_id)
    if found is None:
        raise ServiceError("errors.not_found")
    if found.closed_at is not None:
        raise ServiceError("errors.round_closed")
    return found


def start_round(session: Session, actor: User | None, community_id: int, data: dict) -> Round:
    """A new round over the whole community, or some compounds or grids of it."""
    actor = require_role(actor, Role.STAFF)
    require_community(session, actor, community_id)
    values = parse(RoundInput, data)
    buildings = select(Building.id, Building.compound_id).join(
        Compound, col(Compound.id) == Building.compound_id
    )
    buildings = buildings.where(Compound.community_id == community_id)
    if values.compound_ids or values.grid_ids:
        buildings = buildings.where(
            or_(
                col(Building.compound_id).in_(values.compound_ids),
                col(Building.grid_id).in_(values.grid_ids),
            )
        )
    doors = dict(
        session.exec(
            select(Household.building_id, func.count())
            .where(Household.community_id == community_id)
            .group_by(col(Household.building_id))
        ).all()
    )
    found = [(saved_id(b), c) for b, c in session.exec(buildings).all()]
    chosen = [(b, c) for b, c in found if doors.get(b)]
    if not chosen:
        raise InvalidInput({"compound_ids": "errors.round_empty"})
    start = datetime.combine(values.starts_on, time(17), tzinfo=to_local(utcnow()).tzinfo)
    screening_round = Round(
        community_id=community_id,
        name=values.name,
        kind=values.kind,
        starts_on=values.starts_on,
        ends_on=values.ends_on,
        weak_from=start,
        created_by=saved_id(actor),
    )
    session.add(screening_round)
    session.flush()
    session.add_all(
        RoundBuilding(
            round_id=saved_id(screening_round), building_id=b, compound_id=c, doors=doors[b]
        )
        for b, c in chosen
    )
    audit(session, actor, community_id, "round.start", f"round:{screening_round.id}")
    session.commit()
    return screening_round


def close_round(session: Session, actor: User | None, round_id: int) -> None:
    actor = require_role(actor, Role.STAFF)
    screening_round = _open_round(session, round_id)
    require_community(session, actor, screening_round.community_id)
    screening_round.closed_at = utcnow()
    session.add(screening_round)
    audit(session, actor, screening_round.community_id, "round.close", f"round:{round_id}")
    session.commit()


def rounds(session: Session, actor: User | None, community_id: int) -> list[RoundView]:
    actor = require_role(actor, Role.VOLUNTEER, *STAFF_ROLES)
    require_community(session, actor, community_id)
    query = select(Round).where(Round.community_id == community_id)
    if actor.role == Role.VOLUNTEER:
        query = query.where(col(Round.closed_at).is_(None))
    found = session.exec(query.order_by(col(Round.starts_on).desc(), col(Round.id).desc())).all()
    totals = _round_totals(session, [saved_id(r) for r in found])
    return [
        RoundView(
            id=saved_id(r),
            name=r.name,
            kind=r.kind.value,
            starts_on=r.starts_on.isoformat(),
            ends_on=r.ends_on.isoformat(),
            open=r.closed_at is None,
            doors=totals.get(saved_id(r), (0, 0))[0],
            done=totals.get(saved_id(r), (0, 0))[1],
        )
        for r in found
    ]


def _round_totals(session: Session, round_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not round_ids:
        return {}
    doors = dict(
        session.exec(
            select(RoundBuilding.round_id, func.sum(RoundBuilding.doors))
            .where(col(RoundBuilding.round_id).in_(round_ids))
            .group_by(col(RoundBuilding.round_id))
        ).all()
    )
    done = dict(
        session.exec(
            select(RoundDoor.round_id, func.count())
            .where(
                col(RoundDoor.round_id).in_(round_ids), col(RoundDoor.outcome).in_(FINAL_OUTCOMES)
            )
            .group_by(col(RoundDoor.round_id))
        ).all()
    )
    return {r: (int(doors.get(r) or 0), done.get(r, 0)) for r in round_ids}


def assign_buildings(
    session: Session,
    actor: User | None,
    round_id: int,
    building_ids: list[int],
    assignee_id: int | None,
    team_id: int | None = None,
) -> int:
    """Give buildings of a round to one volunteer or one team (neither: back to the grid's
    volunteers)."""
    actor = require_role(actor, Role.STAFF)
    screening_round = _open_round(session, round_id)
    require_community(session, actor, screening_round.community_id)
    if team_id is not None:
        teams = dict(team_choices(session, actor, screening_round.community_id))
        if team_id not in teams:
            raise InvalidInput({"assignee_id": "errors.not_a_volunteer_here"})
        assignee_id = None
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if (
            assignee is None
            or assignee.community_id != screening_round.community_id
            or assignee.role not in (Role.VOLUNTEER, Role.STAFF)
        ):
            raise InvalidInput({"assignee_id": "errors.not_a_volunteer_here"})
    result = session.exec(
        update(RoundBuilding)
        .where(
            col(RoundBuilding.round_id) == round_id,
            col(RoundBuilding.building_id).in_(building_ids),
        )
        .values(assignee_id=assignee_id, team_id=team_id)
    )
    session.commit()
    return result.rowcount


class WeakInput(BaseModel):
    weak_below: int
    weak_from: datetime

    _pct = field_validator("weak_below")(_within(1, 100, "percent_out_of_range"))


def set_weak_threshold(session: Session, actor: User | None, round_id: int, data: dict) -> Round:
    actor = require_role(actor, Role.STAFF)
    screening_round = _open_round(session, round_id)
    require_community(session, actor, screening_round.community_id)
    values = parse(WeakInput, data)
    screening_round.weak_below, screening_round.weak_from = values.weak_below, values.weak_from
    session.add(screening_round)
    session.commit()
    return screening_round
