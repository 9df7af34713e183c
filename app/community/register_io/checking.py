"""Checking a file against the register without writing: every row's place and person, who
is already registered, and every problem with its row, column and reason."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.community.models import Building, Compound, Household, Resident, Unit
from app.community.service import ResidentInput, new_household, require_staff
from app.db import saved_id
from app.errors import InvalidInput, ServiceError, parse

from ._common import PROGRESS_EVERY, Progress, chunks
from .columns import COLUMN_BY_KEY, KEEP_WHEN_BLANK, PERSON_KEYS, PLACE_KEYS, ROSTER_COLUMNS
from .reading import Table
from .values import building_number, cell_value, door_number, place_name, unit_number


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number
    column: str  # the header as the file has it
    value: str
    code: str  # an i18n catalog key
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportPlan:
    rows: int = 0
    households_to_create: int = 0
    residents_to_create: int = 0
    residents_to_update: int = 0
    residents_unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # What import_roster writes: new doors, new people (with the door's key), changed people.
    new_households: dict[tuple[int, str], Household] = field(default_factory=dict, repr=False)
    new_residents: list[tuple[int | tuple[int, str], dict[str, Any]]] = field(
        default_factory=list, repr=False
    )
    updates: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_mapping(table: Table, mapping: dict[str, int | None]) -> dict[str, int]:
    mapped = {k: i for k, i in mapping.items() if k in COLUMN_BY_KEY and i is not None}
    missing = [c.zh for c in ROSTER_COLUMNS if c.required and c.key not in mapped]
    bad = [k for k, i in mapped.items() if not 0 <= i < len(table.headers)]
    if missing or bad:
        names = missing + [COLUMN_BY_KEY[k].zh for k in bad]
        raise ServiceError("errors.columns_missing", columns="、".join(names))
    seen: dict[int, str] = {}
    for key, i in mapped.items():
        if i in seen:
            raise ServiceError("errors.column_mapped_twice", column=table.headers[i])
        seen[i] = key
    return mapped


@dataclass
class _Places:
    compounds: dict[str, Compound]
    buildings: dict[tuple[int, str], Building]  # (compound id, number)
    units: dict[tuple[int, str], Unit]  # (building id, number)
    doors: dict[tuple[int, str], int]  # (unit id, door) → household id
    addresses: dict[int, str]  # household id → address

    @classmethod
    def load(cls, session: Session, community_id: int) -> _Places:
        compounds = list(
            session.exec(select(Compound).where(Compound.community_id == community_id))
        )
        compound_ids = [c.id for c in compounds]
        buildings = list(
            session.exec(select(Building).where(col(Building.compound_id).in_(compound_ids)))
        )
        units = list(
            session.exec(select(Unit).where(col(Unit.building_id).in_([b.id for b in buildings])))
        )
        doors: dict[tuple[int, str], int] = {}
        addresses: dict[int, str] = {}
        for hid, unit_id, door, address in session.exec(
            select(Household.id, Household.unit_id, Household.door, Household.address).where(
                Household.community_id == community_id
            )
        ):
            doors[(unit_id, door)] = saved_id(hid)
            addresses[saved_id(hid)] = address
        return cls(
            {place_name(c.name): c for c in compounds},
            {(b.compound_id, building_number(b.number)): b for b in buildings},
            {(u.building_id, unit_number(u.number)): u for u in units},
            doors,
            addresses,
        )


_RESIDENT_FIELDS = ("id", "household_id", "community_id", *PERSON_KEYS)


def _residents_where(session: Session, column, values: Iterable[Any]) -> list[dict[str, Any]]:
    values = sorted(set(values))
    columns = [getattr(Resident, f) for f in _RESIDENT_FIELDS]
    found: list[dict[str, Any]] = []
    for chunk in chunks(values):
        for row in session.exec(select(*columns).where(col(column).in_(chunk))):
            found.append(dict(zip(_RESIDENT_FIELDS, row, strict=True)))
    return found


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    household: int | tuple[int, str] | None = None  # an id, or (unit id, door) of a new door
    data: dict[str, Any] = field(default_factory=dict)  # the mapped person fields, read
    person: ResidentInput | None = None
    bad: set[str] = field(default_factory=set)  # person fields already reported
    blank: set[str] = field(default_factory=set)  # optional fields left blank


class _Planner:
    def __init__(
        self,
        session: Session,
        community_id: int,
        table: Table,
        mapping: dict[str, int],
    ):
        self.session = session
        self.community_id = community_id
        self.table = table
        self.mapping = mapping
        self.places = _Places.load(session, community_id)
        self.plan = ImportPlan(rows=len(table.rows))
        self._place_cache: dict[tuple[str, str, str], tuple[tuple | None, list]] = {}
        self.new_doors: dict[tuple[int, str], Household] = {}

    # -- errors

    def header(self, key: str) -> str:
        i = self.mapping.get(key)
        return self.table.headers[i] if i is not None else COLUMN_BY_KEY[key].zh

    def error(self, row: _Row, key: str, code: str, /, **params: Any) -> None:
        self.plan.errors.append(
            RowError(row.number, self.header(key), row.cells.get(key, ""), code, params)
        )

    # -- the place

    def _unit(self, compound: str, building: str, unit: str) -> tuple[tuple | None, list]:
        """(compound, building, unit) of the register, or the errors: (key, code, params)."""
        cached = self._place_cache.get((compound, building, unit))
        if cached is not None:
            return cached
        errors: list[tuple[str, str, dict]] = []
        found = None
        c = self.places.compounds.get(place_name(compound))
        if c is None:
            errors.append(("compound", "errors.compound_not_found", {"name": compound}))
        else:
            b = self.places.buildings.get((saved_id(c), building_number(building)))
            if b is None:
                errors.append(
                    (
                        "building",
                        "errors.building_not_found",
                        {"compound": c.name, "name": building},
                    )
                )
            else:
                u = self.places.units.get((saved_id(b), unit_number(unit)))
                if u is None:
                    errors.append(
                        (
                            "unit",
                            "errors.unit_not_found",
                            {"compound": c.name, "building": b.number, "name": unit},
                        )
                    )
                else:
                    found = (c, b, u)
        result = (found, errors)
        self._place_cache[(compound, building, unit)] = result
        return result

    def place(self, row: _Row) -> None:
        missing = False
        for key in PLACE_KEYS:
            if not row.cells[key]:
                self.error(row, key, "errors.missing")
                missing = True
        if missing:
            return
        found, errors = self._unit(row.cells["compound"], row.cells["building"], row.cells["unit"])
        for key, code, params in errors:
            self.error(row, key, code, **params)
        door = door_number(
            row.cells["door"],
            building_number(row.cells["building"]),
            unit_number(row.cells["unit"]),
        )
        if door is None:
            self.error(row, "door", "errors.door_invalid")
        if found is None or door is None:
            return
        compound, building, unit = found
        household = self.places.doors.get((unit.id, door))
        if household is not None:
            row.household = household
            return
        key = (unit.id, door)
        if key not in self.new_doors:
            self.new_doors[key] = new_household(compound, building, unit, door)
        row.household = key

    # -- the person

    def person(self, row: _Row) -> None:
        for key in PERSON_KEYS:
            if key not in self.mapping:
                continue
            if not row.cells[key] and key in KEEP_WHEN_BLANK:
                row.blank.add(key)
                continue
            try:
                row.data[key] = cell_value(key, row.cells[key])
            except ServiceError as exc:
                row.bad.add(key)
                self.error(row, key, exc.code, **exc.params)
        row.person = self.validate(row, row.data)

    def validate(self, row: _Row, data: dict[str, Any]) -> ResidentInput | None:
        try:
            return parse(ResidentInput, data)
        except InvalidInput as exc:
            for name, code in exc.fields.items():
                if name not in row.bad:
                    row.bad.add(name)
                    params = exc.field_params.get(name, {})
                    self.error(row, name if name in COLUMN_BY_KEY else "name", code, **params)
            return None


def plan_import(
    session: Session,
    actor: User | None,
    community_id: int,
    table: Table,
    mapping: dict[str, int | None],
    progress: Progress | None = None,
) -> ImportPlan:
    """Check every row against the register without writing anything: what would be created,
    updated or left as it is, and every error with its row, column and reason."""
    require_staff(session, actor, community_id)
    mapped = check_mapping(table, mapping)
    planner = _Planner(session, community_id, table, mapped)
    plan = planner.plan
    total = len(table.rows)

    rows: list[_Row] = []
    for i, (number, cells) in enumerate(zip(table.row_numbers, table.rows, strict=True)):
        row = _Row(number, {k: cells[idx] for k, idx in mapped.items()})
        planner.place(row)
        planner.person(row)
        rows.append(row)
        if progress is not None and i % PROGRESS_EVERY == 0 and i:
            progress(i, total)

    # Who is already in the register: by ID number anywhere, and at the doors of the file.
    ids = [r.person.id_number for r in rows if r.person and r.person.id_number]
    by_id = {p["id_number"]: p for p in _residents_where(session, Resident.id_number, ids)}
    doors = [r.household for r in rows if isinstance(r.household, int)]
    by_door: dict[tuple[int, str], dict[str, Any]] = {}
    for p in _residents_where(session, Resident.household_id, doors):
        by_door.setdefault((p["household_id"], p["name"]), p)

    unmapped = [k for k in PERSON_KEYS if k not in mapped]
    first_of_id: dict[str, int] = {}
    first_of_name: dict[tuple[Any, str], int] = {}
    claimed: dict[int, int] = {}  # resident id → the row that matched it
    for row in rows:
        name = row.data.get("name", "").strip() if "name" not in row.bad else ""
        if row.household is not None and name:
            first = first_of_name.setdefault((row.household, name), row.number)
            if first != row.number:
                planner.error(row, "name", "errors.roster_duplicate_name", row=first)
                continue
        number = row.data.get("id_number", "") if "id_number" not in row.bad else ""
        if number:
            first = first_of_id.setdefault(number, row.number)
            if first != row.number:
                planner.error(row, "id_number", "errors.roster_duplicate_id", row=first)
                continue
        person = row.person
        if person is None or row.household is None:
            continue

        existing = None
        if person.id_number and person.id_number in by_id:
            existing = by_id[person.id_number]
            if existing["household_id"] != row.household:
                if existing["community_id"] == community_id:
                    address = planner.places.addresses.get(existing["household_id"], "")
                    planner.error(
                        row, "id_number", "errors.id_number_registered_at", address=address
                    )
                else:
                    planner.error(row, "id_number", "errors.id_number_taken")
                continue
        if existing is None and isinstance(row.household, int):
            existing = by_door.get((row.household, person.name))
        if existing is not None:
            first = claimed.setdefault(existing["id"], row.number)
            if first != row.number:
                planner.error(row, "name", "errors.roster_same_person", row=first)
                continue
            keep = [*unmapped, *row.blank]
            if keep:  # what the file leaves out keeps what the register holds
                merged = {k: existing[k] for k in keep} | row.data
                if "birth_date" in keep and row.data.get("id_number"):
                    merged["birth_date"] = None  # follows the ID number
                person = planner.validate(row, merged)
                if person is None:
                    continue
            values = person.model_dump()
            if any(existing[k] != v for k, v in values.items()):
                plan.updates.append(
                    {"id": existing["id"], **values, "mobile_tail": values["mobile"][-4:]}
                )
            else:
                plan.residents_unchanged += 1
        else:
            plan.new_residents.append((row.household, person.model_dump()))

    if progress is not None:
        progress(total, total)
    plan.errors.sort(key=lambda e: e.row)
    used = {h for h, _ in plan.new_residents if isinstance(h, tuple)}
    plan.new_households = {k: h for k, h in planner.new_doors.items() if k in used}
    plan.households_to_create = len(plan.new_households)
    plan.residents_to_create = len(plan.new_residents)
    plan.residents_to_update = len(plan.updates)
    return plan
