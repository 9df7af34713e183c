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

__all__ = [
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
]
