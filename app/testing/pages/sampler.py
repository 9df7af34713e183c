"""核酸采样 at a site, one-handed: the tube, then people's codes; the answer large enough to
read at arm's length outdoors."""

import reflex as rx

from app.testing.state import SamplerState
from app.testing.state.sampler import ROUTE, DoorFound, DoorPick
from app.ui.components import (
    centered_row,
    column,
    field_error,
    match_component,
    muted,
    panel,
    primary_button,
    row_checkbox,
    select_field,
    sheet,
    sheet_buttons,
    t,
    text_field,
)
from app.ui.layout import app_page

# The camera is plain JS (assets/scan/camera.js), loaded on the first tap: it reads a code with
# the browser's BarcodeDetector or the ZXing polyfill served from /vendor/, then submits it
# through the same scan box as a hardware scanner.
_OPEN_CAMERA = (
    "(()=>{const go=()=>window.cepCamera.open('scan','camera-button');"
    "if(window.cepCamera){go();return;}"
    "const s=document.createElement('script');s.src='/scan/camera.js';s.onload=go;"
    "document.head.appendChild(s);})()"
)


def _picker() -> rx.Component:
    errors = SamplerState.errors
    return rx.form(
        column(
            muted(t("sampler.intro")),
            select_field(
                "round_id",
                "sampler.round",
                errors,
                SamplerState.rounds,
                placeholder_key="sampler.choose_round",
                value=SamplerState.round_choice,
                on_change=SamplerState.pick_round,
            ),
            rx.cond(
                (SamplerState.round_choice != "") & (SamplerState.sites.length() == 0),
                muted(t("sampler.no_site")),
                select_field(
                    "site_id",
                    "sampler.site",
                    errors,
                    SamplerState.sites,
                    placeholder_key="sampler.choose_site",
                ),
            ),
            primary_button(t("sampler.start"), type="submit"),
        ),
        on_submit=SamplerState.start,
        width="100%",
    )


def _flash() -> rx.Component:
    """The last scan's answer: a colour, a word and a line, read at arm's length."""
    word = rx.text(SamplerState.flash_word, class_name="flash-word")
    line = rx.text(SamplerState.flash_text, class_name="flash-line")
    return match_component(
        SamplerState.flash,
        ("", rx.fragment()),
        (
            "error",
            rx.box(
                rx.icon("circle-x", size=40),
                word,
                line,
                role="alert",
                class_name="flash flash-error",
            ),
        ),
        (
            "full",
            rx.box(
                rx.icon("package-check", size=40),
                word,
                line,
                role="status",
                class_name="flash flash-full",
            ),
        ),
        (
            "undone",
            rx.box(
                rx.icon("undo-2", size=40),
                word,
                line,
                role="status",
                class_name="flash flash-undone",
            ),
        ),
        rx.box(
            rx.icon("circle-check-big", size=40),
            word,
            line,
            role="status",
            class_name="flash flash-ok",
        ),
    )


def _tube() -> rx.Component:
    return panel(
        rx.cond(
            SamplerState.tube_id == 0,
            rx.text(t("sampler.no_tube"), size="5", weight="medium"),
            column(
                centered_row(
                    rx.text(
                        t("sampler.tube").replace("{barcode}", SamplerState.barcode),
                        size="3",
                        weight="medium",
                        class_name="break-all",
                    ),
                ),
                rx.text(
                    SamplerState.count_text,
                    class_name="tube-count number",
                    id="tube-count",
                ),
                rx.progress(
                    value=SamplerState.fill_percent.to(int),
                    size="3",
                    aria_label=t("sampler.in_tube"),
                ),
                rx.cond(
                    SamplerState.people.length() > 0,
                    rx.el.ol(
                        rx.foreach(SamplerState.people, lambda name: rx.el.li(name)),
                        class_name="tube-people",
                        aria_label=t("sampler.in_tube"),
                    ),
                ),
                spacing="2",
            ),
        ),
    )


def _scan_box() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.box(
                rx.el.label(t("sampler.scan_label"), html_for="scan", class_name="field-label"),
                rx.input(
                    id="scan",
                    name="scan",
                    size="3",
                    width="100%",
                    height="3rem",
                    font_size="1.25rem",
                    auto_focus=True,
                    auto_complete="off",
                    auto_capitalize="characters",
                    spell_check=False,
                    enter_key_hint="send",
                    placeholder=rx.cond(
                        SamplerState.tube_open,
                        t("sampler.scan_person_hint"),
                        t("sampler.scan_tube_hint"),
                    ),
                ),
                flex="1",
                min_width="0",
            ),
            rx.button(
                rx.icon("scan-line", size=22),
                t("sampler.camera"),
                id="camera-button",
                type="button",
                size="4",
                variant="soft",
                custom_attrs={
                    "data-close": t("sampler.camera_close"),
                    "data-denied": t("sampler.camera_denied"),
                },
                on_click=rx.call_script(_OPEN_CAMERA),
            ),
            align="end",
            width="100%",
            spacing="2",
        ),
        on_submit=SamplerState.scan,
        reset_on_submit=True,
        id="scan-form",
        width="100%",
    )


def _outbox() -> rx.Component:
    """What assets/scan/outbox.js needs: where the scans go, and a form to tell the page what
    the scans saved with no signal came to once sent."""
    return rx.fragment(
        rx.el.div(
            id="scan-context",
            hidden=True,
            custom_attrs={
                "data-round": SamplerState.round_id,
                "data-site": SamplerState.site_id,
                "data-tube": rx.cond(SamplerState.tube_open, SamplerState.tube_id, 0),
                "data-waiting": t("sampler.waiting"),
            },
        ),
        rx.form(
            rx.el.input(type="hidden", name="tube"),
            rx.el.input(type="hidden", name="sent"),
            rx.el.input(type="hidden", name="refused"),
            id="scan-synced",
            hidden=True,
            on_submit=SamplerState.synced,
        ),
        rx.script(src="/scan/outbox.js"),
    )


def _actions() -> rx.Component:
    return column(
        rx.grid(
            rx.button(
                rx.icon("undo-2"),
                t("sampler.undo"),
                size="4",
                variant="soft",
                color_scheme="gray",
                padding_x="0.75rem",
                disabled=SamplerState.filled == 0,
                on_click=SamplerState.undo,
            ),
            rx.button(
                rx.icon("package-check"),
                t("sampler.close_early"),
                size="4",
                variant="soft",
                padding_x="0.75rem",
                disabled=~SamplerState.tube_open | (SamplerState.filled == 0),
                on_click=SamplerState.close_early,
            ),
            columns="2",
            spacing="2",
            width="100%",
        ),
        rx.button(
            rx.icon("house"),
            t("sampler.no_code"),
            size="4",
            variant="outline",
            width="100%",
            disabled=~SamplerState.tube_open,
            on_click=SamplerState.set_door_open(True),
        ),
        spacing="2",
    )


def _person(person: DoorPick) -> rx.Component:
    return rx.el.label(
        row_checkbox(
            name="p-" + person.id,
            id="p-" + person.id,
            size="3",
            disabled=person.sampled,
            default_checked=False,
        ),
        rx.text(person.name, size="4", weight="medium"),
        muted(person.relation),
        rx.spacer(),
        rx.cond(person.sampled, rx.badge(t("sampler.sampled_already"), color_scheme="jade")),
        class_name="check-row",
        width="100%",
    )


def _household(found: DoorFound) -> rx.Component:
    return column(
        rx.text(found.address, size="3", weight="bold"),
        rx.foreach(found.people, _person),
        spacing="1",
    )


def _door_sheet() -> rx.Component:
    errors = SamplerState.errors
    return sheet(
        t("sampler.door_title"),
        column(
            rx.form(
                rx.hstack(
                    rx.box(
                        text_field(
                            "door",
                            "sampler.door",
                            errors,
                            placeholder_key="sampler.door_hint",
                            field_id="door-key",
                        ),
                        flex="1",
                        min_width="0",
                    ),
                    rx.button(t("sampler.find"), type="submit", size="3"),
                    align="end",
                    width="100%",
                ),
                on_submit=SamplerState.find_door,
                width="100%",
            ),
            rx.cond(
                SamplerState.door_found.length() > 0,
                rx.form(
                    column(
                        rx.foreach(SamplerState.door_found, _household),
                        field_error(errors, "tick"),
                        sheet_buttons(SamplerState.set_door_open(False), "sampler.add_ticked"),
                    ),
                    on_submit=SamplerState.add_ticked,
                    width="100%",
                ),
            ),
        ),
        open=SamplerState.door_open,
        on_open_change=SamplerState.set_door_open,
    )


def _loop() -> rx.Component:
    return column(
        centered_row(
            rx.vstack(
                rx.text(SamplerState.site_name, size="4", weight="bold"),
                muted(SamplerState.round_name),
                spacing="0",
                min_width="0",
            ),
            rx.spacer(),
            rx.button(
                t("sampler.change"),
                variant="ghost",
                size="3",
                on_click=SamplerState.change_site,
            ),
        ),
        _flash(),
        _tube(),
        _scan_box(),
        _outbox(),
        _actions(),
        _door_sheet(),
    )


def sampler() -> rx.Component:
    return app_page(
        ROUTE,
        "sampler.title",
        rx.cond(
            SamplerState.rounds.length() == 0,
            rx.callout(t("sampler.no_round"), icon="info", width="100%"),
            rx.cond(SamplerState.round_id == 0, _picker(), _loop()),
        ),
    )
