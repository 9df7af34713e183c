"""Shared building blocks: translated text, form fields with their errors, stat tiles."""

from collections.abc import Sequence

import reflex as rx
from reflex.vars import ObjectVar, StringVar
from reflex_components_core.el.elements.forms import HTMLInputTypeAttribute
from reflex_components_radix.themes.components.checkbox import Checkbox

from app.accounts.models import Role
from app.accounts.state import SessionState
from app.ui.i18n import EN, ZH


def column(*children, **props) -> rx.Component:
    """Children one under another, the full width (Radix's stack gap "3" unless given)."""
    return rx.vstack(*children, width="100%", **props)


def centered_row(*children, **props) -> rx.Component:
    """Children side by side, centred on one line, the full width."""
    return rx.hstack(*children, align="center", width="100%", **props)


def panel(*children, **props) -> rx.Component:
    """A card the full width of the page: every card of the app is one."""
    return rx.card(*children, width="100%", **props)


def muted(*children, **props) -> rx.Component:
    """Small grey text: a hint, a date, a count under a title."""
    return rx.text(*children, size="2", color_scheme="gray", **props)


def t(key: str) -> StringVar:
    """A catalog string in the user's language (both are compiled in; the choice is live)."""
    return rx.cond(SessionState.locale == "en", EN[key], ZH[key]).to(str)


# A state's `errors` var: field name → message.
Errors = ObjectVar[dict[str, str]]


def field_error(errors: Errors, name: str, field_id: str | None = None) -> rx.Component:
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name], id=f"{field_id or name}-error", color=rx.color("red", 11), size="2"),
    )


def text_field(
    name: str,
    label_key: str,
    errors: Errors,
    *,
    type: HTMLInputTypeAttribute = "text",
    placeholder_key: str | None = None,
    hint_key: str | None = None,
    field_id: str | None = None,
    **props,
) -> rx.Component:
    """A labelled, uncontrolled input (Chinese IME composition stays intact) with its error.
    Its id (`field_id`, else `name`) must be unique on the page: a form reads its inputs
    through page-wide refs named after their ids."""
    field_id = field_id or name
    return rx.vstack(
        rx.el.label(t(label_key), html_for=field_id, class_name="field-label"),
        rx.input(
            id=field_id,
            name=name,
            type=type,
            placeholder=t(placeholder_key) if placeholder_key else "",
            size="3",
            width="100%",
            aria_invalid=rx.cond(errors.contains(name), "true", "false"),
            aria_describedby=f"{field_id}-error",
            **props,
        ),
        rx.cond(
            errors.contains(name),
            rx.fragment(),
            rx.text(t(hint_key), size="1", color_scheme="gray"),
        )
        if hint_key
        else rx.fragment(),
        field_error(errors, name, field_id),
        spacing="1",
        width="100%",
    )


def form_message(message: rx.Var[str]) -> rx.Component:
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


def row_checkbox(**props) -> rx.Component:
    """A bare checkbox for a `check-row` label, which names it and is its thumb-tall target.
    (`rx.checkbox` wraps itself in a label of its own; an empty one names nothing.)"""
    return Checkbox.create(**props)


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


def match_component(value: rx.Var | str, *cases) -> rx.Component:
    """`rx.match` over components; rx.match is typed as returning a component or a var."""
    shown = rx.match(value, *cases)
    assert isinstance(shown, rx.Component)
    return shown


def match_text(value: rx.Var | str, *cases) -> StringVar:
    """`rx.match` over texts, as a string var."""
    shown = rx.match(value, *cases)
    assert isinstance(shown, rx.Var)
    return shown.to(str)


def role_label(role: StringVar) -> StringVar:
    return match_text(role, *[(r.value, t(f"role.{r.value}")) for r in Role], "")


def select_field(
    name: str,
    label_key: str,
    errors: Errors | None,
    options: rx.Var[Sequence[tuple[str, str]]]
    | list[tuple[str, str]]
    | list[tuple[str, StringVar]],
    *,
    default: rx.Var | str | None = None,
    placeholder_key: str | None = None,
    first: tuple[str, str] | None = None,
    **props,
) -> rx.Component:
    """A labelled select posting `name` with its form; options are (value, label) pairs,
    optionally after a `first` (value, catalog key) choice such as "all". Other props (a
    controlled `value` with `on_change`) go to the select itself."""
    items: list[rx.Component] = (
        [rx.foreach(options, lambda o: rx.select.item(o[1], value=o[0]))]
        if isinstance(options, rx.Var)
        else [rx.select.item(label, value=value) for value, label in options]
    )
    if first is not None:
        items.insert(0, rx.select.item(t(first[1]), value=first[0]))
    return rx.vstack(
        rx.el.label(t(label_key), html_for=name, class_name="field-label"),
        rx.select.root(
            rx.select.trigger(
                placeholder=t(placeholder_key) if placeholder_key else "",
                id=name,
                width="100%",
            ),
            rx.select.content(*items),
            name=name,
            default_value=default,
            size="3",
            **props,
        ),
        field_error(errors, name) if errors is not None else rx.fragment(),
        spacing="1",
        width="100%",
    )


def section_heading(key: str) -> rx.Component:
    return rx.heading(t(key), size="4", as_="h2", margin_top="0.5rem")


def action_tile(icon: str, label_key: str, href: str) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.icon(icon, size=22, color=rx.color("accent", 10)),
                rx.text(t(label_key), size="3", weight="medium"),
                align="center",
                spacing="3",
            ),
            width="100%",
            height="100%",
            class_name="tap-card",
        ),
        href=href,
        underline="none",
        color="inherit",
        width="100%",
        height="100%",
    )


def form_card(title_key: str, *fields: rx.Component, on_submit, **form_props) -> rx.Component:
    """A public page's one form in a card: its heading, then its fields, roomy for thumbs."""
    return panel(
        rx.form(
            column(rx.heading(t(title_key), size="5", as_="h2"), *fields, spacing="4"),
            on_submit=on_submit,
            width="100%",
            **form_props,
        ),
        size="3",
    )


def sheet(
    title: rx.Component | rx.Var | str,
    *children: rx.Component,
    open: rx.Var,
    on_open_change,
    description: rx.Var | str | None = None,
) -> rx.Component:
    """A bottom sheet on a phone (a centred dialog on a wide screen): its title, an optional
    grey line under it, then its body. `on_open_change` gets False when it is dismissed (a tap
    outside, Escape, a close button)."""
    header: list[rx.Component] = [rx.dialog.title(title)]
    if description is not None:
        header.append(
            rx.dialog.description(description, size="2", color_scheme="gray", margin_bottom="1rem")
        )
    return rx.dialog.root(
        rx.dialog.content(
            *header,
            *children,
            class_name="sheet",
            # Opening a sheet must not pop the keyboard up over it.
            on_open_auto_focus=rx.prevent_default,
        ),
        open=open,
        on_open_change=on_open_change,
    )


def sheet_buttons(on_cancel, submit_key: str, **submit_props) -> rx.Component:
    """A sheet's two buttons: cancel (closes it) and the action that submits its form."""
    return rx.hstack(
        rx.button(
            t("common.cancel"),
            type="button",
            variant="soft",
            color_scheme="gray",
            size="4",
            flex="1",
            on_click=on_cancel,
        ),
        rx.button(t(submit_key), type="submit", size="4", flex="2", **submit_props),
        width="100%",
        spacing="3",
    )
