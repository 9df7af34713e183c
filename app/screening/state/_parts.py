"""What several screening states share: doors as chips by unit, and quarantine plans as rows."""

import dataclasses

from app.screening import service


def _toggled(items: list[int], item: int) -> list[int]:
    """The list with `item` added, or removed if it was there."""
    return [i for i in items if i != item] + ([] if item in items else [item])


@dataclasses.dataclass
class DoorChip:
    household_id: int
    label: str  # the door number
    outcome: str
    risk: int
    conflict: bool


@dataclasses.dataclass
class UnitRow:
    name: str
    doors: list[DoorChip]


@dataclasses.dataclass
class BuildingCard:
    round_id: int
    building_id: int
    name: str
    round_name: str
    done: int
    total: int
    units: list[UnitRow]


def _building_card(view: service.BuildingDoors) -> BuildingCard:
    units: dict[str, list[DoorChip]] = {}
    for d in view.doors:
        chip = DoorChip(d.household_id, d.door, d.outcome, d.risk, d.conflict)
        units.setdefault(d.unit, []).append(chip)
    return BuildingCard(
        round_id=view.round_id,
        building_id=view.building_id,
        name=view.name,
        round_name=view.round_name,
        done=view.done,
        total=len(view.doors),
        units=[UnitRow(name, doors) for name, doors in units.items()],
    )


@dataclasses.dataclass
class PlanRow:
    id: int
    name: str
    address: str
    household_id: int
    day: str  # "第 4/14 天"
    checked_today: bool
    missed: int
    last_temperature: str
    abnormal: bool


def _plan_row(tr, p: service.PlanView) -> PlanRow:
    return PlanRow(
        p.id,
        p.name,
        p.address,
        p.household_id,
        tr("today.day_of", day=p.day, days=p.days),
        p.checked_today,
        p.missed,
        p.last_temperature,
        p.abnormal,
    )
