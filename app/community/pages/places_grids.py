"""Compounds, buildings and grids: laying out the community and who works where."""

import reflex as rx

from app.community.state import (
    PlacesState,
)
from app.ui.components import (
    Errors,
    centered_row,
    column,
    muted,
    panel,
    primary_button,
    section_heading,
    select_field,
    t,
    text_field,
)
from app.ui.layout import app_page


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
    return centered_row(
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
    )


def _building_row(building) -> rx.Component:
    return centered_row(
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
        justify="between",
    )


def _compound_card(compound) -> rx.Component:
    return panel(
        column(
            rx.hstack(
                rx.text(compound.name, weight="bold", size="4"),
                rx.spacer(),
                muted(
                    compound.households,
                    t("places.households_suffix"),
                ),
                width="100%",
            ),
            rx.foreach(compound.buildings, _building_row),
            spacing="2",
        ),
    )


def _form_errors(name: str) -> Errors:
    """Errors of one form on the page; the others stay clean."""
    return rx.cond(PlacesState.form == name, PlacesState.errors, {}).to(dict[str, str])


def _grid_card(grid) -> rx.Component:
    return panel(
        column(
            rx.hstack(
                rx.text(grid.name, weight="bold", size="3"),
                rx.spacer(),
                muted(grid.worker),
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
        ),
    )


def places() -> rx.Component:
    compounds = PlacesState.compounds
    return app_page(
        "/registry/places",
        "places.title",
        section_heading("places.compounds"),
        rx.foreach(compounds, _compound_card),
        panel(
            rx.form(
                column(
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
                ),
                on_submit=PlacesState.add_building,
                reset_on_submit=False,
                key=PlacesState.saved.to_string(),
            ),
        ),
        panel(
            rx.form(
                column(
                    rx.heading(t("places.add_compound"), size="3", as_="h3"),
                    text_field(
                        "name",
                        "places.compound_name",
                        _form_errors("compound"),
                        field_id="compound_name",
                    ),
                    text_field("address", "places.compound_address", _form_errors("compound")),
                    primary_button(t("places.add_compound"), type="submit"),
                ),
                on_submit=PlacesState.add_compound,
                reset_on_submit=False,
                key=PlacesState.saved.to_string(),
            ),
        ),
        section_heading("places.grids"),
        rx.foreach(PlacesState.grids, _grid_card),
        rx.cond(
            PlacesState.volunteers.length() > 0,
            panel(
                column(
                    rx.heading(t("places.volunteers"), size="3", as_="h3"),
                    muted(t("places.volunteers_hint")),
                    rx.foreach(PlacesState.volunteers, _volunteer_row),
                    spacing="2",
                ),
            ),
        ),
        panel(
            rx.form(
                column(
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
                ),
                on_submit=PlacesState.add_grid,
                reset_on_submit=False,
                key=PlacesState.saved.to_string(),
            ),
        ),
    )
