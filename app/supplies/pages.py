"""Group buys on a phone: residents order and see their pickup number; staff set buys up,
read the supplier summary, call batches; volunteers collect, deliver and run errands."""

from collections.abc import Sequence
from typing import Literal, TypedDict

import reflex as rx
from reflex.vars import ArrayVar, StringVar
from reflex_components_radix.themes.base import LiteralAccentColor

from app.accounts.state import SessionState
from app.supplies.models import BuyStatus, ErrandKind, ErrandStatus, OrderStatus
from app.supplies.state import (
    BuyCard,
    BuyState,
    CallState,
    DeliveriesState,
    ErrandCard,
    ErrandsState,
    ItemRow,
    NewBuyState,
    OrderCard,
    SuppliesState,
    TaskCard,
)
from app.ui.components import (
    Errors,
    action_tile,
    field_error,
    form_message,
    match_component,
    match_text,
    primary_button,
    row_checkbox,
    section_heading,
    select_field,
    sheet_buttons,
    stat_tile,
    t,
    text_field,
)
from app.ui.layout import app_page

_is_resident = SessionState.user_role == "resident"
_is_staff = (
    (SessionState.user_role == "staff")
    | (SessionState.user_role == "street_staff")
    | (SessionState.user_role == "admin")
)


class _ButtonProps(TypedDict):
    size: Literal["3"]
    min_height: str


_BUTTON: _ButtonProps = {"size": "3", "min_height": "44px"}


def _status_badge(
    status: StringVar | str, prefix: str, values, colors: dict[str, LiteralAccentColor]
) -> rx.Component:
    return match_component(
        status,
        *[
            (v.value, rx.badge(t(f"{prefix}.{v.value}"), color_scheme=colors.get(v.value, "gray")))
            for v in values
        ],
        rx.fragment(),
    )


def buy_status(status: StringVar | str) -> rx.Component:
    return _status_badge(
        status,
        "supplies.buy_status",
        BuyStatus,
        {"open": "jade", "closed": "orange", "cancelled": "red", "arrived": "blue"},
    )


def order_status(status: StringVar | str) -> rx.Component:
    return _status_badge(
        status,
        "supplies.order_status",
        OrderStatus,
        {"placed": "blue", "cancelled": "red", "collected": "jade", "delivered": "jade"},
    )


def _inline_error(errors: Errors, key: StringVar | str) -> rx.Component:
    return rx.cond(
        errors.contains(key),
        rx.text(errors[key], color=rx.color("red", 11), size="2", role="alert"),
    )


# ---------------------------------------------------------------- /supplies


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


def order_card(card: OrderCard) -> rx.Component:
    """What a household needs to know about its order: the number, batch and slot, or the
    delivery, or why it was cancelled."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(card.title, weight="bold", size="4"),
                rx.spacer(),
                order_status(card.status),
                align="center",
                width="100%",
            ),
            rx.cond(
                card.number != "",
                rx.hstack(
                    rx.vstack(
                        rx.text(t("supplies.pickup_number"), size="2", color_scheme="gray"),
                        rx.text(
                            card.number,
                            size="9",
                            weight="bold",
                            class_name="number",
                            id="pickup-number",
                            color=rx.color("accent", 11),
                        ),
                        spacing="0",
                    ),
                    rx.vstack(
                        rx.text(t("supplies.batch"), " ", card.batch, weight="bold", size="4"),
                        rx.text(card.slot, size="2"),
                        rx.text(card.pickup, size="2", color_scheme="gray"),
                        rx.cond(
                            card.called,
                            rx.badge(t("supplies.your_turn"), color_scheme="orange", size="3"),
                        ),
                        spacing="1",
                    ),
                    spacing="5",
                    align="center",
                    width="100%",
                ),
            ),
            rx.cond(
                card.delivery & (card.status == "placed"),
                rx.callout(t("supplies.will_deliver"), icon="truck", width="100%", size="1"),
            ),
            rx.cond(
                card.delivered_at != "",
                rx.text(t("supplies.delivered_at"), card.delivered_at, size="2"),
            ),
            rx.cond(
                card.cancel_reason != "",
                rx.callout(
                    t("supplies.buy_cancelled_reason") + card.cancel_reason,
                    icon="circle-alert",
                    color_scheme="red",
                    width="100%",
                    size="1",
                ),
            ),
            rx.vstack(rx.foreach(card.lines, lambda line: rx.text(line, size="2")), spacing="0"),
            rx.hstack(
                rx.text(t("supplies.total"), card.total, weight="bold", size="3"),
                rx.cond(card.on_behalf, rx.badge(t("supplies.on_behalf"), variant="soft")),
                rx.cond(card.paid, rx.badge(t("supplies.paid"), color_scheme="jade")),
                rx.spacer(),
                rx.cond(
                    card.can_change,
                    rx.link(
                        t("supplies.change"),
                        href=f"/supplies/buy/{card.buy_id}",
                        weight="bold",
                    ),
                ),
                align="center",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _errand_card(card: ErrandCard, actions: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(
                    match_text(
                        card.kind,
                        *[(k.value, t(f"supplies.errand_kind.{k.value}")) for k in ErrandKind],
                        "",
                    ),
                    variant="soft",
                ),
                rx.spacer(),
                _status_badge(
                    card.status,
                    "supplies.errand_status",
                    ErrandStatus,
                    {"open": "orange", "taken": "blue", "done": "jade"},
                ),
                width="100%",
            ),
            rx.text(card.details, size="3"),
            rx.text(card.address, " · ", card.asked_at, size="1", color_scheme="gray"),
            rx.cond(
                card.volunteer != "",
                rx.text(t("supplies.taken_by"), card.volunteer, size="2"),
            ),
            actions,
            spacing="2",
            width="100%",
        ),
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


# ---------------------------------------------------------------- /supplies/new


def _item_fields(i: int) -> rx.Component:
    errors = NewBuyState.errors
    return rx.card(
        rx.vstack(
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
            width="100%",
        ),
        width="100%",
    )


def new_buy() -> rx.Component:
    errors = NewBuyState.errors
    return app_page(
        "/supplies/new",
        "supplies.new",
        rx.form(
            rx.vstack(
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
                rx.vstack(
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
                    width="100%",
                ),
                rx.vstack(
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
                    width="100%",
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
                spacing="3",
                width="100%",
            ),
            on_submit=NewBuyState.submit,
            reset_on_submit=False,
            class_name="supplies-form",
        ),
    )


# ---------------------------------------------------------------- /supplies/buy/[id]


def _item_order_row(item: ItemRow) -> rx.Component:
    key = f"qty_{item.id}"
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.text(item.name, " ", item.spec, weight="bold", size="3"),
                rx.text(
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
                    size="2",
                    color_scheme="gray",
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
            spacing="3",
        ),
        spacing="1",
        width="100%",
        class_name="list-row",
    )


def _order_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
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
                width="100%",
            ),
            on_submit=BuyState.order,
            reset_on_submit=False,
            class_name="supplies-form",
        ),
        width="100%",
    )


def _on_behalf() -> rx.Component:
    return rx.cond(
        ~_is_resident & BuyState.ordering,
        rx.card(
            rx.vstack(
                rx.text(t("supplies.on_behalf_title"), weight="bold"),
                rx.text(t("supplies.on_behalf_hint"), size="2", color_scheme="gray"),
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
                width="100%",
            ),
            width="100%",
        ),
    )


def _summary() -> rx.Component:
    return rx.vstack(
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
        spacing="3",
        width="100%",
    )


def _items_admin() -> rx.Component:
    return rx.vstack(
        section_heading("supplies.items"),
        rx.foreach(
            BuyState.items,
            lambda item: rx.hstack(
                rx.vstack(
                    rx.text(item.name, " ", item.spec, weight="bold"),
                    rx.text(
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
                        size="2",
                        color_scheme="gray",
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
                align="center",
                width="100%",
                class_name="list-row",
            ),
        ),
        rx.text(t("supplies.edit_rules"), size="1", color_scheme="gray"),
        spacing="1",
        width="100%",
    )


def _edit_sheet() -> rx.Component:
    errors = BuyState.errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("supplies.edit_item")),
            rx.foreach(
                BuyState.items,
                lambda item: rx.cond(
                    item.id == BuyState.editing,
                    rx.form(
                        rx.vstack(
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
                            spacing="3",
                            width="100%",
                        ),
                        on_submit=BuyState.save_item,
                        reset_on_submit=False,
                    ),
                ),
            ),
            class_name="sheet",
            on_open_auto_focus=rx.prevent_default,
        ),
        open=BuyState.editing != 0,
        on_open_change=BuyState.set_edit_open,
    )


def _cancel_sheet() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("supplies.cancel_buy")),
            rx.form(
                rx.vstack(
                    rx.text(t("supplies.cancel_explain"), size="2", color_scheme="gray"),
                    rx.el.label(
                        t("supplies.cancel_reason"), html_for="reason", class_name="field-label"
                    ),
                    rx.text_area(id="reason", name="reason", rows="3", width="100%"),
                    field_error(BuyState.errors, "reason"),
                    sheet_buttons(
                        BuyState.set_cancelling(False), "supplies.cancel_buy", color_scheme="red"
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=BuyState.cancel_buy,
                reset_on_submit=False,
            ),
            class_name="sheet",
            on_open_auto_focus=rx.prevent_default,
        ),
        open=BuyState.cancelling,
        on_open_change=BuyState.set_cancelling,
    )


def _arrival() -> rx.Component:
    errors = BuyState.errors
    return rx.vstack(
        section_heading("supplies.arrival"),
        rx.cond(
            BuyState.status == "arrived",
            rx.callout(
                t("supplies.batches_ready") + BuyState.last_batch.to_string(),
                icon="list-ordered",
                width="100%",
            ),
            rx.text(t("supplies.arrival_hint"), size="2", color_scheme="gray"),
        ),
        rx.cond(
            BuyState.calling_batch == 0,
            rx.form(
                rx.vstack(
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
                    width="100%",
                ),
                on_submit=BuyState.generate,
                reset_on_submit=False,
            ),
        ),
        spacing="2",
        width="100%",
    )


def _order_row(card: OrderCard) -> rx.Component:
    return rx.hstack(
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
        align="center",
        width="100%",
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


def _staff_panel() -> rx.Component:
    return rx.cond(
        _is_staff,
        rx.vstack(
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
                rx.vstack(rx.foreach(BuyState.order_rows, _order_row), spacing="0", width="100%"),
                rx.text(t("supplies.no_orders"), color_scheme="gray"),
            ),
            _edit_sheet(),
            _cancel_sheet(),
            spacing="3",
            width="100%",
        ),
    )


def buy() -> rx.Component:
    return app_page(
        "/supplies/buy",
        "supplies.buy",
        rx.cond(
            BuyState.title == "",
            form_message(BuyState.message),
            rx.vstack(
                rx.card(
                    rx.vstack(
                        rx.hstack(
                            rx.heading(BuyState.title, size="5", as_="h2"),
                            rx.spacer(),
                            buy_status(BuyState.status),
                            align="center",
                            width="100%",
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
                        rx.text(
                            t("supplies.compounds"),
                            t("common.colon"),
                            BuyState.compounds,
                            size="2",
                            color_scheme="gray",
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
                        width="100%",
                    ),
                    width="100%",
                ),
                rx.foreach(BuyState.my_order, order_card),
                _on_behalf(),
                rx.cond(
                    BuyState.ordering & (_is_resident | (BuyState.household_id > 0)),
                    rx.vstack(
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
                        spacing="3",
                        width="100%",
                    ),
                    rx.cond(
                        _is_resident & ~BuyState.ordering,
                        rx.callout(t("supplies.not_ordering"), icon="clock", width="100%"),
                    ),
                ),
                _staff_panel(),
                spacing="4",
                width="100%",
            ),
        ),
    )


# ---------------------------------------------------------------- /supplies/call/[id]


def _big_number(number: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(number, class_name="call-number number"),
        class_name="call-cell",
    )


def calling() -> rx.Component:
    return app_page(
        "/supplies/call",
        "supplies.calling",
        rx.vstack(
            rx.hstack(
                rx.text(CallState.title, weight="bold", size="3"),
                rx.spacer(),
                rx.button(
                    rx.icon("refresh-cw", size=16),
                    variant="soft",
                    on_click=CallState.refresh,
                    aria_label=t("supplies.refresh"),
                    **_BUTTON,
                ),
                align="center",
                width="100%",
            ),
            rx.box(
                rx.text(t("supplies.now_calling"), size="4", weight="bold"),
                rx.cond(
                    CallState.batch > 0,
                    rx.vstack(
                        rx.text(
                            t("supplies.batch"),
                            " ",
                            CallState.batch,
                            class_name="call-batch",
                            id="calling-batch",
                        ),
                        rx.text(CallState.slot, size="3"),
                        spacing="0",
                        align="center",
                    ),
                    rx.text(t("supplies.not_started"), size="4"),
                ),
                rx.grid(
                    rx.foreach(CallState.numbers, _big_number),
                    columns="3",
                    spacing="2",
                    width="100%",
                ),
                rx.text(
                    t("supplies.collected_count"),
                    CallState.collected,
                    " · ",
                    t("supplies.waiting"),
                    CallState.waiting,
                    size="2",
                ),
                class_name="call-board",
            ),
            rx.cond(
                CallState.next_numbers.length() > 0,
                rx.text(
                    t("supplies.next_batch"),
                    CallState.next_numbers.join(" "),
                    size="4",
                    class_name="number",
                ),
            ),
            rx.cond(
                _is_staff,
                rx.button(
                    rx.icon("megaphone", size=20),
                    t("supplies.call_next"),
                    size="4",
                    width="100%",
                    min_height="3.5rem",
                    on_click=CallState.advance,
                    disabled=CallState.batch >= CallState.last_batch,
                    id="call-next",
                ),
            ),
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.text(t("supplies.collect_title"), weight="bold"),
                        rx.hstack(
                            rx.box(
                                text_field(
                                    "number",
                                    "supplies.pickup_number",
                                    CallState.errors,
                                    input_mode="numeric",
                                ),
                                flex="1",
                            ),
                            rx.button(t("supplies.collect"), type="submit", **_BUTTON),
                            align="end",
                            width="100%",
                        ),
                        rx.cond(
                            CallState.last_collected != "",
                            rx.callout(
                                CallState.last_collected,
                                icon="circle-check",
                                color_scheme="jade",
                                width="100%",
                                size="1",
                            ),
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    id="collect-form",
                    on_submit=CallState.collect,
                    reset_on_submit=False,
                ),
                width="100%",
            ),
            rx.text(t("supplies.missed_rule"), size="1", color_scheme="gray"),
            spacing="4",
            width="100%",
        ),
    )


# ---------------------------------------------------------------- deliveries and errands


def _task(card: TaskCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(card.address, weight="bold"),
                rx.spacer(),
                rx.text(card.title, size="1", color_scheme="gray"),
                width="100%",
            ),
            rx.foreach(card.lines, lambda line: rx.text(line, size="2")),
            rx.cond(
                card.deliverer != "", rx.text(t("supplies.deliverer"), card.deliverer, size="2")
            ),
            rx.cond(
                card.delivered_at != "",
                rx.text(
                    t("supplies.delivered_at"),
                    card.delivered_at,
                    size="2",
                    color=rx.color("jade", 11),
                ),
                rx.vstack(
                    rx.cond(
                        DeliveriesState.can_assign,
                        rx.select.root(
                            rx.select.trigger(
                                placeholder=t("supplies.assign_to"),
                                width="100%",
                                aria_label=t("supplies.assign_to") + " " + card.address,
                            ),
                            rx.select.content(
                                rx.foreach(
                                    DeliveriesState.volunteers,
                                    lambda v: rx.select.item(v[1], value=v[0]),
                                )
                            ),
                            on_change=lambda v: DeliveriesState.assign(card.order_id, v),
                            size="3",
                        ),
                        rx.cond(
                            card.deliverer == "",
                            rx.button(
                                t("supplies.take"),
                                variant="soft",
                                on_click=DeliveriesState.take(card.order_id),
                                width="100%",
                                **_BUTTON,
                            ),
                        ),
                    ),
                    rx.button(
                        t("supplies.mark_delivered"),
                        on_click=DeliveriesState.delivered(card.order_id),
                        width="100%",
                        **_BUTTON,
                    ),
                    width="100%",
                    spacing="2",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _by_building(tasks: ArrayVar[Sequence[TaskCard]]) -> rx.Component:
    return rx.foreach(
        tasks,
        lambda task, i: rx.vstack(
            rx.cond(
                (i == 0) | (tasks[i - 1].building != task.building),
                rx.hstack(
                    rx.icon("building-2", size=16),
                    rx.text(task.building, weight="bold", size="3"),
                    align="center",
                    margin_top="0.5rem",
                ),
            ),
            _task(task),
            spacing="2",
            width="100%",
        ),
    )


def deliveries() -> rx.Component:
    return app_page(
        "/supplies/deliveries",
        "supplies.deliveries",
        rx.text(t("supplies.deliveries_hint"), size="2", color_scheme="gray"),
        rx.cond(
            DeliveriesState.tasks.length() > 0,
            rx.vstack(_by_building(DeliveriesState.tasks), spacing="2", width="100%"),
            rx.text(t("supplies.no_deliveries"), color_scheme="gray"),
        ),
        rx.cond(
            DeliveriesState.done.length() > 0,
            rx.vstack(
                section_heading("supplies.delivered_recent"),
                rx.foreach(DeliveriesState.done, _task),
                spacing="2",
                width="100%",
            ),
        ),
    )


def errands() -> rx.Component:
    return app_page(
        "/supplies/errands",
        "supplies.errands",
        rx.cond(
            ErrandsState.errands.length() > 0,
            rx.vstack(
                rx.foreach(
                    ErrandsState.errands,
                    lambda e: _errand_card(
                        e,
                        match_component(
                            e.status,
                            (
                                "open",
                                rx.button(
                                    t("supplies.take"),
                                    on_click=ErrandsState.take(e.id),
                                    width="100%",
                                    **_BUTTON,
                                ),
                            ),
                            (
                                "taken",
                                rx.cond(
                                    e.mine | _is_staff,
                                    rx.button(
                                        t("supplies.errand_done"),
                                        on_click=ErrandsState.finish(e.id),
                                        width="100%",
                                        color_scheme="jade",
                                        **_BUTTON,
                                    ),
                                ),
                            ),
                            rx.fragment(),
                        ),
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            rx.text(t("supplies.no_errands"), color_scheme="gray"),
        ),
    )
