"""The registry's front page: search for a household or a person, and staff's tiles."""

import reflex as rx

from app.accounts.state import SessionState
from app.community.state import (
    RegistryState,
)
from app.ui.components import (
    action_tile,
    t,
)
from app.ui.layout import app_page


def _hit(hit) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.vstack(
                    rx.text(hit.address, weight="bold", size="3"),
                    rx.text(hit.name, size="2", color_scheme="gray"),
                    spacing="1",
                ),
                rx.spacer(),
                rx.text(hit.detail, size="2", color_scheme="gray"),
                rx.icon("chevron-right", size=18, color=rx.color("gray", 9)),
                align="center",
                width="100%",
            ),
            width="100%",
            class_name="tap-card",
        ),
        href="/household/" + hit.household_id.to_string(),
        underline="none",
        color="inherit",
        width="100%",
    )


def registry() -> rx.Component:
    return app_page(
        "/registry",
        "registry.title",
        rx.el.label(t("registry.search_label"), html_for="registry-search", class_name="sr-only"),
        rx.input(
            rx.input.slot(rx.icon("search", size=18)),
            id="registry-search",
            placeholder=t("registry.search_placeholder"),
            on_change=RegistryState.search.debounce(250),
            type="search",
            size="3",
            width="100%",
            auto_focus=True,
        ),
        rx.cond(
            RegistryState.query == "",
            rx.vstack(
                rx.text(t("registry.search_hint"), size="2", color_scheme="gray"),
                rx.cond(
                    SessionState.user_role == "staff",
                    rx.grid(
                        action_tile("file-up", "registry.import", "/registry/import"),
                        action_tile("file-down", "registry.export", "/registry/import#export"),
                        action_tile("building-2", "registry.places", "/registry/places"),
                        action_tile("scroll-text", "registry.audit", "/registry/audit"),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                RegistryState.hits.length() > 0,
                rx.vstack(rx.foreach(RegistryState.hits, _hit), spacing="2", width="100%"),
                rx.text(t("registry.no_hits"), color_scheme="gray"),
            ),
        ),
    )
