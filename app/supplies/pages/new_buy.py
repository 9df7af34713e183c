"""/supplies/new: staff set up a group buy with its items."""

import reflex as rx

from app.supplies.state import (
    NewBuyState,
)
from app.ui.components import (
    column,
    field_error,
    form_message,
    panel,
    primary_button,
    row_checkbox,
    section_heading,
    t,
    text_field,
)
from app.ui.layout import app_page

from ._common import _BUTTON


def _item_fields(i: int) -> rx.Component:
    errors = NewBuyState.errors
    return panel(
        column(
            rx.text(t("supplies.item"), " ", i + 1, weight="bold"),
            rx.grid(
                text_field(f"item{i}_name", "supplies.item_name", errors),
                text_field(
                    f"item{i}_spec",
                    "supplies.item_spec",
                    errors,
                    placeholder_key="supplies.item_spec_hint",
                ),
                columns="2",
                spacing="2",
                width="100%",
            ),
            rx.grid(
                text_field(
                    f"item{i}_price_fen", "supplies.item_price", errors, input_mode="decimal"
                ),
                text_field(f"item{i}_stock", "supplies.item_stock", errors, input_mode="numeric"),
                text_field(
                    f"item{i}_limit_per_household",
                    "supplies.item_limit",
                    errors,
                    input_mode="numeric",
                ),
                grid_template_columns="repeat(3, minmax(0, 1fr))",
                spacing="2",
                width="100%",
            ),
            spacing="2",
        ),
    )


def new_buy() -> rx.Component:
    errors = NewBuyState.errors
    return app_page(
        "/supplies/new",
        "supplies.new",
        rx.form(
            column(
                form_message(NewBuyState.message),
                text_field(
                    "title", "supplies.buy_title", errors, placeholder_key="supplies.buy_title_hint"
                ),
                text_field("supplier", "supplies.supplier", errors),
                rx.grid(
                    text_field(
                        "opens_at",
                        "supplies.opens_at",
                        errors,
                        type="datetime-local",
                        default_value=NewBuyState.default_opens,
                    ),
                    text_field(
                        "closes_at",
                        "supplies.closes_at",
                        errors,
                        type="datetime-local",
                        default_value=NewBuyState.default_closes,
                    ),
                    columns="1",
                    spacing="3",
                    width="100%",
                ),
                column(
                    rx.text(t("supplies.compounds"), class_name="field-label"),
                    rx.grid(
                        rx.foreach(
                            NewBuyState.compounds,
                            lambda c: rx.el.label(
                                row_checkbox(
                                    name="compound." + c[0], size="3", default_checked=True
                                ),
                                rx.text(c[1], size="3"),
                                class_name="check-row",
                            ),
                        ),
                        columns="2",
                        spacing="1",
                        width="100%",
                    ),
                    field_error(errors, "compound_ids"),
                    spacing="1",
                ),
                column(
                    rx.el.label(
                        t("supplies.pickup_points"),
                        html_for="pickup_points",
                        class_name="field-label",
                    ),
                    rx.text_area(
                        id="pickup_points",
                        name="pickup_points",
                        rows="2",
                        width="100%",
                        placeholder=t("supplies.pickup_hint"),
                    ),
                    field_error(errors, "pickup_points"),
                    spacing="1",
                ),
                rx.el.label(
                    row_checkbox(name="delivery_offered", size="3"),
                    rx.text(t("supplies.delivery_offered"), size="3"),
                    class_name="check-row",
                ),
                rx.text(t("supplies.delivery_always"), size="1", color_scheme="gray"),
                section_heading("supplies.items"),
                field_error(errors, "items"),
                *[rx.cond(NewBuyState.item_rows > i, _item_fields(i)) for i in range(20)],
                rx.button(
                    rx.icon("plus", size=16),
                    t("supplies.add_item"),
                    type="button",
                    variant="soft",
                    on_click=NewBuyState.add_item,
                    width="100%",
                    **_BUTTON,
                ),
                primary_button(t("supplies.create"), type="submit"),
            ),
            on_submit=NewBuyState.submit,
            reset_on_submit=False,
            class_name="supplies-form",
        ),
    )
