"""居民自报: a resident in home quarantine reports today's check."""

import reflex as rx

from app.screening.state import HealthState, PlanRow
from app.ui.components import centered_row, column, muted, panel, primary_button, t
from app.ui.layout import app_page

from ._parts import _symptom_checks


def _own_plan(p: PlanRow) -> rx.Component:
    key = f"{p.id}"
    errors = HealthState.errors
    return panel(
        column(
            centered_row(
                rx.text(p.name, size="4", weight="bold"),
                rx.spacer(),
                muted(p.day),
            ),
            rx.cond(
                p.checked_today,
                rx.callout(t("health.done"), icon="circle-check", color_scheme="jade"),
                rx.form(
                    column(
                        rx.el.input(type="hidden", name="plan_id", value=key),
                        column(
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
                        ),
                        _symptom_checks("sym-"),
                        primary_button(t("today.save_check"), type="submit"),
                    ),
                    on_submit=HealthState.report,
                ),
            ),
        ),
    )


def health() -> rx.Component:
    return app_page(
        "/health",
        "health.title",
        muted(t("health.intro")),
        rx.cond(
            HealthState.plans.length() > 0,
            rx.foreach(HealthState.plans, _own_plan),
            rx.callout(t("health.none"), icon="info"),
        ),
    )
