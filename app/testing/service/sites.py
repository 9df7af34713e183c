"""Sampling sites (采样点) of a round, their hours and capacity, and the time slots that send
each building's people to one of them ("3栋 08:00–08:30") so no crowd forms."""

from dataclasses import dataclass
from datetime import time

from pydantic import BaseModel, field_validator, model_validator
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.accounts.service import require_role
from app.community.models import Building, Compound, Household, Resident
from app.community.service import natural_key
from app.db import saved_id
from app.errors import InvalidInput, RowId, parse
from app.fields import text
from app.testing.models import SamplingSite, SiteSlot

from ._common import FIELD_ROLES, PLAN_ROLES, READ_ROLES, _get, _in_round, _round


class SiteInput(BaseModel):
    name: str
    place: str = ""
    opens: time
    closes: time
    capacity: int  # people an hour

    _name = field_validator("name")(text(40))
    _place = field_validator("place")(text(100))

    @model_validator(mode="after")
    def _check(self):
        errors = {}
        if not self.name:
            errors["name"] = "errors.missing"
        if self.closes <= self.opens:
            errors["closes"] = "errors.ends_before_start"
        if not 1 <= self.capacity <= 5000:
            errors["capacity"] = "errors.capacity_out_of_range"
        if errors:
            raise InvalidInput(errors)
        return self


class SlotInput(BaseModel):
    building_id: RowId
    starts: time
    ends: time

    @model_validator(mode="after")
    def _check(self):
        if self.ends <= self.starts:
            raise InvalidInput({"ends": "errors.ends_before_start"})
        return self


@dataclass(frozen=True)
class SlotView:
    id: int
    building_id: int
    building: str  # compound and building number: 望江花园 3
    starts: str
    ends: str
    people: int  # due in the building


@dataclass(frozen=True)
class SiteView:
    id: int
    name: str
    place: str
    opens: str
    closes: str
    capacity: int
    slots: list[SlotView]


def add_site(session: Session, actor: User | None, round_id: int, data: dict) -> SamplingSite:
    actor = require_role(actor, *PLAN_ROLES)
    testing_round = _round(session, actor, round_id, open_=True)
    values = parse(SiteInput, data)
    site = SamplingSite(round_id=saved_id(testing_round), **values.model_dump())
    session.add(site)
    session.commit()
    return site


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _due(session: Session, building_ids: list[int]) -> dict[int, int]:
    """People living in each building (moved-out excluded)."""
    if not building_ids:
        return {}
    return dict(
        session.exec(
            select(Household.building_id, func.count())
            .join(Resident, col(Resident.household_id) == Household.id)
            .where(col(Household.building_id).in_(building_ids), col(Resident.moved_out).is_(None))
            .group_by(col(Household.building_id))
        ).all()
    )


def add_slot(session: Session, actor: User | None, site_id: int, data: dict) -> SiteSlot:
    """A building's time at a site: inside the site's hours, and the people expected in that
    window (this building's and those of overlapping slots) within the site's capacity."""
    actor = require_role(actor, *PLAN_ROLES)
    site: SamplingSite = _get(session, SamplingSite, site_id)
    testing_round = _round(session, actor, site.round_id, open_=True)
    values = parse(SlotInput, data)
    building = session.get(Building, values.building_id)
    if building is None or not _in_round(session, testing_round, building.compound_id):
        raise InvalidInput({"building_id": "errors.not_in_round"})
    if values.starts < site.opens or values.ends > site.closes:
        raise InvalidInput({"starts": "errors.slot_outside_hours"})
    overlapping = session.exec(
        select(SiteSlot.building_id).where(
            SiteSlot.site_id == site_id,
            col(SiteSlot.starts) < values.ends,
            col(SiteSlot.ends) > values.starts,
        )
    ).all()
    due = _due(session, [*overlapping, values.building_id])
    expected = sum(due.values())
    room = site.capacity * (_minutes(values.ends) - _minutes(values.starts)) // 60
    if expected > room:
        raise InvalidInput({"ends": "errors.slot_over_capacity"}, {"ends": {"count": expected}})
    slot = SiteSlot(
        round_id=saved_id(testing_round),
        site_id=site_id,
        building_id=values.building_id,
        starts=values.starts,
        ends=values.ends,
    )
    session.add(slot)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidInput({"building_id": "errors.slot_taken"}) from None
    return slot


def sites(session: Session, actor: User | None, round_id: int) -> list[SiteView]:
    """The round's sites with their slots, for the samplers choosing theirs and for staff."""
    actor = require_role(actor, *FIELD_ROLES, *READ_ROLES)
    _round(session, actor, round_id, open_=False)
    found = session.exec(
        select(SamplingSite).where(SamplingSite.round_id == round_id).order_by(col(SamplingSite.id))
    ).all()
    rows = session.exec(
        select(SiteSlot, Building.number, Compound.name)
        .join(Building, col(Building.id) == SiteSlot.building_id)
        .join(Compound, col(Compound.id) == Building.compound_id)
        .where(SiteSlot.round_id == round_id)
    ).all()
    due = _due(session, [slot.building_id for slot, _, _ in rows])
    by_site: dict[int, list[SlotView]] = {}
    for slot, number, compound in sorted(
        rows, key=lambda r: (r[0].starts, natural_key(r[2]), natural_key(r[1]))
    ):
        by_site.setdefault(slot.site_id, []).append(
            SlotView(
                id=saved_id(slot),
                building_id=slot.building_id,
                building=f"{compound} {number}",
                starts=_hhmm(slot.starts),
                ends=_hhmm(slot.ends),
                people=due.get(slot.building_id, 0),
            )
        )
    return [
        SiteView(
            id=saved_id(s),
            name=s.name,
            place=s.place,
            opens=_hhmm(s.opens),
            closes=_hhmm(s.closes),
            capacity=s.capacity,
            slots=by_site.get(saved_id(s), []),
        )
        for s in found
    ]


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def slot_text(starts: time, ends: time) -> str:
    return f"{_hhmm(starts)}–{_hhmm(ends)}"
