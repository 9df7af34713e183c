"""Pieces more than one volunteers page uses: check box groups, badges, chips, places left."""

from collections.abc import Sequence

import reflex as rx
from reflex.vars import ArrayVar, ObjectVar
from reflex_components_radix.themes.base import LiteralAccentColor

from app.ui.components import (
    Errors,
    column,
    field_error,
    row_checkbox,
    t,
)
from app.volunteers.models import Availability, Duty, Skill
from app.volunteers.state import (
    ShiftRow,
)


def _checks(
    prefix: str,
    label_key: str,
    values,
    errors: Errors | None = None,
    errors_name: str | None = None,
    ticked: ArrayVar[Sequence[str]] | None = None,
) -> rx.Component:
    """A group of large check boxes posting `<prefix>.<value>`, those in `ticked` ticked."""
    return column(
        rx.text(t(label_key), class_name="field-label"),
        rx.grid(
            *[
                rx.el.label(
                    row_checkbox(
                        name=f"{prefix}.{v.value}",
                        size="3",
                        default_checked=ticked.contains(v.value) if ticked is not None else False,
                    ),
                    rx.text(t(f"{prefix}.{v.value}"), size="3"),
                    class_name="check-row",
                )
                for v in values
            ],
            columns="2",
            spacing="1",
            width="100%",
        ),
        field_error(errors, errors_name) if errors is not None and errors_name else rx.fragment(),
        spacing="1",
    )


def _badges(
    prefix: str, values: ArrayVar[Sequence[str]] | list[str], scheme: LiteralAccentColor
) -> rx.Component:
    return rx.foreach(
        values,
        lambda v: rx.badge(
            rx.match(
                v,
                *[
                    (x.value, t(f"{prefix}.{x.value}"))
                    for x in {"duty": Duty, "time": Availability, "skill": Skill}[prefix]
                ],
                v,
            ),
            color_scheme=scheme,
            variant="soft",
        ),
    )


def _chips(values: ArrayVar[Sequence[str]] | list[str]) -> rx.Component:
    return rx.hstack(
        rx.foreach(values, lambda v: rx.badge(v, variant="surface", color_scheme="gray")),
        wrap="wrap",
        spacing="1",
    )


def _shift_error(row: ShiftRow | ObjectVar[ShiftRow]) -> rx.Component:
    return rx.cond(
        row.error != "",
        rx.text(row.error, color=rx.color("red", 11), size="2", role="alert"),
    )


def _places_left(row: ShiftRow) -> rx.Component:
    return rx.badge(
        f"{row.taken} / {row.capacity}",
        color_scheme=rx.cond(row.full, "jade", "orange"),
        variant="soft",
        size="2",
    )
