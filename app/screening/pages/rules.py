"""研判规则: what each answer at the door means."""

import reflex as rx

from app.screening.models import Risk
from app.screening.state import RISK_FIELDS, RulesState
from app.ui.components import (
    column,
    field_error,
    muted,
    primary_button,
    select_field,
    t,
    text_field,
)
from app.ui.layout import app_page


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
        muted(t("rules.intro")),
        rx.form(
            column(
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
            ),
            on_submit=RulesState.save,
            width="100%",
        ),
    )
