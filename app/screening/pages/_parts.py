"""Pieces several screening pages share: doors and their legend, a labelled input, the
symptom checkboxes."""

import reflex as rx
from reflex.vars import NumberVar, StringVar
from reflex_components_radix.themes.base import LiteralAccentColor

from app.screening.models import Outcome, Symptom
from app.screening.state import DoorChip, UnitRow
from app.ui.components import Errors, column, match_component, muted, row_checkbox, t

# Door colours: the state at a glance, also told by an icon for colour-blind eyes.
OUTCOME_COLOR: dict[str, LiteralAccentColor] = {
    "visited": "jade",
    "not_home": "orange",
    "refused": "red",
    "vacant": "gray",
}


def _outcome_badge(outcome: rx.Var | str) -> rx.Component:
    return match_component(
        outcome,
        *[
            (o.value, rx.badge(t(f"outcome.{o.value}"), color_scheme=OUTCOME_COLOR[o.value]))
            for o in Outcome
        ],
        rx.badge(t("outcome.none"), color_scheme="gray", variant="outline"),
    )


def _legend() -> rx.Component:
    return rx.hstack(
        *[
            rx.hstack(
                rx.box(class_name=f"door-dot door-{o.value}"),
                rx.text(t(f"outcome.{o.value}"), size="1"),
                spacing="1",
                align="center",
            )
            for o in Outcome
        ],
        wrap="wrap",
    )


def _door(chip: DoorChip, href: str | None = None, on_click=None) -> rx.Component:
    body = rx.box(
        rx.text(chip.label, size="2", weight="medium", class_name="number"),
        rx.cond(chip.risk > 0, rx.box(class_name="door-risk", title=t("board.risk"))),
        rx.cond(chip.conflict, rx.icon("triangle-alert", size=12, class_name="door-conflict")),
        class_name=rx.cond(chip.outcome == "", "door", "door door-" + chip.outcome),
    )
    if href is not None:
        return rx.link(body, href=href, underline="none", aria_label=chip.label)
    return rx.box(body, on_click=on_click, aria_label=chip.label, role="button")


def _unit(unit: UnitRow, round_id: NumberVar[int] | int) -> rx.Component:
    return column(
        muted(unit.name, t("doors.unit_suffix")),
        rx.box(
            rx.foreach(
                unit.doors,
                lambda d: _door(d, href=f"/visit?r={round_id}&h={d.household_id}"),
            ),
            class_name="door-grid",
        ),
        spacing="1",
    )


def _input(name: StringVar | str, label_key: str, errors: Errors, **props) -> rx.Component:
    return column(
        rx.el.label(t(label_key), html_for=name, class_name="field-label"),
        rx.input(id=name, name=name, size="3", width="100%", **props),
        rx.cond(
            errors.contains(name),
            rx.text(errors[name], color=rx.color("red", 11), size="2", role="alert"),
        ),
        spacing="1",
    )


def _symptom_checks(prefix: StringVar | str) -> rx.Component:
    return column(
        rx.text(t("visit.symptoms"), class_name="field-label"),
        rx.grid(
            *[
                rx.el.label(
                    row_checkbox(name=prefix + s.value, size="3"),
                    rx.text(t(f"symptom.{s.value}"), size="3"),
                    class_name="check-row",
                )
                for s in Symptom
            ],
            columns="2",
            spacing="1",
            width="100%",
        ),
        spacing="1",
    )
