"""/supplies: a resident's open buys, orders and errands; staff and volunteers' list of buys."""

import reflex as rx

from app.supplies.models import ErrandKind
from app.supplies.state import (
    BuyCard,
    SuppliesState,
)
from app.ui.components import (
    action_tile,
    centered_row,
    column,
    field_error,
    muted,
    panel,
    primary_button,
    section_heading,
    select_field,
    t,
)
from app.ui.layout import app_page

from ._common import _BUTTON, _errand_card, _is_resident, _is_staff, buy_status, order_card


def _buy_card(card: BuyCard) -> rx.Component:
    return rx.link(
        panel(
            column(
                centered_row(
                    rx.text(card.title, weight="bold", size="4"),
                    rx.spacer(),
                    buy_status(card.status),
                ),
                muted(card.item_names, truncate=True, width="100%"),
                centered_row(
                    rx.icon("clock", size=14),
                    rx.text(t("supplies.closes"), card.closes_at, size="2"),
                    rx.spacer(),
                    rx.cond(
                        _is_resident,
                        rx.text(
                            t("supplies.order_now"),
                            size="2",
                            weight="bold",
                            color=rx.color("accent", 11),
                        ),
                        rx.text(t("supplies.orders_count"), card.orders, size="2"),
                    ),
                ),
                spacing="2",
            ),
            class_name="tap-card",
        ),
        href=f"/supplies/buy/{card.id}",
        underline="none",
        color="inherit",
        width="100%",
    )


def _resident_errands() -> rx.Component:
    return column(
        section_heading("supplies.errands"),
        panel(
            rx.form(
                column(
                    select_field(
                        "kind",
                        "supplies.errand_kind_label",
                        SuppliesState.errors,
                        [(k.value, t(f"supplies.errand_kind.{k.value}")) for k in ErrandKind],
                        default="medicine",
                    ),
                    rx.el.label(
                        t("supplies.errand_details"), html_for="details", class_name="field-label"
                    ),
                    rx.text_area(
                        id="details",
                        name="details",
                        rows="2",
                        width="100%",
                        placeholder=t("supplies.errand_hint"),
                    ),
                    field_error(SuppliesState.errors, "details"),
                    primary_button(t("supplies.errand_send"), type="submit"),
                    spacing="2",
                ),
                id="errand-form",
                on_submit=SuppliesState.ask_errand,
                reset_on_submit=False,
            ),
        ),
        rx.foreach(
            SuppliesState.errands,
            lambda e: _errand_card(
                e,
                rx.cond(
                    e.status == "open",
                    rx.button(
                        t("supplies.errand_withdraw"),
                        variant="soft",
                        color_scheme="gray",
                        on_click=SuppliesState.cancel_errand(e.id),
                        **_BUTTON,
                    ),
                ),
            ),
        ),
    )


def supplies() -> rx.Component:
    return app_page(
        "/supplies",
        "supplies.title",
        rx.cond(
            _is_resident,
            column(
                rx.cond(
                    SuppliesState.linked,
                    rx.fragment(),
                    rx.callout(t("home.household_pending"), icon="info", width="100%"),
                ),
                rx.cond(
                    SuppliesState.orders.length() > 0,
                    column(
                        section_heading("supplies.my_orders"),
                        rx.foreach(SuppliesState.orders, order_card),
                    ),
                ),
                section_heading("supplies.open_buys"),
                rx.cond(
                    SuppliesState.buys.length() > 0,
                    column(rx.foreach(SuppliesState.buys, _buy_card)),
                    rx.text(t("supplies.none_open"), color_scheme="gray"),
                ),
                _resident_errands(),
                spacing="4",
            ),
            column(
                rx.grid(
                    rx.cond(_is_staff, action_tile("circle-plus", "supplies.new", "/supplies/new")),
                    action_tile("truck", "supplies.deliveries", "/supplies/deliveries"),
                    action_tile("pill", "supplies.errands", "/supplies/errands"),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                section_heading("supplies.buys"),
                rx.cond(
                    SuppliesState.buys.length() > 0,
                    column(rx.foreach(SuppliesState.buys, _buy_card)),
                    rx.text(t("supplies.none"), color_scheme="gray"),
                ),
                spacing="4",
            ),
        ),
    )
