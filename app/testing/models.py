"""Nucleic-acid testing (核酸检测): rounds, sampling sites (采样点) and their time slots by
building, tubes (采样管) and the people sampled into them, the missed (漏检) and why, home
sampling (上门采样), and the lab's results."""

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import enum_column
from app.timeutil import utcnow


class PoolMode(StrEnum):
    """How many people share a tube."""

    SINGLE = "single"  # 单管单检
    POOL5 = "pool5"  # 5 混 1
    POOL10 = "pool10"  # 10 混 1


TUBE_SIZES = {PoolMode.SINGLE: 1, PoolMode.POOL5: 5, PoolMode.POOL10: 10}


class TubeResult(StrEnum):
    NEGATIVE = "negative"  # 阴性
    POSITIVE = "positive"  # 阳性 (of a pool: its people are retested one by one)


class SampleStatus(StrEnum):
    """What a resident sees of their own test."""

    SAMPLED = "sampled"  # 已采样
    NEGATIVE = "negative"  # 阴性
    RETEST = "retest"  # 待复核: in a positive tube, to be tested again alone


class MissedKind(StrEnum):
    """Why someone due was not sampled (未检原因)."""

    AWAY = "away"  # 外出
    HOSPITAL = "hospital"  # 住院
    MOVED_OUT = "moved_out"  # 已搬离


class HomeReason(StrEnum):
    CARE = "care"  # 行动不便 (special-care flags)
    QUARANTINE = "quarantine"  # 居家隔离


class TaskStatus(StrEnum):
    OPEN = "open"
    TAKEN = "taken"
    DONE = "done"


class TestingRound(SQLModel, table=True):
    """核酸检测轮次: one day's testing of a community, or of some of its compounds."""

    __test__ = False  # not a pytest test class, though named Test…

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=50)
    test_date: date
    mode: PoolMode = Field(sa_type=enum_column(PoolMode))
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


class RoundCompound(SQLModel, table=True):
    """检测范围: a compound a round covers (every compound of the community for a whole one)."""

    round_id: int = Field(foreign_key="testinground.id", primary_key=True)
    compound_id: int = Field(foreign_key="compound.id", primary_key=True, index=True)


class SamplingSite(SQLModel, table=True):
    """采样点: where people queue, its hours and how many it samples an hour."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="testinground.id", index=True)
    name: str = Field(max_length=40)
    place: str = Field(default="", max_length=100)
    opens: time
    closes: time
    capacity: int  # people an hour


class SiteSlot(SQLModel, table=True):
    """采样时段: when one building's people come to a site ("3栋 08:00–08:30"), so no crowd
    forms. One per building and round."""

    __table_args__ = (UniqueConstraint("round_id", "building_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="testinground.id")
    site_id: int = Field(foreign_key="samplingsite.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    starts: time
    ends: time


class Tube(SQLModel, table=True):
    """采样管: one barcode, up to its size of people; closed when full (or by the sampler),
    then a result from the lab."""

    __table_args__ = (
        UniqueConstraint("round_id", "barcode"),
        CheckConstraint("filled <= size", name="ck_tube_not_overfilled"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="testinground.id")
    site_id: int | None = Field(default=None, foreign_key="samplingsite.id", index=True)
    barcode: str = Field(max_length=30)
    size: int
    filled: int = 0
    opened_by: int = Field(foreign_key="user.id")
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    result: TubeResult | None = Field(default=None, sa_type=enum_column(TubeResult))
    result_at: datetime | None = None


class Sample(SQLModel, table=True):
    """采样记录: one person swabbed into one tube. Once per person and round: a second scan
    is refused (flagged to the sampler), never counted twice. Building and compound are kept
    on the row so the board and the missed list count without joins."""

    __table_args__ = (
        UniqueConstraint("round_id", "resident_id"),
        Index("ix_sample_round_building", "round_id", "building_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="testinground.id")
    tube_id: int = Field(foreign_key="tube.id", index=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    building_id: int = Field(foreign_key="building.id")
    status: SampleStatus = Field(default=SampleStatus.SAMPLED, sa_type=enum_column(SampleStatus))
    by_code: bool = True  # scanned from a personal code, else chosen at the door
    sampled_by: int = Field(foreign_key="user.id")
    sampled_at: datetime = Field(default_factory=utcnow)


class MissedMark(SQLModel, table=True):
    """未检说明: a volunteer's word on why someone due is not sampled (away, in hospital,
    moved out), with the reason."""

    __table_args__ = (
        UniqueConstraint("round_id", "resident_id"),
        Index("ix_missedmark_round_building", "round_id", "building_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="testinground.id")
    resident_id: int = Field(foreign_key="resident.id", index=True)
    building_id: int = Field(foreign_key="building.id")
    kind: MissedKind = Field(sa_type=enum_column(MissedKind))
    reason: str = Field(max_length=100)
    marked_by: int = Field(foreign_key="user.id")
    marked_at: datetime = Field(default_factory=utcnow)


class HomeSamplingTask(SQLModel, table=True):
    """上门采样: someone who cannot come to a site (special care, home quarantine), sampled
    at home by a volunteer who takes the task and closes it."""

    __table_args__ = (
        UniqueConstraint("round_id", "resident_id"),
        Index("ix_homesamplingtask_round_building", "round_id", "building_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="testinground.id")
    resident_id: int = Field(foreign_key="resident.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    building_id: int = Field(foreign_key="building.id")
    reason: HomeReason = Field(sa_type=enum_column(HomeReason))
    status: TaskStatus = Field(default=TaskStatus.OPEN, sa_type=enum_column(TaskStatus))
    volunteer_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    taken_at: datetime | None = None
    done_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ScanReceipt(SQLModel, table=True):
    """A scan a phone sent after a signal loss, once applied: a batch sent again (its answer was
    lost on the way) gets the same answer and samples nobody twice."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    client_id: str = Field(max_length=40, primary_key=True)
    code: str = Field(default="", max_length=80)  # "" applied, else the refusal's catalog key
    params: str = Field(default="{}", max_length=500)  # the refusal's values, as JSON
    tube_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
