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
from app.screening.models import (
    Arrival,
    CallAttempt,
    DailyCheck,
    Door,
    FollowUp,
    PersonCheck,
    QuarantinePlan,
    Round,
    RoundBuilding,
    Rules,
    Visit,
)
from app.volunteers.models import Application

__all__ = [
    "Application",
    "Arrival",
    "AuditEntry",
    "Building",
    "CallAttempt",
    "Community",
    "Compound",
    "DailyCheck",
    "Door",
    "FollowUp",
    "Grid",
    "Household",
    "LoginAttempt",
    "LoginSession",
    "PersonCheck",
    "QuarantinePlan",
    "Resident",
    "Round",
    "RoundBuilding",
    "Rules",
    "Street",
    "Unit",
    "User",
    "Visit",
]
