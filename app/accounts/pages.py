"""Login, resident registration, profile, and linking residents to households."""

import reflex as rx

from app.accounts.state import (
    LoginState,
    RegisterState,
    ResidentsState,
    SessionState,
)
from app.ui.components import (
    centered_row,
    column,
    form_card,
    form_message,
    language_switch,
    muted,
    panel,
    primary_button,
    role_label,
    select_field,
    t,
    text_field,
)
from app.ui.layout import app_page, public_page


def login() -> rx.Component:
    errors = LoginState.errors
    return public_page(
        form_card(
            "login.title",
            form_message(LoginState.message),
            rx.cond(
                LoginState.info != "",
                rx.callout(LoginState.info, role="status", icon="info", size="1", width="100%"),
            ),
            text_field(
                "mobile",
                "login.mobile",
                errors,
                type="tel",
                input_mode="numeric",
                auto_complete="username",
                max_length=13,
                placeholder_key="login.mobile_placeholder",
            ),
            text_field(
                "password",
                "login.password",
                errors,
                type="password",
                auto_complete="current-password",
                placeholder_key="login.password_placeholder",
            ),
            primary_button(t("login.submit"), type="submit", id="login-submit"),
            on_submit=LoginState.submit,
        ),
        _other_way("login.no_account", "login.register_link", "/register"),
        rx.center(language_switch(), width="100%"),
    )


def _other_way(question_key: str, link_key: str, href: str) -> rx.Component:
    """Under a form, the way to the other one: sign up from login, log in from sign-up."""
    return centered_row(
        rx.text(t(question_key), size="3"),
        rx.link(t(link_key), href=href, size="3", weight="bold", class_name="tap-link"),
        justify="center",
    )


def register() -> rx.Component:
    errors = RegisterState.errors
    return public_page(
        form_card(
            "register.title",
            muted(t("register.intro")),
            form_message(RegisterState.message),
            text_field("name", "register.name", errors, auto_complete="name"),
            text_field(
                "mobile",
                "register.mobile",
                errors,
                type="tel",
                input_mode="numeric",
                auto_complete="tel",
                max_length=13,
                placeholder_key="login.mobile_placeholder",
            ),
            text_field(
                "password",
                "register.password",
                errors,
                type="password",
                auto_complete="new-password",
                hint_key="register.password_hint",
            ),
            select_field(
                "community_id",
                "register.community",
                errors,
                RegisterState.communities,
                placeholder_key="register.community_placeholder",
            ),
            text_field(
                "address",
                "register.address",
                errors,
                placeholder_key="register.address_placeholder",
                hint_key="register.address_hint",
                auto_complete="street-address",
            ),
            primary_button(t("register.submit"), type="submit"),
            on_submit=RegisterState.submit,
        ),
        _other_way("register.have_account", "register.login_link", "/login"),
    )


def _profile_row(label_key: str, value) -> rx.Component:
    return rx.hstack(
        rx.text(t(label_key), color_scheme="gray"),
        rx.text(value, weight="medium", text_align="right"),
        justify="between",
        width="100%",
    )


def profile() -> rx.Component:
    return app_page(
        "/profile",
        "profile.title",
        panel(
            column(
                rx.hstack(
                    rx.icon("circle-user-round", size=44, color=rx.color("accent", 9)),
                    rx.heading(SessionState.user_name, size="5", as_="h2"),
                    align="center",
                ),
                rx.separator(size="4"),
                _profile_row("profile.mobile", SessionState.user_mobile),
                _profile_row("profile.role", role_label(SessionState.user_role)),
                _profile_row("profile.place", SessionState.place),
                centered_row(
                    rx.text(t("lang.label"), color_scheme="gray"),
                    language_switch(),
                    justify="between",
                ),
                spacing="4",
            ),
            size="3",
        ),
        rx.button(
            rx.icon("log-out", size=18),
            t("profile.logout"),
            on_click=SessionState.logout,
            size="4",
            variant="soft",
            color_scheme="red",
            width="100%",
        ),
    )


def _pending_card(row: dict) -> rx.Component:
    return panel(
        rx.form(
            column(
                centered_row(
                    rx.text(row["name"], weight="bold", size="4"),
                    muted(row["mobile"]),
                    justify="between",
                ),
                rx.text(t("residents.claimed"), t("common.colon"), row["claimed"], size="2"),
                rx.text(
                    t("residents.registered"),
                    t("common.colon"),
                    row["registered"],
                    size="1",
                    color_scheme="gray",
                ),
                rx.el.label(
                    t("residents.household_address"),
                    html_for="address-" + row["id"],
                    class_name="field-label",
                ),
                rx.input(
                    id="address-" + row["id"],
                    name="address",
                    default_value=rx.cond(row["match"] != "", row["match"], row["claimed"]),
                    size="3",
                    width="100%",
                ),
                rx.el.input(type="hidden", name="user_id", value=row["id"]),
                rx.cond(
                    ResidentsState.errors.contains(row["id"]),
                    rx.text(ResidentsState.errors[row["id"]], color=rx.color("red", 11), size="2"),
                ),
                rx.button(t("residents.link"), type="submit", size="4", width="100%"),
                spacing="2",
            ),
            on_submit=ResidentsState.link,
            reset_on_submit=False,
        ),
    )


def residents() -> rx.Component:
    return app_page(
        "/residents",
        "residents.title",
        rx.cond(
            ResidentsState.pending.length() > 0,
            rx.foreach(ResidentsState.pending, _pending_card),
            rx.text(t("residents.empty"), color_scheme="gray"),
        ),
    )
