"""The roster (花名册) page: import a spreadsheet (map, check, import) and export."""

from collections.abc import Sequence

import reflex as rx
from reflex.vars import ArrayVar

from app.community.models import CARE_FLAGS
from app.community.register_io import MAX_BYTES
from app.community.state import (
    NONE,
    RegisterIoState,
)
from app.ui.components import (
    centered_row,
    column,
    muted,
    panel,
    primary_button,
    select_field,
    stat_tile,
    t,
)
from app.ui.layout import app_page


def _column_choice(column) -> rx.Component:
    return centered_row(
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
                        RegisterIoState.headers,
                        lambda h, i: rx.select.item(h, value=i.to_string()),
                    ),
                ),
                value=rx.cond(column.chosen == "", NONE, column.chosen),
                on_change=lambda v: RegisterIoState.choose_column(column.key, v),
                size="2",
            ),
            flex="1",
            min_width="0",
        ),
    )


def _preview_row(row: ArrayVar[Sequence[str]]) -> rx.Component:
    return rx.box(
        rx.foreach(
            RegisterIoState.columns,
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
    return panel(
        column(
            rx.heading(t("registry.import"), size="4", as_="h2"),
            muted(t("roster.intro")),
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
                    on_drop=RegisterIoState.receive(rx.upload_files(upload_id="roster")),
                    # Not the refused files: a File would travel over the websocket, and one
                    # over its 1 MB message limit drops the connection (and the message).
                    on_drop_rejected=lambda _refused: RegisterIoState.rejected(),
                    width="100%",
                    border="none",
                    padding="0",
                ),
                display="block",
                width="100%",
            ),
            rx.cond(
                RegisterIoState.file_error != "",
                rx.callout(
                    RegisterIoState.file_error,
                    color_scheme="red",
                    role="alert",
                    icon="triangle-alert",
                    width="100%",
                ),
            ),
            rx.cond(
                RegisterIoState.filename != "",
                column(
                    rx.hstack(
                        rx.icon("file-spreadsheet", size=18),
                        rx.text(RegisterIoState.filename, weight="medium"),
                        align="center",
                    ),
                    rx.cond(
                        RegisterIoState.sheets.length() > 1,
                        rx.hstack(
                            rx.text(t("roster.sheet"), size="2", min_width="6.5rem"),
                            rx.select(
                                RegisterIoState.sheets,
                                value=RegisterIoState.sheet,
                                on_change=RegisterIoState.choose_sheet,
                                size="2",
                            ),
                            align="center",
                        ),
                    ),
                    rx.text(RegisterIoState.header_note, size="2", id="roster-header-row"),
                    muted(t("roster.mapping")),
                    rx.foreach(RegisterIoState.columns, _column_choice),
                    muted(t("roster.preview")),
                    rx.foreach(RegisterIoState.preview, _preview_row),
                    rx.button(
                        t("roster.check"),
                        on_click=RegisterIoState.check,
                        size="4",
                        width="100%",
                        loading=RegisterIoState.busy,
                        disabled=RegisterIoState.busy,
                    ),
                    rx.button(
                        t("roster.cancel"),
                        on_click=RegisterIoState.cancel,
                        size="3",
                        variant="soft",
                        color_scheme="gray",
                        width="100%",
                        disabled=RegisterIoState.busy,
                    ),
                ),
            ),
            rx.cond(
                RegisterIoState.busy, rx.progress(value=RegisterIoState.progress, width="100%")
            ),
            rx.cond(
                RegisterIoState.checked,
                column(
                    rx.grid(
                        rx.foreach(RegisterIoState.summary, lambda s: stat_tile(s[0], s[1])),
                        columns="2",
                        spacing="2",
                        width="100%",
                    ),
                    rx.cond(
                        RegisterIoState.problem_count > 0,
                        column(
                            rx.callout(
                                t("roster.has_problems"),
                                color_scheme="red",
                                icon="triangle-alert",
                                role="alert",
                                width="100%",
                            ),
                            rx.text(
                                t("roster.problems"), RegisterIoState.problem_count, weight="bold"
                            ),
                            rx.box(rx.foreach(RegisterIoState.problems, _problem), width="100%"),
                            rx.button(
                                rx.icon("download", size=18),
                                t("roster.download_problems"),
                                on_click=RegisterIoState.download_problems,
                                size="4",
                                variant="soft",
                                width="100%",
                            ),
                        ),
                        rx.button(
                            t("roster.import_now"),
                            on_click=RegisterIoState.run_import,
                            size="4",
                            width="100%",
                            loading=RegisterIoState.busy,
                            disabled=RegisterIoState.busy,
                        ),
                    ),
                ),
            ),
            rx.cond(
                RegisterIoState.done != "",
                rx.callout(RegisterIoState.done, icon="circle-check", role="status", width="100%"),
            ),
        ),
    )


def _export_card() -> rx.Component:
    return panel(
        rx.form(
            column(
                rx.heading(t("registry.export"), size="4", as_="h2", id="export"),
                muted(t("roster.export_intro")),
                _filter("compound_id", "places.compound", RegisterIoState.compound_options),
                _filter("grid_id", "places.grid_of_building", RegisterIoState.grid_options),
                select_field(
                    "flag",
                    "household.flags",
                    None,
                    [(f, t(f"flag.{f}")) for f in CARE_FLAGS],
                    default=NONE,
                    first=(NONE, "roster.all"),
                ),
                primary_button(t("roster.export_now"), type="submit"),
            ),
            on_submit=RegisterIoState.export,
            reset_on_submit=False,
        ),
    )


def _filter(name: str, label_key: str, options: rx.Var[Sequence[tuple[str, str]]]) -> rx.Component:
    return select_field(name, label_key, None, options, default=NONE, first=(NONE, "roster.all"))


def roster_page() -> rx.Component:
    return app_page("/registry/import", "roster.title", _import_card(), _export_card())
