"""What the screening modules share: who may do what, the checks of typed answers, the
community's rules, a record sent again, which buildings a volunteer covers, starting home
quarantine."""

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import LiteralString

from pydantic_core import PydanticCustomError
from sqlalchemy import insert, or_
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.community.models import Building, Compound, Resident
from app.db import saved_id
from app.screening.models import PlanStatus, QuarantinePlan, Round, RoundBuilding, Rules
from app.timeutil import today_local
from app.volunteers.service import team_ids_of

STAFF_ROLES = (Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
FIELD_ROLES = (Role.VOLUNTEER, Role.STAFF)
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)


# Outside this a thermometer was misread: ask to measure again. (The offline app gets it too.)
TEMPERATURE_RANGE = (34.0, 43.0)


def _temperature(value: float | None) -> float | None:
    low, high = TEMPERATURE_RANGE
    if value is not None and not low <= value <= high:
        raise PydanticCustomError("temperature_recheck", "re-check")
    return value


def _past(value: date | None) -> date | None:
    if value is not None and value > today_local():
        raise PydanticCustomError("date_in_future", "future")
    return value


def _within(low: float, high: float, code: LiteralString):
    def check(value):
        if not low <= value <= high:
            raise PydanticCustomError(code, "out of range")  # each code's message names its range
        return value

    return check


def _blank_none(value):
    return None if value in ("", None) else value


# The id a phone (or a page) makes for a record: a UUID's hex, or a few parts of one.
_CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{8,40}")


def _client_id(value: str) -> str:
    if not _CLIENT_ID.fullmatch(value):
        raise PydanticCustomError("invalid_input", "bad id")
    return value


def _rules(session: Session, community_id: int) -> Rules:
    return session.get(Rules, community_id) or Rules(community_id=community_id)


def _covers(actor: User, assignee_id: int | None, team_id: int | None, in_team: bool, grid_id):
    """Whether the actor may record a building of a round: staff always; else its volunteer,
    or its team's members, or, when it has neither, the volunteers of its grid."""
    if actor.role == Role.STAFF:
        return True
    if assignee_id is not None:
        return assignee_id == actor.id
    if team_id is not None:
        return in_team
    return actor.grid_id is not None and grid_id == actor.grid_id


def _my_round_buildings(actor: User):
    """The ids of 我的楼栋, as a subquery: in the community's open rounds, the buildings given
    to this volunteer, and those of their grid that nobody in particular has."""
    mine = select(RoundBuilding.id).join(Round, col(Round.id) == RoundBuilding.round_id)
    mine = mine.where(Round.community_id == actor.community_id, col(Round.closed_at).is_(None))
    if actor.role == Role.VOLUNTEER:
        grid_buildings = select(Building.id).where(Building.grid_id == (actor.grid_id or -1))
        mine = mine.where(
            or_(
                col(RoundBuilding.assignee_id) == actor.id,
                col(RoundBuilding.team_id).in_(team_ids_of(actor.id)),
                col(RoundBuilding.assignee_id).is_(None)
                & col(RoundBuilding.team_id).is_(None)
                & col(RoundBuilding.building_id).in_(grid_buildings),
            )
        )
    else:
        mine = mine.where(RoundBuilding.assignee_id == actor.id)
    return mine


def _my_places(session: Session, mine) -> Sequence[tuple[RoundBuilding, str, str, str]]:
    """(round building, round name, building number, compound name) of each of my buildings."""
    return session.exec(
        select(RoundBuilding, Round.name, Building.number, Compound.name)
        .join(Round, col(Round.id) == RoundBuilding.round_id)
        .join(Building, col(Building.id) == RoundBuilding.building_id)
        .join(Compound, col(Compound.id) == Building.compound_id)
        .where(col(RoundBuilding.id).in_(mine))
        .order_by(col(RoundBuilding.id))
    ).all()


def _start_quarantine(
    session: Session,
    actor: User,
    rules: Rules,
    residents: list[Resident],
    reason: str,
) -> list[Resident]:
    """A 14-day (or as the rules say) plan for each of them who has none running; those
    started. One query and one insert however many people a door has."""
    if not residents:
        return []
    running = set(
        session.exec(
            select(QuarantinePlan.resident_id).where(
                col(QuarantinePlan.resident_id).in_([r.id for r in residents]),
                QuarantinePlan.status == PlanStatus.ACTIVE,
            )
        )
    )
    starting = list({r.id: r for r in residents if r.id not in running}.values())
    if starting:
        plans = [
            QuarantinePlan(
                resident_id=saved_id(r),
                household_id=r.household_id,
                community_id=r.community_id,
                reason=reason[:100],
                starts_on=today_local(),
                days=rules.quarantine_days,
                created_by=saved_id(actor),
            )
            for r in starting
        ]
        session.execute(insert(QuarantinePlan), [p.model_dump(exclude={"id"}) for p in plans])
    return starting


def _repeat(session: Session, model, client_id: str):
    return session.exec(select(model).where(model.client_id == client_id)).first()
