"""我的核酸码 (a phone held out at a site: one big code per member, swiped through) and the
printable A4 household card for a family without a smartphone."""

import reflex as rx

from app.testing.state import CardState, CodesState
from app.testing.state._codes import CodeCard
from app.ui.components import column, muted, panel, t
from app.ui.layout import app_page


def _slide_id(member: CodeCard) -> str:
    return f"code-{member.resident_id}"


def _chip(member: CodeCard) -> rx.Component:
    """Tap a name: the browser brings that member's code into view (a plain anchor: no
    script, no round trip)."""
    return rx.el.a(member.name, href=f"#{_slide_id(member)}", class_name="code-chip")


def _slide(member: CodeCard) -> rx.Component:
    return rx.box(
        rx.text(member.position, class_name="code-meta"),
        rx.text(member.name, class_name="code-name"),
        rx.cond(member.relation != "", rx.text(member.relation, class_name="code-meta")),
        rx.html(member.svg, class_name="qr-box"),
        rx.text(member.code, class_name="code-text"),
        id=_slide_id(member),
        class_name="code-slide",
        data_member=member.name,
    )


def codes() -> rx.Component:
    return app_page(
        "/testing/codes",
        "codes.title",
        rx.cond(
            CodesState.members.length() > 0,
            column(
                muted(t("codes.hint")),
                rx.cond(
                    CodesState.members.length() > 1,
                    rx.box(
                        rx.foreach(CodesState.members, _chip),
                        class_name="code-chips",
                    ),
                ),
                rx.box(
                    rx.foreach(CodesState.members, _slide),
                    class_name="code-strip",
                    tab_index=0,
                    role="region",
                    aria_label=t("codes.title"),
                ),
                rx.link(
                    rx.button(
                        rx.icon("printer", size=18),
                        t("codes.card"),
                        variant="outline",
                        size="3",
                        width="100%",
                    ),
                    href="/testing/card",
                    width="100%",
                ),
            ),
            rx.cond(
                CodesState.message != "",
                rx.callout(CodesState.message, icon="info", width="100%"),
            ),
        ),
    )


def _cell(member: CodeCard) -> rx.Component:
    return rx.box(
        rx.text(member.name, weight="bold", size="4"),
        rx.cond(member.relation != "", rx.text(member.relation, size="2")),
        rx.html(member.svg, class_name="qr-box"),
        rx.text(member.code, class_name="code-text"),
        class_name="code-card-cell",
    )


def card() -> rx.Component:
    return app_page(
        "/testing/card",
        "codecard.title",
        rx.cond(
            CardState.members.length() > 0,
            column(
                panel(
                    column(
                        rx.button(
                            rx.icon("printer", size=18),
                            t("codecard.print"),
                            on_click=rx.call_script("window.print()"),
                            size="4",
                            width="100%",
                        ),
                        muted(t("codecard.print_hint")),
                        spacing="2",
                    ),
                    class_name="no-print",
                ),
                column(
                    rx.heading(t("codecard.heading"), size="5", as_="h2"),
                    rx.text(CardState.address, size="4", weight="medium"),
                    rx.text(t("codecard.note"), size="2"),
                    rx.box(rx.foreach(CardState.members, _cell), class_name="code-card-grid"),
                    spacing="2",
                    class_name="code-card",
                ),
            ),
            rx.cond(
                CardState.message != "",
                rx.callout(CardState.message, icon="info", width="100%"),
            ),
        ),
    )
