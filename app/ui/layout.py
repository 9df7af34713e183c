"""The app shell: a header, the page body in a phone-width column, and the bottom navigation."""

import reflex as rx
from reflex.vars import VarData
from reflex_components_core.core.banner import connect_errors, has_too_many_connection_errors
from reflex_components_sonner.toast import toast_ref

from app.accounts.state import SessionState
from app.ui.components import centered_row, column, muted, t
from app.ui.navigation import SECTIONS

COLUMN = "30rem"


def _nav_item(section) -> rx.Component:
    roles = rx.Var.create([r.value for r in section.roles])
    active = SessionState.current_route == section.route
    return rx.cond(
        roles.contains(SessionState.user_role),
        rx.link(
            rx.vstack(
                rx.icon(section.icon, size=22),
                rx.text(t(section.label_key), size="1"),
                align="center",
                spacing="1",
            ),
            href=section.route,
            class_name="nav-item",
            color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
            aria_current=rx.cond(active, "page", "false"),
            underline="none",
        ),
    )


def bottom_nav() -> rx.Component:
    return rx.el.nav(
        rx.hstack(*[_nav_item(s) for s in SECTIONS], justify="center", spacing="0", width="100%"),
        class_name="bottom-nav",
        aria_label=t("nav.label"),
    )


def forbidden_notice() -> rx.Component:
    return rx.vstack(
        rx.icon("shield-x", size=48, color=rx.color("red", 9)),
        rx.heading(t("forbidden.title"), size="5"),
        rx.text(t("forbidden.body"), color_scheme="gray"),
        rx.button(t("forbidden.back"), on_click=rx.redirect("/"), size="4"),
        align="center",
        padding_top="4rem",
    )


def app_page(route: str, title_key: str, *body: rx.Component) -> rx.Component:
    """A logged-in page. Its body shows only once the page's load has let this user in."""
    return rx.box(
        rx.el.header(
            centered_row(
                rx.heading(t(title_key), size="5", as_="h1"),
                rx.spacer(),
                muted(SessionState.place, truncate=True),
            ),
            class_name="app-header",
        ),
        rx.el.main(
            rx.cond(
                SessionState.allowed_route == route,
                column(*body, spacing="4"),
                rx.cond(
                    SessionState.forbidden_route == route,
                    forbidden_notice(),
                    rx.center(rx.spinner(size="3"), padding_top="4rem"),
                ),
            ),
            class_name="app-main",
        ),
        bottom_nav(),
        class_name="app-shell",
    )


def public_page(*body: rx.Component) -> rx.Component:
    """Login and registration: no navigation, the app's name on top."""
    return rx.box(
        rx.el.main(
            column(
                rx.hstack(
                    rx.icon("shield-plus", size=36, color=rx.color("accent", 9)),
                    rx.vstack(
                        rx.heading(t("app.name"), size="6", as_="h1"),
                        muted(t("app.tagline")),
                        spacing="0",
                    ),
                    align="center",
                ),
                *body,
                spacing="5",
            ),
            class_name="app-main public",
        ),
        class_name="app-shell",
    )


class _SignalBackToast(rx.Fragment):
    """A toast when the websocket connects again after the signal was lost, saying whether
    events that waited on the page (a save tapped with no signal) have now gone out."""

    def add_hooks(self) -> list[str | rx.Var]:
        waited, back = t("connection.back_sent"), t("connection.back")
        effect = rx.Var(
            _js_expr=f"""useEffect(() => {{
  if ({connect_errors!s}.length === 0) {{
    if (signalLost.current) {{
      {toast_ref!s}?.success(eventsWaited.current ? {waited!s} : {back!s}, {{id: "signal-back"}});
    }}
    signalLost.current = false;
    eventsWaited.current = false;
    return;
  }}
  if ({connect_errors!s}.length >= 2) signalLost.current = true;
  // Events tapped meanwhile wait in Reflex's queue until the socket connects again.
  const look = () => {{ if (isStateful()) eventsWaited.current = true; }};
  look();
  const timer = setInterval(look, 250);
  return () => clearInterval(timer);
}}, [{connect_errors!s}]);""",
            _var_data=VarData.merge(
                connect_errors._get_all_var_data(),
                toast_ref._get_all_var_data(),
                waited._get_all_var_data(),
                back._get_all_var_data(),
                VarData(
                    imports={"react": ["useEffect", "useRef"], "$/utils/state": ["isStateful"]}
                ),
            ),
        )
        return [
            "const signalLost = useRef(false);",
            "const eventsWaited = useRef(false);",
            effect,
        ]


@rx.memo
def connection_notice() -> rx.Component:
    """Replaces Reflex's English "Cannot connect to server" toast: no signal, what is saved
    now waits on this page and is sent when the signal returns, and the offline field app
    (in a new tab, so the waiting save stays) for the rest of the building. A memo, so its
    hooks run inside the state and event providers (as Reflex's own overlay)."""
    return rx.fragment(
        rx.cond(
            has_too_many_connection_errors,
            rx.box(
                rx.hstack(
                    rx.icon("wifi-off", size=18),
                    rx.text(t("connection.lost"), weight="bold"),
                    align="center",
                    spacing="2",
                ),
                rx.text(t("connection.waiting"), size="2"),
                rx.link(
                    t("connection.field_link"),
                    href="/field/",
                    is_external=True,
                    size="2",
                    weight="medium",
                ),
                role="alert",
                class_name="connection-notice",
            ),
        ),
        _SignalBackToast.create(),
    )
