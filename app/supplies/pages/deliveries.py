"""/supplies/deliveries: door deliveries by building."""

from collections.abc import Sequence

import reflex as rx
from reflex.vars import ArrayVar

from app.supplies.state import (
    DeliveriesState,
    TaskCard,
)
from app.ui.components import (
    column,
    muted,
    panel,
    section_heading,
    t,
)
from app.ui.layout import app_page

from ._common import _BUTTON


def _task(card: TaskCard) -> rx.Component:
    return panel(
        column(
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
                column(
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
                    spacing="2",
                ),
            ),
            spacing="2",
        ),
    )


def _by_building(tasks: ArrayVar[Sequence[TaskCard]]) -> rx.Component:
    return rx.foreach(
        tasks,
        lambda task, i: column(
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
        ),
    )


def deliveries() -> rx.Component:
    return app_page(
        "/supplies/deliveries",
        "supplies.deliveries",
        muted(t("supplies.deliveries_hint")),
        rx.cond(
            DeliveriesState.tasks.length() > 0,
            column(_by_building(DeliveriesState.tasks), spacing="2"),
            rx.text(t("supplies.no_deliveries"), color_scheme="gray"),
        ),
        rx.cond(
            DeliveriesState.done.length() > 0,
            column(
                section_heading("supplies.delivered_recent"),
                rx.foreach(DeliveriesState.done, _task),
                spacing="2",
            ),
        ),
    )
