"""排查进度: the coverage board the office watches, with its sheets to start a round and to
see one building's doors."""

import reflex as rx

from app.screening.state import BoardState, BuildingBar, CompoundBar
from app.ui.components import (
    centered_row,
    column,
    field_error,
    muted,
    panel,
    primary_button,
    row_checkbox,
    section_heading,
    select_field,
    sheet,
    stat_tile,
    t,
    text_field,
)
from app.ui.layout import app_page

from ._parts import _legend, _unit


def _bar(percent: int, name: str, weak: bool = False) -> rx.Component:
    """A progress bar named after what it measures (a screen reader reads "<name>, 40%")."""
    return rx.progress(
        value=percent,
        size="2",
        color_scheme=rx.cond(weak, "red", "jade"),
        width="100%",
        aria_label=name,
    )


def _counts_line(item) -> rx.Component:
    return rx.hstack(
        rx.text(t("outcome.not_home"), " ", item.not_home, size="1"),
        rx.text(t("outcome.refused"), " ", item.refused, size="1"),
        rx.cond(
            item.risk > 0, rx.text(t("board.risk"), " ", item.risk, size="1", color_scheme="red")
        ),
        rx.cond(
            item.conflicts > 0,
            rx.text(t("board.conflicts"), " ", item.conflicts, size="1", color_scheme="orange"),
        ),
        wrap="wrap",
        color_scheme="gray",
    )


def _building_bar(b: BuildingBar) -> rx.Component:
    return rx.box(
        column(
            centered_row(
                rx.text(b.name, size="2", weight="medium"),
                rx.text(b.assignee, size="1", color_scheme="gray", truncate=True),
                rx.spacer(),
                rx.text(b.done, "/", b.doors, size="2", class_name="number"),
            ),
            _bar(b.percent, b.name),
            _counts_line(b),
            spacing="1",
        ),
        # Not also a tap on the compound's card around it, which would fold it away.
        on_click=BoardState.open_building(b.building_id).stop_propagation,
        class_name="list-row tap-card",
        role="button",
        width="100%",
    )


def _compound(c: CompoundBar) -> rx.Component:
    opened = BoardState.expanded.contains(c.compound_id)
    return panel(
        column(
            centered_row(
                rx.text(c.name, size="4", weight="bold"),
                rx.cond(c.weak, rx.badge(t("board.weak"), color_scheme="red", size="2")),
                rx.spacer(),
                rx.text(c.percent, "%", size="5", weight="bold", class_name="number"),
            ),
            _bar(c.percent, c.name, c.weak),
            centered_row(
                rx.text(c.done, " / ", c.doors, " ", t("board.doors_unit"), size="2"),
                rx.spacer(),
                rx.icon(rx.cond(opened, "chevron-up", "chevron-down"), size=18),
            ),
            _counts_line(c),
            rx.cond(opened, column(rx.foreach(c.buildings, _building_bar), spacing="0")),
            spacing="2",
        ),
        class_name=rx.cond(c.weak, "tap-card weak-card", "tap-card"),
        on_click=BoardState.toggle_compound(c.compound_id),
    )


def _progress_chart() -> rx.Component:
    return rx.cond(
        BoardState.progress.length() > 1,
        column(
            section_heading("board.progress"),
            rx.hstack(
                rx.foreach(
                    BoardState.progress,
                    lambda p: rx.vstack(
                        rx.text(p[1], "%", size="1", class_name="number"),
                        rx.box(
                            rx.box(class_name="chart-fill", height=p[1].to_string() + "%"),
                            class_name="chart-bar",
                        ),
                        rx.text(p[0], size="1", color_scheme="gray"),
                        align="center",
                        spacing="1",
                        flex="1",
                    ),
                ),
                spacing="1",
                width="100%",
                align="end",
            ),
            spacing="2",
        ),
    )


def _weak_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(
                rx.el.label(t("board.weak_below"), html_for="weak_below", class_name="field-label"),
                rx.input(
                    id="weak_below",
                    name="weak_below",
                    type="number",
                    default_value=BoardState.weak_below.to_string(),
                    key=BoardState.round_id,
                    size="3",
                    width="5rem",
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.el.label(t("board.weak_from"), html_for="weak_from", class_name="field-label"),
                rx.input(
                    id="weak_from",
                    name="weak_from",
                    type="datetime-local",
                    default_value=BoardState.weak_from,
                    key=BoardState.weak_from,
                    size="3",
                    width="100%",
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.button(t("common.save"), size="3", type="submit", variant="soft"),
            align="end",
            spacing="2",
            width="100%",
        ),
        field_error(BoardState.errors, "weak_below"),
        field_error(BoardState.errors, "weak_from"),
        on_submit=BoardState.save_weak,
        width="100%",
    )


def _start_sheet() -> rx.Component:
    errors = BoardState.errors
    return sheet(
        t("board.start"),
        rx.form(
            column(
                text_field(
                    "name", "board.round_name", errors, placeholder_key="board.round_name_hint"
                ),
                select_field(
                    "kind",
                    "board.kind",
                    errors,
                    [("full", t("kind.full")), ("targeted", t("kind.targeted"))],
                    default="full",
                ),
                rx.grid(
                    text_field("starts_on", "board.starts_on", errors, type="date"),
                    text_field("ends_on", "board.ends_on", errors, type="date"),
                    columns="2",
                    spacing="2",
                    width="100%",
                ),
                rx.text(t("board.scope"), class_name="field-label"),
                rx.text(t("board.scope_hint"), size="1", color_scheme="gray"),
                rx.grid(
                    rx.foreach(
                        BoardState.compound_options,
                        lambda o: rx.el.label(
                            row_checkbox(name="c-" + o[0], size="3"),
                            rx.text(o[1], size="3"),
                            class_name="check-row",
                        ),
                    ),
                    rx.foreach(
                        BoardState.grid_options,
                        lambda o: rx.el.label(
                            row_checkbox(name="g-" + o[0], size="3"),
                            rx.text(o[1], size="3"),
                            class_name="check-row",
                        ),
                    ),
                    columns="2",
                    spacing="1",
                    width="100%",
                ),
                field_error(errors, "compound_ids"),
                field_error(errors, "_"),
                primary_button(t("board.start"), type="submit"),
            ),
            on_submit=BoardState.start,
        ),
        open=BoardState.starting,
        on_open_change=BoardState.set_start_open,
    )


def _drill_sheet() -> rx.Component:
    card = BoardState.drill
    # The card is None while the sheet is closed.
    return sheet(
        rx.cond(card, card.name, ""),
        rx.cond(
            card,
            column(
                muted(card.done, " / ", card.total),
                _legend(),
                rx.foreach(card.units, lambda u: _unit(u, BoardState.round_id)),
                rx.cond(
                    BoardState.round_open,
                    select_field(
                        "assignee",
                        "board.assignee",
                        None,
                        BoardState.volunteer_options,
                        first=("grid", "board.grid_volunteers"),
                        on_change=BoardState.assign,
                    ),
                ),
                rx.dialog.close(
                    rx.button(t("common.close"), variant="soft", size="3", width="100%")
                ),
            ),
        ),
        open=BoardState.drill.is_not_none(),
        on_open_change=BoardState.set_drill_open,
    )


def board() -> rx.Component:
    return app_page(
        "/screening",
        "board.title",
        rx.hstack(
            rx.link(
                rx.button(rx.icon("clipboard-list"), t("nav.today"), variant="soft", size="3"),
                href="/today",
            ),
            rx.link(
                rx.button(
                    rx.icon("sliders-horizontal"), t("rules.title"), variant="soft", size="3"
                ),
                href="/screening/rules",
            ),
            rx.spacer(),
            rx.button(rx.icon("plus"), t("board.start"), size="3", on_click=BoardState.open_start),
            width="100%",
            wrap="wrap",
            spacing="2",
        ),
        rx.cond(
            BoardState.rounds.length() > 0,
            column(
                select_field(
                    "round",
                    "board.round",
                    None,
                    BoardState.round_choices,
                    value=BoardState.round_id.to_string(),
                    on_change=BoardState.choose_round,
                ),
                rx.grid(
                    rx.foreach(BoardState.tiles, lambda tile: stat_tile(tile[0], tile[1])),
                    columns="3",
                    spacing="2",
                    width="100%",
                ),
                rx.hstack(
                    rx.icon("refresh-cw", size=14),
                    rx.text(t("board.updated"), " ", BoardState.checked_at, size="1"),
                    rx.moment(interval=15000, on_change=BoardState.refresh, display="none"),
                    color=rx.color("gray", 11),
                    align="center",
                    spacing="1",
                ),
                _progress_chart(),
                section_heading("board.compounds"),
                rx.cond(BoardState.round_open, _weak_form()),
                rx.foreach(BoardState.compounds, _compound),
                rx.cond(
                    BoardState.round_open,
                    rx.button(
                        t("board.close_round"),
                        variant="outline",
                        color_scheme="red",
                        size="3",
                        width="100%",
                        on_click=BoardState.close_round,
                    ),
                ),
            ),
            rx.callout(t("board.no_rounds"), icon="info"),
        ),
        _start_sheet(),
        _drill_sheet(),
    )
