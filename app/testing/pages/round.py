"""One testing round (/testing/round/[round_id]): the live board, sampling sites and their
building slots, ending the round, the lab's results and the list for the health centre."""

import reflex as rx
from reflex.vars import ArrayVar

from app.testing.state import (
    BuildingLine,
    CompoundLine,
    ResultProblemRow,
    SiteCard,
    TestingRoundState,
)
from app.ui.components import (
    centered_row,
    column,
    field_error,
    muted,
    panel,
    section_heading,
    select_field,
    sheet,
    sheet_buttons,
    t,
    text_field,
)
from app.ui.layout import app_page

from ._parts import mode_label, progress_bar, status_badge

S = TestingRoundState


def _building_counts(b: BuildingLine, *more: rx.Component) -> rx.Component:
    return column(
        centered_row(
            rx.text(b.number, size="2", weight="medium"),
            rx.spacer(),
            rx.text(b.sampled, " / ", b.due, size="2", class_name="number"),
            *more,
            spacing="2",
        ),
        progress_bar(b.percent, b.number),
        rx.cond(
            (b.missed > 0) | (b.home_open > 0),
            rx.hstack(
                rx.cond(
                    b.missed > 0,
                    rx.text(t("tround.missed"), " ", b.missed, size="1", color_scheme="orange"),
                ),
                rx.cond(
                    b.home_open > 0,
                    rx.text(t("tround.home_open"), " ", b.home_open, size="1"),
                ),
                wrap="wrap",
                color_scheme="gray",
            ),
        ),
        spacing="1",
    )


def _building(b: BuildingLine) -> rx.Component:
    # While the round is open the line opens the building's missed list, door by door (that
    # page works on open rounds only).
    return rx.cond(
        S.is_open,
        rx.link(
            _building_counts(b, rx.icon("chevron-right", size=16, color=rx.color("gray", 10))),
            href=f"/testing/missed?r={S.round_id}&b={b.building_id}",
            class_name="list-row tap-card",
            underline="none",
            color="inherit",
            display="block",
            width="100%",
        ),
        rx.box(_building_counts(b), class_name="list-row", width="100%"),
    )


def _tile(tile: ArrayVar[tuple[str, str, str]]) -> rx.Component:
    """A board number; the sampled tile has its people due in small under the count."""
    return rx.card(
        rx.vstack(
            rx.text(tile[1], size="6", weight="bold", class_name="number"),
            rx.cond(
                tile[2] != "",
                rx.text(tile[2], size="1", color_scheme="gray", class_name="number"),
            ),
            rx.text(tile[0], size="2", color_scheme="gray"),
            spacing="0",
        ),
        width="100%",
    )


def _compound(c: CompoundLine) -> rx.Component:
    opened = S.expanded.contains(c.compound_id)
    return panel(
        column(
            rx.el.button(
                column(
                    centered_row(
                        rx.text(c.name, size="4", weight="bold"),
                        rx.spacer(),
                        rx.text(c.percent, "%", size="5", weight="bold", class_name="number"),
                    ),
                    progress_bar(c.percent, c.name),
                    centered_row(
                        rx.text(c.sampled, " / ", c.due, size="2", class_name="number"),
                        rx.text(t("tround.missed"), " ", c.missed, size="2", color_scheme="gray"),
                        rx.text(
                            t("tround.home_open"), " ", c.home_open, size="2", color_scheme="gray"
                        ),
                        rx.spacer(),
                        rx.icon(rx.cond(opened, "chevron-up", "chevron-down"), size=18),
                        wrap="wrap",
                    ),
                    spacing="2",
                ),
                type="button",
                aria_expanded=rx.cond(opened, "true", "false"),
                on_click=S.toggle_compound(c.compound_id),
                class_name="tap-card",
                # A bare button: the card's own look, the whole header its target.
                background="none",
                border="none",
                padding="0",
                text_align="left",
                color="inherit",
                font="inherit",
                cursor="pointer",
                width="100%",
            ),
            rx.cond(opened, column(rx.foreach(c.buildings, _building), spacing="0")),
            spacing="2",
        ),
    )


def _board() -> rx.Component:
    return column(
        progress_bar(S.percent, t("tround.sampled")),
        rx.grid(
            rx.foreach(S.tiles, _tile),
            columns="3",
            spacing="2",
            width="100%",
        ),
        rx.hstack(
            rx.icon("refresh-cw", size=14),
            rx.text(t("tround.updated"), " ", S.checked_at, size="1"),
            rx.moment(interval=10000, on_change=S.refresh, display="none"),
            color=rx.color("gray", 11),
            align="center",
            spacing="1",
        ),
        section_heading("tround.compounds"),
        rx.cond(
            S.compounds.length() > 0,
            rx.foreach(S.compounds, _compound),
            muted(t("tround.no_people")),
        ),
    )


def _site(s: SiteCard) -> rx.Component:
    return panel(
        column(
            rx.text(s.name, size="4", weight="bold"),
            rx.cond(s.place != "", muted(s.place)),
            rx.text(s.hours, size="2", class_name="number"),
            rx.cond(
                s.slot_count > 0,
                column(
                    rx.foreach(
                        s.slots,
                        lambda slot: rx.text(slot.text, size="2", class_name="list-row number"),
                    ),
                    spacing="0",
                ),
                muted(t("tround.no_slots")),
            ),
            rx.cond(
                S.is_open,
                rx.button(
                    rx.icon("clock", size=16),
                    t("tround.add_slot"),
                    variant="soft",
                    size="3",
                    width="100%",
                    on_click=S.open_slot(s.id),
                ),
            ),
            spacing="2",
        ),
    )


def _sites() -> rx.Component:
    return column(
        section_heading("tround.sites"),
        rx.cond(
            S.sites.length() > 0,
            rx.foreach(S.sites, _site),
            muted(t("tround.no_sites")),
        ),
        rx.cond(
            S.is_open,
            rx.button(
                rx.icon("map-pin", size=16),
                t("tround.add_site"),
                variant="outline",
                size="3",
                width="100%",
                on_click=S.show_sheet("site"),
            ),
        ),
    )


def _problem(p: ResultProblemRow) -> rx.Component:
    return rx.box(
        centered_row(
            rx.text(p.row, size="2", weight="bold", white_space="nowrap"),
            rx.code(p.value, size="2", truncate=True),
        ),
        rx.text(p.text, size="2", color=rx.color("red", 11)),
        class_name="list-row",
        width="100%",
    )


def _results() -> rx.Component:
    errors = S.result_errors
    return column(
        section_heading("tround.results"),
        muted(t("tround.results_hint")),
        # The label names the dropzone's hidden file input after the button (which opens it).
        rx.el.label(
            rx.upload(
                rx.button(
                    rx.icon("file-up", size=18),
                    t("tround.upload"),
                    size="4",
                    width="100%",
                    variant="outline",
                    type="button",
                ),
                id="results",
                multiple=False,
                max_files=1,
                accept={
                    "text/csv": [".csv"],
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
                },
                on_drop=S.upload_results(rx.upload_files(upload_id="results")),
                width="100%",
                border="none",
                padding="0",
            ),
            display="block",
            width="100%",
        ),
        rx.cond(
            S.file_error != "",
            rx.callout(
                S.file_error, color_scheme="red", role="alert", icon="triangle-alert", width="100%"
            ),
        ),
        rx.cond(
            S.problems.length() > 0,
            column(rx.foreach(S.problems, _problem), spacing="0", id="result-problems"),
        ),
        rx.cond(
            S.imported != "",
            rx.callout(S.imported, color_scheme="jade", icon="circle-check", width="100%"),
        ),
        panel(
            rx.form(
                column(
                    rx.text(t("tround.type_one"), weight="bold", size="3"),
                    text_field(
                        "barcode",
                        "tround.barcode",
                        errors,
                        placeholder_key="tround.barcode_hint",
                        auto_capitalize="characters",
                        auto_complete="off",
                    ),
                    select_field(
                        "result",
                        "tround.result",
                        errors,
                        [
                            ("negative", t("testing.status.negative")),
                            ("positive", t("tround.positive_one")),
                        ],
                        default="negative",
                    ),
                    rx.button(t("tround.save_result"), type="submit", size="3", width="100%"),
                ),
                on_submit=S.record_result,
            ),
        ),
        rx.button(
            rx.icon("download", size=18),
            t("tround.export"),
            variant="soft",
            size="3",
            width="100%",
            on_click=S.export,
        ),
    )


def _site_sheet() -> rx.Component:
    errors = S.errors
    return sheet(
        t("tround.add_site"),
        rx.form(
            column(
                text_field(
                    "name", "tround.site_name", errors, placeholder_key="tround.site_name_hint"
                ),
                text_field("place", "tround.place", errors, placeholder_key="tround.place_hint"),
                rx.grid(
                    text_field("opens", "tround.opens", errors, type="time", default_value="08:00"),
                    text_field(
                        "closes", "tround.closes", errors, type="time", default_value="12:00"
                    ),
                    columns="2",
                    spacing="2",
                    width="100%",
                ),
                text_field(
                    "capacity",
                    "tround.capacity",
                    errors,
                    type="number",
                    input_mode="numeric",
                    default_value="300",
                ),
                field_error(errors, "_"),
                sheet_buttons(S.close_sheet(False), "tround.add_site"),
            ),
            on_submit=S.add_site,
        ),
        open=S.sheet == "site",
        on_open_change=S.close_sheet,
    )


def _slot_sheet() -> rx.Component:
    errors = S.errors
    return sheet(
        t("tround.add_slot"),
        rx.form(
            column(
                select_field(
                    "building_id",
                    "tround.building",
                    errors,
                    S.building_options,
                    placeholder_key="tround.choose_building",
                ),
                rx.grid(
                    text_field("starts", "tround.starts", errors, type="time"),
                    text_field("ends", "tround.ends", errors, type="time"),
                    columns="2",
                    spacing="2",
                    width="100%",
                ),
                field_error(errors, "_"),
                sheet_buttons(S.close_sheet(False), "tround.add_slot"),
            ),
            on_submit=S.add_slot,
        ),
        open=S.sheet == "slot",
        on_open_change=S.close_sheet,
        description=S.slot_site_name,
    )


def _end_sheet() -> rx.Component:
    return sheet(
        t("tround.end"),
        rx.hstack(
            rx.button(
                t("common.cancel"),
                variant="soft",
                color_scheme="gray",
                size="4",
                flex="1",
                on_click=S.close_sheet(False),
            ),
            rx.button(
                t("tround.end_yes"), color_scheme="red", size="4", flex="2", on_click=S.end_round
            ),
            width="100%",
            spacing="3",
        ),
        open=S.sheet == "end",
        on_open_change=S.close_sheet,
        description=S.end_text,
    )


def round_page() -> rx.Component:
    return app_page(
        "/testing/round",
        "tround.title",
        rx.link(
            rx.icon("chevron-left", size=16),
            t("tround.back"),
            href="/testing",
            size="2",
            class_name="tap-link",
        ),
        rx.cond(
            S.found,
            column(
                column(
                    rx.heading(S.name, size="5", as_="h2"),
                    centered_row(
                        rx.text(S.test_date, size="2", class_name="number"),
                        rx.text("·", size="2"),
                        rx.text(mode_label(S.mode), size="2"),
                        rx.spacer(),
                        status_badge(S.is_open),
                        spacing="2",
                    ),
                    spacing="1",
                ),
                _board(),
                _sites(),
                _results(),
                rx.cond(
                    S.is_open,
                    rx.button(
                        t("tround.end"),
                        variant="outline",
                        color_scheme="red",
                        size="3",
                        width="100%",
                        on_click=S.show_sheet("end"),
                    ),
                ),
                spacing="4",
            ),
            rx.callout(t("tround.not_found"), icon="info", width="100%"),
        ),
        _site_sheet(),
        _slot_sheet(),
        _end_sheet(),
    )
