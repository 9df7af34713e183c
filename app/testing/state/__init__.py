"""Testing states: thin layers over the testing service, one module per page."""

from .codes import CardState, CodesState
from .missed import DoorRow, MissedRow, MissedState, TaskRow
from .round import (
    BuildingLine,
    CompoundLine,
    ResultProblemRow,
    SiteCard,
    SlotLine,
    TestingRoundState,
)
from .rounds import RoundRow, TestingRoundsState
from .sampler import DoorPick, SamplerState

__all__ = [
    "CardState",
    "CodesState",
    "DoorRow",
    "MissedRow",
    "MissedState",
    "TaskRow",
    "BuildingLine",
    "CompoundLine",
    "ResultProblemRow",
    "RoundRow",
    "SiteCard",
    "SlotLine",
    "TestingRoundState",
    "TestingRoundsState",
    "DoorPick",
    "SamplerState",
]
