"""排班: one day of the community's roster by post, with the new post and new shifts sheets."""

import reflex as rx
from reflex.vars import StringVar

from app.ui.components import (
    Errors,
    centered_row,
    column,
    field_error,
    match_text,
    muted,
    panel,
    select_field,
    sheet,
    sheet_buttons,
    t,
    text_field,
)
from app.ui.layout import app_page
from app.volunteers.models import PostKind
from app.volunteers.pages._common import _places_left
from app.volunteers.state import (
    PostCard,
    ShiftRow,
    ShiftsState,
)


def _kind(value: StringVar | str) -> StringVar:
    return match_text(value, *[(k.value, t(f"post_kind.{k.value}")) for k in PostKind], value)


def _roster_errors(name: str) -> Errors:
    return rx.cond(ShiftsState.form == name, ShiftsState.errors, {}).to(dict[str, str])


def _roster_shift(row: ShiftRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(row.starts, "–", row.ends, weight="bold", size="2"),
            _places_left(row),
            spacing="1",
            min_width="6.5rem",
        ),
        rx.vstack(
            rx.cond(
                # A row's fields are Vars at run time (typed as the row's Python values).
                rx.Var.create(row.names).length() > 0,
                rx.hstack(
                    rx.foreach(
                        row.names,
                        lambda name: rx.badge(
                            name,
                            color_scheme=rx.cond(
                                rx.Var.create(row.on_duty).contains(name), "jade", "gray"
                            ),
                            variant=rx.cond(
                                rx.Var.create(row.on_duty).contains(name), "solid", "surface"
                            ),
                        ),
                    ),
                    wrap="wrap",
                    spacing="1",
                ),
            ),
            rx.cond(
                ~row.full,
                rx.text(
                    t("shifts.short"),
                    f"{row.capacity - row.taken}",
                    t("shifts.people"),
                    size="1",
                    color=rx.color("orange", 11),
                    weight="medium",
                ),
            ),
            spacing="1",
            flex="1",
        ),
        align="start",
        width="100%",
        padding="0.5rem",
        border_radius="0.5rem",
        class_name=rx.cond(row.full, "shift-row", "shift-row unfilled"),
    )


def _post_card(post: PostCard) -> rx.Component:
    return panel(
        column(
            centered_row(
                rx.text(post.name, weight="bold", size="4"),
                rx.badge(_kind(post.kind), variant="soft"),
                rx.spacer(),
                rx.text(post.hours, size="1", color_scheme="gray"),
            ),
            rx.cond(post.place != "", muted(post.place)),
            rx.cond(
                rx.Var.create(post.shifts).length() > 0,
                column(rx.foreach(post.shifts, _roster_shift), spacing="1"),
                muted(t("shifts.no_shifts")),
            ),
            spacing="2",
        ),
    )


def _day_picker() -> rx.Component:
    return centered_row(
        rx.icon_button(
            rx.icon("chevron-left"),
            size="3",
            variant="soft",
            on_click=ShiftsState.step_day(-1),
            aria_label=t("shifts.prev_day"),
        ),
        rx.input(
            type="date",
            # Uncontrolled, remounted for each day shown (no debounced input to ship).
            default_value=ShiftsState.day,
            key=ShiftsState.day,
            on_change=ShiftsState.pick_day,
            size="3",
            flex="1",
            aria_label=t("shifts.day"),
        ),
        rx.icon_button(
            rx.icon("chevron-right"),
            size="3",
            variant="soft",
            on_click=ShiftsState.step_day(1),
            aria_label=t("shifts.next_day"),
        ),
        class_name="bulk-bar",
    )


def _sheet(
    name: str, title_key: str, *fields: rx.Component, submit, key: StringVar
) -> rx.Component:
    return sheet(
        t(title_key),
        rx.form(
            column(
                *fields,
                field_error(_roster_errors(name), "_"),
                sheet_buttons(ShiftsState.set_sheet_open(False), "shifts.save"),
            ),
            on_submit=submit,
            reset_on_submit=False,
            key=key,
        ),
        open=ShiftsState.sheet == name,
        on_open_change=ShiftsState.set_sheet_open,
    )


def _post_sheet() -> rx.Component:
    errors = _roster_errors("post")
    return _sheet(
        "post",
        "shifts.new_post",
        text_field(
            "name",
            "shifts.post_name",
            errors,
            placeholder_key="shifts.post_name_hint",
            field_id="post-name",
        ),
        select_field(
            "kind",
            "shifts.post_kind",
            errors,
            [(k.value, t(f"post_kind.{k.value}")) for k in PostKind],
            default="gate",
        ),
        text_field("place", "shifts.post_place", errors),
        rx.grid(
            text_field("opens", "shifts.opens", errors, type="time", default_value="06:00"),
            text_field("closes", "shifts.closes", errors, type="time", default_value="22:00"),
            columns="2",
            spacing="3",
            width="100%",
        ),
        submit=ShiftsState.create_post,
        key="post-" + ShiftsState.saved.to_string(),
    )


def _shifts_sheet() -> rx.Component:
    errors = _roster_errors("shifts")
    return _sheet(
        "shifts",
        "shifts.new_shifts",
        select_field(
            "post_id",
            "shifts.post",
            errors,
            ShiftsState.post_options,
            placeholder_key="shifts.choose_post",
        ),
        rx.grid(
            text_field(
                "first_day", "shifts.first_day", errors, type="date", default_value=ShiftsState.day
            ),
            text_field(
                "days",
                "shifts.days",
                errors,
                type="number",
                default_value="1",
                hint_key="shifts.days_hint",
                input_mode="numeric",
            ),
            text_field("start", "shifts.start", errors, type="time", default_value="08:00"),
            text_field("end", "shifts.end", errors, type="time", default_value="12:00"),
            text_field(
                "capacity",
                "shifts.capacity",
                errors,
                type="number",
                default_value="3",
                input_mode="numeric",
            ),
            columns="2",
            spacing="3",
            width="100%",
        ),
        submit=ShiftsState.create_shifts,
        key="shifts-" + ShiftsState.saved.to_string(),
    )


def roster_page() -> rx.Component:
    return app_page(
        "/volunteers/roster",
        "shifts.title",
        _day_picker(),
        rx.grid(
            rx.button(
                rx.icon("calendar-plus", size=18),
                t("shifts.new_shifts"),
                size="3",
                min_height="44px",
                on_click=ShiftsState.open_sheet("shifts"),
            ),
            rx.button(
                rx.icon("map-pin-plus", size=18),
                t("shifts.new_post"),
                size="3",
                variant="soft",
                min_height="44px",
                on_click=ShiftsState.open_sheet("post"),
            ),
            columns="2",
            spacing="2",
            width="100%",
        ),
        rx.cond(
            ShiftsState.unfilled > 0,
            rx.callout(
                t("shifts.unfilled") + ShiftsState.unfilled.to_string(),
                icon="triangle-alert",
                color_scheme="orange",
                width="100%",
            ),
        ),
        panel(
            column(
                rx.text(t("shifts.on_duty_now"), weight="bold"),
                rx.cond(
                    ShiftsState.on_duty.length() > 0,
                    column(
                        rx.foreach(
                            ShiftsState.on_duty,
                            lambda d: centered_row(
                                rx.icon("circle-check", size=16, color=rx.color("jade", 10)),
                                rx.text(d[0], weight="medium", size="2"),
                                muted(d[1]),
                                rx.spacer(),
                                rx.text(t("shifts.since"), d[2], size="1", color_scheme="gray"),
                            ),
                        ),
                        spacing="1",
                    ),
                    muted(t("shifts.nobody_on_duty")),
                ),
                spacing="2",
            ),
            class_name="on-duty",
        ),
        rx.cond(
            ShiftsState.posts.length() > 0,
            column(rx.foreach(ShiftsState.posts, _post_card)),
            rx.text(t("shifts.no_posts"), color_scheme="gray"),
        ),
        centered_row(
            rx.button(
                rx.icon("download", size=18),
                t("shifts.export"),
                variant="soft",
                size="3",
                min_height="44px",
                on_click=ShiftsState.export,
            ),
            rx.link(t("teams.title"), href="/volunteers/teams", size="3", class_name="tap-link"),
            justify="between",
        ),
        _post_sheet(),
        _shifts_sheet(),
    )
