"""The people register (人员情况摸底表): places, households, residents, search, privacy.

Who sees what: staff their community, street staff their street, admins everything,
volunteers the households of their grid's buildings, residents their own household."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Row
from sqlmodel import Session, col, select

from app.accounts.models import AuditEntry, Role, User
from app.accounts.service import MOBILE_PATTERN, plain_number, require_community, require_role
from app.community.models import (
    CARE_FLAGS,
    Building,
    Community,
    Compound,
    Grid,
    Household,
    Residency,
    Resident,
    Sex,
    Street,
    Unit,
)
from app.db import saved_id
from app.errors import Forbidden, InvalidInput, ServiceError, parse
from app.timeutil import to_local, today_local, utcnow

STAFF_ROLES = (Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
FIELD_ROLES = (Role.VOLUNTEER, *STAFF_ROLES)
# Whose work needs the full number (each reveal is audited): volunteers call households.
REVEAL_ROLES = {"mobile": FIELD_ROLES, "id_number": STAFF_ROLES}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CODES = "10X98765432"
SEARCH_LIMIT = 20


# ---------------------------------------------------------------- privacy


def mask_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else mobile


def mask_id_number(number: str) -> str:
    return f"{number[:4]}{'*' * 10}{number[-4:]}" if len(number) == 18 else number


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

    @field_validator("name", "relation")
    @classmethod
    def _strip(cls, value: str, info) -> str:
        value = value.strip()
        if info.field_name == "name" and not value:
            raise PydanticCustomError("missing", "required")
        limit = {"name": 30, "relation": 20}[info.field_name]
        if len(value) > limit:
            raise PydanticCustomError("too_long", "at most {max}", {"max": limit})
        return value

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str) -> str:
        value = plain_number(value)
        if value and not MOBILE_PATTERN.match(value):
            raise PydanticCustomError("mobile_invalid", "invalid mobile")
        return value

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


def _at_most(value: str, limit: int) -> str:
    if len(value) > limit:
        raise PydanticCustomError("too_long", "at most {max}", {"max": limit})
    return value


class PlaceInput(BaseModel):
    name: str
    address: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("missing", "required")
        return _at_most(value.strip(), 30)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        return _at_most(value.strip(), 60)


class BuildingInput(BaseModel):
    """A building with its stairwells and doors laid out: floors × doors per floor per unit."""

    compound_id: int
    number: str
    units: int = 1
    floors: int = 6
    doors_per_floor: int = 2

    @field_validator("number")
    @classmethod
    def _number(cls, value: str) -> str:
        value = value.strip().removesuffix("栋").removesuffix("号楼")
        if not re.fullmatch(r"[0-9A-Za-z]{1,10}", value):
            raise PydanticCustomError("building_number_invalid", "invalid")
        return value

    @field_validator("units", "floors", "doors_per_floor")
    @classmethod
    def _count(cls, value: int, info) -> int:
        top = {"units": 12, "floors": 60, "doors_per_floor": 12}[info.field_name]
        if not 1 <= value <= top:
            raise PydanticCustomError("count_out_of_range", "out of range")
        return value


class GridInput(BaseModel):
    name: str
    worker_name: str = ""
    worker_mobile: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("missing", "required")
        return _at_most(value.strip(), 30)

    @field_validator("worker_name")
    @classmethod
    def _worker_name(cls, value: str) -> str:
        return _at_most(value.strip(), 30)

    @field_validator("worker_mobile")
    @classmethod
    def _mobile(cls, value: str) -> str:
        value = plain_number(value)
        if value and not MOBILE_PATTERN.match(value):
            raise PydanticCustomError("mobile_invalid", "invalid mobile")
        return value


# ---------------------------------------------------------------- scope


def _community_ids(session: Session, actor: User) -> list[int] | None:
    """The communities an office role oversees; None means all (admin)."""
    if actor.role == Role.ADMIN:
        return None
    if actor.role == Role.STREET_STAFF:
        query = select(Community.id).where(Community.street_id == actor.street_id)
        return [saved_id(cid) for cid in session.exec(query)]
    return [actor.community_id] if actor.community_id is not None else []


def households_in_scope(session: Session, actor: User, query):
    """Limit a query over Household to what the actor may see."""
    if actor.role == Role.RESIDENT:
        return query.where(Household.id == (actor.household_id or -1))
    if actor.role == Role.VOLUNTEER:
        grid_buildings = select(Building.id).where(Building.grid_id == (actor.grid_id or -1))
        return query.where(
            Household.community_id == actor.community_id,
            col(Household.building_id).in_(grid_buildings),
        )
    ids = _community_ids(session, actor)
    return query if ids is None else query.where(col(Household.community_id).in_(ids))


def people_in_scope(session: Session, actor: User, query):
    """Limit a query over Resident (joined to Household) to what the actor may see; filtering
    on the resident's own community lets the (community, name/mobile) indexes do the work."""
    if actor.role == Role.VOLUNTEER:
        return households_in_scope(session, actor, query).where(
            Resident.community_id == actor.community_id
        )
    if actor.role == Role.RESIDENT:
        return households_in_scope(session, actor, query)
    ids = _community_ids(session, actor)
    return query if ids is None else query.where(col(Resident.community_id).in_(ids))


def _household(
    session: Session, actor: User | None, household_id: int, *, edit: bool
) -> tuple[User, Household]:
    """The logged-in actor and a household they may see (and, with edit, change); refused
    otherwise."""
    roles = (Role.RESIDENT, *STAFF_ROLES) if edit else (Role.RESIDENT, *FIELD_ROLES)
    actor = require_role(actor, *roles)
    found = session.exec(
        households_in_scope(session, actor, select(Household)).where(Household.id == household_id)
    ).first()
    if found is None:
        if session.get(Household, household_id) is None:
            raise ServiceError("errors.not_found")
        raise Forbidden()
    return actor, found


def audit(
    session: Session,
    actor: User,
    community_id: int | None,
    action: str,
    subject: str,
    detail: str = "",
) -> None:
    session.add(
        AuditEntry(
            actor_id=saved_id(actor),
            community_id=community_id,
            action=action,
            subject=subject,
            detail=detail[:200],
        )
    )


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


def natural_key(text: str) -> tuple:
    """Sorts place names as people count: '2栋' before '10栋', '3-2-501' before '3-10-101'."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text))


def age_today(born: date | None) -> int | None:
    if born is None:
        return None
    today = today_local()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def household_file(session: Session, actor: User | None, household_id: int) -> HouseholdFile:
    """一户一档: the household, its members and their flags. Numbers are masked unless the
    viewer is of the family; full numbers are shown one at a time with `reveal`."""
    actor, household = _household(session, actor, household_id, edit=False)
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


def reveal(session: Session, actor: User | None, resident_id: int, what: str) -> str:
    """The full mobile or ID number of one person, written to the audit log."""
    if what not in REVEAL_ROLES:
        raise InvalidInput({"what": "errors.invalid_input"})
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise ServiceError("errors.not_found")
    actor = require_role(actor, *REVEAL_ROLES[what])
    _household(session, actor, resident.household_id, edit=False)
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
    actor, household = _household(session, actor, household_id, edit=True)
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
    actor, _ = _household(session, actor, resident.household_id, edit=True)
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


# ---------------------------------------------------------------- places and grids


@dataclass(frozen=True)
class BuildingNode:
    id: int
    number: str
    grid_id: int | None
    units: int
    households: int


@dataclass(frozen=True)
class CompoundNode:
    id: int
    name: str
    address: str
    buildings: list[BuildingNode]

    @property
    def households(self) -> int:
        return sum(b.households for b in self.buildings)


@dataclass(frozen=True)
class GridView:
    id: int
    name: str
    worker_name: str
    worker_mobile: str
    buildings: int
    households: int
    volunteers: int


def _require_staff(session: Session, actor: User | None, community_id: int) -> User:
    actor = require_role(actor, *STAFF_ROLES)
    require_community(session, actor, community_id)
    return actor


def places(session: Session, actor: User | None, community_id: int) -> list[CompoundNode]:
    """Compounds with their buildings, unit and household counts, and grids."""
    _require_staff(session, actor, community_id)
    units = dict(
        session.exec(
            select(Unit.building_id, func.count())
            .join(Building, col(Building.id) == Unit.building_id)
            .join(Compound, col(Compound.id) == Building.compound_id)
            .where(Compound.community_id == community_id)
            .group_by(col(Unit.building_id))
        ).all()
    )
    doors = dict(
        session.exec(
            select(Household.building_id, func.count())
            .where(Household.community_id == community_id)
            .group_by(col(Household.building_id))
        ).all()
    )
    buildings: dict[int, list[BuildingNode]] = {}
    for b in session.exec(
        select(Building)
        .join(Compound, col(Compound.id) == Building.compound_id)
        .where(Compound.community_id == community_id)
    ):
        buildings.setdefault(b.compound_id, []).append(
            BuildingNode(
                saved_id(b),
                b.number,
                b.grid_id,
                units.get(saved_id(b), 0),
                doors.get(saved_id(b), 0),
            )
        )
    for nodes in buildings.values():
        nodes.sort(key=lambda n: (len(n.number), n.number))
    return [
        CompoundNode(saved_id(c), c.name, c.address, buildings.get(saved_id(c), []))
        for c in session.exec(
            select(Compound).where(Compound.community_id == community_id).order_by(col(Compound.id))
        )
    ]


def grids(session: Session, actor: User | None, community_id: int) -> list[GridView]:
    _require_staff(session, actor, community_id)
    building_counts = dict(
        session.exec(
            select(Building.grid_id, func.count())
            .where(col(Building.grid_id).is_not(None))
            .group_by(col(Building.grid_id))
        ).all()
    )
    door_counts = dict(
        session.exec(
            select(Building.grid_id, func.count())
            .join(Household, col(Household.building_id) == Building.id)
            .where(Household.community_id == community_id)
            .group_by(col(Building.grid_id))
        ).all()
    )
    volunteer_counts = dict(
        session.exec(
            select(User.grid_id, func.count())
            .where(User.community_id == community_id, User.role == Role.VOLUNTEER, User.is_active)
            .group_by(col(User.grid_id))
        ).all()
    )
    return [
        GridView(
            saved_id(g),
            g.name,
            g.worker_name,
            mask_mobile(g.worker_mobile),
            building_counts.get(g.id, 0),
            door_counts.get(g.id, 0),
            volunteer_counts.get(g.id, 0),
        )
        for g in session.exec(
            select(Grid).where(Grid.community_id == community_id).order_by(col(Grid.id))
        )
    ]


def add_compound(session: Session, actor: User | None, community_id: int, data: dict) -> Compound:
    _require_staff(session, actor, community_id)
    place = parse(PlaceInput, data)
    taken = session.exec(
        select(Compound.id).where(
            Compound.community_id == community_id, Compound.name == place.name
        )
    ).first()
    if taken is not None:
        raise InvalidInput({"name": "errors.name_taken"})
    compound = Compound(community_id=community_id, name=place.name, address=place.address)
    session.add(compound)
    session.commit()
    return compound


def add_building(session: Session, actor: User | None, data: dict) -> Building:
    """A building with all its doors, so volunteers can walk it unit by unit, floor by floor."""
    spec = parse(BuildingInput, data)
    compound = session.get(Compound, spec.compound_id)
    if compound is None:
        raise InvalidInput({"compound_id": "errors.missing"})
    _require_staff(session, actor, compound.community_id)
    taken = session.exec(
        select(Building.id).where(
            Building.compound_id == compound.id, Building.number == spec.number
        )
    ).first()
    if taken is not None:
        raise InvalidInput({"number": "errors.building_exists"})
    building = Building(compound_id=saved_id(compound), number=spec.number)
    session.add(building)
    session.flush()
    for u in range(1, spec.units + 1):
        unit = Unit(building_id=saved_id(building), number=str(u))
        session.add(unit)
        session.flush()
        for floor in range(1, spec.floors + 1):
            for d in range(1, spec.doors_per_floor + 1):
                door = f"{floor}{d:02d}"
                session.add(new_household(compound, building, unit, door))
    session.commit()
    return building


def new_household(compound: Compound, building: Building, unit: Unit, door: str) -> Household:
    key = f"{building.number}-{unit.number}-{door}"
    return Household(
        unit_id=saved_id(unit),
        building_id=saved_id(building),
        compound_id=saved_id(compound),
        community_id=compound.community_id,
        door=door,
        door_key=key,
        address=f"{compound.name} {key}",
    )


def add_grid(session: Session, actor: User | None, community_id: int, data: dict) -> Grid:
    _require_staff(session, actor, community_id)
    spec = parse(GridInput, data)
    taken = session.exec(
        select(Grid.id).where(Grid.community_id == community_id, Grid.name == spec.name)
    ).first()
    if taken is not None:
        raise InvalidInput({"name": "errors.name_taken"})
    grid = Grid(community_id=community_id, **spec.model_dump())
    session.add(grid)
    session.commit()
    return grid


def check_grid(session: Session, grid_id: int | None, community_id: int) -> None:
    """None (no grid) or a grid of that community."""
    if grid_id is None:
        return
    grid = session.get(Grid, grid_id)
    if grid is None or grid.community_id != community_id:
        raise InvalidInput({"grid_id": "errors.grid_other_community"})


def assign_building(
    session: Session, actor: User | None, building_id: int, grid_id: int | None
) -> Building:
    """Put a building in a grid (or take it out with None)."""
    building = session.get(Building, building_id)
    if building is None:
        raise ServiceError("errors.not_found")
    community_id = session.get_one(Compound, building.compound_id).community_id
    _require_staff(session, actor, community_id)
    check_grid(session, grid_id, community_id)
    building.grid_id = grid_id
    session.add(building)
    session.commit()
    return building


@dataclass(frozen=True)
class VolunteerView:
    id: int
    name: str
    mobile: str
    grid_id: int | None


def grid_volunteers(session: Session, actor: User | None, community_id: int) -> list[VolunteerView]:
    """The community's active volunteers and the grid each works in."""
    _require_staff(session, actor, community_id)
    rows = session.exec(
        select(User)
        .where(User.community_id == community_id, User.role == Role.VOLUNTEER, User.is_active)
        .order_by(User.name)
    )
    return [VolunteerView(saved_id(u), u.name, mask_mobile(u.mobile), u.grid_id) for u in rows]


def assign_volunteer_grid(
    session: Session, actor: User | None, user_id: int, grid_id: int | None
) -> User:
    """A volunteer works in one grid and sees its households."""
    volunteer = session.get(User, user_id)
    # A volunteer always belongs to the community that approved them.
    if volunteer is None or volunteer.role != Role.VOLUNTEER or volunteer.community_id is None:
        raise ServiceError("errors.not_found")
    _require_staff(session, actor, volunteer.community_id)
    check_grid(session, grid_id, volunteer.community_id)
    volunteer.grid_id = grid_id
    session.add(volunteer)
    session.commit()
    return volunteer


# ---------------------------------------------------------------- audit log


@dataclass(frozen=True)
class AuditRow:
    at: str
    actor: str
    action: str
    subject: str
    detail: str


def audit_log(
    session: Session, actor: User | None, community_id: int, offset: int = 0, limit: int = 50
) -> list[AuditRow]:
    """Who saw or changed personal data in a community, newest first."""
    _require_staff(session, actor, community_id)
    rows = session.exec(
        select(AuditEntry, User.name)
        .join(User, col(User.id) == AuditEntry.actor_id)
        .where(AuditEntry.community_id == community_id)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        AuditRow(to_local(e.at).strftime("%Y-%m-%d %H:%M:%S"), name, e.action, e.subject, e.detail)
        for e, name in rows
    ]


# ---------------------------------------------------------------- overview


@dataclass(frozen=True)
class CommunityCounts:
    community_id: int
    name: str
    compounds: int
    households: int
    residents: int
    volunteers: int
    staff: int


def list_communities(session: Session) -> list[tuple[int, str]]:
    """Public: the communities a new resident can choose from when registering."""
    rows = session.exec(
        select(Community.id, Street.name, Community.name)
        .join(Street, col(Street.id) == Community.street_id)
        .order_by(Street.name, Community.name)
    ).all()
    return [(saved_id(cid), f"{street} · {name}") for cid, street, name in rows]


def place_name(session: Session, user: User) -> str:
    """The community (or street) a user belongs to, for headers and profiles."""
    if user.community_id is not None:
        community = session.get(Community, user.community_id)
        return community.name if community else ""
    if user.street_id is not None:
        street = session.get(Street, user.street_id)
        return street.name if street else ""
    return ""


def community_counts(session: Session, actor: User | None, community_id: int) -> CommunityCounts:
    actor = require_role(actor, *FIELD_ROLES)
    require_community(session, actor, community_id)

    # One round trip: home pages load this on every visit.
    def count(model, *where):
        return (
            select(func.count())
            .select_from(model)
            .where(model.community_id == community_id, *where)
            .scalar_subquery()
        )

    def users(role: Role):
        return count(User, User.role == role, col(User.is_active))

    # Six columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own.
    row: Row[str, int, int, int, int, int] | None = session.execute(
        sa_select(
            col(Community.name),
            count(Compound),
            count(Household),
            count(Resident, col(Resident.moved_out).is_(None)),
            users(Role.VOLUNTEER),
            users(Role.STAFF),
        ).where(col(Community.id) == community_id)
    ).first()
    if row is None:
        raise ServiceError("errors.not_found")
    return CommunityCounts(community_id, *row)


def street_overview(session: Session, actor: User | None) -> list[CommunityCounts]:
    """Counts for every community the actor oversees (street staff: their street; admin: all)."""
    actor = require_role(actor, Role.STREET_STAFF, Role.ADMIN)
    ids = _community_ids(session, actor)
    query = select(Community.id).order_by(col(Community.id))
    if ids is not None:
        query = query.where(col(Community.id).in_(ids))
    return [community_counts(session, actor, saved_id(cid)) for cid in session.exec(query).all()]
