"""The Reflex app: every page and route is registered here, and only here."""

import logging

import reflex as rx
from reflex import constants
from reflex.utils import prerequisites
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts import pages as accounts_pages
from app.accounts.api import session_api
from app.accounts.state import LoginState, ProfileState, RegisterState, ResidentsState
from app.community import pages as community_pages
from app.community.state import (
    AuditState,
    HouseholdState,
    PlacesState,
    RegisterIoState,
    RegistryState,
)
from app.errors import LoginRequired, ServiceError
from app.eventlog import EventRecorder, recording_routes
from app.housekeeping import every_hour as housekeeping
from app.screening import pages as screening_pages
from app.screening.api import field_api
from app.screening.state import (
    ArrivalState,
    BoardState,
    DoorsState,
    HealthState,
    RulesState,
    TodayState,
    VisitState,
)
from app.settings import get_settings
from app.supplies import pages as supplies_pages
from app.supplies.state import (
    BuyState,
    CallState,
    DeliveriesState,
    ErrandsState,
    NewBuyState,
    SuppliesState,
)
from app.testing import pages as testing_pages
from app.testing.api import scan_api
from app.testing.state import (
    CardState,
    CodesState,
    MissedState,
    SamplerState,
    TestingRoundsState,
    TestingRoundState,
)
from app.text_gate import TextGate
from app.ui import pages as ui_pages
from app.ui.i18n import translate
from app.ui.layout import connection_notice
from app.ui.state import HomeState
from app.volunteers import pages as volunteer_pages
from app.volunteers.state import (
    ApplicationsState,
    ApplyState,
    DutyState,
    ShiftsState,
    TeamsState,
)


def _fast_pages(asgi: ASGIApp) -> ASGIApp:
    """Answer /login with the prerendered /login/index.html instead of a redirect (a round
    trip a phone on 4G feels), and let browsers keep the content-hashed assets for a year.
    Reflex also serves its upload folder to anyone at /_upload/<name>: the app keeps no file
    there (a roster waits in the private upload folder), and that route answers 404."""
    static = prerequisites.get_web_dir() / constants.Dirs.STATIC
    upload = str(constants.Endpoint.UPLOAD)

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(upload + "/"):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
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


def _both_languages(key: str, **params: object) -> str:
    return f"{translate('zh', key, **params)} / {translate('en', key, **params)}"


def _on_backend_error(exception: Exception):
    """A stack trace never reaches the page. A refusal a handler did not word itself (a
    forged event, a login that ended) is a message; anything else is logged in full."""
    if isinstance(exception, LoginRequired):
        return [rx.toast.error(_both_languages(exception.code)), rx.redirect("/login")]
    if isinstance(exception, ServiceError):
        logging.getLogger("app").warning("refused: %s", exception.code)
        return rx.toast.error(_both_languages(exception.code, **exception.params))
    logging.getLogger("app").exception("backend error", exc_info=exception)
    return rx.toast.error(_both_languages("errors.unexpected"))


event_log = get_settings().event_log
# The app's own HTTP routes, beside the pages and the websocket.
API_APPS = (field_api, scan_api, session_api)
api_transformers = [*API_APPS, _fast_pages]
if event_log:
    paths = tuple(getattr(route, "path", "") for api in API_APPS for route in api.routes)
    api_transformers.append(recording_routes(event_log, paths))

app = rx.App(
    stylesheets=["/app.css"],
    html_lang="zh-CN",
    head_components=[
        rx.el.meta(name="theme-color", content="#1f8a70"),
        rx.el.link(rel="apple-touch-icon", href="/icon-192.png"),
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        # The service worker keeps the offline field app on the phone (assets/sw.js).
        rx.script("if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js')"),
        rx.el.meta(name="description", content=translate("zh", "app.tagline")),
    ],
    backend_exception_handler=_on_backend_error,
    api_transformer=api_transformers,
    # Toasts at the top: at the bottom they cover the navigation the thumb is reaching for.
    toaster=rx.toast.provider(position="top-center"),
)
# Reflex's own overlay toasts "Cannot connect to server" in English and says nothing of the
# save that waits for the signal: the app's notice replaces it.
# The page is appended to the wrap's children: a fragment keeps it (the memo would drop it).
app.app_wraps[(5, "Overlay")] = lambda stateful: (
    rx.fragment(connection_notice()) if stateful else None
)

if event_log:
    app.add_middleware(EventRecorder(event_log))
app.add_middleware(TextGate())
# Expired sessions, old login attempts, abandoned roster files: removed at start, then hourly.
app.register_lifespan_task(housekeeping)

# (route, page, the catalog key of its title, what loads its data)
PAGES = (
    ("/login", accounts_pages.login, "login.title", LoginState.load),
    ("/register", accounts_pages.register, "register.title", RegisterState.load),
    ("/", ui_pages.home, "", HomeState.load),
    ("/profile", accounts_pages.profile, "profile.title", ProfileState.load),
    ("/residents", accounts_pages.residents, "residents.title", ResidentsState.load),
    ("/registry", community_pages.registry, "registry.title", RegistryState.load),
    (
        "/household/[household_id]",
        community_pages.household,
        "household.title",
        HouseholdState.load,
    ),
    ("/registry/places", community_pages.places, "places.title", PlacesState.load),
    ("/registry/audit", community_pages.audit, "audit.title", AuditState.load),
    ("/registry/import", community_pages.roster_page, "roster.title", RegisterIoState.load),
    ("/volunteer/apply", volunteer_pages.apply, "apply.title", ApplyState.load),
    ("/volunteers", volunteer_pages.applications, "applications.title", ApplicationsState.load),
    ("/doors", screening_pages.doors, "doors.title", DoorsState.load),
    ("/visit", screening_pages.visit, "visit.title", VisitState.load),
    ("/today", screening_pages.today, "today.title", TodayState.load),
    ("/arrival", screening_pages.arrival, "arrival.title", ArrivalState.load),
    ("/health", screening_pages.health, "health.title", HealthState.load),
    ("/screening", screening_pages.board, "board.title", BoardState.load),
    ("/screening/rules", screening_pages.rules, "rules.title", RulesState.load),
    ("/supplies", supplies_pages.supplies, "supplies.title", SuppliesState.load),
    ("/supplies/new", supplies_pages.new_buy, "supplies.new", NewBuyState.load),
    ("/supplies/buy/[buy_id]", supplies_pages.buy, "supplies.buy", BuyState.load),
    ("/supplies/call/[buy_id]", supplies_pages.calling, "supplies.calling", CallState.load),
    (
        "/supplies/deliveries",
        supplies_pages.deliveries,
        "supplies.deliveries",
        DeliveriesState.load,
    ),
    ("/supplies/errands", supplies_pages.errands, "supplies.errands", ErrandsState.load),
    ("/duty", volunteer_pages.duty, "duty.title", DutyState.load),
    ("/volunteers/roster", volunteer_pages.roster_page, "shifts.title", ShiftsState.load),
    ("/volunteers/teams", volunteer_pages.teams_page, "teams.title", TeamsState.load),
    ("/testing/sample", testing_pages.sampler, "sampler.title", SamplerState.load),
    ("/testing/missed", testing_pages.missed, "missed.title", MissedState.load),
    ("/testing/codes", testing_pages.codes, "codes.title", CodesState.load),
    ("/testing/card", testing_pages.card, "codecard.title", CardState.load),
    ("/testing", testing_pages.rounds, "testing.title", TestingRoundsState.load),
    (
        "/testing/round/[round_id]",
        testing_pages.round_page,
        "tround.title",
        TestingRoundState.load,
    ),
)

for route, page, title_key, load in PAGES:
    name = translate("zh", "app.name")
    title = f"{translate('zh', title_key)} · {name}" if title_key else name
    app.add_page(page, route=route, title=title, on_load=load)
