"""Volunteer sign-up and the staff approval queue."""

import reflex as rx

from app.ui.components import (
    field_error,
    form_message,
    primary_button,
    select_field,
    t,
    text_field,
)
from app.ui.layout import app_page, public_page
from app.volunteers.models import Availability, Duty, Skill
from app.volunteers.state import ApplicationCard, ApplicationsState, ApplyState


def _checks(prefix: str, label_key: str, values, errors_name: str | None = None) -> rx.Component:
    """A group of large check boxes posting `<prefix>.<value>`."""
    return rx.vstack(
        rx.text(t(label_key), class_name="field-label"),
        rx.grid(
            *[
                rx.el.label(
                    rx.checkbox(name=f"{prefix}.{v.value}", size="3"),
                    rx.text(t(f"{prefix}.{v.value}"), size="3"),
                    class_name="check-row",
                )
                for v in values
            ],
            columns="2",
            spacing="1",
            width="100%",
        ),
        field_error(ApplyState.errors, errors_name) if errors_name else rx.fragment(),
        spacing="1",
        width="100%",
    )


def _promise(name: str, label_key: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.checkbox(name=name, size="3"),
            rx.text(t(label_key), size="2"),
            class_name="check-row",
        ),
        field_error(ApplyState.errors, name),
        spacing="0",
        width="100%",
    )


def apply() -> rx.Component:
    errors = ApplyState.errors
    return public_page(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(t("apply.title"), size="5", as_="h2"),
                    rx.text(t("apply.intro"), size="2", color_scheme="gray"),
                    form_message(ApplyState.message),
                    text_field(
                        "name",
                        "register.name",
                        errors,
                        auto_complete="name",
                        default_value=ApplyState.prefill_name,
                    ),
                    text_field(
                        "mobile",
                        "register.mobile",
                        errors,
                        type="tel",
                        input_mode="numeric",
                        auto_complete="tel",
                        default_value=ApplyState.prefill_mobile,
                        read_only=ApplyState.signed_in,
                    ),
                    rx.cond(
                        ApplyState.signed_in,
                        rx.fragment(),
                        text_field(
                            "password",
                            "register.password",
                            errors,
                            type="password",
                            auto_complete="new-password",
                            hint_key="apply.password_hint",
                        ),
                    ),
                    select_field(
                        "community_id",
                        "register.community",
                        errors,
                        ApplyState.communities,
                        placeholder_key="register.community_placeholder",
                        value=ApplyState.community_id,
                        on_change=ApplyState.choose_community,
                    ),
                    rx.grid(
                        select_field(
                            "compound_id",
                            "apply.compound",
                            None,
                            ApplyState.compounds,
                            placeholder_key="places.choose_compound",
                        ),
                        text_field("building", "apply.building", errors, input_mode="numeric"),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    field_error(errors, "compound_id"),
                    text_field(
                        "sent_from", "apply.sent_from", errors, hint_key="apply.sent_from_hint"
                    ),
                    rx.el.label(
                        rx.checkbox(name="party_member", size="3"),
                        rx.text(t("apply.party_member"), size="3"),
                        class_name="check-row",
                    ),
                    text_field("party_branch", "apply.party_branch", errors),
                    _checks("duty", "apply.duties", Duty, "duties"),
                    _checks("time", "apply.availability", Availability),
                    _checks("skill", "apply.skills", Skill),
                    _promise("healthy", "apply.healthy"),
                    _promise("consent", "apply.consent"),
                    primary_button(t("apply.submit"), type="submit"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=ApplyState.submit,
                reset_on_submit=False,
            ),
            size="3",
            width="100%",
        ),
        rx.center(
            rx.cond(
                ApplyState.signed_in,
                rx.link(t("forbidden.back"), href="/", size="3"),
                rx.link(
                    t("register.have_account"),
                    " ",
                    t("register.login_link"),
                    href="/login",
                    size="3",
                ),
            ),
            width="100%",
        ),
    )


def _badges(prefix: str, values: rx.Var, scheme: str) -> rx.Component:
    return rx.foreach(
        values,
        lambda v: rx.badge(
            rx.match(
                v,
                *[
                    (x.value, t(f"{prefix}.{x.value}"))
                    for x in {"duty": Duty, "time": Availability, "skill": Skill}[prefix]
                ],
                v,
            ),
            color_scheme=scheme,
            variant="soft",
        ),
    )


def _application(card: ApplicationCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.checkbox(
                    checked=ApplicationsState.chosen.contains(card.id),
                    on_change=lambda checked: ApplicationsState.toggle(card.id, checked),
                    size="3",
                    aria_label=t("applications.choose") + " " + card.name,
                ),
                rx.text(card.name, weight="bold", size="4"),
                rx.text(card.mobile, size="2", color_scheme="gray"),
                rx.spacer(),
                rx.text(card.applied_at, size="1", color_scheme="gray"),
                align="center",
                width="100%",
            ),
            rx.text(card.place, size="2"),
            rx.cond(
                card.party != "",
                rx.text(
                    t("applications.party"),
                    rx.cond(card.party != "-", " · " + card.party, ""),
                    size="2",
                    color=rx.color("red", 11),
                ),
            ),
            rx.hstack(_badges("duty", card.duties, "jade"), wrap="wrap", spacing="1"),
            rx.hstack(
                _badges("time", card.availability, "gray"),
                _badges("skill", card.skills, "orange"),
                wrap="wrap",
                spacing="1",
            ),
            rx.hstack(
                rx.button(
                    t("applications.decline"),
                    variant="soft",
                    color_scheme="red",
                    size="3",
                    flex="1",
                    min_height="44px",
                    on_click=ApplicationsState.open_decline(card.id),
                ),
                rx.button(
                    t("applications.approve"),
                    size="3",
                    flex="2",
                    min_height="44px",
                    on_click=ApplicationsState.approve(card.id),
                ),
                width="100%",
                spacing="3",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _decline_sheet() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("applications.decline_title")),
            rx.form(
                rx.vstack(
                    rx.el.label(
                        t("applications.reason"), html_for="reason", class_name="field-label"
                    ),
                    rx.text_area(
                        id="reason",
                        name="reason",
                        rows="3",
                        width="100%",
                        placeholder=t("applications.reason_hint"),
                    ),
                    rx.cond(
                        ApplicationsState.reason_error != "",
                        rx.text(
                            ApplicationsState.reason_error, color=rx.color("red", 11), size="2"
                        ),
                    ),
                    rx.hstack(
                        rx.button(
                            t("common.cancel"),
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            size="4",
                            flex="1",
                            on_click=ApplicationsState.set_decline_open(False),
                        ),
                        rx.button(
                            t("applications.decline"),
                            type="submit",
                            color_scheme="red",
                            size="4",
                            flex="2",
                        ),
                        width="100%",
                        spacing="3",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=ApplicationsState.decline,
                reset_on_submit=True,
            ),
            class_name="sheet",
            on_open_auto_focus=rx.prevent_default,
        ),
        open=ApplicationsState.declining != 0,
        on_open_change=ApplicationsState.set_decline_open,
    )


def applications() -> rx.Component:
    return app_page(
        "/volunteers",
        "applications.title",
        rx.card(
            rx.vstack(
                rx.text(t("applications.link"), weight="bold"),
                rx.text(t("applications.link_hint"), size="2", color_scheme="gray"),
                rx.hstack(
                    rx.code(ApplicationsState.signup_link, size="2", class_name="break-all"),
                    rx.button(
                        rx.icon("copy", size=16),
                        t("applications.copy"),
                        size="3",
                        variant="soft",
                        min_height="44px",
                        on_click=[
                            rx.set_clipboard(ApplicationsState.signup_link),
                            rx.toast.success(t("applications.copied")),
                        ],
                    ),
                    align="center",
                    width="100%",
                    justify="between",
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        rx.cond(
            ApplicationsState.chosen.length() > 0,
            rx.hstack(
                rx.text(t("applications.chosen"), ApplicationsState.chosen.length(), weight="bold"),
                rx.spacer(),
                rx.button(
                    t("applications.decline"),
                    variant="soft",
                    color_scheme="red",
                    size="3",
                    min_height="44px",
                    on_click=ApplicationsState.open_decline(-1),
                ),
                rx.button(
                    t("applications.approve_chosen"),
                    size="3",
                    min_height="44px",
                    on_click=ApplicationsState.approve_chosen,
                ),
                align="center",
                width="100%",
                class_name="bulk-bar",
            ),
        ),
        rx.cond(
            ApplicationsState.cards.length() > 0,
            rx.vstack(rx.foreach(ApplicationsState.cards, _application), spacing="3", width="100%"),
            rx.text(t("applications.empty"), color_scheme="gray"),
        ),
        _decline_sheet(),
    )
