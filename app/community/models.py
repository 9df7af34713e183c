"""The places and people of a community: street → community → compound → building → unit →
household → resident, and grids of buildings."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
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

    __table_args__ = (UniqueConstraint("street_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="street.id", index=True)
    name: str = Field(max_length=50)


class Compound(SQLModel, table=True):
    """小区 / 院落: a gated compound, the unit of coverage and group-buy scope."""

    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=50)
    address: str = Field(default="", max_length=100)


class Grid(SQLModel, table=True):
    """网格: a set of buildings owned by one grid worker and a team."""

    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=50)
    worker_name: str = Field(default="", max_length=30)
    worker_mobile: str = Field(default="", max_length=11)


class Building(SQLModel, table=True):
    """楼栋."""

    __table_args__ = (UniqueConstraint("compound_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    compound_id: int = Field(foreign_key="compound.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    number: str = Field(max_length=10)


class Unit(SQLModel, table=True):
    """单元: a stairwell of a building."""

    __table_args__ = (UniqueConstraint("building_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    number: str = Field(max_length=10)


class Household(SQLModel, table=True):
    """户: one door, one file (一户一档). Building, compound and community are kept on the row
    so scope checks, counts and searches need no joins."""

    __table_args__ = (
        UniqueConstraint("unit_id", "door"),
        # Search is scoped to a community first; text_pattern_ops lets PostgreSQL use these
        # indexes for prefix searches (LIKE '3-2%').
        Index("ix_household_door_key", "door_key", postgresql_ops={"door_key": "text_pattern_ops"}),
        Index(
            "ix_household_community_door_key",
            "community_id",
            "door_key",
            postgresql_ops={"door_key": "text_pattern_ops"},
        ),
        Index("ix_household_community_door", "community_id", "door"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    compound_id: int = Field(foreign_key="compound.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    door: str = Field(max_length=10)
    # "3-2-501": building-unit-door, what people say and type; searched by prefix.
    door_key: str = Field(max_length=40)
    address: str = Field(max_length=100)
    note: str = Field(default="", max_length=200)
    updated_at: datetime = Field(default_factory=utcnow)


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Residency(StrEnum):
    PERMANENT = "permanent"  # 常住
    TENANT = "tenant"  # 租住


# 与户主关系: the answers rosters use, offered as choices; stored as written, as in the roster.
RELATIONS = ("户主", "配偶", "子女", "父母", "孙子女", "儿媳", "女婿", "兄弟姐妹", "其他")

# Special-care flags (特殊人群), each a boolean column on Resident.
CARE_FLAGS = (
    "elderly_alone",  # 独居老人
    "pregnant",  # 孕妇
    "disabled",  # 残疾人
    "chronic_illness",  # 慢性病
    "child_without_carer",  # 无人照料儿童
    "no_smartphone",  # 无智能手机
)


class Resident(SQLModel, table=True):
    """居民: one person, one file (一人一档)."""

    __table_args__ = (
        Index("ix_resident_name", "name", postgresql_ops={"name": "text_pattern_ops"}),
        Index(
            "ix_resident_community_name",
            "community_id",
            "name",
            postgresql_ops={"name": "text_pattern_ops"},
        ),
        Index("ix_resident_community_mobile", "community_id", "mobile"),
        # Home pages count the people still living here: an index-only count.
        Index("ix_resident_community_moved_out", "community_id", "moved_out"),
        Index("ix_resident_community_mobile_tail", "community_id", "mobile_tail"),
        # One person, one file: an ID number is registered once (blank means not known yet).
        Index(
            "uq_resident_id_number",
            "id_number",
            unique=True,
            sqlite_where=text("id_number <> ''"),
            postgresql_where=text("id_number <> ''"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=30)
    sex: Sex = Field(sa_type=enum_column(Sex))
    birth_date: date | None = None
    mobile: str = Field(default="", max_length=11)
    # The last four digits, indexed: volunteers search "尾号5678".
    mobile_tail: str = Field(default="", max_length=4)
    id_number: str = Field(default="", max_length=18, index=True)
    relation: str = Field(default="", max_length=20)
    residency: Residency = Field(default=Residency.PERMANENT, sa_type=enum_column(Residency))
    moved_in: date | None = None
    moved_out: date | None = None
    elderly_alone: bool = False
    pregnant: bool = False
    disabled: bool = False
    chronic_illness: bool = False
    child_without_carer: bool = False
    no_smartphone: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
