"""What the group-buy pages share: role tests, status badges, order and errand cards."""

from typing import Literal, TypedDict

import reflex as rx
from reflex.vars import StringVar
from reflex_components_radix.themes.base import LiteralAccentColor

from app.accounts.state import SessionState
from app.supplies.models import BuyStatus, ErrandKind, ErrandStatus, OrderStatus
from app.supplies.state import (
    ErrandCard,
    OrderCard,
)
from app.ui.components import (
    Errors,
    centered_row,
    column,
    match_component,
    match_text,
    muted,
    panel,
    t,
)

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


def order_card(card: OrderCard) -> rx.Component:
    """What a household needs to know about its order: the number, batch and slot, or the
    delivery, or why it was cancelled."""
    return panel(
        column(
            centered_row(
                rx.text(card.title, weight="bold", size="4"),
                rx.spacer(),
                order_status(card.status),
            ),
            rx.cond(
                card.number != "",
                centered_row(
                    rx.vstack(
                        muted(t("supplies.pickup_number")),
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
                        muted(card.pickup),
                        rx.cond(
                            card.called,
                            rx.badge(t("supplies.your_turn"), color_scheme="orange", size="3"),
                        ),
                        spacing="1",
                    ),
                    spacing="5",
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
            centered_row(
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
            ),
            spacing="2",
        ),
    )


def _errand_card(card: ErrandCard, actions: rx.Component) -> rx.Component:
    return panel(
        column(
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
        ),
    )
