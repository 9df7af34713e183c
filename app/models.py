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
from app.supplies.models import BuyCompound, BuyItem, Errand, GroupBuy, OrderLine, SupplyOrder
from app.volunteers.models import Application

__all__ = [
    "Application",
    "Arrival",
    "AuditEntry",
    "Building",
    "BuyCompound",
    "BuyItem",
    "CallAttempt",
    "Community",
    "Compound",
    "DailyCheck",
    "Door",
    "Errand",
    "FollowUp",
    "Grid",
    "GroupBuy",
    "Household",
    "LoginAttempt",
    "LoginSession",
    "OrderLine",
    "PersonCheck",
    "QuarantinePlan",
    "Resident",
    "Round",
    "RoundBuilding",
    "Rules",
    "Street",
    "SupplyOrder",
    "Unit",
    "User",
    "Visit",
]
