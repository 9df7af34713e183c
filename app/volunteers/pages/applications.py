"""The staff approval queue, with its decline and approve sheets."""

import reflex as rx

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
)
from app.ui.layout import app_page
from app.volunteers.models import Duty
from app.volunteers.pages._common import _badges, _checks
from app.volunteers.state import (
    ApplicationCard,
    ApplicationsState,
)


def _application(card: ApplicationCard) -> rx.Component:
    return panel(
        column(
            centered_row(
                # The name is part of the checkbox's row: a thumb-sized target, not a 24 px box.
                rx.el.label(
                    row_checkbox(
                        checked=ApplicationsState.chosen.contains(card.id),
                        on_change=lambda checked: ApplicationsState.toggle(card.id, checked),
                        size="3",
                        aria_label=t("applications.choose") + " " + card.name,
                    ),
                    rx.text(card.name, weight="bold", size="4"),
                    class_name="check-row",
                ),
                muted(card.mobile),
                rx.spacer(),
                rx.text(card.applied_at, size="1", color_scheme="gray"),
            ),
            rx.text(card.place, size="2"),
            rx.cond(
                card.party != "",
                rx.text(
                    t("applications.party"),
                    rx.cond(card.party != "-", " · " + card.party, ""),
                    size="2",
                    color=rx.color("red", 11),
                ),
            ),
            rx.hstack(_badges("duty", card.duties, "jade"), wrap="wrap", spacing="1"),
            rx.hstack(
                _badges("time", card.availability, "gray"),
                _badges("skill", card.skills, "orange"),
                wrap="wrap",
                spacing="1",
            ),
            rx.hstack(
                rx.button(
                    t("applications.decline"),
                    variant="soft",
                    color_scheme="red",
                    size="3",
                    flex="1",
                    min_height="44px",
                    on_click=ApplicationsState.open_decline(card.id),
                ),
                rx.button(
                    t("applications.approve"),
                    size="3",
                    flex="2",
                    min_height="44px",
                    on_click=ApplicationsState.open_approve(card.id),
                ),
                width="100%",
            ),
            spacing="2",
        ),
    )


def _decline_sheet() -> rx.Component:
    return sheet(
        t("applications.decline_title"),
        rx.form(
            column(
                rx.el.label(t("applications.reason"), html_for="reason", class_name="field-label"),
                rx.text_area(
                    id="reason",
                    name="reason",
                    rows="3",
                    width="100%",
                    placeholder=t("applications.reason_hint"),
                ),
                field_error(ApplicationsState.errors, "reason"),
                sheet_buttons(
                    ApplicationsState.set_decline_open(False),
                    "applications.decline",
                    color_scheme="red",
                ),
            ),
            on_submit=ApplicationsState.decline,
            reset_on_submit=True,
        ),
        open=ApplicationsState.declining != 0,
        on_open_change=ApplicationsState.set_decline_open,
    )


def _approve_sheet() -> rx.Component:
    """Approve one application: the duties granted (those offered are ticked) and a grid."""
    errors = ApplicationsState.errors
    return sheet(
        t("applications.approve_title") + " " + ApplicationsState.approving_name,
        rx.form(
            column(
                _checks(
                    "duty",
                    "applications.grant",
                    Duty,
                    errors,
                    "duties",
                    ticked=ApplicationsState.offered,
                ),
                select_field(
                    "grid_id",
                    "applications.grid",
                    errors,
                    ApplicationsState.grid_options,
                    placeholder_key="applications.grid_later",
                ),
                sheet_buttons(ApplicationsState.set_approve_open(False), "applications.approve"),
                spacing="4",
            ),
            on_submit=ApplicationsState.approve,
            reset_on_submit=False,
        ),
        open=ApplicationsState.approving != 0,
        on_open_change=ApplicationsState.set_approve_open,
    )


def applications() -> rx.Component:
    return app_page(
        "/volunteers",
        "applications.title",
        panel(
            column(
                rx.text(t("applications.link"), weight="bold"),
                muted(t("applications.link_hint")),
                centered_row(
                    rx.code(ApplicationsState.signup_link, size="2", class_name="break-all"),
                    rx.button(
                        rx.icon("copy", size=16),
                        t("applications.copy"),
                        size="3",
                        variant="soft",
                        min_height="44px",
                        on_click=[
                            rx.set_clipboard(ApplicationsState.signup_link),
                            rx.toast.success(t("applications.copied")),
                        ],
                    ),
                    justify="between",
                ),
                spacing="2",
            ),
        ),
        rx.cond(
            ApplicationsState.chosen.length() > 0,
            centered_row(
                rx.text(t("applications.chosen"), ApplicationsState.chosen.length(), weight="bold"),
                rx.spacer(),
                rx.button(
                    t("applications.decline"),
                    variant="soft",
                    color_scheme="red",
                    size="3",
                    min_height="44px",
                    on_click=ApplicationsState.open_decline(-1),
                ),
                rx.button(
                    t("applications.approve_chosen"),
                    size="3",
                    min_height="44px",
                    on_click=ApplicationsState.approve_chosen,
                ),
                class_name="bulk-bar",
            ),
        ),
        rx.cond(
            ApplicationsState.cards.length() > 0,
            column(rx.foreach(ApplicationsState.cards, _application)),
            rx.text(t("applications.empty"), color_scheme="gray"),
        ),
        _decline_sheet(),
        _approve_sheet(),
    )
