"""The app shell: a header, the page body in a phone-width column, and the bottom navigation."""

import reflex as rx

from app.accounts.state import SessionState
from app.ui.components import t
from app.ui.navigation import SECTIONS

COLUMN = "30rem"


def _nav_item(section) -> rx.Component:
    roles = rx.Var.create([r.value for r in section.roles])
    active = SessionState.current_route == section.route
    return rx.cond(
        roles.contains(SessionState.user_role),
        rx.link(
            rx.vstack(
                rx.icon(section.icon, size=22),
                rx.text(t(section.label_key), size="1"),
                align="center",
                spacing="1",
            ),
            href=section.route,
            class_name="nav-item",
            color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
            aria_current=rx.cond(active, "page", "false"),
            underline="none",
        ),
    )


def bottom_nav() -> rx.Component:
    return rx.el.nav(
        rx.hstack(*[_nav_item(s) for s in SECTIONS], justify="center", spacing="0", width="100%"),
        class_name="bottom-nav",
        aria_label=t("nav.label"),
    )


def forbidden_notice() -> rx.Component:
    return rx.vstack(
        rx.icon("shield-x", size=48, color=rx.color("red", 9)),
        rx.heading(t("forbidden.title"), size="5"),
        rx.text(t("forbidden.body"), color_scheme="gray"),
        rx.button(t("forbidden.back"), on_click=rx.redirect("/"), size="4"),
        align="center",
        spacing="3",
        padding_top="4rem",
    )


def app_page(route: str, title_key: str, *body: rx.Component) -> rx.Component:
    """A logged-in page. Its body shows only once the page's load has let this user in."""
    return rx.box(
        rx.el.header(
            rx.hstack(
                rx.heading(t(title_key), size="5", as_="h1"),
                rx.spacer(),
                rx.text(SessionState.place, size="2", color_scheme="gray", truncate=True),
                align="center",
                width="100%",
            ),
            class_name="app-header",
        ),
        rx.el.main(
            rx.cond(
                SessionState.allowed_route == route,
                rx.vstack(*body, spacing="4", width="100%"),
                rx.cond(
                    SessionState.forbidden_route == route,
                    forbidden_notice(),
                    rx.center(rx.spinner(size="3"), padding_top="4rem"),
                ),
            ),
            class_name="app-main",
        ),
        bottom_nav(),
        class_name="app-shell",
    )


def public_page(*body: rx.Component) -> rx.Component:
    """Login and registration: no navigation, the app's name on top."""
    return rx.box(
        rx.el.main(
            rx.vstack(
                rx.hstack(
                    rx.icon("shield-plus", size=36, color=rx.color("accent", 9)),
                    rx.vstack(
                        rx.heading(t("app.name"), size="6", as_="h1"),
                        rx.text(t("app.tagline"), size="2", color_scheme="gray"),
                        spacing="0",
                    ),
                    align="center",
                    spacing="3",
                ),
                *body,
                spacing="5",
                width="100%",
            ),
            class_name="app-main public",
        ),
        class_name="app-shell",
    )
