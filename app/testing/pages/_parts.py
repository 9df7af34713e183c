"""Pieces the staff testing pages share."""

import reflex as rx

from app.ui.components import match_text, t


def mode_label(mode: rx.Var | str) -> rx.Var:
    return match_text(
        mode,
        ("single", t("testing.mode.single")),
        ("pool5", t("testing.mode.pool5")),
        ("pool10", t("testing.mode.pool10")),
        "",
    )


def status_badge(is_open: rx.Var | bool) -> rx.Component:
    return rx.cond(
        is_open,
        rx.badge(t("trounds.open"), color_scheme="jade", size="2"),
        rx.badge(t("trounds.ended"), color_scheme="gray", size="2"),
    )


def progress_bar(percent: rx.Var | int, name: rx.Var | str) -> rx.Component:
    """Named after what it measures (a screen reader reads "<name>, 40%")."""
    return rx.progress(value=percent, size="2", color_scheme="jade", width="100%", aria_label=name)
