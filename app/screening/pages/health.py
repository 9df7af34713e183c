"""居民自报: a resident in home quarantine reports today's check."""

import reflex as rx

from app.screening.state import HealthState, PlanRow
from app.ui.components import primary_button, t
from app.ui.layout import app_page

from ._parts import _symptom_checks


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
