"""Volunteer sign-up and approval (志愿者招募)."""

from datetime import datetime
from enum import StrEnum

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
