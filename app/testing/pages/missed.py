"""漏检与上门: pick a building, go door by door through who is due and not sampled, say why
(外出 / 住院 / 已搬离) or send home sampling; below, the round's home sampling tasks."""

import reflex as rx
from reflex_components_radix.themes.base import LiteralAccentColor

from app.testing.models import MissedKind
from app.testing.state import DoorRow, MissedRow, MissedState, TaskRow
from app.ui.components import (
    centered_row,
    column,
    field_error,
    form_message,
    muted,
    panel,
    section_heading,
    select_field,
    sheet,
    sheet_buttons,
    t,
    text_field,
)
from app.ui.layout import app_page

ROUTE = "/testing/missed"


def _pickers() -> rx.Component:
    return column(
        rx.cond(
            MissedState.rounds.length() > 0,
            select_field(
                "round",
                "missed.round",
                None,
                MissedState.rounds,
                value=MissedState.round_id.to_string(),
                on_change=MissedState.pick_round,
            ),
        ),
        rx.cond(
            MissedState.buildings.length() > 0,
            select_field(
                "building",
                "missed.building",
                None,
                MissedState.buildings,
                placeholder_key="missed.choose_building",
                value=MissedState.building_id.to_string(),
                on_change=MissedState.pick_building,
            ),
            rx.callout(t("missed.no_buildings"), icon="info", width="100%"),
        ),
    )


def _count(value: rx.Var, key: str, color: LiteralAccentColor) -> rx.Component:
    return rx.vstack(
        rx.text(
            value,
            size="6",
            weight="bold",
            class_name="number count-" + key.split(".")[1],
            color=rx.color(color, 11),
        ),
        muted(t(key)),
        spacing="0",
        align="center",
        flex="1",
    )


def _counts() -> rx.Component:
    return panel(
        centered_row(
            _count(MissedState.due, "missed.due", "gray"),
            _count(MissedState.sampled, "missed.sampled", "jade"),
            _count(MissedState.unexplained, "missed.unexplained", "orange"),
            justify="between",
        ),
    )


def _person(p: MissedRow) -> rx.Component:
    free = (p.mark == "") & (p.home_task == "")
    return column(
        centered_row(
            rx.text(p.name, size="4", weight="bold"),
            rx.cond(p.relation != "", rx.badge(p.relation, variant="surface")),
            wrap="wrap",
        ),
        rx.cond(
            p.mark != "",
            rx.callout(
                p.mark_text, icon="notebook-pen", size="1", color_scheme="gray", width="100%"
            ),
        ),
        rx.cond(
            p.home_task != "",
            rx.callout(p.home_text, icon="house", size="1", color_scheme="blue", width="100%"),
        ),
        rx.cond(
            free,
            rx.grid(
                rx.button(
                    rx.icon("notebook-pen", size=18),
                    t("missed.mark"),
                    on_click=MissedState.open_mark(p.resident_id),
                    variant="soft",
                    size="3",
                ),
                rx.button(
                    rx.icon("house", size=18),
                    t("missed.home"),
                    on_click=MissedState.request_home(p.resident_id),
                    variant="outline",
                    size="3",
                ),
                columns="2",
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            p.mark != "",
            rx.button(
                rx.icon("eraser", size=18),
                t("missed.clear"),
                on_click=MissedState.clear(p.resident_id),
                variant="ghost",
                color_scheme="gray",
                size="3",
            ),
        ),
        spacing="2",
        class_name="missed-person",
    )


def _door(door: DoorRow) -> rx.Component:
    return panel(
        column(
            rx.heading(door.door, size="4", as_="h3", class_name="number"),
            rx.foreach(door.people, _person),
            spacing="1",
        ),
    )


def _task(task: TaskRow, action: rx.Component) -> rx.Component:
    return rx.box(
        centered_row(
            column(
                centered_row(
                    rx.text(task.name, size="3", weight="bold"),
                    rx.badge(task.reason, variant="soft", color_scheme="blue"),
                    wrap="wrap",
                    spacing="2",
                ),
                muted(task.address),
                rx.cond(task.taken_by != "", muted(task.taken_by)),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            action,
        ),
        class_name="list-row",
        width="100%",
    )


def _take(task: TaskRow) -> rx.Component:
    return _task(
        task,
        rx.button(
            rx.icon("hand", size=18),
            t("homesampling.take"),
            on_click=MissedState.take(task.id),
            size="3",
            aria_label=t("homesampling.take") + " " + task.name,
        ),
    )


def _mine(task: TaskRow) -> rx.Component:
    return _task(
        task,
        rx.cond(
            task.status == "done",
            rx.badge(
                rx.icon("check", size=14), t("testing.task.done"), color_scheme="jade", size="2"
            ),
            rx.button(
                rx.icon("test-tube", size=18),
                t("homesampling.finish"),
                on_click=MissedState.open_finish(task.id),
                size="3",
                color_scheme="jade",
                aria_label=t("homesampling.finish") + " " + task.name,
            ),
        ),
    )


def _home_tasks() -> rx.Component:
    return column(
        section_heading("homesampling.title"),
        panel(
            column(
                rx.heading(t("homesampling.mine"), size="3", as_="h3"),
                rx.cond(
                    MissedState.tasks_mine.length() > 0,
                    rx.box(rx.foreach(MissedState.tasks_mine, _mine), width="100%"),
                    muted(t("homesampling.none_mine")),
                ),
                spacing="1",
            ),
        ),
        panel(
            column(
                rx.heading(t("homesampling.open"), size="3", as_="h3"),
                rx.cond(
                    MissedState.tasks_open.length() > 0,
                    rx.box(rx.foreach(MissedState.tasks_open, _take), width="100%"),
                    muted(t("homesampling.none_open")),
                ),
                rx.cond(MissedState.tasks_more != "", muted(MissedState.tasks_more)),
                spacing="1",
            ),
        ),
    )


def _mark_sheet() -> rx.Component:
    errors = MissedState.errors
    return sheet(
        t("missed.sheet_title"),
        rx.form(
            column(
                form_message(MissedState.message),
                rx.vstack(
                    rx.text(t("missed.kind"), class_name="field-label", id="kind-label"),
                    rx.radio_group.root(
                        *[
                            rx.radio_group.item(t(f"testing.missed.{k.value}"), value=k.value)
                            for k in MissedKind
                        ],
                        name="kind",
                        default_value=MissedKind.AWAY.value,
                        direction="row",
                        size="3",
                        spacing="5",
                        aria_labelledby="kind-label",
                    ),
                    field_error(errors, "kind"),
                    spacing="2",
                ),
                text_field(
                    "reason",
                    "missed.reason",
                    errors,
                    placeholder_key="missed.reason_hint",
                    max_length=100,
                ),
                sheet_buttons(MissedState.set_mark_open(False), "missed.save"),
                spacing="4",
            ),
            on_submit=MissedState.save_mark,
            reset_on_submit=False,
            key=MissedState.marking,
        ),
        open=MissedState.marking != 0,
        on_open_change=MissedState.set_mark_open,
        description=MissedState.sheet_name,
    )


def _finish_sheet() -> rx.Component:
    return sheet(
        t("homesampling.finish_title"),
        rx.form(
            column(
                text_field(
                    "barcode",
                    "homesampling.barcode",
                    MissedState.errors,
                    hint_key="homesampling.barcode_hint",
                    auto_complete="off",
                    auto_capitalize="characters",
                ),
                sheet_buttons(MissedState.set_finish_open(False), "homesampling.save"),
                spacing="4",
            ),
            on_submit=MissedState.finish,
            reset_on_submit=False,
            key=MissedState.finishing,
        ),
        open=MissedState.finishing != 0,
        on_open_change=MissedState.set_finish_open,
        description=MissedState.sheet_name,
    )


def missed() -> rx.Component:
    return app_page(
        ROUTE,
        "missed.title",
        rx.cond(
            MissedState.round_id == 0,
            rx.callout(t("missed.no_round"), icon="info", width="100%"),
            column(
                muted(t("missed.intro")),
                _pickers(),
                rx.cond(
                    MissedState.building_id != 0,
                    column(
                        _counts(),
                        rx.cond(
                            MissedState.doors.length() > 0,
                            rx.foreach(MissedState.doors, _door),
                            rx.callout(
                                t("missed.all_sampled"),
                                icon="circle-check",
                                color_scheme="jade",
                                width="100%",
                            ),
                        ),
                    ),
                ),
                _home_tasks(),
                spacing="4",
            ),
        ),
        _mark_sheet(),
        _finish_sheet(),
    )
