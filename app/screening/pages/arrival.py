"""四问四登记: a returning resident, at the door or at the gate."""

import reflex as rx

from app.screening.models import Transport
from app.screening.state import ArrivalState
from app.ui.components import (
    centered_row,
    column,
    field_error,
    form_message,
    muted,
    primary_button,
    row_checkbox,
    select_field,
    t,
    text_field,
)
from app.ui.layout import app_page

from ._parts import _input, _symptom_checks


def arrival() -> rx.Component:
    errors = ArrivalState.errors
    return app_page(
        "/arrival",
        "arrival.title",
        muted(t("arrival.intro")),
        rx.cond(
            ArrivalState.household_id == 0,
            rx.form(
                column(
                    select_field(
                        "compound_id",
                        "arrival.compound",
                        errors,
                        ArrivalState.compound_options,
                        placeholder_key="arrival.choose_compound",
                    ),
                    text_field(
                        "door_key", "arrival.door", errors, placeholder_key="arrival.door_hint"
                    ),
                    field_error(errors, "_"),
                    primary_button(t("arrival.find"), type="submit"),
                ),
                on_submit=ArrivalState.find,
                width="100%",
            ),
            rx.form(
                column(
                    centered_row(
                        rx.text(ArrivalState.address, size="4", weight="bold"),
                        rx.spacer(),
                        rx.button(
                            t("arrival.change_door"),
                            variant="ghost",
                            size="2",
                            type="button",
                            on_click=ArrivalState.change_door,
                        ),
                    ),
                    select_field(
                        "who",
                        "arrival.who",
                        errors,
                        ArrivalState.members,
                        first=("new", "arrival.someone_new"),
                        default="new",
                    ),
                    rx.text(t("arrival.new_hint"), size="1", color_scheme="gray"),
                    rx.grid(
                        text_field("name", "household.name", errors),
                        select_field(
                            "sex",
                            "household.sex",
                            errors,
                            [("male", t("sex.male")), ("female", t("sex.female"))],
                        ),
                        columns="2",
                        spacing="2",
                        width="100%",
                    ),
                    text_field(
                        "mobile", "household.mobile", errors, type="tel", input_mode="numeric"
                    ),
                    text_field(
                        "from_place",
                        "arrival.from_place",
                        errors,
                        placeholder_key="arrival.from_hint",
                    ),
                    rx.el.label(
                        row_checkbox(name="from_risk_area", size="3"),
                        rx.text(t("arrival.risk_area"), size="3"),
                        class_name="check-row",
                    ),
                    rx.grid(
                        text_field("arrived_on", "arrival.arrived_on", errors, type="date"),
                        select_field(
                            "transport",
                            "arrival.transport",
                            errors,
                            [(v.value, t(f"transport.{v.value}")) for v in Transport],
                            default="train",
                        ),
                        columns="2",
                        spacing="2",
                        width="100%",
                    ),
                    text_field(
                        "transport_no",
                        "arrival.transport_no",
                        errors,
                        placeholder_key="arrival.transport_no_hint",
                    ),
                    _input(
                        "temperature",
                        "visit.temperature",
                        errors,
                        input_mode="decimal",
                        placeholder="36.5",
                    ),
                    _symptom_checks("sym-"),
                    form_message(ArrivalState.message),
                    primary_button(t("arrival.save"), type="submit"),
                ),
                on_submit=ArrivalState.save,
                width="100%",
            ),
        ),
    )
