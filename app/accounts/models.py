"""Accounts, sessions and login attempts."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.db import enum_column
from app.timeutil import utcnow


class Role(StrEnum):
    APPLICANT = "applicant"  # 志愿者申请人: signed up, waiting for staff to decide
    RESIDENT = "resident"  # 居民
    VOLUNTEER = "volunteer"  # 志愿者
    STAFF = "staff"  # 社区工作人员
    STREET_STAFF = "street_staff"  # 街道
    ADMIN = "admin"


class Locale(StrEnum):
    ZH = "zh"
    EN = "en"


class User(SQLModel, table=True):
    """用户: anyone who logs in. Belongs to one community (street staff: a street; admin: none)."""

    id: int | None = Field(default=None, primary_key=True)
    mobile: str = Field(max_length=11, unique=True, index=True)
    name: str = Field(max_length=30)
    password_hash: str = Field(max_length=200)
    role: Role = Field(sa_type=enum_column(Role), index=True)
    street_id: int | None = Field(default=None, foreign_key="street.id", index=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    # A volunteer's grid: they see the households of its buildings.
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    # What a self-registered resident typed as their address, until staff link the household.
    claimed_address: str = Field(default="", max_length=100)
    locale: Locale = Field(default=Locale.ZH, sa_type=enum_column(Locale))
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class LoginSession(SQLModel, table=True):
    """登录会话: the browser holds the token; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class LoginAttempt(SQLModel, table=True):
    """登录尝试: failed attempts, counted per mobile number and per client for rate limiting."""

    id: int | None = Field(default=None, primary_key=True)
    mobile: str = Field(max_length=20, index=True)
    client: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class SignupAttempt(SQLModel, table=True):
    """注册被拒: a sign-up refused because the number already has an account, counted per
    client so that no one learns which numbers are registered by asking about many."""

    id: int | None = Field(default=None, primary_key=True)
    client: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class AuditEntry(SQLModel, table=True):
    """审计日志: who saw a full phone or ID number, or changed a person's file, and when."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int = Field(foreign_key="user.id", index=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    action: str = Field(max_length=30)
    subject: str = Field(max_length=60)  # e.g. "resident:123"
    detail: str = Field(default="", max_length=200)
