"""Households: finding them (by name, number or door) and the household file (一户一档)."""

import re
import unicodedata
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.accounts.service import require_role
from app.community.models import CARE_FLAGS, Building, Compound, Grid, Household, Resident
from app.db import saved_id

from ._common import FIELD_ROLES, REVEAL_ROLES, STAFF_ROLES
from .scope import (
    age_today,
    household_for,
    households_in_scope,
    mask_id_number,
    mask_mobile,
    people_in_scope,
)

SEARCH_LIMIT = 20


# ---------------------------------------------------------------- search


@dataclass(frozen=True)
class SearchHit:
    household_id: int
    address: str
    name: str  # the person found, or the household's members
    detail: str  # masked mobile, or relation


_DOOR = re.compile(
    r"^\s*(?P<hint>[^\d]*?)\s*(?P<b>\d+)\s*(?:-|栋|号楼|幢|#)\s*(?P<u>\d+)?\s*"
    r"(?:-|单元)?\s*(?P<d>\d+)?\s*(?:室|号)?\s*$"
)


def _starts_with(session: Session, column, prefix: str):
    """An index-friendly prefix match: GLOB on SQLite, LIKE on PostgreSQL (text_pattern_ops)."""
    if session.get_bind().dialect.name == "sqlite":
        escaped = re.sub(r"([\[\]*?])", r"[\1]", prefix)
        return column.op("GLOB")(escaped + "*")
    escaped = re.sub(r"([\\%_])", r"\\\1", prefix)
    return column.like(escaped + "%", escape="\\")


def search(
    session: Session, actor: User | None, text: str, limit: int = SEARCH_LIMIT
) -> list[SearchHit]:
    """Find households and people by name, mobile (or its last four digits), ID number, or
    building-unit-door ("3-2-501", "望江花园 3栋2单元"). Only what the actor may see."""
    actor = require_role(actor, *FIELD_ROLES)
    text = unicodedata.normalize("NFKC", text).strip()  # digits typed full-width too
    if not text:
        return []
    people = select(Resident.name, Resident.mobile, Household.id, Household.address).join(
        Household, col(Household.id) == Resident.household_id
    )
    people = people_in_scope(session, actor, people)
    doors = households_in_scope(session, actor, select(Household.id, Household.address))

    plain = text.replace(" ", "")
    door = _DOOR.match(text)
    if plain.isdigit() and len(plain) == 11:
        queries = [people.where(Resident.mobile == plain)]
    elif re.fullmatch(r"[0-9]{17}[0-9Xx]", plain):
        queries = [people.where(Resident.id_number == plain.upper())]
    elif plain.isdigit() and len(plain) == 4:
        queries = [
            people.where(Resident.mobile_tail == plain),
            doors.where(Household.door == plain),
        ]
    elif plain.isdigit():
        queries = [doors.where(Household.door == plain)]
    elif door and (door["u"] or door["d"] or "-" in text or "栋" in text):
        key = "-".join(p for p in (door["b"], door["u"], door["d"]) if p)
        query = doors.where(_starts_with(session, Household.door_key, key))
        if door["hint"]:
            query = query.join(Compound, col(Compound.id) == Household.compound_id).where(
                col(Compound.name).contains(door["hint"])
            )
        queries = [query]
    else:
        queries = [people.where(_starts_with(session, Resident.name, plain))]

    hits: list[SearchHit] = []
    for query in queries:
        for row in session.exec(query.limit(limit)).all():
            if len(row) == 4:
                name, mobile, household_id, address = row
                hits.append(SearchHit(saved_id(household_id), address, name, mask_mobile(mobile)))
            else:
                hits.append(SearchHit(saved_id(row[0]), row[1], "", ""))
    hits = hits[:limit]
    _fill_members(session, hits)
    return hits


def _fill_members(session: Session, hits: list[SearchHit]) -> None:
    """Door hits show who lives there (first names, in register order)."""
    empty = [i for i, h in enumerate(hits) if not h.name]
    if not empty:
        return
    ids = [hits[i].household_id for i in empty]
    names: dict[int, list[str]] = {}
    for household_id, name in session.exec(
        select(Resident.household_id, Resident.name)
        .where(col(Resident.household_id).in_(ids), col(Resident.moved_out).is_(None))
        .order_by(col(Resident.id))
    ):
        names.setdefault(household_id, []).append(name)
    for i in empty:
        members = names.get(hits[i].household_id, [])
        label = "、".join(members[:3]) + ("…" if len(members) > 3 else "")
        hits[i] = SearchHit(hits[i].household_id, hits[i].address, label, str(len(members)))


# ---------------------------------------------------------------- the household file


@dataclass(frozen=True)
class MemberView:
    id: int
    name: str
    sex: str
    birth_date: str
    age: int | None
    relation: str
    residency: str
    mobile: str
    id_number: str
    moved_in: str
    moved_out: str
    flags: list[str]


@dataclass(frozen=True)
class HouseholdFile:
    id: int
    address: str
    compound: str
    grid: str
    note: str
    members: list[MemberView]
    can_edit: bool
    can_reveal: list[str] = field(default_factory=list)  # "mobile", "id_number"


def household_file(session: Session, actor: User | None, household_id: int) -> HouseholdFile:
    """一户一档: the household, its members and their flags. Numbers are masked unless the
    viewer is of the family; full numbers are shown one at a time with `reveal`."""
    actor, household = household_for(session, actor, household_id, edit=False)
    own = actor.role == Role.RESIDENT
    compound = session.get_one(Compound, household.compound_id)
    building = session.get_one(Building, household.building_id)
    grid = session.get(Grid, building.grid_id) if building.grid_id else None
    residents = session.exec(
        select(Resident).where(Resident.household_id == household.id).order_by(col(Resident.id))
    ).all()
    members = [
        MemberView(
            id=saved_id(r),
            name=r.name,
            sex=r.sex.value,
            birth_date=r.birth_date.isoformat() if r.birth_date else "",
            age=age_today(r.birth_date),
            relation=r.relation,
            residency=r.residency.value,
            mobile=r.mobile if own else mask_mobile(r.mobile),
            id_number=r.id_number if own else mask_id_number(r.id_number),
            moved_in=r.moved_in.isoformat() if r.moved_in else "",
            moved_out=r.moved_out.isoformat() if r.moved_out else "",
            flags=[f for f in CARE_FLAGS if getattr(r, f)],
        )
        for r in residents
    ]
    return HouseholdFile(
        id=saved_id(household),
        address=household.address,
        compound=compound.name,
        grid=grid.name if grid else "",
        note=household.note,
        members=members,
        can_edit=actor.role in (Role.RESIDENT, *STAFF_ROLES),
        can_reveal=[] if own else [k for k, roles in REVEAL_ROLES.items() if actor.role in roles],
    )
