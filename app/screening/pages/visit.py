"""入户登记: one door, one visit, in one hand in a stairwell."""

import reflex as rx
from reflex.vars import NumberVar, StringVar

from app.screening.models import HealthCode, Outcome, TestStatus
from app.screening.state import Person, VisitState
from app.ui.components import (
    centered_row,
    column,
    form_message,
    muted,
    panel,
    primary_button,
    row_checkbox,
    section_heading,
    t,
)
from app.ui.layout import app_page

from ._parts import _input, _outcome_badge, _symptom_checks


def _choice(name: StringVar | str, label_key: str, values, default: str) -> rx.Component:
    """A short set of answers as a segmented control that posts with the form."""
    return column(
        rx.text(t(label_key), class_name="field-label"),
        rx.radio_group.root(
            rx.hstack(
                *[
                    rx.el.label(
                        rx.radio_group.item(value=v.value),
                        rx.text(t(f"{label_key}.{v.value}"), size="3"),
                        class_name="check-row",
                    )
                    for v in values
                ],
                wrap="wrap",
            ),
            name=name,
            default_value=default,
            size="3",
        ),
        spacing="1",
    )


def _health_fields(key: StringVar | str) -> rx.Component:
    """The full answers of one person, keyed `<field>-<key>`."""
    errors = VisitState.errors
    return column(
        _input(
            "temperature-" + key,
            "visit.temperature",
            errors,
            type="text",
            input_mode="decimal",
            placeholder="36.5",
        ),
        _symptom_checks("sym-" + key + "-"),
        rx.el.label(
            row_checkbox(name="travel-" + key, size="3"),
            rx.text(t("visit.travel"), size="3"),
            class_name="check-row",
        ),
        rx.grid(
            _input("travel_place-" + key, "visit.travel_place", errors),
            _input("travel_date-" + key, "visit.travel_date", errors, type="date"),
            columns="2",
            spacing="2",
            width="100%",
        ),
        _choice("health_code-" + key, "health_code", HealthCode, HealthCode.GREEN.value),
        _choice("test_status-" + key, "test_status", TestStatus, TestStatus.NEGATIVE.value),
        padding_top="0.5rem",
    )


def _person(person: Person) -> rx.Component:
    key = f"{person.resident_id}"
    away = VisitState.absent.contains(person.resident_id)
    opened = VisitState.opened.contains(person.resident_id)
    return panel(
        column(
            centered_row(
                rx.vstack(
                    rx.hstack(
                        rx.text(person.name, size="4", weight="bold"),
                        rx.cond(
                            person.in_quarantine,
                            rx.badge(t("visit.in_quarantine"), color_scheme="orange"),
                        ),
                        rx.foreach(person.care, lambda c: rx.badge(c, color_scheme="gray")),
                        wrap="wrap",
                        spacing="2",
                        align="center",
                    ),
                    muted(person.detail),
                    spacing="0",
                ),
                rx.spacer(),
                rx.button(
                    rx.cond(away, t("visit.away"), t("visit.home")),
                    variant=rx.cond(away, "outline", "soft"),
                    color_scheme=rx.cond(away, "gray", "jade"),
                    size="3",
                    type="button",
                    on_click=VisitState.toggle_absent(person.resident_id),
                    aria_pressed=rx.cond(away, "false", "true"),
                ),
            ),
            rx.cond(
                ~away,
                rx.button(
                    rx.cond(opened, t("visit.hide_answers"), t("visit.answers")),
                    rx.icon(rx.cond(opened, "chevron-up", "chevron-down")),
                    variant="ghost",
                    size="3",
                    type="button",
                    on_click=VisitState.toggle_open(person.resident_id),
                ),
            ),
            # Kept in the page when folded, so typed answers are not lost.
            rx.box(
                _health_fields(key),
                display=rx.cond(opened & ~away, "block", "none"),
                width="100%",
            ),
            spacing="2",
        ),
    )


def _found_person(slot: NumberVar[int]) -> rx.Component:
    key = "n" + slot.to_string()
    errors = VisitState.errors
    return panel(
        column(
            centered_row(
                rx.text(t("visit.found_person"), size="3", weight="bold"),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x"),
                    variant="ghost",
                    size="3",
                    type="button",
                    aria_label=t("common.remove"),
                    on_click=VisitState.remove_found(slot),
                ),
            ),
            rx.grid(
                _input("name-" + key, "household.name", errors),
                _input("relation-" + key, "household.relation", errors),
                columns="2",
                spacing="2",
                width="100%",
            ),
            _sex(key),
            _input("mobile-" + key, "household.mobile", errors, type="tel", input_mode="numeric"),
            _health_fields(key),
            spacing="2",
        ),
    )


def _sex(key: StringVar) -> rx.Component:
    return rx.vstack(
        rx.text(t("household.sex"), class_name="field-label"),
        rx.radio_group.root(
            rx.hstack(
                *[
                    rx.el.label(
                        rx.radio_group.item(value=v),
                        rx.text(t(f"sex.{v}"), size="3"),
                        class_name="check-row",
                    )
                    for v in ("male", "female")
                ],
                spacing="4",
            ),
            name="sex-" + key,
            size="3",
        ),
        rx.cond(
            VisitState.errors.contains("sex-" + key),
            rx.text(VisitState.errors["sex-" + key], color=rx.color("red", 11), size="2"),
        ),
        spacing="1",
    )


def _records() -> rx.Component:
    return rx.cond(
        VisitState.records.length() > 0,
        column(
            section_heading("visit.earlier"),
            rx.cond(
                VisitState.conflict,
                column(
                    rx.callout(t("visit.conflict"), icon="triangle-alert", color_scheme="orange"),
                    rx.cond(
                        VisitState.user_role == "staff",
                        rx.button(
                            t("visit.clear_conflict"),
                            variant="soft",
                            size="3",
                            type="button",
                            on_click=VisitState.clear_conflict,
                        ),
                    ),
                ),
            ),
            rx.foreach(
                VisitState.records,
                lambda r: centered_row(
                    _outcome_badge(r.outcome),
                    rx.cond(r.by_phone, rx.icon("phone", size=14)),
                    rx.text(r.by, size="2"),
                    rx.spacer(),
                    muted(r.at),
                    class_name="list-row",
                ),
            ),
            spacing="1",
        ),
    )


def visit() -> rx.Component:
    visited = VisitState.outcome == "visited"
    return app_page(
        "/visit",
        "visit.title",
        rx.cond(
            VisitState.address == "",
            form_message(VisitState.message),
            rx.form(
                column(
                    rx.vstack(
                        rx.heading(VisitState.address, size="5", as_="h2"),
                        muted(
                            VisitState.round_name,
                            rx.cond(VisitState.by_phone, " · ", ""),
                            rx.cond(VisitState.by_phone, t("visit.by_phone"), ""),
                        ),
                        spacing="0",
                    ),
                    rx.cond(
                        VisitState.people.length() > 0,
                        rx.button(
                            rx.icon("circle-check-big"),
                            t("visit.all_normal"),
                            size="4",
                            width="100%",
                            type="button",
                            on_click=VisitState.all_normal,
                            loading=VisitState.saving,
                        ),
                    ),
                    rx.text(t("visit.outcome"), class_name="field-label"),
                    rx.segmented_control.root(
                        *[
                            rx.segmented_control.item(t(f"outcome.{o.value}"), value=o.value)
                            for o in Outcome
                        ],
                        value=VisitState.outcome,
                        on_change=VisitState.set_outcome,
                        size="3",
                        width="100%",
                        class_name="outcome-control",
                    ),
                    rx.box(
                        column(
                            rx.foreach(VisitState.people, _person),
                            rx.foreach(VisitState.found, _found_person),
                            rx.button(
                                rx.icon("user-plus"),
                                t("visit.add_found"),
                                variant="outline",
                                size="3",
                                width="100%",
                                type="button",
                                on_click=VisitState.add_found,
                            ),
                            rx.link(
                                rx.button(
                                    rx.icon("train-front"),
                                    t("arrival.title"),
                                    variant="ghost",
                                    size="3",
                                    width="100%",
                                    type="button",
                                ),
                                href="/arrival?h=" + VisitState.household_id.to_string(),
                            ),
                        ),
                        display=rx.cond(visited, "block", "none"),
                        width="100%",
                    ),
                    _input("note", "visit.note", VisitState.errors),
                    form_message(VisitState.message),
                    rx.box(
                        primary_button(t("visit.save"), type="submit", loading=VisitState.saving),
                        class_name="sticky-action",
                        width="100%",
                    ),
                    _records(),
                ),
                on_submit=VisitState.save,
                width="100%",
            ),
        ),
    )
