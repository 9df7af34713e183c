"""Who saw or changed personal data: the audit log."""

import reflex as rx

from app.community.state import (
    AuditState,
)
from app.ui.components import (
    column,
    muted,
    t,
)
from app.ui.layout import app_page

from ._common import catalog_label


def _audit_line(line) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(line.actor, weight="bold", size="2"),
            rx.text(catalog_label("audit.", line.action), size="2"),
            rx.spacer(),
            rx.text(line.at, size="1", color_scheme="gray"),
            width="100%",
            wrap="wrap",
        ),
        muted(line.detail),
        class_name="list-row",
        width="100%",
    )


def audit() -> rx.Component:
    return app_page(
        "/registry/audit",
        "audit.title",
        muted(t("audit.intro")),
        rx.cond(
            AuditState.lines.length() > 0,
            column(rx.foreach(AuditState.lines, _audit_line), spacing="0"),
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
