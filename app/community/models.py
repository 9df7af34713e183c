"""The places and people of a community: street → community → compound → building → unit →
household → resident, and grids of buildings."""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.db import enum_column
from app.timeutil import utcnow


class Street(SQLModel, table=True):
    """街道: the level above communities; street staff see all of its communities."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, unique=True)
    district: str = Field(default="", max_length=50)


class Community(SQLModel, table=True):
    """社区: the unit that staff run and every user belongs to."""

    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="street.id", index=True)
    name: str = Field(max_length=50)


class Compound(SQLModel, table=True):
    """小区 / 院落: a gated compound, the unit of coverage and group-buy scope."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=50)
    address: str = Field(default="", max_length=100)


class Grid(SQLModel, table=True):
    """网格: a set of buildings owned by one grid worker and a team."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=50)
    worker_name: str = Field(default="", max_length=30)
    worker_mobile: str = Field(default="", max_length=11)


class Building(SQLModel, table=True):
    """楼栋."""

    id: int | None = Field(default=None, primary_key=True)
    compound_id: int = Field(foreign_key="compound.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    number: str = Field(max_length=10)


class Unit(SQLModel, table=True):
    """单元: a stairwell of a building."""

    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    number: str = Field(max_length=10)


class Household(SQLModel, table=True):
    """户: one door, one file (一户一档). Compound and community are kept on the row so scope
    checks and counts need no joins."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    compound_id: int = Field(foreign_key="compound.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    door: str = Field(max_length=10)
    address: str = Field(max_length=100, index=True)


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Resident(SQLModel, table=True):
    """居民: one person, one file (一人一档)."""

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=30, index=True)
    sex: Sex = Field(sa_type=enum_column(Sex))
    birth_date: date | None = None
    mobile: str = Field(default="", max_length=11, index=True)
    relation: str = Field(default="", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
