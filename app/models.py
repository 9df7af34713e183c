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
from app.supplies.models import BuyCompound, BuyItem, Errand, GroupBuy, OrderLine, SupplyOrder
from app.volunteers.models import Application

__all__ = [
    "Application",
    "AuditEntry",
    "Building",
    "BuyCompound",
    "BuyItem",
    "Community",
    "Compound",
    "Errand",
    "Grid",
    "GroupBuy",
    "Household",
    "LoginAttempt",
    "LoginSession",
    "OrderLine",
    "Resident",
    "Street",
    "SupplyOrder",
    "Unit",
    "User",
]
