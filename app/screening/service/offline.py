"""The field package a phone keeps for a day without signal, and its cheap fingerprint for
sync."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.service import require_role
from app.community.models import CARE_FLAGS, Household, Resident
from app.community.service import age_today
from app.db import saved_id
from app.screening.models import RoundBuilding, RoundDoor
from app.timeutil import today_local, utcnow

from ._common import FIELD_ROLES, _my_places, _my_round_buildings
from .coverage import my_buildings
from .quarantine import PlanView, quarantine_plans


@dataclass(frozen=True)
class OfflineMember:
    resident_id: int
    name: str
    sex: str
    age: int | None
    relation: str
    care: list[str]


@dataclass(frozen=True)
class OfflineDoor:
    household_id: int
    unit: str
    door: str
    address: str
    outcome: str
    members: list[OfflineMember]


@dataclass(frozen=True)
class OfflineBuilding:
    round_id: int
    round_name: str
    building_id: int
    name: str
    doors: list[OfflineDoor]


@dataclass(frozen=True)
class OfflinePackage:
    """What a phone keeps for a day without signal: only the buildings the volunteer covers,
    their doors and people, and the quarantine checks due in their scope."""

    user_name: str
    downloaded_at: str
    buildings: list[OfflineBuilding]
    plans: list[PlanView]


def offline_package(session: Session, actor: User | None) -> OfflinePackage:
    actor = require_role(actor, *FIELD_ROLES)
    buildings = my_buildings(session, actor)
    household_ids = [d.household_id for b in buildings for d in b.doors]
    people: dict[int, list[OfflineMember]] = defaultdict(list)
    addresses: dict[int, str] = {}
    if household_ids:
        for resident in session.exec(
            select(Resident)
            .where(col(Resident.household_id).in_(household_ids), col(Resident.moved_out).is_(None))
            .order_by(col(Resident.id))
        ).all():
            people[resident.household_id].append(
                OfflineMember(
                    saved_id(resident),
                    resident.name,
                    resident.sex.value,
                    age_today(resident.birth_date),
                    resident.relation,
                    [flag for flag in CARE_FLAGS if getattr(resident, flag)],
                )
            )
        addresses = {
            saved_id(hid): address
            for hid, address in session.exec(
                select(Household.id, Household.address).where(col(Household.id).in_(household_ids))
            ).all()
        }
    return OfflinePackage(
        user_name=actor.name,
        downloaded_at=utcnow().isoformat(),
        buildings=[
            OfflineBuilding(
                b.round_id,
                b.round_name,
                b.building_id,
                b.name,
                [
                    OfflineDoor(
                        d.household_id,
                        d.unit,
                        d.door,
                        addresses[d.household_id],
                        d.outcome,
                        people[d.household_id],
                    )
                    for d in b.doors
                ],
            )
            for b in buildings
        ],
        plans=quarantine_plans(session, actor),
    )


@dataclass(frozen=True)
class OfflineChanges:
    """The part of the package that changes all day: the state of each visited door and the
    quarantine checks. A phone whose package is otherwise current downloads only this."""

    downloaded_at: str
    doors: list[tuple[int, int, str]]  # (round, household, outcome); a door not listed is unvisited
    plans: list[PlanView]


@dataclass(frozen=True)
class OfflineVersion:
    """A cheap fingerprint of a volunteer's package, made from counts and last-change stamps
    instead of the package: `base` covers the buildings, doors and people, `live` the door
    states and quarantine checks (what `OfflineChanges` carries)."""

    base: str
    live: str


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def offline_version(session: Session, actor: User | None) -> tuple[OfflineVersion, OfflineChanges]:
    actor = require_role(actor, *FIELD_ROLES)
    mine = _my_round_buildings(actor)
    places = [
        (rb.id, rb.round_id, rb.building_id, round_name, number, compound_name)
        for rb, round_name, number, compound_name in _my_places(session, mine)
    ]
    building_ids = sorted({building_id for _, _, building_id, *_ in places})
    in_buildings = select(Household.id).where(col(Household.building_id).in_(building_ids))
    households = session.exec(
        select(func.count(), func.max(Household.id), func.max(Household.updated_at)).where(
            col(Household.building_id).in_(building_ids)
        )
    ).one()
    residents = session.exec(
        select(func.count(), func.max(Resident.id), func.max(Resident.updated_at)).where(
            col(Resident.household_id).in_(in_buildings), col(Resident.moved_out).is_(None)
        )
    ).one()
    doors = [
        (round_id, household_id, str(outcome))
        for round_id, household_id, outcome in session.exec(
            select(RoundDoor.round_id, RoundDoor.household_id, RoundDoor.outcome)
            .join(
                RoundBuilding,
                (col(RoundBuilding.round_id) == RoundDoor.round_id)
                & (col(RoundBuilding.building_id) == RoundDoor.building_id),
            )
            .where(col(RoundBuilding.id).in_(mine))
            .order_by(col(RoundDoor.round_id), col(RoundDoor.household_id))
        ).all()
    ]
    plans = quarantine_plans(session, actor)
    # Ages in the package count from today.
    base = (actor.id, actor.name, actor.locale, today_local(), places, households, residents)
    return (
        OfflineVersion(base=_fingerprint(*base), live=_fingerprint(doors, plans)),
        OfflineChanges(downloaded_at=utcnow().isoformat(), doors=doors, plans=plans),
    )
