"""Every table, imported in one place for migrations and tests."""

from app.accounts.models import LoginAttempt, LoginSession, User
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
