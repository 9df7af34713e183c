"""The household file (一户一档): its members, their numbers, and the member form."""

import reflex as rx

from app.community.models import CARE_FLAGS, RELATIONS
from app.community.state import (
    HouseholdState,
    Member,
)
from app.ui.components import (
    centered_row,
    column,
    field_error,
    form_message,
    muted,
    panel,
    row_checkbox,
    select_field,
    sheet,
    sheet_buttons,
    t,
    text_field,
)
from app.ui.layout import app_page

from ._common import catalog_label


def _number_row(member: Member, what: str, label_key: str) -> rx.Component:
    key = f"{member.id}:{what}"
    value = member.mobile if what == "mobile" else member.id_number
    return rx.cond(
        value != "",
        centered_row(
            muted(t(label_key), min_width="4.5rem"),
            rx.text(
                rx.cond(HouseholdState.revealed.contains(key), HouseholdState.revealed[key], value),
                size="2",
                class_name="number",
            ),
            rx.spacer(),
            rx.cond(
                HouseholdState.can_reveal.contains(what) & ~HouseholdState.revealed.contains(key),
                rx.button(
                    rx.icon("eye", size=16),
                    t("household.reveal"),
                    on_click=HouseholdState.reveal(member.id, what),
                    variant="ghost",
                    size="3",
                    min_height="44px",
                ),
            ),
        ),
    )


def _member_card(member: Member) -> rx.Component:
    return panel(
        column(
            centered_row(
                rx.text(member.name, weight="bold", size="4"),
                muted(
                    catalog_label("sex.", member.sex),
                    rx.cond(member.age != "", " · " + member.age, ""),
                    rx.cond(member.age != "", t("household.years"), ""),
                ),
                rx.spacer(),
                rx.cond(
                    HouseholdState.can_edit,
                    rx.button(
                        rx.icon("pencil", size=16),
                        t("household.edit"),
                        on_click=HouseholdState.start_edit(member.id),
                        variant="soft",
                        size="3",
                        min_height="44px",
                    ),
                ),
            ),
            rx.hstack(
                rx.cond(member.relation != "", rx.badge(member.relation, variant="surface")),
                rx.badge(
                    catalog_label("residency.", member.residency),
                    color_scheme=rx.cond(member.residency == "tenant", "orange", "gray"),
                    variant="soft",
                ),
                rx.foreach(
                    member.flags,
                    lambda f: rx.badge(
                        catalog_label("flag.", f), color_scheme="red", variant="soft"
                    ),
                ),
                rx.cond(
                    member.moved_out != "",
                    rx.badge(t("household.moved_out"), " ", member.moved_out, color_scheme="gray"),
                ),
                wrap="wrap",
                spacing="2",
            ),
            _number_row(member, "mobile", "household.mobile"),
            _number_row(member, "id_number", "household.id_number"),
            spacing="2",
        ),
        opacity=rx.cond(member.moved_out != "", "0.6", "1"),
    )


def _date_field(name: str, label_key: str) -> rx.Component:
    return column(
        rx.el.label(t(label_key), html_for=name, class_name="field-label"),
        rx.input(
            id=name,
            name=name,
            type="date",
            default_value=HouseholdState.draft[name],
            size="3",
            width="100%",
        ),
        field_error(HouseholdState.errors, name),
        spacing="1",
    )


def _member_form() -> rx.Component:
    errors = HouseholdState.errors
    draft = HouseholdState.draft
    return rx.form(
        column(
            form_message(HouseholdState.message),
            text_field("name", "household.name", errors, default_value=draft["name"]),
            rx.vstack(
                rx.text(t("household.sex"), class_name="field-label"),
                rx.radio_group.root(
                    rx.radio_group.item(t("sex.male"), value="male"),
                    rx.radio_group.item(t("sex.female"), value="female"),
                    name="sex",
                    default_value=draft["sex"],
                    direction="row",
                    size="3",
                    spacing="5",
                ),
                field_error(errors, "sex"),
                spacing="1",
            ),
            select_field(
                "relation",
                "household.relation",
                errors,
                [(r, r) for r in RELATIONS],
                default=draft["relation"],
            ),
            text_field(
                "mobile",
                "household.mobile",
                errors,
                type="tel",
                input_mode="numeric",
                default_value=draft["mobile"],
            ),
            text_field(
                "id_number",
                "household.id_number",
                errors,
                default_value=draft["id_number"],
                hint_key="household.id_hint",
            ),
            _date_field("birth_date", "household.birth_date"),
            rx.vstack(
                rx.text(t("household.residency"), class_name="field-label"),
                rx.radio_group.root(
                    rx.radio_group.item(t("residency.permanent"), value="permanent"),
                    rx.radio_group.item(t("residency.tenant"), value="tenant"),
                    name="residency",
                    default_value=draft["residency"],
                    direction="row",
                    size="3",
                    spacing="5",
                ),
                spacing="1",
            ),
            rx.grid(
                _date_field("moved_in", "household.moved_in"),
                _date_field("moved_out", "household.moved_out_on"),
                columns="2",
                spacing="3",
                width="100%",
            ),
            rx.text(t("household.flags"), class_name="field-label"),
            rx.grid(
                *[
                    rx.el.label(
                        row_checkbox(
                            name=flag,
                            default_checked=HouseholdState.draft_flags.contains(flag),
                            size="3",
                        ),
                        rx.text(t(f"flag.{flag}"), size="3"),
                        class_name="check-row",
                    )
                    for flag in CARE_FLAGS
                ],
                columns="2",
                spacing="2",
                width="100%",
            ),
            field_error(errors, "pregnant"),
            sheet_buttons(HouseholdState.set_form_open(False), "common.save"),
            spacing="4",
        ),
        on_submit=HouseholdState.save,
        reset_on_submit=False,
        key=HouseholdState.editing,
    )


def household() -> rx.Component:
    return app_page(
        "/household",
        "household.title",
        rx.cond(
            HouseholdState.address != "",
            column(
                panel(
                    rx.vstack(
                        rx.heading(HouseholdState.address, size="5", as_="h2"),
                        rx.hstack(
                            rx.badge(HouseholdState.compound, variant="soft"),
                            rx.cond(
                                HouseholdState.grid != "",
                                rx.badge(HouseholdState.grid, variant="outline"),
                            ),
                            muted(
                                t("household.members_count"),
                                " ",
                                HouseholdState.members.length(),
                            ),
                            align="center",
                            wrap="wrap",
                        ),
                        # Staff print the testing code card for a family without a smartphone.
                        rx.cond(
                            HouseholdState.user_role == "staff",
                            rx.link(
                                rx.icon("printer", size=16),
                                t("codecard.open"),
                                href="/testing/card?h=" + HouseholdState.household_id.to_string(),
                                weight="bold",
                                class_name="tap-link",
                            ),
                        ),
                        spacing="2",
                    ),
                ),
                rx.foreach(HouseholdState.members, _member_card),
                rx.cond(
                    HouseholdState.can_edit,
                    rx.button(
                        rx.icon("user-plus", size=18),
                        t("household.add_member"),
                        on_click=HouseholdState.start_add,
                        variant="outline",
                        size="4",
                        width="100%",
                    ),
                ),
            ),
            rx.callout(HouseholdState.message, icon="info", width="100%"),
        ),
        sheet(
            rx.cond(
                HouseholdState.editing == "new",
                t("household.add_member"),
                t("household.edit_member"),
            ),
            _member_form(),
            open=HouseholdState.editing != "",
            on_open_change=HouseholdState.set_form_open,
            description=HouseholdState.address,
        ),
    )
