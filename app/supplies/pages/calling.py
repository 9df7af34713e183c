"""/supplies/call/[id]: the "now calling" screen and collecting by number."""

import reflex as rx

from app.supplies.state import (
    CallState,
)
from app.ui.components import (
    centered_row,
    column,
    panel,
    t,
    text_field,
)
from app.ui.layout import app_page

from ._common import _BUTTON, _is_staff


def _big_number(number: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(number, class_name="call-number number"),
        class_name="call-cell",
    )


def calling() -> rx.Component:
    return app_page(
        "/supplies/call",
        "supplies.calling",
        column(
            centered_row(
                rx.text(CallState.title, weight="bold", size="3"),
                rx.spacer(),
                rx.button(
                    rx.icon("refresh-cw", size=16),
                    variant="soft",
                    on_click=CallState.refresh,
                    aria_label=t("supplies.refresh"),
                    **_BUTTON,
                ),
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
            panel(
                rx.form(
                    column(
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
                    ),
                    id="collect-form",
                    on_submit=CallState.collect,
                    reset_on_submit=False,
                ),
            ),
            rx.text(t("supplies.missed_rule"), size="1", color_scheme="gray"),
            spacing="4",
        ),
    )
