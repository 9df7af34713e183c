"""Places and grids: compounds, buildings with their doors, grids, and who works in which."""

import re
from dataclasses import dataclass

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.community.models import Building, Compound, Grid, Household, Unit
from app.db import saved_id
from app.errors import InvalidInput, ServiceError, parse
from app.fields import optional_mobile, text

from ._common import require_staff
from .scope import mask_mobile


class PlaceInput(BaseModel):
    name: str
    address: str = ""

    _name = field_validator("name")(text(30, required=True))
    _address = field_validator("address")(text(60))


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

    _name = field_validator("name")(text(30, required=True))
    _worker_name = field_validator("worker_name")(text(30))
    _worker_mobile = field_validator("worker_mobile")(optional_mobile)


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


def places(session: Session, actor: User | None, community_id: int) -> list[CompoundNode]:
    """Compounds with their buildings, unit and household counts, and grids."""
    require_staff(session, actor, community_id)
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
    require_staff(session, actor, community_id)
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
    require_staff(session, actor, community_id)
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
    require_staff(session, actor, compound.community_id)
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
    require_staff(session, actor, community_id)
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
    require_staff(session, actor, community_id)
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
    require_staff(session, actor, community_id)
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
    require_staff(session, actor, volunteer.community_id)
    check_grid(session, grid_id, volunteer.community_id)
    volunteer.grid_id = grid_id
    session.add(volunteer)
    session.commit()
    return volunteer
