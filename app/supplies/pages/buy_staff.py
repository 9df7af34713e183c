"""The staff panel of a buy page: summary, items, status, arrival and the order list."""

import reflex as rx

from app.supplies.state import (
    BuyState,
    OrderCard,
)
from app.ui.components import (
    centered_row,
    column,
    field_error,
    form_message,
    muted,
    section_heading,
    sheet,
    sheet_buttons,
    stat_tile,
    t,
    text_field,
)

from ._common import _BUTTON, _is_staff, order_status


def _summary() -> rx.Component:
    return column(
        section_heading("supplies.summary"),
        rx.grid(
            stat_tile(
                t("supplies.orders_total"),
                (BuyState.paid_count + BuyState.unpaid_count).to_string(),
            ),
            stat_tile(t("supplies.grand_total"), BuyState.grand_total),
            stat_tile(t("supplies.paid"), BuyState.paid_count.to_string()),
            stat_tile(t("supplies.unpaid"), BuyState.unpaid_count.to_string()),
            columns="2",
            spacing="3",
            width="100%",
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(t("supplies.item")),
                        rx.foreach(
                            BuyState.compound_names, lambda n: rx.table.column_header_cell(n)
                        ),
                        rx.table.column_header_cell(t("supplies.units")),
                        rx.table.column_header_cell(t("supplies.amount")),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        BuyState.per_compound,
                        lambda row, i: rx.table.row(
                            rx.foreach(row, lambda cell: rx.table.cell(cell)),
                            rx.table.cell(BuyState.totals[i][1], weight="bold"),
                            rx.table.cell(BuyState.totals[i][2]),
                        ),
                    )
                ),
                size="1",
                variant="surface",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.button(
            rx.icon("download", size=16),
            t("supplies.export"),
            variant="soft",
            on_click=BuyState.export,
            width="100%",
            **_BUTTON,
        ),
    )


def _items_admin() -> rx.Component:
    return column(
        section_heading("supplies.items"),
        rx.foreach(
            BuyState.items,
            lambda item: centered_row(
                rx.vstack(
                    rx.text(item.name, " ", item.spec, weight="bold"),
                    muted(
                        item.price,
                        " · ",
                        t("supplies.sold"),
                        item.sold,
                        " · ",
                        t("supplies.left"),
                        item.stock,
                        " · ",
                        t("supplies.limit"),
                        item.limit,
                    ),
                    spacing="0",
                    flex="1",
                ),
                rx.button(
                    t("supplies.edit"),
                    variant="soft",
                    on_click=BuyState.open_edit(item.id),
                    **_BUTTON,
                ),
                class_name="list-row",
            ),
        ),
        rx.text(t("supplies.edit_rules"), size="1", color_scheme="gray"),
        spacing="1",
    )


def _edit_sheet() -> rx.Component:
    errors = BuyState.errors
    return sheet(
        t("supplies.edit_item"),
        rx.foreach(
            BuyState.items,
            lambda item: rx.cond(
                item.id == BuyState.editing,
                rx.form(
                    column(
                        rx.text(item.name, " ", item.spec, weight="bold"),
                        text_field(
                            "price_fen",
                            "supplies.item_price",
                            errors,
                            default_value=item.price_yuan,
                            input_mode="decimal",
                        ),
                        text_field(
                            "stock",
                            "supplies.item_stock_total",
                            errors,
                            default_value=(item.stock + item.sold).to_string(),
                            input_mode="numeric",
                        ),
                        text_field(
                            "limit_per_household",
                            "supplies.item_limit",
                            errors,
                            default_value=item.limit.to_string(),
                            input_mode="numeric",
                        ),
                        form_message(BuyState.message),
                        sheet_buttons(BuyState.set_edit_open(False), "supplies.save"),
                    ),
                    on_submit=BuyState.save_item,
                    reset_on_submit=False,
                ),
            ),
        ),
        open=BuyState.editing != 0,
        on_open_change=BuyState.set_edit_open,
    )


def _cancel_sheet() -> rx.Component:
    return sheet(
        t("supplies.cancel_buy"),
        rx.form(
            column(
                rx.el.label(
                    t("supplies.cancel_reason"), html_for="reason", class_name="field-label"
                ),
                rx.text_area(id="reason", name="reason", rows="3", width="100%"),
                field_error(BuyState.errors, "reason"),
                sheet_buttons(
                    BuyState.set_cancelling(False), "supplies.cancel_buy", color_scheme="red"
                ),
            ),
            on_submit=BuyState.cancel_buy,
            reset_on_submit=False,
        ),
        open=BuyState.cancelling,
        on_open_change=BuyState.set_cancelling,
        description=t("supplies.cancel_explain"),
    )


def _arrival() -> rx.Component:
    errors = BuyState.errors
    return column(
        section_heading("supplies.arrival"),
        rx.cond(
            BuyState.status == "arrived",
            rx.callout(
                t("supplies.batches_ready") + BuyState.last_batch.to_string(),
                icon="list-ordered",
                width="100%",
            ),
            muted(t("supplies.arrival_hint")),
        ),
        rx.cond(
            BuyState.calling_batch == 0,
            rx.form(
                column(
                    rx.grid(
                        text_field(
                            "batch_size",
                            "supplies.batch_size",
                            errors,
                            default_value="20",
                            input_mode="numeric",
                        ),
                        text_field(
                            "slot_minutes",
                            "supplies.slot_minutes",
                            errors,
                            default_value="15",
                            input_mode="numeric",
                        ),
                        columns="2",
                        spacing="2",
                        width="100%",
                    ),
                    text_field(
                        "first_slot_at",
                        "supplies.first_slot",
                        errors,
                        type="datetime-local",
                        default_value=BuyState.default_first_slot,
                    ),
                    rx.button(
                        t("supplies.generate"),
                        type="submit",
                        id="generate",
                        width="100%",
                        **_BUTTON,
                    ),
                    spacing="2",
                ),
                on_submit=BuyState.generate,
                reset_on_submit=False,
            ),
        ),
        spacing="2",
    )


def _order_row(card: OrderCard) -> rx.Component:
    return centered_row(
        rx.text(
            rx.cond(card.number != "", "#" + card.number, "—"),
            weight="bold",
            class_name="number",
            min_width="2.5rem",
        ),
        rx.vstack(
            rx.text(card.address, size="2", weight="medium"),
            # A row's field is a Var at run time (typed as the row's Python value).
            rx.text(rx.Var.create(card.lines).join(" · "), size="1", color_scheme="gray"),
            rx.hstack(
                rx.text(card.total, size="1"),
                rx.cond(
                    card.on_behalf, rx.badge(t("supplies.on_behalf"), size="1", variant="soft")
                ),
                rx.cond(
                    card.delivery,
                    rx.badge(
                        t("supplies.delivery"), size="1", variant="soft", color_scheme="orange"
                    ),
                ),
                order_status(card.status),
                spacing="1",
                wrap="wrap",
            ),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.el.label(
            rx.switch(
                checked=card.paid, on_change=lambda v: BuyState.toggle_paid(card.id, v), size="2"
            ),
            rx.text(t("supplies.paid"), size="1"),
            class_name="check-row",
        ),
        class_name="list-row",
    )


def _reopen_form() -> rx.Component:
    """Closing early moved the cut-off to that moment: reopening asks for a new one."""
    return rx.cond(
        BuyState.status == "closed",
        rx.form(
            rx.hstack(
                rx.box(
                    text_field(
                        "closes_at",
                        "supplies.closes_at",
                        BuyState.errors,
                        type="datetime-local",
                        default_value=BuyState.default_cutoff,
                    ),
                    flex="1",
                ),
                rx.button(t("supplies.reopen"), type="submit", variant="soft", **_BUTTON),
                align="end",
                width="100%",
            ),
            on_submit=BuyState.reopen,
            reset_on_submit=False,
            width="100%",
        ),
    )


def staff_panel() -> rx.Component:
    return rx.cond(
        _is_staff,
        column(
            rx.hstack(
                rx.cond(
                    BuyState.status == "open",
                    rx.button(
                        t("supplies.close_early"),
                        variant="soft",
                        color_scheme="orange",
                        on_click=BuyState.set_status("close"),
                        flex="1",
                        **_BUTTON,
                    ),
                ),
                rx.cond(
                    BuyState.status != "cancelled",
                    rx.button(
                        t("supplies.cancel_buy"),
                        variant="soft",
                        color_scheme="red",
                        on_click=BuyState.set_cancelling(True),
                        flex="1",
                        **_BUTTON,
                    ),
                ),
                width="100%",
                spacing="2",
            ),
            _reopen_form(),
            _items_admin(),
            _summary(),
            rx.cond((BuyState.status != "cancelled") & ~BuyState.ordering, _arrival()),
            section_heading("supplies.order_list"),
            rx.cond(
                BuyState.order_rows.length() > 0,
                column(rx.foreach(BuyState.order_rows, _order_row), spacing="0"),
                rx.text(t("supplies.no_orders"), color_scheme="gray"),
            ),
            _edit_sheet(),
            _cancel_sheet(),
        ),
    )
