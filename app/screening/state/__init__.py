"""Screening states: thin layers over the screening service for the pages a volunteer uses in
the stairwell and the board staff watch from the office, one module per page."""

from ._parts import BuildingCard, DoorChip, PlanRow, UnitRow
from .arrival import ArrivalState
from .board import BoardState, BuildingBar, CompoundBar, RoundItem
from .doors import DoorsState
from .health import HealthState
from .rules import RISK_FIELDS, RulesState
from .today import Callee, FollowUpRow, ListRow, TodayState
from .visit import Person, Record, VisitState

__all__ = [
    "RISK_FIELDS",
    "ArrivalState",
    "BoardState",
    "BuildingBar",
    "BuildingCard",
    "Callee",
    "CompoundBar",
    "DoorChip",
    "DoorsState",
    "FollowUpRow",
    "HealthState",
    "ListRow",
    "Person",
    "PlanRow",
    "Record",
    "RoundItem",
    "RulesState",
    "TodayState",
    "UnitRow",
    "VisitState",
]
