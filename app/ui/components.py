"""Shared building blocks: translated text, form fields with their errors, stat tiles."""

import reflex as rx

from app.accounts.models import Role
from app.accounts.state import SessionState
from app.ui.i18n import EN, ZH


def t(key: str) -> rx.Var:
    """A catalog string in the user's language (both are compiled in; the choice is live)."""
    return rx.cond(SessionState.locale == "en", EN[key], ZH[key])


def field_error(errors: rx.Var, name: str) -> rx.Component:
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name], id=f"{name}-error", color=rx.color("red", 11), size="2"),
    )


def text_field(
    name: str,
    label_key: str,
    errors: rx.Var,
    *,
    type: str = "text",
    placeholder_key: str | None = None,
    hint_key: str | None = None,
    **props,
) -> rx.Component:
    """A labelled, uncontrolled input (Chinese IME composition stays intact) with its error."""
    return rx.vstack(
        rx.el.label(t(label_key), html_for=name, class_name="field-label"),
        rx.input(
            id=name,
            name=name,
            type=type,
            placeholder=t(placeholder_key) if placeholder_key else "",
            size="3",
            width="100%",
            aria_invalid=rx.cond(errors.contains(name), "true", "false"),
            aria_describedby=f"{name}-error",
            **props,
        ),
        rx.cond(
            errors.contains(name),
            rx.fragment(),
            rx.text(t(hint_key), size="1", color_scheme="gray"),
        )
        if hint_key
        else rx.fragment(),
        field_error(errors, name),
        spacing="1",
        width="100%",
    )


def form_message(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, role="alert", color_scheme="red", width="100%", size="1"),
    )


def stat_tile(label: rx.Var | str, value: rx.Var | str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(value, size="6", weight="bold"),
            rx.text(label, size="2", color_scheme="gray"),
            spacing="0",
        ),
        width="100%",
    )


def primary_button(label: rx.Var, **props) -> rx.Component:
    return rx.button(label, size="4", width="100%", **props)


def language_switch() -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item(ZH["lang.zh"], value="zh"),
        rx.segmented_control.item(EN["lang.en"], value="en"),
        value=SessionState.locale,
        on_change=SessionState.switch_locale,
        size="3",
        aria_label="语言 / Language",
    )


def role_label(role: rx.Var) -> rx.Component:
    return rx.match(role, *[(r.value, t(f"role.{r.value}")) for r in Role], "")
