"""Every table, imported in one place for migrations and tests."""

from app.accounts.models import AuditEntry, LoginAttempt, LoginSession, User
from app.community.models import (
    Building,
    Community,
    Compound,
    Grid,
    Household,
    Resident,
    Street,
    Unit,
)
from app.volunteers.models import (
    Application,
    Post,
    Shift,
    ShiftSignup,
    Team,
    TeamBuilding,
    TeamMember,
    Watcher,
)

__all__ = [
    "Application",
    "AuditEntry",
    "Building",
    "Community",
    "Compound",
    "Grid",
    "Household",
    "LoginAttempt",
    "LoginSession",
    "Resident",
    "Street",
    "Unit",
    "User",
    "Post",
    "Shift",
    "ShiftSignup",
    "Team",
    "TeamBuilding",
    "TeamMember",
    "Watcher",
]
