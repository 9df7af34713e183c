"""小队与楼幢观察员: teams, building watchers and suspending volunteers."""

import reflex as rx

from app.ui.components import (
    Errors,
    centered_row,
    column,
    field_error,
    muted,
    panel,
    primary_button,
    row_checkbox,
    section_heading,
    select_field,
    t,
    text_field,
)
from app.ui.layout import app_page
from app.volunteers.pages._common import _chips
from app.volunteers.state import (
    TeamCard,
    TeamsState,
    VolunteerLine,
    WatcherLine,
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
    return panel(
        column(
            centered_row(
                rx.text(team.name, weight="bold", size="4"),
                rx.spacer(),
                rx.cond(team.grid != "", rx.badge(team.grid, variant="soft")),
            ),
            rx.cond(
                rx.Var.create(team.buildings).length() > 0,
                _chips(team.buildings),
            ),
            rx.foreach(
                team.members,
                lambda m: centered_row(
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
        ),
    )


def _watcher_line(line: WatcherLine) -> rx.Component:
    errors = _team_errors(f"watcher-{line.building_id}")
    return column(
        centered_row(
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
        ),
        field_error(errors, "user_id"),
        spacing="1",
    )


def _volunteer_line(v: VolunteerLine) -> rx.Component:
    return centered_row(
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
    )


def teams_page() -> rx.Component:
    errors = _team_errors("team")
    return app_page(
        "/volunteers/teams",
        "teams.title",
        section_heading("teams.teams"),
        rx.foreach(TeamsState.teams, _team_card),
        panel(
            rx.form(
                column(
                    rx.heading(t("teams.new_team"), size="3", as_="h3"),
                    text_field(
                        "name",
                        "teams.name",
                        errors,
                        placeholder_key="teams.name_hint",
                        field_id="team-name",
                    ),
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
                ),
                on_submit=TeamsState.create_team,
                reset_on_submit=False,
                key=TeamsState.saved.to_string(),
            ),
        ),
        section_heading("teams.watchers"),
        muted(t("teams.watchers_hint")),
        panel(
            column(rx.foreach(TeamsState.watchers, _watcher_line), spacing="2"),
        ),
        section_heading("teams.volunteers"),
        muted(t("teams.suspend_hint")),
        panel(
            column(rx.foreach(TeamsState.volunteers, _volunteer_line)),
        ),
    )
