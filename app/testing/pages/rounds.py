"""核酸检测 (/testing): the community's rounds, and the sheet that plans one."""

import reflex as rx

from app.testing.state import RoundRow, TestingRoundsState
from app.ui.components import (
    centered_row,
    column,
    field_error,
    muted,
    panel,
    row_checkbox,
    select_field,
    sheet,
    sheet_buttons,
    t,
    text_field,
)
from app.ui.layout import app_page

from ._parts import mode_label, progress_bar, status_badge


def _round_card(r: RoundRow) -> rx.Component:
    return rx.link(
        panel(
            column(
                centered_row(
                    rx.text(r.name, weight="bold", size="4", truncate=True),
                    rx.spacer(),
                    status_badge(r.open),
                ),
                centered_row(
                    rx.icon("calendar", size=14),
                    rx.text(r.test_date, size="2", class_name="number"),
                    rx.text("·", size="2"),
                    rx.text(mode_label(r.mode), size="2"),
                    spacing="2",
                ),
                progress_bar(r.percent, r.name),
                muted(r.progress),
                spacing="2",
            ),
            class_name="tap-card",
        ),
        href=f"/testing/round/{r.id}",
        underline="none",
        color="inherit",
        width="100%",
    )


def _plan_sheet() -> rx.Component:
    errors = TestingRoundsState.errors
    return sheet(
        t("trounds.plan"),
        rx.form(
            column(
                text_field("name", "trounds.name", errors, placeholder_key="trounds.name_hint"),
                text_field(
                    "test_date",
                    "trounds.date",
                    errors,
                    type="date",
                    default_value=TestingRoundsState.today,
                ),
                select_field(
                    "mode",
                    "trounds.mode",
                    errors,
                    [
                        ("single", t("testing.mode.single")),
                        ("pool5", t("testing.mode.pool5")),
                        ("pool10", t("testing.mode.pool10")),
                    ],
                    default="pool10",
                ),
                rx.text(t("trounds.scope"), class_name="field-label"),
                rx.text(t("trounds.scope_hint"), size="1", color_scheme="gray"),
                rx.grid(
                    rx.foreach(
                        TestingRoundsState.compound_options,
                        lambda o: rx.el.label(
                            row_checkbox(name="c-" + o[0], size="3"),
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
                sheet_buttons(TestingRoundsState.set_plan_open(False), "trounds.plan"),
            ),
            on_submit=TestingRoundsState.plan,
        ),
        open=TestingRoundsState.planning,
        on_open_change=TestingRoundsState.set_plan_open,
    )


def rounds() -> rx.Component:
    return app_page(
        "/testing",
        "testing.title",
        rx.button(
            rx.icon("plus"),
            t("trounds.plan"),
            size="4",
            width="100%",
            on_click=TestingRoundsState.open_plan,
        ),
        rx.cond(
            TestingRoundsState.rounds.length() > 0,
            column(rx.foreach(TestingRoundsState.rounds, _round_card), spacing="3"),
            rx.callout(t("trounds.empty"), icon="info", width="100%"),
        ),
        _plan_sheet(),
    )
