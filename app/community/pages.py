"""Registry pages: search, the household file, places and grids, the audit log."""

from collections.abc import Sequence

import reflex as rx
from reflex.vars import ArrayVar, StringVar

from app.accounts.state import SessionState
from app.community.models import CARE_FLAGS, RELATIONS
from app.community.roster import MAX_BYTES
from app.community.state import (
    NONE,
    AuditState,
    HouseholdState,
    Member,
    PlacesState,
    RegistryState,
    RosterState,
)
from app.ui.components import (
    Errors,
    action_tile,
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
from app.ui.i18n import ZH
from app.ui.layout import app_page


def _label(prefix: str, value: StringVar | str) -> StringVar:
    """A catalog label chosen by a value known only at run time (sex, residency, flags)."""
    keys = sorted(k.removeprefix(prefix) for k in ZH if k.startswith(prefix))
    return match_text(value, *[(k, t(prefix + k)) for k in keys], value)


# ---------------------------------------------------------------- search


def _hit(hit) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.vstack(
                    rx.text(hit.address, weight="bold", size="3"),
                    rx.text(hit.name, size="2", color_scheme="gray"),
                    spacing="1",
                ),
                rx.spacer(),
                rx.text(hit.detail, size="2", color_scheme="gray"),
                rx.icon("chevron-right", size=18, color=rx.color("gray", 9)),
                align="center",
                width="100%",
            ),
            width="100%",
            class_name="tap-card",
        ),
        href="/household/" + hit.household_id.to_string(),
        underline="none",
        color="inherit",
        width="100%",
    )


def registry() -> rx.Component:
    return app_page(
        "/registry",
        "registry.title",
        rx.el.label(t("registry.search_label"), html_for="registry-search", class_name="sr-only"),
        rx.input(
            rx.input.slot(rx.icon("search", size=18)),
            id="registry-search",
            placeholder=t("registry.search_placeholder"),
            on_change=RegistryState.search.debounce(250),
            type="search",
            size="3",
            width="100%",
            auto_focus=True,
        ),
        rx.cond(
            RegistryState.query == "",
            rx.vstack(
                rx.text(t("registry.search_hint"), size="2", color_scheme="gray"),
                rx.cond(
                    SessionState.user_role == "staff",
                    rx.grid(
                        action_tile("file-up", "registry.import", "/registry/import"),
                        action_tile("file-down", "registry.export", "/registry/import#export"),
                        action_tile("building-2", "registry.places", "/registry/places"),
                        action_tile("scroll-text", "registry.audit", "/registry/audit"),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                RegistryState.hits.length() > 0,
                rx.vstack(rx.foreach(RegistryState.hits, _hit), spacing="2", width="100%"),
                rx.text(t("registry.no_hits"), color_scheme="gray"),
            ),
        ),
    )


# ---------------------------------------------------------------- the household file


def _number_row(member: Member, what: str, label_key: str) -> rx.Component:
    key = f"{member.id}:{what}"
    value = member.mobile if what == "mobile" else member.id_number
    return rx.cond(
        value != "",
        rx.hstack(
            rx.text(t(label_key), size="2", color_scheme="gray", min_width="4.5rem"),
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
            align="center",
            width="100%",
        ),
    )


def _member_card(member: Member) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(member.name, weight="bold", size="4"),
                rx.text(
                    _label("sex.", member.sex),
                    rx.cond(member.age != "", " · " + member.age, ""),
                    rx.cond(member.age != "", t("household.years"), ""),
                    size="2",
                    color_scheme="gray",
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
                align="center",
                width="100%",
            ),
            rx.hstack(
                rx.cond(member.relation != "", rx.badge(member.relation, variant="surface")),
                rx.badge(
                    _label("residency.", member.residency),
                    color_scheme=rx.cond(member.residency == "tenant", "orange", "gray"),
                    variant="soft",
                ),
                rx.foreach(
                    member.flags,
                    lambda f: rx.badge(_label("flag.", f), color_scheme="red", variant="soft"),
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
            width="100%",
        ),
        width="100%",
        opacity=rx.cond(member.moved_out != "", "0.6", "1"),
    )


def _date_field(name: str, label_key: str) -> rx.Component:
    return rx.vstack(
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
        width="100%",
    )


def _member_form() -> rx.Component:
    errors = HouseholdState.errors
    draft = HouseholdState.draft
    return rx.form(
        rx.vstack(
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
            width="100%",
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
            rx.vstack(
                rx.card(
                    rx.vstack(
                        rx.heading(HouseholdState.address, size="5", as_="h2"),
                        rx.hstack(
                            rx.badge(HouseholdState.compound, variant="soft"),
                            rx.cond(
                                HouseholdState.grid != "",
                                rx.badge(HouseholdState.grid, variant="outline"),
                            ),
                            rx.text(
                                t("household.members_count"),
                                " ",
                                HouseholdState.members.length(),
                                size="2",
                                color_scheme="gray",
                            ),
                            align="center",
                            wrap="wrap",
                        ),
                        spacing="2",
                    ),
                    width="100%",
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
                spacing="3",
                width="100%",
            ),
            rx.callout(HouseholdState.message, icon="info", width="100%"),
        ),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(
                    rx.cond(
                        HouseholdState.editing == "new",
                        t("household.add_member"),
                        t("household.edit_member"),
                    )
                ),
                rx.dialog.description(
                    HouseholdState.address, size="2", color_scheme="gray", margin_bottom="1rem"
                ),
                _member_form(),
                class_name="sheet",
                # Opening the form must not pop up the keyboard over it.
                on_open_auto_focus=rx.prevent_default,
            ),
            open=HouseholdState.editing != "",
            on_open_change=HouseholdState.set_form_open,
        ),
    )


# ---------------------------------------------------------------- places and grids


def _grid_select(value: rx.Var, on_change, label: rx.Var) -> rx.Component:
    """A building's or a volunteer's grid, changed in place."""
    return rx.box(
        rx.select.root(
            rx.select.trigger(placeholder=t("places.no_grid"), width="100%", aria_label=label),
            rx.select.content(
                rx.foreach(PlacesState.grid_options, lambda g: rx.select.item(g[1], value=g[0]))
            ),
            value=value,
            on_change=on_change,
            size="2",
        ),
        flex="1",
        min_width="0",
    )


def _volunteer_row(volunteer) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(volunteer.name, weight="medium"),
            rx.text(volunteer.mobile, size="1", color_scheme="gray"),
            spacing="0",
            min_width="6rem",
        ),
        _grid_select(
            volunteer.grid_id,
            lambda value: PlacesState.assign_volunteer(volunteer.id, value),
            t("places.grid_of_volunteer") + " " + volunteer.name,
        ),
        align="center",
        width="100%",
    )


def _building_row(building) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(building.number, t("places.building_suffix"), weight="medium"),
            rx.text(
                building.units,
                t("places.units_suffix"),
                " · ",
                building.households,
                t("places.households_suffix"),
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
            min_width="6rem",
        ),
        _grid_select(
            building.grid_id,
            lambda value: PlacesState.assign(building.id, value),
            t("places.grid_of_building"),
        ),
        align="center",
        width="100%",
        justify="between",
    )


def _compound_card(compound) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(compound.name, weight="bold", size="4"),
                rx.spacer(),
                rx.text(
                    compound.households,
                    t("places.households_suffix"),
                    size="2",
                    color_scheme="gray",
                ),
                width="100%",
            ),
            rx.foreach(compound.buildings, _building_row),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _form_errors(name: str) -> Errors:
    """Errors of one form on the page; the others stay clean."""
    return rx.cond(PlacesState.form == name, PlacesState.errors, {}).to(dict[str, str])


def _grid_card(grid) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(grid.name, weight="bold", size="3"),
                rx.spacer(),
                rx.text(grid.worker, size="2", color_scheme="gray"),
                width="100%",
            ),
            rx.text(
                grid.buildings,
                t("places.buildings_suffix"),
                " · ",
                grid.households,
                t("places.households_suffix"),
                " · ",
                grid.volunteers,
                t("places.volunteers_suffix"),
                size="2",
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def places() -> rx.Component:
    compounds = PlacesState.compounds
    return app_page(
        "/registry/places",
        "places.title",
        section_heading("places.compounds"),
        rx.foreach(compounds, _compound_card),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(t("places.add_building"), size="3", as_="h3"),
                    select_field(
                        "compound_id",
                        "places.compound",
                        _form_errors("building"),
                        PlacesState.compound_options,
                        placeholder_key="places.choose_compound",
                    ),
                    rx.grid(
                        text_field(
                            "number",
                            "places.building_number",
                            _form_errors("building"),
                            input_mode="numeric",
                        ),
                        text_field(
                            "units",
                            "places.units",
                            _form_errors("building"),
                            type="number",
                            default_value="2",
                        ),
                        text_field(
                            "floors",
                            "places.floors",
                            _form_errors("building"),
                            type="number",
                            default_value="6",
                        ),
                        text_field(
                            "doors_per_floor",
                            "places.doors_per_floor",
                            _form_errors("building"),
                            type="number",
                            default_value="2",
                        ),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    primary_button(t("places.add_building"), type="submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=PlacesState.add_building,
                reset_on_submit=False,
                key=PlacesState.saved.to_string(),
            ),
            width="100%",
        ),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(t("places.add_compound"), size="3", as_="h3"),
                    text_field(
                        "name",
                        "places.compound_name",
                        _form_errors("compound"),
                        field_id="compound_name",
                    ),
                    text_field("address", "places.compound_address", _form_errors("compound")),
                    primary_button(t("places.add_compound"), type="submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=PlacesState.add_compound,
                reset_on_submit=False,
                key=PlacesState.saved.to_string(),
            ),
            width="100%",
        ),
        section_heading("places.grids"),
        rx.foreach(PlacesState.grids, _grid_card),
        rx.cond(
            PlacesState.volunteers.length() > 0,
            rx.card(
                rx.vstack(
                    rx.heading(t("places.volunteers"), size="3", as_="h3"),
                    rx.text(t("places.volunteers_hint"), size="2", color_scheme="gray"),
                    rx.foreach(PlacesState.volunteers, _volunteer_row),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
        ),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(t("places.add_grid"), size="3", as_="h3"),
                    text_field(
                        "name", "places.grid_name", _form_errors("grid"), field_id="grid_name"
                    ),
                    text_field("worker_name", "places.worker_name", _form_errors("grid")),
                    text_field(
                        "worker_mobile",
                        "places.worker_mobile",
                        _form_errors("grid"),
                        type="tel",
                        input_mode="numeric",
                    ),
                    primary_button(t("places.add_grid"), type="submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=PlacesState.add_grid,
                reset_on_submit=False,
                key=PlacesState.saved.to_string(),
            ),
            width="100%",
        ),
    )


# ---------------------------------------------------------------- audit log


def _audit_line(line) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(line.actor, weight="bold", size="2"),
            rx.text(_label("audit.", line.action), size="2"),
            rx.spacer(),
            rx.text(line.at, size="1", color_scheme="gray"),
            width="100%",
            wrap="wrap",
        ),
        rx.text(line.detail, size="2", color_scheme="gray"),
        class_name="list-row",
        width="100%",
    )


def audit() -> rx.Component:
    return app_page(
        "/registry/audit",
        "audit.title",
        rx.text(t("audit.intro"), size="2", color_scheme="gray"),
        rx.cond(
            AuditState.lines.length() > 0,
            rx.vstack(rx.foreach(AuditState.lines, _audit_line), spacing="0", width="100%"),
            rx.text(t("audit.empty"), color_scheme="gray"),
        ),
        rx.cond(
            AuditState.more,
            rx.button(
                t("common.more"),
                on_click=AuditState.load_more,
                variant="soft",
                size="3",
                width="100%",
            ),
        ),
    )


# ---------------------------------------------------------------- roster import and export


def _column_choice(column) -> rx.Component:
    return rx.hstack(
        rx.text(
            column.label,
            rx.cond(column.required, " *", ""),
            size="2",
            min_width="6.5rem",
            weight=rx.cond(column.required, "medium", "regular"),
        ),
        rx.box(
            rx.select.root(
                rx.select.trigger(
                    placeholder=t("roster.not_imported"), width="100%", aria_label=column.label
                ),
                rx.select.content(
                    rx.select.item(t("roster.not_imported"), value=NONE),
                    rx.foreach(
                        RosterState.headers,
                        lambda h, i: rx.select.item(h, value=i.to_string()),
                    ),
                ),
                value=rx.cond(column.chosen == "", NONE, column.chosen),
                on_change=lambda v: RosterState.choose_column(column.key, v),
                size="2",
            ),
            flex="1",
            min_width="0",
        ),
        align="center",
        width="100%",
    )


def _preview_row(row: ArrayVar[Sequence[str]]) -> rx.Component:
    return rx.box(
        rx.foreach(
            RosterState.columns,
            lambda c, i: rx.cond(
                row[i] != "",
                rx.text(
                    rx.text.strong(c.label, t("common.colon")),
                    row[i],
                    size="1",
                    as_="span",
                    margin_right="0.75rem",
                ),
            ),
        ),
        class_name="list-row",
    )


def _problem(problem) -> rx.Component:
    return rx.box(
        rx.text(
            t("roster.row"),
            problem.row.to_string(),
            " · ",
            problem.column,
            rx.cond(problem.value != "", " · " + problem.value, ""),
            size="2",
            weight="medium",
        ),
        rx.text(problem.text, size="2", color=rx.color("red", 11)),
        class_name="list-row",
    )


def _import_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("registry.import"), size="4", as_="h2"),
            rx.text(t("roster.intro"), size="2", color_scheme="gray"),
            rx.hstack(
                rx.link(
                    rx.icon("download", size=16),
                    t("roster.template"),
                    href="/roster_template.xlsx",
                    is_external=False,
                    size="2",
                    class_name="tap-link",
                ),
                rx.link(
                    rx.icon("download", size=16),
                    t("roster.sample"),
                    href="/roster_sample.xlsx",
                    size="2",
                    class_name="tap-link",
                ),
                spacing="4",
                wrap="wrap",
            ),
            # The label names the dropzone's hidden file input after the button (which opens it).
            rx.el.label(
                rx.upload(
                    rx.button(
                        rx.icon("file-up", size=18),
                        t("roster.choose_file"),
                        size="4",
                        width="100%",
                        variant="outline",
                        type="button",
                    ),
                    id="roster",
                    multiple=False,
                    max_files=1,
                    max_size=MAX_BYTES,
                    on_drop=RosterState.receive(rx.upload_files(upload_id="roster")),
                    # Not the refused files: a File would travel over the websocket, and one
                    # over its 1 MB message limit drops the connection (and the message).
                    on_drop_rejected=lambda _refused: RosterState.rejected(),
                    width="100%",
                    border="none",
                    padding="0",
                ),
                display="block",
                width="100%",
            ),
            rx.cond(
                RosterState.file_error != "",
                rx.callout(
                    RosterState.file_error,
                    color_scheme="red",
                    role="alert",
                    icon="triangle-alert",
                    width="100%",
                ),
            ),
            rx.cond(
                RosterState.filename != "",
                rx.vstack(
                    rx.hstack(
                        rx.icon("file-spreadsheet", size=18),
                        rx.text(RosterState.filename, weight="medium"),
                        align="center",
                    ),
                    rx.cond(
                        RosterState.sheets.length() > 1,
                        rx.hstack(
                            rx.text(t("roster.sheet"), size="2", min_width="6.5rem"),
                            rx.select(
                                RosterState.sheets,
                                value=RosterState.sheet,
                                on_change=RosterState.choose_sheet,
                                size="2",
                            ),
                            align="center",
                        ),
                    ),
                    rx.text(RosterState.header_note, size="2", id="roster-header-row"),
                    rx.text(t("roster.mapping"), size="2", color_scheme="gray"),
                    rx.foreach(RosterState.columns, _column_choice),
                    rx.text(t("roster.preview"), size="2", color_scheme="gray"),
                    rx.foreach(RosterState.preview, _preview_row),
                    rx.button(
                        t("roster.check"),
                        on_click=RosterState.check,
                        size="4",
                        width="100%",
                        loading=RosterState.busy,
                        disabled=RosterState.busy,
                    ),
                    rx.button(
                        t("roster.cancel"),
                        on_click=RosterState.cancel,
                        size="3",
                        variant="soft",
                        color_scheme="gray",
                        width="100%",
                        disabled=RosterState.busy,
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            rx.cond(RosterState.busy, rx.progress(value=RosterState.progress, width="100%")),
            rx.cond(
                RosterState.checked,
                rx.vstack(
                    rx.grid(
                        rx.foreach(RosterState.summary, lambda s: stat_tile(s[0], s[1])),
                        columns="2",
                        spacing="2",
                        width="100%",
                    ),
                    rx.cond(
                        RosterState.problem_count > 0,
                        rx.vstack(
                            rx.callout(
                                t("roster.has_problems"),
                                color_scheme="red",
                                icon="triangle-alert",
                                role="alert",
                                width="100%",
                            ),
                            rx.text(t("roster.problems"), RosterState.problem_count, weight="bold"),
                            rx.box(rx.foreach(RosterState.problems, _problem), width="100%"),
                            rx.button(
                                rx.icon("download", size=18),
                                t("roster.download_problems"),
                                on_click=RosterState.download_problems,
                                size="4",
                                variant="soft",
                                width="100%",
                            ),
                            width="100%",
                        ),
                        rx.button(
                            t("roster.import_now"),
                            on_click=RosterState.run_import,
                            size="4",
                            width="100%",
                            loading=RosterState.busy,
                            disabled=RosterState.busy,
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            rx.cond(
                RosterState.done != "",
                rx.callout(RosterState.done, icon="circle-check", role="status", width="100%"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _export_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("registry.export"), size="4", as_="h2", id="export"),
                rx.text(t("roster.export_intro"), size="2", color_scheme="gray"),
                _filter("compound_id", "places.compound", RosterState.compound_options),
                _filter("grid_id", "places.grid_of_building", RosterState.grid_options),
                select_field(
                    "flag",
                    "household.flags",
                    None,
                    [(f, t(f"flag.{f}")) for f in CARE_FLAGS],
                    default=NONE,
                    first=(NONE, "roster.all"),
                ),
                primary_button(t("roster.export_now"), type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=RosterState.export,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _filter(name: str, label_key: str, options: rx.Var[Sequence[tuple[str, str]]]) -> rx.Component:
    return select_field(name, label_key, None, options, default=NONE, first=(NONE, "roster.all"))


def roster_page() -> rx.Component:
    return app_page("/registry/import", "roster.title", _import_card(), _export_card())
