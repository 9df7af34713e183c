"""The Reflex app: every page and route is registered here, and only here."""

import logging

import reflex as rx
from reflex import constants
from reflex.utils import prerequisites
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts import pages as accounts_pages
from app.accounts.state import LoginState, ProfileState, RegisterState, ResidentsState
from app.community import pages as community_pages
from app.community.state import (
    AuditState,
    HouseholdState,
    PlacesState,
    RegistryState,
    RosterState,
)
from app.ui import pages as ui_pages
from app.ui.i18n import translate
from app.ui.state import HomeState


def _fast_pages(asgi: ASGIApp) -> ASGIApp:
    """Answer /login with the prerendered /login/index.html instead of a redirect (a round
    trip a phone on 4G feels), and let browsers keep the content-hashed assets for a year."""
    static = prerequisites.get_web_dir() / constants.Dirs.STATIC

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith("/assets/"):
            send = _cached(send)
        elif (
            scope["type"] == "http"
            and path != "/"
            and not path.endswith("/")
            and (static / path.lstrip("/") / "index.html").is_file()
        ):
            scope = {**scope, "path": path + "/", "raw_path": (path + "/").encode()}
        await asgi(scope, receive, send)

    return serve


def _cached(send: Send) -> Send:
    async def with_header(message: Message) -> None:
        if message["type"] == "http.response.start" and message.get("status") == 200:
            headers = [
                *message.get("headers", []),
                (b"cache-control", b"public, max-age=31536000, immutable"),
            ]
            message = {**message, "headers": headers}
        await send(message)

    return with_header


def _on_backend_error(exception: Exception):
    # A stack trace never reaches the page: log it, tell the user in both languages.
    logging.getLogger("app").exception("backend error", exc_info=exception)
    return rx.toast.error(
        f"{translate('zh', 'errors.unexpected')} / {translate('en', 'errors.unexpected')}"
    )


app = rx.App(
    stylesheets=["/app.css"],
    html_lang="zh-CN",
    head_components=[
        rx.el.meta(name="theme-color", content="#1f8a70"),
        rx.el.link(rel="apple-touch-icon", href="/icon-192.png"),
        rx.el.meta(name="description", content=translate("zh", "app.tagline")),
    ],
    backend_exception_handler=_on_backend_error,
    api_transformer=_fast_pages,
    # Toasts at the top: at the bottom they cover the navigation the thumb is reaching for.
    toaster=rx.toast.provider(position="top-center"),
)


def _title(key: str) -> str:
    return f"{translate('zh', key)} · {translate('zh', 'app.name')}"


app.add_page(
    accounts_pages.login, route="/login", title=_title("login.title"), on_load=LoginState.load
)
app.add_page(
    accounts_pages.register,
    route="/register",
    title=_title("register.title"),
    on_load=RegisterState.load,
)
app.add_page(ui_pages.home, route="/", title=translate("zh", "app.name"), on_load=HomeState.load)
app.add_page(
    accounts_pages.profile,
    route="/profile",
    title=_title("profile.title"),
    on_load=ProfileState.load,
)
app.add_page(
    accounts_pages.residents,
    route="/residents",
    title=_title("residents.title"),
    on_load=ResidentsState.load,
)
app.add_page(
    community_pages.registry,
    route="/registry",
    title=_title("registry.title"),
    on_load=RegistryState.load,
)
app.add_page(
    community_pages.household,
    route="/household/[household_id]",
    title=_title("household.title"),
    on_load=HouseholdState.load,
)
app.add_page(
    community_pages.places,
    route="/registry/places",
    title=_title("places.title"),
    on_load=PlacesState.load,
)
app.add_page(
    community_pages.audit,
    route="/registry/audit",
    title=_title("audit.title"),
    on_load=AuditState.load,
)
app.add_page(
    community_pages.roster_page,
    route="/registry/import",
    title=_title("roster.title"),
    on_load=RosterState.load,
)
