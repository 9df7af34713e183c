"""Screening pages: my doors and the door visit (one hand, in a stairwell), the day's lists,
returning residents, a resident's own daily check, and the office's coverage board."""

import reflex as rx
from reflex.vars import ArrayVar, NumberVar, StringVar
from reflex_components_radix.themes.base import LiteralAccentColor

from app.screening.models import HealthCode, Outcome, Risk, Symptom, TestStatus, Transport
from app.screening.state import (
    RISK_FIELDS,
    ArrivalState,
    BoardState,
    BuildingBar,
    BuildingCard,
    CompoundBar,
    DoorChip,
    DoorsState,
    FollowUpRow,
    HealthState,
    ListRow,
    Person,
    PlanRow,
    RulesState,
    TodayState,
    UnitRow,
    VisitState,
)
from app.ui.components import (
    Errors,
    field_error,
    form_message,
    match_component,
    primary_button,
    row_checkbox,
    section_heading,
    select_field,
    stat_tile,
    t,
    text_field,
)
from app.ui.layout import app_page

# Door colours: the state at a glance, also told by an icon for colour-blind eyes.
OUTCOME_COLOR: dict[str, LiteralAccentColor] = {
    "visited": "jade",
    "not_home": "orange",
    "refused": "red",
    "vacant": "gray",
}
OUTCOME_ICON = {"visited": "check", "not_home": "phone", "refused": "x", "vacant": "minus"}


def _outcome_badge(outcome: rx.Var | str) -> rx.Component:
    return match_component(
        outcome,
        *[
            (o.value, rx.badge(t(f"outcome.{o.value}"), color_scheme=OUTCOME_COLOR[o.value]))
            for o in Outcome
        ],
        rx.badge(t("outcome.none"), color_scheme="gray", variant="outline"),
    )


def _legend() -> rx.Component:
    return rx.hstack(
        *[
            rx.hstack(
                rx.box(class_name=f"door-dot door-{o.value}"),
                rx.text(t(f"outcome.{o.value}"), size="1"),
                spacing="1",
                align="center",
            )
            for o in Outcome
        ],
        wrap="wrap",
        spacing="3",
    )


def _door(chip: DoorChip, href: str | None = None, on_click=None) -> rx.Component:
    body = rx.box(
        rx.text(chip.label, size="2", weight="medium", class_name="number"),
        rx.cond(chip.risk > 0, rx.box(class_name="door-risk", title=t("board.risk"))),
        rx.cond(chip.conflict, rx.icon("triangle-alert", size=12, class_name="door-conflict")),
        class_name=rx.cond(chip.outcome == "", "door", "door door-" + chip.outcome),
    )
    if href is not None:
        return rx.link(body, href=href, underline="none", aria_label=chip.label)
    return rx.box(body, on_click=on_click, aria_label=chip.label, role="button")


def _unit(unit: UnitRow, round_id: NumberVar[int] | int) -> rx.Component:
    return rx.vstack(
        rx.text(unit.name, t("doors.unit_suffix"), size="2", color_scheme="gray"),
        rx.box(
            rx.foreach(
                unit.doors,
                lambda d: _door(d, href=f"/visit?r={round_id}&h={d.household_id}"),
            ),
            class_name="door-grid",
        ),
        spacing="1",
        width="100%",
    )


def _building(card: BuildingCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(card.name, size="4", as_="h2"),
                rx.spacer(),
                rx.text(card.done, " / ", card.total, size="3", weight="bold", class_name="number"),
                align="center",
                width="100%",
            ),
            rx.progress(
                value=rx.cond(card.total > 0, card.done * 100 // card.total, 0),
                size="2",
                aria_label=card.name,  # a screen reader reads "<building>, 40%"
            ),
            rx.foreach(card.units, lambda u: _unit(u, card.round_id)),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _quick_links() -> rx.Component:
    return rx.grid(
        rx.link(
            rx.button(
                rx.icon("clipboard-list"), t("nav.today"), variant="soft", size="3", width="100%"
            ),
            href="/today",
        ),
        rx.link(
            rx.button(
                rx.icon("train-front"), t("arrival.title"), variant="soft", size="3", width="100%"
            ),
            href="/arrival",
        ),
        rx.el.a(
            rx.button(
                rx.icon("wifi-off"), t("doors.offline"), variant="outline", size="3", width="100%"
            ),
            href="/field/",
            class_name="span-2",
        ),
        columns="2",
        spacing="2",
        width="100%",
    )


def doors() -> rx.Component:
    return app_page(
        "/doors",
        "doors.title",
        rx.cond(
            DoorsState.next_href != "",
            rx.link(
                rx.button(t("doors.next"), rx.icon("arrow-right"), size="4", width="100%"),
                href=DoorsState.next_href,
                width="100%",
            ),
            rx.cond(
                DoorsState.buildings.length() > 0,
                rx.callout(t("doors.all_done"), icon="party-popper", color_scheme="jade"),
            ),
        ),
        _quick_links(),
        rx.cond(
            DoorsState.buildings.length() > 0,
            rx.vstack(
                _legend(),
                rx.foreach(DoorsState.buildings, _building),
                spacing="3",
                width="100%",
            ),
            rx.callout(t("doors.none"), icon="info"),
        ),
    )


# ---------------------------------------------------------------- a door visit


def _input(name: StringVar | str, label_key: str, errors: Errors, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(t(label_key), html_for=name, class_name="field-label"),
        rx.input(id=name, name=name, size="3", width="100%", **props),
        rx.cond(
            errors.contains(name),
            rx.text(errors[name], color=rx.color("red", 11), size="2", role="alert"),
        ),
        spacing="1",
        width="100%",
    )


def _symptom_checks(prefix: StringVar | str) -> rx.Component:
    return rx.vstack(
        rx.text(t("visit.symptoms"), class_name="field-label"),
        rx.grid(
            *[
                rx.el.label(
                    row_checkbox(name=prefix + s.value, size="3"),
                    rx.text(t(f"symptom.{s.value}"), size="3"),
                    class_name="check-row",
                )
                for s in Symptom
            ],
            columns="2",
            spacing="1",
            width="100%",
        ),
        spacing="1",
        width="100%",
    )


def _choice(name: StringVar | str, label_key: str, values, default: str) -> rx.Component:
    """A short set of answers as a segmented control that posts with the form."""
    return rx.vstack(
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
                spacing="3",
            ),
            name=name,
            default_value=default,
            size="3",
        ),
        spacing="1",
        width="100%",
    )


def _health_fields(key: StringVar | str) -> rx.Component:
    """The full answers of one person, keyed `<field>-<key>`."""
    errors = VisitState.errors
    return rx.vstack(
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
        spacing="3",
        width="100%",
        padding_top="0.5rem",
    )


def _person(person: Person) -> rx.Component:
    key = f"{person.resident_id}"
    away = VisitState.absent.contains(person.resident_id)
    opened = VisitState.opened.contains(person.resident_id)
    return rx.card(
        rx.vstack(
            rx.hstack(
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
                    rx.text(person.detail, size="2", color_scheme="gray"),
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
                align="center",
                width="100%",
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
            width="100%",
        ),
        width="100%",
    )


def _found_person(slot: NumberVar[int]) -> rx.Component:
    key = "n" + slot.to_string()
    errors = VisitState.errors
    return rx.card(
        rx.vstack(
            rx.hstack(
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
                align="center",
                width="100%",
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
            width="100%",
        ),
        width="100%",
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
        rx.vstack(
            section_heading("visit.earlier"),
            rx.cond(
                VisitState.conflict,
                rx.vstack(
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
                    width="100%",
                ),
            ),
            rx.foreach(
                VisitState.records,
                lambda r: rx.hstack(
                    _outcome_badge(r.outcome),
                    rx.cond(r.by_phone, rx.icon("phone", size=14)),
                    rx.text(r.by, size="2"),
                    rx.spacer(),
                    rx.text(r.at, size="2", color_scheme="gray"),
                    align="center",
                    width="100%",
                    class_name="list-row",
                ),
            ),
            spacing="1",
            width="100%",
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
                rx.vstack(
                    rx.vstack(
                        rx.heading(VisitState.address, size="5", as_="h2"),
                        rx.text(
                            VisitState.round_name,
                            rx.cond(VisitState.by_phone, " · ", ""),
                            rx.cond(VisitState.by_phone, t("visit.by_phone"), ""),
                            size="2",
                            color_scheme="gray",
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
                        rx.vstack(
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
                            spacing="3",
                            width="100%",
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
                    spacing="3",
                    width="100%",
                ),
                on_submit=VisitState.save,
                width="100%",
            ),
        ),
    )


# ---------------------------------------------------------------- the office board


def _bar(percent: int, name: str, weak: bool = False) -> rx.Component:
    """A progress bar named after what it measures (a screen reader reads "<name>, 40%")."""
    return rx.progress(
        value=percent,
        size="2",
        color_scheme=rx.cond(weak, "red", "jade"),
        width="100%",
        aria_label=name,
    )


def _counts_line(item) -> rx.Component:
    return rx.hstack(
        rx.text(t("outcome.not_home"), " ", item.not_home, size="1"),
        rx.text(t("outcome.refused"), " ", item.refused, size="1"),
        rx.cond(
            item.risk > 0, rx.text(t("board.risk"), " ", item.risk, size="1", color_scheme="red")
        ),
        rx.cond(
            item.conflicts > 0,
            rx.text(t("board.conflicts"), " ", item.conflicts, size="1", color_scheme="orange"),
        ),
        spacing="3",
        wrap="wrap",
        color_scheme="gray",
    )


def _building_bar(b: BuildingBar) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(b.name, size="2", weight="medium"),
                rx.text(b.assignee, size="1", color_scheme="gray", truncate=True),
                rx.spacer(),
                rx.text(b.done, "/", b.doors, size="2", class_name="number"),
                align="center",
                width="100%",
            ),
            _bar(b.percent, b.name),
            _counts_line(b),
            spacing="1",
            width="100%",
        ),
        # Not also a tap on the compound's card around it, which would fold it away.
        on_click=BoardState.open_building(b.building_id).stop_propagation,
        class_name="list-row tap-card",
        role="button",
        width="100%",
    )


def _compound(c: CompoundBar) -> rx.Component:
    opened = BoardState.expanded.contains(c.compound_id)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(c.name, size="4", weight="bold"),
                rx.cond(c.weak, rx.badge(t("board.weak"), color_scheme="red", size="2")),
                rx.spacer(),
                rx.text(c.percent, "%", size="5", weight="bold", class_name="number"),
                align="center",
                width="100%",
            ),
            _bar(c.percent, c.name, c.weak),
            rx.hstack(
                rx.text(c.done, " / ", c.doors, " ", t("board.doors_unit"), size="2"),
                rx.spacer(),
                rx.icon(rx.cond(opened, "chevron-up", "chevron-down"), size=18),
                width="100%",
                align="center",
            ),
            _counts_line(c),
            rx.cond(
                opened, rx.vstack(rx.foreach(c.buildings, _building_bar), spacing="0", width="100%")
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name=rx.cond(c.weak, "tap-card weak-card", "tap-card"),
        on_click=BoardState.toggle_compound(c.compound_id),
    )


def _progress_chart() -> rx.Component:
    return rx.cond(
        BoardState.progress.length() > 1,
        rx.vstack(
            section_heading("board.progress"),
            rx.hstack(
                rx.foreach(
                    BoardState.progress,
                    lambda p: rx.vstack(
                        rx.text(p[1], "%", size="1", class_name="number"),
                        rx.box(
                            rx.box(class_name="chart-fill", height=p[1].to_string() + "%"),
                            class_name="chart-bar",
                        ),
                        rx.text(p[0], size="1", color_scheme="gray"),
                        align="center",
                        spacing="1",
                        flex="1",
                    ),
                ),
                spacing="1",
                width="100%",
                align="end",
            ),
            width="100%",
            spacing="2",
        ),
    )


def _weak_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(
                rx.el.label(t("board.weak_below"), html_for="weak_below", class_name="field-label"),
                rx.input(
                    id="weak_below",
                    name="weak_below",
                    type="number",
                    default_value=BoardState.weak_below.to_string(),
                    key=BoardState.round_id,
                    size="3",
                    width="5rem",
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.el.label(t("board.weak_from"), html_for="weak_from", class_name="field-label"),
                rx.input(
                    id="weak_from",
                    name="weak_from",
                    type="datetime-local",
                    default_value=BoardState.weak_from,
                    key=BoardState.weak_from,
                    size="3",
                    width="100%",
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.button(t("common.save"), size="3", type="submit", variant="soft"),
            align="end",
            spacing="2",
            width="100%",
        ),
        field_error(BoardState.errors, "weak_below"),
        field_error(BoardState.errors, "weak_from"),
        on_submit=BoardState.save_weak,
        width="100%",
    )


def _start_sheet() -> rx.Component:
    errors = BoardState.errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("board.start")),
            rx.form(
                rx.vstack(
                    text_field(
                        "name", "board.round_name", errors, placeholder_key="board.round_name_hint"
                    ),
                    select_field(
                        "kind",
                        "board.kind",
                        errors,
                        [("full", t("kind.full")), ("targeted", t("kind.targeted"))],
                        default="full",
                    ),
                    rx.grid(
                        text_field("starts_on", "board.starts_on", errors, type="date"),
                        text_field("ends_on", "board.ends_on", errors, type="date"),
                        columns="2",
                        spacing="2",
                        width="100%",
                    ),
                    rx.text(t("board.scope"), class_name="field-label"),
                    rx.text(t("board.scope_hint"), size="1", color_scheme="gray"),
                    rx.grid(
                        rx.foreach(
                            BoardState.compound_options,
                            lambda o: rx.el.label(
                                row_checkbox(name="c-" + o[0], size="3"),
                                rx.text(o[1], size="3"),
                                class_name="check-row",
                            ),
                        ),
                        rx.foreach(
                            BoardState.grid_options,
                            lambda o: rx.el.label(
                                row_checkbox(name="g-" + o[0], size="3"),
                                rx.text(o[1], size="3"),
                                class_name="check-row",
                            ),
                        ),
                        columns="2",
                        spacing="1",
                        width="100%",
                    ),
                    field_error(errors, "compound_ids"),
                    field_error(errors, "_"),
                    primary_button(t("board.start"), type="submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=BoardState.start,
            ),
            class_name="sheet",
        ),
        open=BoardState.starting,
        on_open_change=BoardState.set_start_open,
    )


def _drill_sheet() -> rx.Component:
    card = BoardState.drill
    return rx.dialog.root(
        rx.dialog.content(
            rx.cond(
                card,
                rx.vstack(
                    rx.dialog.title(card.name),
                    rx.text(card.done, " / ", card.total, size="2", color_scheme="gray"),
                    _legend(),
                    rx.foreach(card.units, lambda u: _unit(u, BoardState.round_id)),
                    rx.cond(
                        BoardState.round_open,
                        select_field(
                            "assignee",
                            "board.assignee",
                            None,
                            BoardState.volunteer_options,
                            first=("grid", "board.grid_volunteers"),
                            on_change=BoardState.assign,
                        ),
                    ),
                    rx.dialog.close(
                        rx.button(t("common.close"), variant="soft", size="3", width="100%")
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            class_name="sheet",
        ),
        open=BoardState.drill.is_not_none(),
        on_open_change=BoardState.set_drill_open,
    )


def board() -> rx.Component:
    return app_page(
        "/screening",
        "board.title",
        rx.hstack(
            rx.link(
                rx.button(rx.icon("clipboard-list"), t("nav.today"), variant="soft", size="3"),
                href="/today",
            ),
            rx.link(
                rx.button(
                    rx.icon("sliders-horizontal"), t("rules.title"), variant="soft", size="3"
                ),
                href="/screening/rules",
            ),
            rx.spacer(),
            rx.button(rx.icon("plus"), t("board.start"), size="3", on_click=BoardState.open_start),
            width="100%",
            wrap="wrap",
            spacing="2",
        ),
        rx.cond(
            BoardState.rounds.length() > 0,
            rx.vstack(
                select_field(
                    "round",
                    "board.round",
                    None,
                    BoardState.round_choices,
                    value=BoardState.round_id.to_string(),
                    on_change=BoardState.choose_round,
                ),
                rx.grid(
                    rx.foreach(BoardState.tiles, lambda tile: stat_tile(tile[0], tile[1])),
                    columns="3",
                    spacing="2",
                    width="100%",
                ),
                rx.hstack(
                    rx.icon("refresh-cw", size=14),
                    rx.text(t("board.updated"), " ", BoardState.checked_at, size="1"),
                    rx.moment(interval=15000, on_change=BoardState.refresh, display="none"),
                    color=rx.color("gray", 11),
                    align="center",
                    spacing="1",
                ),
                _progress_chart(),
                section_heading("board.compounds"),
                rx.cond(BoardState.round_open, _weak_form()),
                rx.foreach(BoardState.compounds, _compound),
                rx.cond(
                    BoardState.round_open,
                    rx.button(
                        t("board.close_round"),
                        variant="outline",
                        color_scheme="red",
                        size="3",
                        width="100%",
                        on_click=BoardState.close_round,
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            rx.callout(t("board.no_rounds"), icon="info"),
        ),
        _start_sheet(),
        _drill_sheet(),
    )


# ---------------------------------------------------------------- the day's lists


def _plan(p: PlanRow) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(p.name, size="3", weight="bold"),
                rx.text(p.day, size="2", color_scheme="gray"),
                rx.spacer(),
                rx.cond(
                    p.checked_today,
                    rx.badge(t("today.done_today"), color_scheme="jade"),
                    rx.badge(t("today.due_today"), color_scheme="orange"),
                ),
                align="center",
                width="100%",
            ),
            rx.text(p.address, size="2", color_scheme="gray"),
            rx.hstack(
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
                align="center",
                width="100%",
                spacing="2",
            ),
            spacing="1",
            width="100%",
        ),
        class_name="list-row",
        width="100%",
    )


def _follow_up(f: FollowUpRow) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(f.address, size="3", weight="bold"),
                rx.spacer(),
                rx.cond(f.escalated, rx.badge(t("today.escalated_badge"), color_scheme="red")),
                rx.text(
                    t("today.failed_calls"), " ", f.failed_calls, size="2", color_scheme="gray"
                ),
                align="center",
                width="100%",
            ),
            rx.foreach(
                f.callees,
                lambda c: rx.hstack(
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
                    align="center",
                    width="100%",
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
            width="100%",
        ),
        class_name="list-row",
        width="100%",
    )


def _list_row(row: ListRow) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.text(row.title, size="3", weight="medium"),
            rx.text(row.detail, size="2", color_scheme=rx.cond(row.warn, "red", "gray")),
            spacing="0",
            class_name="list-row tap-card",
            width="100%",
        ),
        href=f"/household/{row.household_id}",
        underline="none",
        color="inherit",
        width="100%",
    )


def _list(items: ArrayVar, render, empty_key: str) -> rx.Component:
    return rx.cond(
        items.length() > 0,
        rx.vstack(rx.foreach(items, render), spacing="0", width="100%"),
        rx.text(t(empty_key), color_scheme="gray", size="2", padding_y="1rem"),
    )


def _check_form(on_submit, errors: Errors, *hidden: rx.Component) -> rx.Component:
    return rx.form(
        rx.vstack(
            *hidden,
            _input(
                "temperature", "visit.temperature", errors, input_mode="decimal", placeholder="36.5"
            ),
            _symptom_checks("sym-"),
            field_error(errors, "_"),
            primary_button(t("today.save_check"), type="submit"),
            spacing="3",
            width="100%",
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
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(t("today.check_title")),
                _check_form(TodayState.save_check, TodayState.errors),
                class_name="sheet",
            ),
            open=TodayState.checking > 0,
            on_open_change=TodayState.set_check_open,
        ),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(t("today.release_title")),
                rx.form(
                    rx.vstack(
                        text_field(
                            "note",
                            "today.release_note",
                            TodayState.errors,
                            hint_key="today.release_hint",
                        ),
                        field_error(TodayState.errors, "_"),
                        primary_button(t("today.release"), type="submit"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=TodayState.release,
                ),
                class_name="sheet",
            ),
            open=TodayState.releasing > 0,
            on_open_change=TodayState.set_release_open,
        ),
    )


# ---------------------------------------------------------------- a resident's own check


def _own_plan(p: PlanRow) -> rx.Component:
    key = f"{p.id}"
    errors = HealthState.errors
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(p.name, size="4", weight="bold"),
                rx.spacer(),
                rx.text(p.day, size="2", color_scheme="gray"),
                width="100%",
                align="center",
            ),
            rx.cond(
                p.checked_today,
                rx.callout(t("health.done"), icon="circle-check", color_scheme="jade"),
                rx.form(
                    rx.vstack(
                        rx.el.input(type="hidden", name="plan_id", value=key),
                        rx.vstack(
                            rx.el.label(
                                t("visit.temperature"),
                                html_for="temperature-" + key,
                                class_name="field-label",
                            ),
                            rx.input(
                                id="temperature-" + key,
                                name="temperature",
                                input_mode="decimal",
                                placeholder="36.5",
                                size="3",
                                width="100%",
                            ),
                            rx.cond(
                                errors.contains("temperature-" + key),
                                rx.text(
                                    errors["temperature-" + key],
                                    color=rx.color("red", 11),
                                    size="2",
                                    role="alert",
                                ),
                            ),
                            spacing="1",
                            width="100%",
                        ),
                        _symptom_checks("sym-"),
                        primary_button(t("today.save_check"), type="submit"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=HealthState.report,
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def health() -> rx.Component:
    return app_page(
        "/health",
        "health.title",
        rx.text(t("health.intro"), size="2", color_scheme="gray"),
        rx.cond(
            HealthState.plans.length() > 0,
            rx.foreach(HealthState.plans, _own_plan),
            rx.callout(t("health.none"), icon="info"),
        ),
    )


# ---------------------------------------------------------------- returning residents


def arrival() -> rx.Component:
    errors = ArrivalState.errors
    return app_page(
        "/arrival",
        "arrival.title",
        rx.text(t("arrival.intro"), size="2", color_scheme="gray"),
        rx.cond(
            ArrivalState.household_id == 0,
            rx.form(
                rx.vstack(
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
                    spacing="3",
                    width="100%",
                ),
                on_submit=ArrivalState.find,
                width="100%",
            ),
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.text(ArrivalState.address, size="4", weight="bold"),
                        rx.spacer(),
                        rx.button(
                            t("arrival.change_door"),
                            variant="ghost",
                            size="2",
                            type="button",
                            on_click=ArrivalState.change_door,
                        ),
                        align="center",
                        width="100%",
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
                    spacing="3",
                    width="100%",
                ),
                on_submit=ArrivalState.save,
                width="100%",
            ),
        ),
    )


# ---------------------------------------------------------------- risk rules


def _level_select(name: str) -> rx.Component:
    return select_field(
        name,
        f"rules.{name}",
        RulesState.errors,
        [(str(r.value), t(f"risk.{r.value}")) for r in Risk],
        value=RulesState.values[name],
        on_change=lambda v: RulesState.set_value(name, v),
    )


def rules() -> rx.Component:
    errors = RulesState.errors
    return app_page(
        "/screening/rules",
        "rules.title",
        rx.text(t("rules.intro"), size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                text_field(
                    "fever_from",
                    "rules.fever_from",
                    errors,
                    input_mode="decimal",
                    default_value=RulesState.values["fever_from"],
                    key=RulesState.loaded_at,
                ),
                *[_level_select(name) for name in RISK_FIELDS],
                rx.grid(
                    text_field(
                        "quarantine_days",
                        "rules.quarantine_days",
                        errors,
                        type="number",
                        default_value=RulesState.values["quarantine_days"],
                        key=RulesState.loaded_at,
                    ),
                    text_field(
                        "call_attempts",
                        "rules.call_attempts",
                        errors,
                        type="number",
                        default_value=RulesState.values["call_attempts"],
                        key=RulesState.loaded_at,
                    ),
                    columns="2",
                    spacing="2",
                    width="100%",
                ),
                field_error(errors, "_"),
                primary_button(t("common.save"), type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=RulesState.save,
            width="100%",
        ),
    )
