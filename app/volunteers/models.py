"""Volunteer sign-up and approval (志愿者招募)."""

from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import enum_column
from app.timeutil import utcnow


class Duty(StrEnum):
    """一长七员, plus screeners: what a volunteer offers and what staff grant."""

    BUILDING_LEAD = "building_lead"  # 楼栋长
    GATE_GUARD = "gate_guard"  # 门岗值守员
    SUPPLIES_BUYER = "supplies_buyer"  # 物资采买员
    CARE_HELPER = "care_helper"  # 关爱帮扶员
    TRANSPORT = "transport"  # 爱心运输员
    PUBLICITY = "publicity"  # 宣传劝导员
    REPORTER = "reporter"  # 信息报道员
    COORDINATOR = "coordinator"  # 综合协调员
    SCREENER = "screener"  # 排查员


class Skill(StrEnum):
    MEDICAL = "medical"
    DRIVING = "driving"
    PSYCHOLOGY = "psychology"
    IT = "it"
    INTERPRETING = "interpreting"


class Availability(StrEnum):
    WEEKDAY_DAY = "weekday_day"
    WEEKDAY_EVENING = "weekday_evening"
    WEEKEND = "weekend"
    ANY_TIME = "any_time"


class ApplicationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Application(SQLModel, table=True):
    """志愿者申请: what an applicant offers, and what staff decided. Lists are stored as
    comma-separated enum values."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    compound_id: int | None = Field(default=None, foreign_key="compound.id")
    building: str = Field(default="", max_length=10)
    # 下沉干部: the company or office that sent them, instead of a home address here.
    sent_from: str = Field(default="", max_length=60)
    party_member: bool = False
    party_branch: str = Field(default="", max_length=60)  # 党员双报道
    duties: str = Field(max_length=200)
    availability: str = Field(default="", max_length=100)
    skills: str = Field(default="", max_length=100)
    healthy: bool = False  # 健康承诺
    consented_at: datetime
    status: ApplicationStatus = Field(
        default=ApplicationStatus.PENDING, sa_type=enum_column(ApplicationStatus), index=True
    )
    granted_duties: str = Field(default="", max_length=200)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    decline_reason: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, index=True)


# ---------------------------------------------------------------- teams, posts and shifts


class Team(SQLModel, table=True):
    """志愿小队: a few volunteers with a leader, working a grid or some buildings."""

    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=30)
    leader_id: int | None = Field(default=None, foreign_key="user.id")
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    created_at: datetime = Field(default_factory=utcnow)


class TeamMember(SQLModel, table=True):
    """A volunteer belongs to one team at most (the unique user_id says so)."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    user_id: int = Field(foreign_key="user.id", unique=True)


class TeamBuilding(SQLModel, table=True):
    """The buildings a team looks after (besides, or instead of, a whole grid)."""

    __table_args__ = (UniqueConstraint("team_id", "building_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)


class PostKind(StrEnum):
    GATE = "gate"  # 门岗
    CHECKPOINT = "checkpoint"  # 卡口
    SUPPLIES = "supplies"  # 物资点
    TESTING = "testing"  # 核酸点
    OTHER = "other"


class Post(SQLModel, table=True):
    """岗点: a place volunteers stand duty, open between two local times of day."""

    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=30)
    kind: PostKind = Field(sa_type=enum_column(PostKind))
    place: str = Field(default="", max_length=60)
    opens: time  # local time of day
    closes: time


class Shift(SQLModel, table=True):
    """班次: a post staffed from `starts_at` to `ends_at` by up to `capacity` volunteers.
    `taken` counts the sign-ups; it only moves in a conditional UPDATE (and the check
    constraint refuses more than the capacity), so concurrent sign-ups never overfill it."""

    __table_args__ = (
        CheckConstraint("taken >= 0 AND taken <= capacity", name="ck_shift_taken"),
        CheckConstraint("capacity > 0", name="ck_shift_capacity"),
        Index("ix_shift_community_starts", "community_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id", index=True)
    community_id: int = Field(foreign_key="community.id")
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int = 0
    created_by: int | None = Field(default=None, foreign_key="user.id")


class ShiftSignup(SQLModel, table=True):
    """A volunteer on a shift, with their check-in and check-out (which make their hours)."""

    __table_args__ = (UniqueConstraint("shift_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    signed_at: datetime = Field(default_factory=utcnow)
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None


class Watcher(SQLModel, table=True):
    """楼幢观察员: one volunteer watching over one building (one per building)."""

    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="building.id", unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    assigned_at: datetime = Field(default_factory=utcnow)
