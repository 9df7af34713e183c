"""Volunteer sign-up and the staff approval queue."""

from collections.abc import Sequence

import reflex as rx
from reflex.vars import ArrayVar, ObjectVar, StringVar
from reflex_components_radix.themes.base import LiteralAccentColor

from app.ui.components import (
    Errors,
    field_error,
    form_message,
    match_text,
    primary_button,
    row_checkbox,
    section_heading,
    select_field,
    sheet_buttons,
    stat_tile,
    t,
    text_field,
)
from app.ui.layout import app_page, public_page
from app.volunteers.models import Availability, Duty, PostKind, Skill
from app.volunteers.state import (
    ApplicationCard,
    ApplicationsState,
    ApplyState,
    DutyState,
    PostCard,
    RosterState,
    ShiftRow,
    TeamCard,
    TeamsState,
    VolunteerLine,
    WatcherLine,
)


def _checks(
    prefix: str,
    label_key: str,
    values,
    errors: Errors | None = None,
    errors_name: str | None = None,
    ticked: ArrayVar[Sequence[str]] | None = None,
) -> rx.Component:
    """A group of large check boxes posting `<prefix>.<value>`, those in `ticked` ticked."""
    return rx.vstack(
        rx.text(t(label_key), class_name="field-label"),
        rx.grid(
            *[
                rx.el.label(
                    row_checkbox(
                        name=f"{prefix}.{v.value}",
                        size="3",
                        default_checked=ticked.contains(v.value) if ticked is not None else False,
                    ),
                    rx.text(t(f"{prefix}.{v.value}"), size="3"),
                    class_name="check-row",
                )
                for v in values
            ],
            columns="2",
            spacing="1",
            width="100%",
        ),
        field_error(errors, errors_name) if errors is not None and errors_name else rx.fragment(),
        spacing="1",
        width="100%",
    )


def _promise(name: str, label_key: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(
            row_checkbox(name=name, size="3"),
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


def _badges(
    prefix: str, values: ArrayVar[Sequence[str]] | list[str], scheme: LiteralAccentColor
) -> rx.Component:
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
                # The name is part of the checkbox's row: a thumb-sized target, not a 24 px box.
                rx.el.label(
                    row_checkbox(
                        checked=ApplicationsState.chosen.contains(card.id),
                        on_change=lambda checked: ApplicationsState.toggle(card.id, checked),
                        size="3",
                        aria_label=t("applications.choose") + " " + card.name,
                    ),
                    rx.text(card.name, weight="bold", size="4"),
                    class_name="check-row",
                ),
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
                    on_click=ApplicationsState.open_approve(card.id),
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
                    field_error(ApplicationsState.errors, "reason"),
                    sheet_buttons(
                        ApplicationsState.set_decline_open(False),
                        "applications.decline",
                        color_scheme="red",
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


def _approve_sheet() -> rx.Component:
    """Approve one application: the duties granted (those offered are ticked) and a grid."""
    errors = ApplicationsState.errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("applications.approve_title"), " ", ApplicationsState.approving_name),
            rx.form(
                rx.vstack(
                    _checks(
                        "duty",
                        "applications.grant",
                        Duty,
                        errors,
                        "duties",
                        ticked=ApplicationsState.offered,
                    ),
                    select_field(
                        "grid_id",
                        "applications.grid",
                        errors,
                        ApplicationsState.grid_options,
                        placeholder_key="applications.grid_later",
                    ),
                    sheet_buttons(
                        ApplicationsState.set_approve_open(False), "applications.approve"
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=ApplicationsState.approve,
                reset_on_submit=False,
            ),
            class_name="sheet",
            on_open_auto_focus=rx.prevent_default,
        ),
        open=ApplicationsState.approving != 0,
        on_open_change=ApplicationsState.set_approve_open,
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
        _approve_sheet(),
    )


# ---------------------------------------------------------------- rosters


def _kind(value: StringVar | str) -> StringVar:
    return match_text(value, *[(k.value, t(f"post_kind.{k.value}")) for k in PostKind], value)


def _shift_error(row: ShiftRow | ObjectVar[ShiftRow]) -> rx.Component:
    return rx.cond(
        row.error != "",
        rx.text(row.error, color=rx.color("red", 11), size="2", role="alert"),
    )


def _places_left(row: ShiftRow) -> rx.Component:
    return rx.badge(
        f"{row.taken} / {row.capacity}",
        color_scheme=rx.cond(row.full, "jade", "orange"),
        variant="soft",
        size="2",
    )


def _current_shift() -> rx.Component:
    row = DutyState.current
    return rx.cond(
        row.id != 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("shield-check", size=22, color=rx.color("accent", 10)),
                    rx.text(t("duty.now"), weight="bold", size="3"),
                    rx.spacer(),
                    rx.cond(
                        row.checked_in,
                        rx.badge(t("duty.on_duty"), color_scheme="jade", size="2"),
                    ),
                    align="center",
                    width="100%",
                ),
                rx.text(row.post, size="5", weight="bold"),
                rx.text(row.day, " ", row.starts, "–", row.ends, size="3"),
                rx.cond(
                    row.checked_in,
                    rx.button(
                        rx.icon("log-out", size=18),
                        t("duty.check_out"),
                        size="4",
                        width="100%",
                        color_scheme="orange",
                        on_click=DutyState.check_out,
                    ),
                    rx.button(
                        rx.icon("log-in", size=18),
                        t("duty.check_in"),
                        size="4",
                        width="100%",
                        on_click=DutyState.check_in,
                    ),
                ),
                _shift_error(row),
                spacing="2",
                width="100%",
            ),
            width="100%",
            class_name="duty-now",
        ),
    )


def _my_shift(row: ShiftRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text(row.post, weight="bold", size="3"),
                    rx.text(row.day, " ", row.starts, "–", row.ends, size="2"),
                    spacing="0",
                ),
                rx.spacer(),
                rx.button(
                    t("duty.drop"),
                    variant="soft",
                    color_scheme="gray",
                    size="3",
                    min_height="44px",
                    on_click=DutyState.drop(row.id),
                    aria_label=t("duty.drop") + " " + row.post + " " + row.day + " " + row.starts,
                ),
                align="center",
                width="100%",
            ),
            _shift_error(row),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _open_shift(row: ShiftRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text(row.post, weight="bold", size="3"),
                    rx.hstack(
                        rx.text(row.day, " ", row.starts, "–", row.ends, size="2"),
                        _places_left(row),
                        align="center",
                        spacing="2",
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.button(
                    t("duty.sign_up"),
                    size="3",
                    min_height="44px",
                    on_click=DutyState.sign_up(row.id),
                    aria_label=t("duty.sign_up")
                    + " "
                    + row.post
                    + " "
                    + row.day
                    + " "
                    + row.starts,
                ),
                align="center",
                width="100%",
            ),
            _shift_error(row),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="open-shift",
    )


def _line(icon: str, label_key: str, value: rx.Component | rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=16, color=rx.color("gray", 10)),
        rx.text(t(label_key), size="2", color_scheme="gray", min_width="4.5rem"),
        rx.box(value, flex="1"),
        align="center",
        width="100%",
    )


def _chips(values: ArrayVar[Sequence[str]] | list[str]) -> rx.Component:
    return rx.hstack(
        rx.foreach(values, lambda v: rx.badge(v, variant="surface", color_scheme="gray")),
        wrap="wrap",
        spacing="1",
    )


def _or_none(value: StringVar) -> rx.Component:
    return rx.cond(value != "", rx.text(value, size="2"), rx.text(t("duty.none"), size="2"))


def duty() -> rx.Component:
    return app_page(
        "/duty",
        "duty.title",
        _current_shift(),
        rx.grid(
            stat_tile(t("duty.hours"), DutyState.hours),
            stat_tile(t("duty.upcoming_count"), DutyState.upcoming.length().to_string()),
            columns="2",
            spacing="3",
            width="100%",
        ),
        rx.card(
            rx.vstack(
                _line("users", "duty.team", _or_none(DutyState.team)),
                _line("star", "duty.leader", _or_none(DutyState.leader)),
                rx.cond(
                    DutyState.teammates.length() > 0,
                    _line("user", "duty.teammates", _chips(DutyState.teammates)),
                ),
                _line("map", "duty.grid", _or_none(DutyState.grid)),
                _line(
                    "badge-check",
                    "duty.roles",
                    rx.cond(
                        DutyState.duties.length() > 0,
                        rx.hstack(
                            _badges("duty", DutyState.duties, "jade"), wrap="wrap", spacing="1"
                        ),
                        rx.text(t("duty.none"), size="2"),
                    ),
                ),
                rx.cond(
                    DutyState.watching.length() > 0,
                    _line("eye", "duty.watching", _chips(DutyState.watching)),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        section_heading("duty.upcoming"),
        rx.cond(
            DutyState.upcoming.length() > 0,
            rx.vstack(rx.foreach(DutyState.upcoming, _my_shift), spacing="2", width="100%"),
            rx.text(t("duty.no_upcoming"), size="2", color_scheme="gray"),
        ),
        section_heading("duty.open"),
        rx.text(t("duty.open_hint"), size="2", color_scheme="gray"),
        rx.cond(
            DutyState.open_shifts.length() > 0,
            rx.vstack(rx.foreach(DutyState.open_shifts, _open_shift), spacing="2", width="100%"),
            rx.text(t("duty.no_open"), size="2", color_scheme="gray"),
        ),
    )


def _roster_errors(name: str) -> Errors:
    return rx.cond(RosterState.form == name, RosterState.errors, {}).to(dict[str, str])


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
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(post.name, weight="bold", size="4"),
                rx.badge(_kind(post.kind), variant="soft"),
                rx.spacer(),
                rx.text(post.hours, size="1", color_scheme="gray"),
                align="center",
                width="100%",
            ),
            rx.cond(post.place != "", rx.text(post.place, size="2", color_scheme="gray")),
            rx.cond(
                rx.Var.create(post.shifts).length() > 0,
                rx.vstack(rx.foreach(post.shifts, _roster_shift), spacing="1", width="100%"),
                rx.text(t("shifts.no_shifts"), size="2", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _day_picker() -> rx.Component:
    return rx.hstack(
        rx.icon_button(
            rx.icon("chevron-left"),
            size="3",
            variant="soft",
            on_click=RosterState.step_day(-1),
            aria_label=t("shifts.prev_day"),
        ),
        rx.input(
            type="date",
            # Uncontrolled, remounted for each day shown (no debounced input to ship).
            default_value=RosterState.day,
            key=RosterState.day,
            on_change=RosterState.pick_day,
            size="3",
            flex="1",
            aria_label=t("shifts.day"),
        ),
        rx.icon_button(
            rx.icon("chevron-right"),
            size="3",
            variant="soft",
            on_click=RosterState.step_day(1),
            aria_label=t("shifts.next_day"),
        ),
        width="100%",
        align="center",
        class_name="bulk-bar",
    )


def _sheet(
    name: str, title_key: str, *fields: rx.Component, submit, key: StringVar
) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t(title_key)),
            rx.form(
                rx.vstack(
                    *fields,
                    field_error(_roster_errors(name), "_"),
                    sheet_buttons(RosterState.set_sheet_open(False), "shifts.save"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=submit,
                reset_on_submit=False,
                key=key,
            ),
            class_name="sheet",
            on_open_auto_focus=rx.prevent_default,
        ),
        open=RosterState.sheet == name,
        on_open_change=RosterState.set_sheet_open,
    )


def _post_sheet() -> rx.Component:
    errors = _roster_errors("post")
    return _sheet(
        "post",
        "shifts.new_post",
        text_field("name", "shifts.post_name", errors, placeholder_key="shifts.post_name_hint"),
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
        submit=RosterState.create_post,
        key="post-" + RosterState.saved.to_string(),
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
            RosterState.post_options,
            placeholder_key="shifts.choose_post",
        ),
        rx.grid(
            text_field(
                "first_day", "shifts.first_day", errors, type="date", default_value=RosterState.day
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
        submit=RosterState.create_shifts,
        key="shifts-" + RosterState.saved.to_string(),
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
                on_click=RosterState.open_sheet("shifts"),
            ),
            rx.button(
                rx.icon("map-pin-plus", size=18),
                t("shifts.new_post"),
                size="3",
                variant="soft",
                min_height="44px",
                on_click=RosterState.open_sheet("post"),
            ),
            columns="2",
            spacing="2",
            width="100%",
        ),
        rx.cond(
            RosterState.unfilled > 0,
            rx.callout(
                t("shifts.unfilled") + RosterState.unfilled.to_string(),
                icon="triangle-alert",
                color_scheme="orange",
                width="100%",
            ),
        ),
        rx.card(
            rx.vstack(
                rx.text(t("shifts.on_duty_now"), weight="bold"),
                rx.cond(
                    RosterState.on_duty.length() > 0,
                    rx.vstack(
                        rx.foreach(
                            RosterState.on_duty,
                            lambda d: rx.hstack(
                                rx.icon("circle-check", size=16, color=rx.color("jade", 10)),
                                rx.text(d[0], weight="medium", size="2"),
                                rx.text(d[1], size="2", color_scheme="gray"),
                                rx.spacer(),
                                rx.text(t("shifts.since"), d[2], size="1", color_scheme="gray"),
                                align="center",
                                width="100%",
                            ),
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    rx.text(t("shifts.nobody_on_duty"), size="2", color_scheme="gray"),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
            class_name="on-duty",
        ),
        rx.cond(
            RosterState.posts.length() > 0,
            rx.vstack(rx.foreach(RosterState.posts, _post_card), spacing="3", width="100%"),
            rx.text(t("shifts.no_posts"), color_scheme="gray"),
        ),
        rx.hstack(
            rx.button(
                rx.icon("download", size=18),
                t("shifts.export"),
                variant="soft",
                size="3",
                min_height="44px",
                on_click=RosterState.export,
            ),
            rx.link(t("teams.title"), href="/volunteers/teams", size="3", class_name="tap-link"),
            justify="between",
            align="center",
            width="100%",
        ),
        _post_sheet(),
        _shifts_sheet(),
    )


def _team_errors(name: str) -> Errors:
    return rx.cond(TeamsState.form == name, TeamsState.errors, {}).to(dict[str, str])


def _volunteer_select(value, on_change, label: rx.Var, none_key: str | None = None):
    items = [rx.select.item(t(none_key), value="none")] if none_key else []
    return rx.select.root(
        rx.select.trigger(placeholder=t("teams.choose_volunteer"), width="100%", aria_label=label),
        rx.select.content(
            *items,
            rx.foreach(TeamsState.volunteer_options, lambda o: rx.select.item(o[1], value=o[0])),
        ),
        value=value,
        on_change=on_change,
        size="3",
    )


def _team_card(team: TeamCard) -> rx.Component:
    errors = _team_errors(f"member-{team.id}")
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(team.name, weight="bold", size="4"),
                rx.spacer(),
                rx.cond(team.grid != "", rx.badge(team.grid, variant="soft")),
                align="center",
                width="100%",
            ),
            rx.cond(
                rx.Var.create(team.buildings).length() > 0,
                _chips(team.buildings),
            ),
            rx.foreach(
                team.members,
                lambda m: rx.hstack(
                    rx.icon(
                        rx.cond(m[0] == team.leader_id, "star", "user"),
                        size=16,
                    ),
                    rx.text(m[1], size="3"),
                    rx.cond(
                        m[0] == team.leader_id,
                        rx.badge(t("teams.leader"), color_scheme="jade"),
                    ),
                    rx.spacer(),
                    rx.cond(
                        m[0] != team.leader_id,
                        rx.button(
                            t("teams.make_leader"),
                            size="3",
                            variant="soft",
                            on_click=TeamsState.set_leader(team.id, m[0]),
                        ),
                    ),
                    rx.button(
                        t("teams.remove"),
                        size="3",
                        variant="ghost",
                        color_scheme="red",
                        on_click=TeamsState.remove_member(team.id, m[0]),
                    ),
                    align="center",
                    width="100%",
                ),
            ),
            _volunteer_select(
                "",
                lambda v: TeamsState.add_member(team.id, v),
                t("teams.add_member"),
            ),
            field_error(errors, "user_id"),
            field_error(errors, "_"),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _watcher_line(line: WatcherLine) -> rx.Component:
    errors = _team_errors(f"watcher-{line.building_id}")
    return rx.vstack(
        rx.hstack(
            rx.text(line.building, size="2", min_width="7rem"),
            rx.box(
                _volunteer_select(
                    line.user_id,
                    lambda v: TeamsState.set_watcher(line.building_id, v),
                    t("teams.watcher") + " " + line.building,
                    none_key="teams.no_watcher",
                ),
                flex="1",
            ),
            align="center",
            width="100%",
        ),
        field_error(errors, "user_id"),
        spacing="1",
        width="100%",
    )


def _volunteer_line(v: VolunteerLine) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(
                v.name,
                weight="medium",
                size="3",
                color=rx.cond(v.suspended, rx.color("gray", 9), rx.color("gray", 12)),
            ),
            rx.text(
                v.mobile,
                " · ",
                rx.cond(v.team != "", v.team, t("teams.no_team")),
                " · ",
                v.hours,
                t("teams.hours_unit"),
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(
            v.suspended,
            rx.button(
                t("teams.reinstate"),
                size="2",
                variant="soft",
                on_click=TeamsState.reinstate(v.id),
            ),
            rx.button(
                t("teams.suspend"),
                size="2",
                variant="soft",
                color_scheme="red",
                on_click=TeamsState.suspend(v.id),
                aria_label=t("teams.suspend") + " " + v.name,
            ),
        ),
        align="center",
        width="100%",
    )


def teams_page() -> rx.Component:
    errors = _team_errors("team")
    return app_page(
        "/volunteers/teams",
        "teams.title",
        section_heading("teams.teams"),
        rx.foreach(TeamsState.teams, _team_card),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(t("teams.new_team"), size="3", as_="h3"),
                    text_field("name", "teams.name", errors, placeholder_key="teams.name_hint"),
                    select_field(
                        "grid_id",
                        "teams.grid",
                        errors,
                        TeamsState.grid_options,
                        placeholder_key="teams.choose_grid",
                    ),
                    rx.el.details(
                        rx.el.summary(t("teams.buildings")),
                        rx.grid(
                            rx.foreach(
                                TeamsState.watchers,
                                lambda line: rx.el.label(
                                    row_checkbox(
                                        name="building." + line.building_id.to_string(), size="3"
                                    ),
                                    rx.text(line.building, size="3"),
                                    class_name="check-row",
                                ),
                            ),
                            columns="2",
                            spacing="1",
                            width="100%",
                        ),
                        field_error(errors, "building_ids"),
                        class_name="pick-buildings",
                        width="100%",
                    ),
                    primary_button(t("teams.create"), type="submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=TeamsState.create_team,
                reset_on_submit=False,
                key=TeamsState.saved.to_string(),
            ),
            width="100%",
        ),
        section_heading("teams.watchers"),
        rx.text(t("teams.watchers_hint"), size="2", color_scheme="gray"),
        rx.card(
            rx.vstack(rx.foreach(TeamsState.watchers, _watcher_line), spacing="2", width="100%"),
            width="100%",
        ),
        section_heading("teams.volunteers"),
        rx.text(t("teams.suspend_hint"), size="2", color_scheme="gray"),
        rx.card(
            rx.vstack(
                rx.foreach(TeamsState.volunteers, _volunteer_line), spacing="3", width="100%"
            ),
            width="100%",
        ),
    )
