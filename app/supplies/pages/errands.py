"""/supplies/errands: volunteers take and finish errand requests."""

import reflex as rx

from app.supplies.state import (
    ErrandsState,
)
from app.ui.components import (
    column,
    match_component,
    t,
)
from app.ui.layout import app_page

from ._common import _BUTTON, _errand_card, _is_staff


def errands() -> rx.Component:
    return app_page(
        "/supplies/errands",
        "supplies.errands",
        rx.cond(
            ErrandsState.errands.length() > 0,
            column(
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
            ),
            rx.text(t("supplies.no_errands"), color_scheme="gray"),
        ),
    )
