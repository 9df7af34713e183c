"""Session, login, registration and profile states: they call the accounts service and hold
only what the pages show."""

import asyncio

import reflex as rx
from sqlmodel import Session

from app.accounts import service
from app.accounts.models import User
from app.community.service import list_communities, place_name
from app.db import session_scope
from app.errors import Forbidden, InvalidInput, ServiceError
from app.settings import get_settings
from app.timeutil import format_local
from app.ui.i18n import translate
from app.ui.navigation import roles_for

_YEAR = 365 * 24 * 3600


class SessionState(rx.State):
    """Who is logged in on this tab. The token lives in a cookie; every event that touches
    data resolves it again, so a disabled account loses access at its next event."""

    token: str = rx.Cookie(
        "", name="cep_session", same_site="strict", max_age=get_settings().session_hours * 3600
    )
    locale: str = rx.Cookie(get_settings().default_locale, name="cep_locale", max_age=_YEAR)
    user_name: str = ""
    user_mobile: str = ""
    user_role: str = ""
    place: str = ""
    # The page being shown, whether this user may see it, and why they were sent to login.
    current_route: str = ""
    allowed_route: str = ""
    forbidden_route: str = ""
    notice: str = ""
    _shown_user: int = 0  # whose place and language the tab shows (backend only)

    def tr(self, key: str, **params: object) -> str:
        return translate(self.locale, key, **params)

    def describe(self, exc: ServiceError) -> tuple[dict[str, str], str]:
        """A service error as (messages per field, message for the form), in the user's language."""
        if isinstance(exc, InvalidInput):
            return {f: self.tr(code) for f, code in exc.fields.items()}, self.tr(exc.code)
        text = self.tr(exc.code, **exc.params)
        return ({exc.field: text}, "") if exc.field else ({}, text)

    def actor(self, db: Session) -> User | None:
        return service.user_for_token(db, self.token)

    def enter(self, db: Session, route: str) -> User | None:
        """Resolve the user for a page's load; None when they may not see it (see `bounce`)."""
        self.current_route = route
        self.allowed_route = self.forbidden_route = ""
        user = self.actor(db)
        if user is None:
            self.notice = self.refused_notice(db)
            self.token = ""
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

    @rx.event
    def switch_locale(self, locale: str | list[str]):
        if not isinstance(locale, str) or locale not in ("zh", "en"):
            return
        self.locale = locale
        with session_scope() as db:
            user = self.actor(db)
            if user is not None:
                service.set_locale(db, user, locale)

    @rx.event
    def logout(self):
        with session_scope() as db:
            service.logout(db, self.token)
        self.token = ""
        self.user_name = self.user_role = self.user_mobile = self.place = ""
        self._shown_user = 0
        self.notice = "login.logged_out"
        return rx.redirect("/login")


def _login(mobile: str, password: str, client: str) -> service.LoginResult:
    with session_scope() as db:
        return service.login(db, mobile, password, client=client)


class LoginState(SessionState):
    errors: dict[str, str] = {}
    message: str = ""
    info: str = ""  # why the user is here (session expired, logged out, registered)

    @rx.event
    def load(self):
        self.errors, self.message = {}, ""
        self.info = self.tr(self.notice) if self.notice else ""
        self.notice = ""
        with session_scope() as db:
            if self.actor(db) is not None:
                return rx.redirect("/")

    @rx.event
    async def submit(self, form: dict):
        self.errors, self.message, self.info = {}, "", ""
        mobile, password = str(form.get("mobile", "")), str(form.get("password", ""))
        client = self.router.session.client_ip or "unknown"
        try:
            # Password hashing is slow on purpose: keep it off the event loop other phones share.
            result = await asyncio.to_thread(_login, mobile, password, client)
        except ServiceError as exc:
            self.errors, self.message = self.describe(exc)
            return
        self.token = result.token
        self.locale = result.user.locale.value
        return rx.redirect("/")


class RegisterState(SessionState):
    communities: list[tuple[str, str]] = []
    errors: dict[str, str] = {}
    message: str = ""

    @rx.event
    def load(self):
        self.errors, self.message = {}, ""
        with session_scope() as db:
            self.communities = [(str(cid), label) for cid, label in list_communities(db)]

    @rx.event
    def submit(self, form: dict):
        self.errors, self.message = {}, ""
        data = {k: str(form.get(k, "")) for k in ("name", "mobile", "password", "address")}
        data["community_id"] = form.get("community_id") or None
        with session_scope() as db:
            try:
                service.register_resident(db, data)
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

    pending: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    message: str = ""

    def _refresh(self, db: Session, user: User) -> None:
        rows = []
        for resident in service.pending_residents(db, user, user.community_id):
            match = service.find_household(db, user, user.community_id, resident.claimed_address)
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
        with session_scope() as db:
            user = self.enter(db, "/residents")
            if user is None:
                return self.bounce()
            self._refresh(db, user)

    @rx.event
    def link(self, form: dict):
        user_id = str(form.get("user_id", ""))
        self.errors, self.message = {}, ""
        with session_scope() as db:
            user = self.actor(db)
            try:
                if user is None or user.community_id is None:
                    raise Forbidden()
                household = service.find_household(
                    db, user, user.community_id, str(form.get("address", ""))
                )
                if household is None:
                    raise InvalidInput({"address": "residents.no_match"})
                linked = service.link_household(db, user, int(user_id), household.id)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = {user_id: fields.get("address") or text}
                return
            self._refresh(db, user)
        return rx.toast.success(
            self.tr("residents.linked", name=linked.name, address=household.address)
        )
