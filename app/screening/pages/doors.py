"""我的楼栋: the volunteer's buildings, door by door, and the way to the next door."""

import reflex as rx

from app.screening.state import BuildingCard, DoorsState
from app.ui.components import centered_row, column, panel, t
from app.ui.layout import app_page

from ._parts import _legend, _unit


def _building(card: BuildingCard) -> rx.Component:
    return panel(
        column(
            centered_row(
                rx.heading(card.name, size="4", as_="h2"),
                rx.spacer(),
                rx.text(card.done, " / ", card.total, size="3", weight="bold", class_name="number"),
            ),
            rx.progress(
                value=rx.cond(card.total > 0, card.done * 100 // card.total, 0),
                size="2",
                aria_label=card.name,  # a screen reader reads "<building>, 40%"
            ),
            rx.foreach(card.units, lambda u: _unit(u, card.round_id)),
        ),
    )


def _quick_links() -> rx.Component:
    return rx.grid(
        rx.link(
            rx.button(
                rx.icon("clipboard-list"), t("nav.today"), variant="soft", size="3", width="100%"
            ),
            href="/today",
        ),
        rx.link(
            rx.button(
                rx.icon("train-front"), t("arrival.title"), variant="soft", size="3", width="100%"
            ),
            href="/arrival",
        ),
        rx.el.a(
            rx.button(
                rx.icon("wifi-off"), t("doors.offline"), variant="outline", size="3", width="100%"
            ),
            href="/field/",
            class_name="span-2",
        ),
        columns="2",
        spacing="2",
        width="100%",
    )


def doors() -> rx.Component:
    return app_page(
        "/doors",
        "doors.title",
        rx.cond(
            DoorsState.next_href != "",
            rx.link(
                rx.button(t("doors.next"), rx.icon("arrow-right"), size="4", width="100%"),
                href=DoorsState.next_href,
                width="100%",
            ),
            rx.cond(
                DoorsState.buildings.length() > 0,
                rx.callout(t("doors.all_done"), icon="party-popper", color_scheme="jade"),
            ),
        ),
        _quick_links(),
        rx.cond(
            DoorsState.buildings.length() > 0,
            column(
                _legend(),
                rx.foreach(DoorsState.buildings, _building),
            ),
            rx.callout(t("doors.none"), icon="info"),
        ),
    )
