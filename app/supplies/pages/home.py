"""/supplies: a resident's open buys, orders and errands; staff and volunteers' list of buys."""

import reflex as rx

from app.supplies.models import ErrandKind
from app.supplies.state import (
    BuyCard,
    SuppliesState,
)
from app.ui.components import (
    action_tile,
    field_error,
    primary_button,
    section_heading,
    select_field,
    t,
)
from app.ui.layout import app_page

from ._common import _BUTTON, _errand_card, _is_resident, _is_staff, buy_status, order_card


def _buy_card(card: BuyCard) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(card.title, weight="bold", size="4"),
                    rx.spacer(),
                    buy_status(card.status),
                    align="center",
                    width="100%",
                ),
                rx.text(
                    card.item_names, size="2", color_scheme="gray", truncate=True, width="100%"
                ),
                rx.hstack(
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
                    align="center",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
            class_name="tap-card",
        ),
        href=f"/supplies/buy/{card.id}",
        underline="none",
        color="inherit",
        width="100%",
    )


def _resident_errands() -> rx.Component:
    return rx.vstack(
        section_heading("supplies.errands"),
        rx.card(
            rx.form(
                rx.vstack(
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
                    width="100%",
                ),
                id="errand-form",
                on_submit=SuppliesState.ask_errand,
                reset_on_submit=False,
            ),
            width="100%",
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
        spacing="3",
        width="100%",
    )


def supplies() -> rx.Component:
    return app_page(
        "/supplies",
        "supplies.title",
        rx.cond(
            _is_resident,
            rx.vstack(
                rx.cond(
                    SuppliesState.linked,
                    rx.fragment(),
                    rx.callout(t("home.household_pending"), icon="info", width="100%"),
                ),
                rx.cond(
                    SuppliesState.orders.length() > 0,
                    rx.vstack(
                        section_heading("supplies.my_orders"),
                        rx.foreach(SuppliesState.orders, order_card),
                        spacing="3",
                        width="100%",
                    ),
                ),
                section_heading("supplies.open_buys"),
                rx.cond(
                    SuppliesState.buys.length() > 0,
                    rx.vstack(rx.foreach(SuppliesState.buys, _buy_card), spacing="3", width="100%"),
                    rx.text(t("supplies.none_open"), color_scheme="gray"),
                ),
                _resident_errands(),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
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
                    rx.vstack(rx.foreach(SuppliesState.buys, _buy_card), spacing="3", width="100%"),
                    rx.text(t("supplies.none"), color_scheme="gray"),
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )
