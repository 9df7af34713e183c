"""/supplies/buy/[id]: one buy; residents order, staff and volunteers order on behalf."""

import reflex as rx

from app.supplies.state import (
    BuyState,
    ItemRow,
)
from app.ui.components import (
    centered_row,
    column,
    form_message,
    muted,
    panel,
    primary_button,
    row_checkbox,
    t,
    text_field,
)
from app.ui.layout import app_page

from ._common import _BUTTON, _inline_error, _is_resident, buy_status, order_card
from .buy_staff import staff_panel


def _item_order_row(item: ItemRow) -> rx.Component:
    key = f"qty_{item.id}"
    return column(
        rx.hstack(
            rx.vstack(
                rx.text(item.name, " ", item.spec, weight="bold", size="3"),
                muted(
                    item.price,
                    " · ",
                    t("supplies.limit"),
                    item.limit,
                    " · ",
                    rx.cond(
                        item.stock > 0,
                        t("supplies.left") + f"{item.stock}",
                        t("supplies.sold_out"),
                    ),
                ),
                spacing="0",
                flex="1",
                min_width="0",
            ),
            rx.vstack(
                rx.input(
                    name=key,
                    id=key,
                    type="number",
                    input_mode="numeric",
                    default_value=f"{item.ordered}",
                    key=f"{key}-{item.ordered}",
                    size="3",
                    width="5rem",
                    aria_label=t("supplies.quantity") + " " + item.name,
                    aria_invalid=rx.cond(BuyState.errors.contains(key), "true", "false"),
                ),
                rx.box(_inline_error(BuyState.errors, key), white_space="nowrap"),
                align="end",
                spacing="1",
            ),
            align="start",
            width="100%",
        ),
        spacing="1",
        class_name="list-row",
    )


def _order_form() -> rx.Component:
    return panel(
        rx.form(
            column(
                rx.cond(
                    BuyState.household_address != "",
                    rx.callout(
                        t("supplies.ordering_for") + BuyState.household_address,
                        icon="hand-helping",
                        width="100%",
                        size="1",
                    ),
                ),
                rx.foreach(BuyState.items, _item_order_row),
                rx.cond(
                    BuyState.delivery_offered,
                    rx.el.label(
                        row_checkbox(name="delivery", size="3"),
                        rx.text(t("supplies.want_delivery"), size="3"),
                        class_name="check-row",
                    ),
                ),
                _inline_error(BuyState.errors, "_"),
                form_message(rx.cond(BuyState.errors.length() > 0, "", BuyState.message)),
                primary_button(
                    rx.cond(
                        BuyState.my_order.length() > 0,
                        t("supplies.update_order"),
                        t("supplies.place_order"),
                    ),
                    type="submit",
                    id="place-order",
                ),
                spacing="2",
            ),
            on_submit=BuyState.order,
            reset_on_submit=False,
            class_name="supplies-form",
        ),
    )


def _on_behalf() -> rx.Component:
    return rx.cond(
        ~_is_resident & BuyState.ordering,
        panel(
            column(
                rx.text(t("supplies.on_behalf_title"), weight="bold"),
                muted(t("supplies.on_behalf_hint")),
                rx.form(
                    rx.hstack(
                        rx.box(
                            text_field(
                                "address",
                                "supplies.household_address",
                                BuyState.errors,
                                placeholder_key="supplies.address_hint",
                            ),
                            flex="1",
                        ),
                        rx.button(t("supplies.find"), type="submit", **_BUTTON),
                        align="end",
                        width="100%",
                    ),
                    on_submit=BuyState.find,
                    reset_on_submit=False,
                ),
                rx.cond(
                    BuyState.household_id > 0,
                    rx.button(
                        t("supplies.clear_household"),
                        variant="ghost",
                        on_click=BuyState.clear_household,
                        **_BUTTON,
                    ),
                ),
                spacing="2",
            ),
        ),
    )


def buy() -> rx.Component:
    return app_page(
        "/supplies/buy",
        "supplies.buy",
        rx.cond(
            BuyState.title == "",
            form_message(BuyState.message),
            column(
                panel(
                    column(
                        centered_row(
                            rx.heading(BuyState.title, size="5", as_="h2"),
                            rx.spacer(),
                            buy_status(BuyState.status),
                        ),
                        rx.text(
                            t("supplies.supplier"), t("common.colon"), BuyState.supplier, size="2"
                        ),
                        rx.text(t("supplies.closes"), BuyState.closes_at, size="2"),
                        rx.text(
                            t("supplies.pickup_points"),
                            t("common.colon"),
                            BuyState.pickup,
                            size="2",
                        ),
                        muted(
                            t("supplies.compounds"),
                            t("common.colon"),
                            BuyState.compounds,
                        ),
                        rx.cond(
                            BuyState.cancel_reason != "",
                            rx.callout(
                                t("supplies.buy_cancelled_reason") + BuyState.cancel_reason,
                                color_scheme="red",
                                icon="circle-alert",
                                width="100%",
                                size="1",
                            ),
                        ),
                        rx.cond(
                            (BuyState.status == "arrived") & ~_is_resident,
                            rx.link(
                                rx.button(
                                    rx.icon("megaphone", size=18),
                                    t("supplies.calling"),
                                    width="100%",
                                    size="4",
                                ),
                                href="/supplies/call/" + BuyState.buy_id.to_string(),
                                width="100%",
                            ),
                        ),
                        spacing="1",
                    ),
                ),
                rx.foreach(BuyState.my_order, order_card),
                _on_behalf(),
                rx.cond(
                    BuyState.ordering & (_is_resident | (BuyState.household_id > 0)),
                    column(
                        _order_form(),
                        rx.foreach(
                            BuyState.my_order,
                            lambda o: rx.button(
                                t("supplies.cancel_order"),
                                variant="soft",
                                color_scheme="red",
                                on_click=BuyState.cancel_order(o.id),
                                width="100%",
                                **_BUTTON,
                            ),
                        ),
                    ),
                    rx.cond(
                        _is_resident & ~BuyState.ordering,
                        rx.callout(t("supplies.not_ordering"), icon="clock", width="100%"),
                    ),
                ),
                staff_panel(),
                spacing="4",
            ),
        ),
    )
