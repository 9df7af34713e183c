"""我的值班: a volunteer's shifts, check-in and team."""

import reflex as rx
from reflex.vars import StringVar

from app.ui.components import (
    centered_row,
    column,
    muted,
    panel,
    section_heading,
    stat_tile,
    t,
)
from app.ui.layout import app_page
from app.volunteers.pages._common import _badges, _chips, _places_left, _shift_error
from app.volunteers.state import (
    DutyState,
    ShiftRow,
)


def _current_shift() -> rx.Component:
    row = DutyState.current
    return rx.cond(
        row.id != 0,
        panel(
            column(
                centered_row(
                    rx.icon("shield-check", size=22, color=rx.color("accent", 10)),
                    rx.text(t("duty.now"), weight="bold", size="3"),
                    rx.spacer(),
                    rx.cond(
                        row.checked_in,
                        rx.badge(t("duty.on_duty"), color_scheme="jade", size="2"),
                    ),
                ),
                rx.text(row.post, size="5", weight="bold"),
                rx.text(row.day, " ", row.starts, "–", row.ends, size="3"),
                rx.cond(
                    row.checked_in,
                    rx.button(
                        rx.icon("log-out", size=18),
                        t("duty.check_out"),
                        size="4",
                        width="100%",
                        color_scheme="orange",
                        on_click=DutyState.check_out,
                    ),
                    rx.button(
                        rx.icon("log-in", size=18),
                        t("duty.check_in"),
                        size="4",
                        width="100%",
                        on_click=DutyState.check_in,
                    ),
                ),
                _shift_error(row),
                spacing="2",
            ),
            class_name="duty-now",
        ),
    )


def _my_shift(row: ShiftRow) -> rx.Component:
    return panel(
        column(
            centered_row(
                rx.vstack(
                    rx.text(row.post, weight="bold", size="3"),
                    rx.text(row.day, " ", row.starts, "–", row.ends, size="2"),
                    spacing="0",
                ),
                rx.spacer(),
                rx.button(
                    t("duty.drop"),
                    variant="soft",
                    color_scheme="gray",
                    size="3",
                    min_height="44px",
                    on_click=DutyState.drop(row.id),
                    aria_label=t("duty.drop") + " " + row.post + " " + row.day + " " + row.starts,
                ),
            ),
            _shift_error(row),
            spacing="2",
        ),
    )


def _open_shift(row: ShiftRow) -> rx.Component:
    return panel(
        column(
            centered_row(
                rx.vstack(
                    rx.text(row.post, weight="bold", size="3"),
                    rx.hstack(
                        rx.text(row.day, " ", row.starts, "–", row.ends, size="2"),
                        _places_left(row),
                        align="center",
                        spacing="2",
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.button(
                    t("duty.sign_up"),
                    size="3",
                    min_height="44px",
                    on_click=DutyState.sign_up(row.id),
                    aria_label=t("duty.sign_up")
                    + " "
                    + row.post
                    + " "
                    + row.day
                    + " "
                    + row.starts,
                ),
            ),
            _shift_error(row),
            spacing="2",
        ),
        class_name="open-shift",
    )


def _line(icon: str, label_key: str, value: rx.Component | rx.Var) -> rx.Component:
    return centered_row(
        rx.icon(icon, size=16, color=rx.color("gray", 10)),
        muted(t(label_key), min_width="4.5rem"),
        rx.box(value, flex="1"),
    )


def _or_none(value: StringVar) -> rx.Component:
    return rx.cond(value != "", rx.text(value, size="2"), rx.text(t("duty.none"), size="2"))


def duty() -> rx.Component:
    return app_page(
        "/duty",
        "duty.title",
        _current_shift(),
        rx.grid(
            stat_tile(t("duty.hours"), DutyState.hours),
            stat_tile(t("duty.upcoming_count"), DutyState.upcoming.length().to_string()),
            columns="2",
            spacing="3",
            width="100%",
        ),
        panel(
            column(
                _line("users", "duty.team", _or_none(DutyState.team)),
                _line("star", "duty.leader", _or_none(DutyState.leader)),
                rx.cond(
                    DutyState.teammates.length() > 0,
                    _line("user", "duty.teammates", _chips(DutyState.teammates)),
                ),
                _line("map", "duty.grid", _or_none(DutyState.grid)),
                _line(
                    "badge-check",
                    "duty.roles",
                    rx.cond(
                        DutyState.duties.length() > 0,
                        rx.hstack(
                            _badges("duty", DutyState.duties, "jade"), wrap="wrap", spacing="1"
                        ),
                        rx.text(t("duty.none"), size="2"),
                    ),
                ),
                rx.cond(
                    DutyState.watching.length() > 0,
                    _line("eye", "duty.watching", _chips(DutyState.watching)),
                ),
                spacing="2",
            ),
        ),
        section_heading("duty.upcoming"),
        rx.cond(
            DutyState.upcoming.length() > 0,
            column(rx.foreach(DutyState.upcoming, _my_shift), spacing="2"),
            muted(t("duty.no_upcoming")),
        ),
        section_heading("duty.open"),
        muted(t("duty.open_hint")),
        rx.cond(
            DutyState.open_shifts.length() > 0,
            column(rx.foreach(DutyState.open_shifts, _open_shift), spacing="2"),
            muted(t("duty.no_open")),
        ),
    )
