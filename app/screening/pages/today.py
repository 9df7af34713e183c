"""今日工作: the lists that drive the day, with the daily-check and release sheets."""

import reflex as rx
from reflex.vars import ArrayVar

from app.screening.state import FollowUpRow, ListRow, PlanRow, TodayState
from app.ui.components import (
    Errors,
    centered_row,
    column,
    field_error,
    match_component,
    muted,
    primary_button,
    sheet,
    t,
    text_field,
)
from app.ui.layout import app_page

from ._parts import _input, _symptom_checks


def _plan(p: PlanRow) -> rx.Component:
    return rx.box(
        column(
            centered_row(
                rx.text(p.name, size="3", weight="bold"),
                muted(p.day),
                rx.spacer(),
                rx.cond(
                    p.checked_today,
                    rx.badge(t("today.done_today"), color_scheme="jade"),
                    rx.badge(t("today.due_today"), color_scheme="orange"),
                ),
            ),
            muted(p.address),
            centered_row(
                rx.cond(
                    p.missed > 0,
                    rx.badge(t("today.missed"), " ", p.missed, color_scheme="red"),
                ),
                rx.cond(
                    p.last_temperature != "",
                    rx.text(
                        t("today.last"),
                        " ",
                        p.last_temperature,
                        "°C",
                        size="2",
                        color_scheme=rx.cond(p.abnormal, "red", "gray"),
                    ),
                ),
                rx.spacer(),
                rx.cond(
                    ~p.checked_today,
                    rx.button(t("today.check"), size="3", on_click=TodayState.open_check(p.id)),
                ),
                rx.cond(
                    TodayState.user_role == "staff",
                    rx.button(
                        t("today.release"),
                        size="3",
                        variant="soft",
                        on_click=TodayState.open_release(p.id),
                    ),
                ),
                spacing="2",
            ),
            spacing="1",
        ),
        class_name="list-row",
        width="100%",
    )


def _follow_up(f: FollowUpRow) -> rx.Component:
    return rx.box(
        column(
            centered_row(
                rx.text(f.address, size="3", weight="bold"),
                rx.spacer(),
                rx.cond(f.escalated, rx.badge(t("today.escalated_badge"), color_scheme="red")),
                muted(t("today.failed_calls"), " ", f.failed_calls),
            ),
            rx.foreach(
                f.callees,
                lambda c: centered_row(
                    rx.text(c.name, size="2"),
                    rx.text(
                        rx.cond(
                            TodayState.dialled.contains(c.resident_id.to_string()),
                            TodayState.dialled[f"{c.resident_id}"],
                            c.mobile,
                        ),
                        size="2",
                        class_name="number",
                    ),
                    rx.spacer(),
                    rx.button(
                        rx.icon("phone"),
                        t("today.call"),
                        size="3",
                        variant="soft",
                        on_click=TodayState.call(c.resident_id),
                    ),
                ),
            ),
            rx.hstack(
                rx.button(
                    t("today.no_answer"),
                    size="3",
                    variant="outline",
                    color_scheme="gray",
                    on_click=TodayState.no_answer(f.id),
                ),
                rx.link(
                    rx.button(t("today.reached"), size="3"),
                    href=f"/visit?phone=1&r={f.round_id}&h={f.household_id}",
                ),
                spacing="2",
                justify="end",
                width="100%",
            ),
            spacing="2",
        ),
        class_name="list-row",
        width="100%",
    )


def _list_row(row: ListRow) -> rx.Component:
    return rx.link(
        column(
            rx.text(row.title, size="3", weight="medium"),
            rx.text(row.detail, size="2", color_scheme=rx.cond(row.warn, "red", "gray")),
            spacing="0",
            class_name="list-row tap-card",
        ),
        href=f"/household/{row.household_id}",
        underline="none",
        color="inherit",
        width="100%",
    )


def _list(items: ArrayVar, render, empty_key: str) -> rx.Component:
    return rx.cond(
        items.length() > 0,
        column(rx.foreach(items, render), spacing="0"),
        muted(t(empty_key), padding_y="1rem"),
    )


def _check_form(on_submit, errors: Errors, *hidden: rx.Component) -> rx.Component:
    return rx.form(
        column(
            *hidden,
            _input(
                "temperature", "visit.temperature", errors, input_mode="decimal", placeholder="36.5"
            ),
            _symptom_checks("sym-"),
            field_error(errors, "_"),
            primary_button(t("today.save_check"), type="submit"),
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def today() -> rx.Component:
    tabs = [
        ("plans", TodayState.plans_due),
        ("follow_ups", TodayState.follow_ups.length()),
        ("arrivals", TodayState.arrivals.length()),
        ("care", TodayState.care.length()),
        ("referrals", TodayState.referrals.length()),
    ]
    return app_page(
        "/today",
        "today.title",
        rx.grid(
            *[
                rx.button(
                    t(f"today.tab.{name}"),
                    rx.cond(count > 0, rx.badge(count, variant="surface", size="1")),
                    variant=rx.cond(TodayState.tab == name, "solid", "soft"),
                    size="3",
                    on_click=TodayState.set_tab(name),
                    aria_pressed=rx.cond(TodayState.tab == name, "true", "false"),
                )
                for name, count in tabs
            ],
            columns="3",
            spacing="2",
            width="100%",
        ),
        match_component(
            TodayState.tab,
            ("follow_ups", _list(TodayState.follow_ups, _follow_up, "today.none.follow_ups")),
            ("arrivals", _list(TodayState.arrivals, _list_row, "today.none.arrivals")),
            ("care", _list(TodayState.care, _list_row, "today.none.care")),
            ("referrals", _list(TodayState.referrals, _list_row, "today.none.referrals")),
            _list(TodayState.plans, _plan, "today.none.plans"),
        ),
        sheet(
            t("today.check_title"),
            _check_form(TodayState.save_check, TodayState.errors),
            open=TodayState.checking > 0,
            on_open_change=TodayState.set_check_open,
        ),
        sheet(
            t("today.release_title"),
            rx.form(
                column(
                    text_field(
                        "note",
                        "today.release_note",
                        TodayState.errors,
                        hint_key="today.release_hint",
                    ),
                    field_error(TodayState.errors, "_"),
                    primary_button(t("today.release"), type="submit"),
                ),
                on_submit=TodayState.release,
            ),
            open=TodayState.releasing > 0,
            on_open_change=TodayState.set_release_open,
        ),
    )
