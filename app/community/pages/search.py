"""The registry's front page: search for a household or a person, and staff's tiles."""

import reflex as rx

from app.accounts.state import SessionState
from app.community.state import (
    RegistryState,
)
from app.ui.components import (
    action_tile,
    centered_row,
    column,
    muted,
    panel,
    t,
)
from app.ui.layout import app_page


def _hit(hit) -> rx.Component:
    return rx.link(
        panel(
            centered_row(
                rx.vstack(
                    rx.text(hit.address, weight="bold", size="3"),
                    muted(hit.name),
                    spacing="1",
                ),
                rx.spacer(),
                muted(hit.detail),
                rx.icon("chevron-right", size=18, color=rx.color("gray", 9)),
            ),
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
            column(
                muted(t("registry.search_hint")),
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
            ),
            rx.cond(
                RegistryState.hits.length() > 0,
                column(rx.foreach(RegistryState.hits, _hit), spacing="2"),
                rx.text(t("registry.no_hits"), color_scheme="gray"),
            ),
        ),
    )
