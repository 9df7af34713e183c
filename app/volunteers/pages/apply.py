"""申请成为志愿者: the sign-up form, open to visitors."""

import reflex as rx

from app.ui.components import (
    column,
    field_error,
    form_card,
    form_message,
    muted,
    primary_button,
    row_checkbox,
    select_field,
    t,
    text_field,
)
from app.ui.layout import public_page
from app.volunteers.models import Availability, Duty, Skill
from app.volunteers.pages._common import _checks
from app.volunteers.state import (
    ApplyState,
)


def _promise(name: str, label_key: str) -> rx.Component:
    return column(
        rx.el.label(
            row_checkbox(name=name, size="3"),
            rx.text(t(label_key), size="2"),
            class_name="check-row",
        ),
        field_error(ApplyState.errors, name),
        spacing="0",
    )


def apply() -> rx.Component:
    errors = ApplyState.errors
    return public_page(
        form_card(
            "apply.title",
            muted(t("apply.intro")),
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
            text_field("sent_from", "apply.sent_from", errors, hint_key="apply.sent_from_hint"),
            rx.el.label(
                row_checkbox(name="party_member", size="3"),
                rx.text(t("apply.party_member"), size="3"),
                class_name="check-row",
            ),
            text_field("party_branch", "apply.party_branch", errors),
            _checks("duty", "apply.duties", Duty, errors, "duties"),
            _checks("time", "apply.availability", Availability),
            _checks("skill", "apply.skills", Skill),
            _promise("healthy", "apply.healthy"),
            _promise("consent", "apply.consent"),
            primary_button(t("apply.submit"), type="submit"),
            on_submit=ApplyState.submit,
            reset_on_submit=False,
        ),
        rx.center(
            rx.cond(
                ApplyState.signed_in,
                rx.link(t("forbidden.back"), href="/", size="3", class_name="tap-link"),
                rx.link(
                    t("register.have_account"),
                    " ",
                    t("register.login_link"),
                    href="/login",
                    size="3",
                    class_name="tap-link",
                ),
            ),
            width="100%",
        ),
    )
