"""Session, login, registration and profile states: they call the accounts service and hold
only what the pages show."""

import asyncio
import contextlib
import json
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from app.accounts import service
from app.accounts.api import END, SESSION_COOKIE, START
from app.accounts.models import User
from app.community.service import list_communities, place_name
from app.db import saved_id, session_scope
from app.errors import Forbidden, InvalidInput, LoginRequired, ServiceError
from app.forms import form_id, form_text
from app.settings import get_settings
from app.timeutil import format_local
from app.ui.i18n import field_messages, translate
from app.ui.navigation import roles_for

_YEAR = 365 * 24 * 3600


def post_form(action: str, **fields: str) -> EventSpec:
    """Leave the page by a form post, so that the server's answer (a cookie and a redirect)
    reaches the browser as HTTP, where scripts cannot read it."""
    build = "".join(
        "f.appendChild(Object.assign(document.createElement('input'),"
        f"{{type:'hidden',name:{json.dumps(name)},value:{json.dumps(value)}}}));"
        for name, value in fields.items()
    )
    return rx.call_script(
        "(()=>{const f=document.createElement('form');f.method='post';"
        f"f.action={json.dumps(action)};{build}document.body.appendChild(f);f.submit();}})()"
    )


class SessionState(rx.State):
    """Who is logged in on this tab. The token lives in a cookie; every event that touches
    data resolves it again, so a disabled account loses access at its next event."""

    locale: rx.Field[str] = rx.field(
        rx.Cookie(get_settings().default_locale, name="cep_locale", max_age=_YEAR)
    )
    user_name: rx.Field[str] = rx.field("")
    user_mobile: rx.Field[str] = rx.field("")
    user_role: rx.Field[str] = rx.field("")
    place: rx.Field[str] = rx.field("")
    # The page being shown, whether this user may see it, and why they were sent to login.
    current_route: rx.Field[str] = rx.field("")
    allowed_route: rx.Field[str] = rx.field("")
    forbidden_route: rx.Field[str] = rx.field("")
    notice: rx.Field[str] = rx.field("")
    _shown_user: int | None = 0  # whose place and language the tab shows (backend only)

    def tr(self, key: str, **params: object) -> str:
        return translate(self.locale, key, **params)

    def describe(self, exc: ServiceError) -> tuple[dict[str, str], str]:
        """A service error as (messages per field, message for the form), in the user's language."""
        if isinstance(exc, InvalidInput):
            return field_messages(self.locale, exc), self.tr(exc.code)
        text = self.tr(exc.code, **exc.params)
        return ({exc.field: text}, "") if exc.field else ({}, text)

    @property
    def token(self) -> str:
        """This tab's session token: the HttpOnly cookie its websocket was opened with."""
        cookies = SimpleCookie()
        with contextlib.suppress(CookieError):
            cookies.load(self.router.headers.cookie)
        morsel = cookies.get(SESSION_COOKIE)
        return morsel.value if morsel else ""

    def current_user(self, db: Session) -> User | None:
        return service.user_for_token(db, self.token)

    def actor(self, db: Session) -> User:
        """Who is acting; LoginRequired (a message and the login page) once the login ended."""
        user = self.current_user(db)
        if user is None:
            raise LoginRequired()
        return user

    def community_of(self, user: User) -> int:
        """The community a staff member or volunteer works in; Forbidden for one with none."""
        if user.community_id is None:
            raise Forbidden()
        return user.community_id

    def client(self) -> str:
        """The address the login and sign-up limits count (behind TRUSTED_PROXY_HOPS proxies,
        the phone's own)."""
        return self.router.session.client_ip or "unknown"

    def enter(self, db: Session, route: str) -> User | None:
        """Resolve the user for a page's load; None when they may not see it (see `bounce`)."""
        self.current_route = route
        self.allowed_route = self.forbidden_route = ""
        user = self.current_user(db)
        if user is None:
            self.notice = self.refused_notice(db)
            return None
        self.user_name, self.user_mobile, self.user_role = user.name, user.mobile, user.role.value
        if self._shown_user != user.id:  # a query saved on every page the same user opens
            self._shown_user = user.id
            self.place = place_name(db, user)
            self.locale = user.locale.value
        if user.role not in roles_for(route):
            self.forbidden_route = route
            return None
        self.allowed_route = route
        return user

    def refused_notice(self, db: Session) -> str:
        """Why this tab's token no longer resolves: expired, account disabled, or no login."""
        if self.token and service.session_expired(db, self.token):
            return "login.expired"
        if self.token and service.account_disabled(db, self.token):
            return "errors.account_disabled"
        return "login.required"

    def bounce(self):
        """Where a refused page load goes: login if not logged in, else stay on the notice."""
        return None if self.forbidden_route else rx.redirect("/login")

    def load_page(self, route: str, fill: Callable[[Session, User], object]):
        """A page's load: once the user may see `route`, `fill` puts the page's data in the
        state; otherwise the login page or the page's refusal notice."""
        with session_scope() as db:
            user = self.enter(db, route)
            if user is None:
                return self.bounce()
            fill(db, user)

    def act(self, operation: Callable, *args, refresh: Callable[[Session, User], object]):
        """Run a service operation as the logged-in user on a row of a list, then re-read the
        list (`refresh`), after a refusal too, which a toast explains."""
        with session_scope() as db:
            user = self.actor(db)
            try:
                operation(db, user, *args)
            except ServiceError as exc:
                refresh(db, user)
                return rx.toast.error(self.describe(exc)[1])
            refresh(db, user)
        return None

    @rx.event
    def switch_locale(self, locale: str | list[str]):
        if not isinstance(locale, str) or locale not in ("zh", "en"):
            return
        self.locale = locale
        with session_scope() as db:
            user = self.current_user(db)  # the login page switches too
            if user is not None:
                service.set_locale(db, user, locale)

    @rx.event
    def logout(self):
        # The server ends the session and clears the cookie (app/accounts/api.py).
        self.user_name = self.user_role = self.user_mobile = self.place = ""
        self._shown_user = 0
        self.notice = "login.logged_out"
        return post_form(END)


def _login(mobile: str, password: str, client: str) -> service.LoginResult:
    with session_scope() as db:
        return service.login(db, mobile, password, client=client)


class LoginState(SessionState):
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")
    # why the user is here (session expired, logged out, registered)
    info: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        self.errors, self.message = {}, ""
        self.info = self.tr(self.notice) if self.notice else ""
        self.notice = ""
        with session_scope() as db:
            if self.current_user(db) is not None:
                return rx.redirect("/")

    @rx.event
    async def submit(self, form: dict):
        self.errors, self.message, self.info = {}, "", ""
        mobile, password = form_text(form, "mobile"), form_text(form, "password")
        client = self.client()
        try:
            # Password hashing is slow on purpose: keep it off the event loop other phones share.
            result = await asyncio.to_thread(_login, mobile, password, client)
        except ServiceError as exc:
            self.errors, self.message = self.describe(exc)
            return
        self.locale = result.user.locale.value
        # The server trades this token for the HttpOnly cookie and sends the page to /.
        return post_form(START, token=result.token)


class RegisterState(SessionState):
    communities: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        self.errors, self.message = {}, ""
        with session_scope() as db:
            self.communities = [(str(cid), label) for cid, label in list_communities(db)]

    @rx.event
    def submit(self, form: dict):
        self.errors, self.message = {}, ""
        data: dict[str, str | None] = {
            k: form_text(form, k) for k in ("name", "mobile", "password", "address")
        }
        data["community_id"] = form.get("community_id") or None
        with session_scope() as db:
            try:
                client = self.client()
                service.register_resident(db, data, client=client)
            except ServiceError as exc:
                self.errors, self.message = self.describe(exc)
                return
        self.notice = "register.done"
        return rx.redirect("/login")


class ProfileState(SessionState):
    @rx.event
    def load(self):
        with session_scope() as db:
            if self.enter(db, "/profile") is None:
                return self.bounce()


def mask_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else mobile


class ResidentsState(SessionState):
    """Staff link self-registered residents to their household."""

    pending: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")

    def _refresh(self, db: Session, user: User) -> None:
        rows = []
        community_id = self.community_of(user)
        for resident in service.pending_residents(db, user, community_id):
            match = service.find_household(db, user, community_id, resident.claimed_address)
            rows.append(
                {
                    "id": str(resident.id),
                    "name": resident.name,
                    "mobile": mask_mobile(resident.mobile),
                    "claimed": resident.claimed_address,
                    "registered": format_local(resident.created_at),
                    "match": match.address if match else "",
                }
            )
        self.pending = rows

    @rx.event
    def load(self):
        self.errors, self.message = {}, ""
        return self.load_page("/residents", self._refresh)

    @rx.event
    def link(self, form: dict):
        user_id = form_text(form, "user_id")
        self.errors, self.message = {}, ""
        with session_scope() as db:
            user = self.actor(db)
            try:
                household = service.find_household(
                    db, user, self.community_of(user), form_text(form, "address")
                )
                if household is None:
                    raise InvalidInput({"address": "residents.no_match"})
                linked = service.link_household(db, user, form_id(user_id), saved_id(household))
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = {user_id: fields.get("address") or text}
                return
            self._refresh(db, user)
        return rx.toast.success(
            self.tr("residents.linked", name=linked.name, address=household.address)
        )
