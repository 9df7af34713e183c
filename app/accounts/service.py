"""Accounts: registration, login, sessions, and the permission checks every service uses."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.accounts.models import Locale, LoginAttempt, LoginSession, Role, SignupAttempt, User
from app.community.models import Community, Compound, Household
from app.db import saved_id
from app.errors import Forbidden, InvalidInput, ServiceError, parse
from app.fields import required_mobile
from app.settings import get_settings
from app.timeutil import utcnow

# OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): the library default (64 MiB,
# 3 passes, 4 lanes) takes ~230 ms of CPU per login, too much for a 2-core server at shift change.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# The HttpOnly cookie that carries a login session (set by accounts.api, read by every route).
SESSION_COOKIE = "cep_session"
# Who may create accounts of which role (admins may create all).
CREATABLE_ROLES = {
    Role.STAFF: {Role.VOLUNTEER, Role.STAFF},
    Role.STREET_STAFF: {Role.STAFF, Role.STREET_STAFF},
}


def hash_password(plain: str) -> str:
    return _hasher.hash(plain)


def _password_matches(stored: str, plain: str) -> bool:
    try:
        return _hasher.verify(stored, plain)
    except (VerifyMismatchError, InvalidHashError):
        return False


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(value: str) -> str:
    if len(value) < 8 or not re.search(r"\d", value) or not re.search(r"[A-Za-z]", value):
        raise PydanticCustomError("password_weak", "weak password")
    return value


class LoginInput(BaseModel):
    mobile: str
    password: str

    _mobile = field_validator("mobile")(required_mobile)


class ResidentRegistration(BaseModel):
    name: str
    mobile: str
    password: str
    community_id: int
    address: str

    _mobile = field_validator("mobile")(required_mobile)
    _password = field_validator("password")(check_password)

    @field_validator("name", "address")
    @classmethod
    def _required_text(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("missing", "required")
        return value


class NewAccount(BaseModel):
    name: str
    mobile: str
    password: str
    role: Role
    community_id: int | None = None
    street_id: int | None = None

    _mobile = field_validator("mobile")(required_mobile)
    _password = field_validator("password")(check_password)


@dataclass(frozen=True)
class LoginResult:
    token: str
    user: User


# ---------------------------------------------------------------- permission checks


def require_role(actor: User | None, *roles: Role) -> User:
    """The actor must be logged in, active, and hold one of `roles`."""
    if actor is None or not actor.is_active:
        raise Forbidden("errors.login_required")
    if actor.role not in roles:
        raise Forbidden()
    return actor


def _can_see_community(session: Session, actor: User, community_id: int) -> bool:
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.STREET_STAFF:
        community = session.get(Community, community_id)
        return community is not None and community.street_id == actor.street_id
    return actor.community_id == community_id


def require_community(session: Session, actor: User, community_id: int) -> None:
    if not _can_see_community(session, actor, community_id):
        raise Forbidden()


# ---------------------------------------------------------------- login and sessions


def _recent_failures(session: Session, column, value: str, since: datetime) -> list[datetime]:
    rows = session.exec(
        select(LoginAttempt.at).where(column == value, LoginAttempt.at >= since)
    ).all()
    return sorted(rows)


def _lockout_minutes(failures: list[datetime], limit: int, window: timedelta) -> int | None:
    """Minutes until the oldest counted failure leaves the window, if the limit is reached."""
    if len(failures) < limit:
        return None
    free_at = failures[-limit] + window
    return max(1, int((free_at - utcnow()).total_seconds() // 60) + 1)


def login(session: Session, mobile: str, password: str, client: str) -> LoginResult:
    """Check the password and open a session. Failures count per number and per client."""
    data = parse(LoginInput, {"mobile": mobile, "password": password})
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    since = utcnow() - window
    for column, value, limit in (
        (LoginAttempt.mobile, data.mobile, settings.login_max_failures_per_mobile),
        (LoginAttempt.client, client, settings.login_max_failures_per_client),
    ):
        wait = _lockout_minutes(_recent_failures(session, column, value, since), limit, window)
        if wait is not None:
            raise ServiceError("errors.too_many_attempts", minutes=wait)

    user = session.exec(select(User).where(User.mobile == data.mobile)).first()
    if user is None or not _password_matches(user.password_hash, data.password):
        session.add(LoginAttempt(mobile=data.mobile, client=client[:64]))
        session.commit()
        # One message for both: a login form must not tell which numbers have accounts.
        raise ServiceError("errors.wrong_credentials", field="password")
    if not user.is_active:
        raise ServiceError("errors.account_disabled")

    session.exec(delete(LoginAttempt).where(col(LoginAttempt.mobile) == data.mobile))
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=_hash_token(token),
            user_id=saved_id(user),
            expires_at=utcnow() + timedelta(hours=settings.session_hours),
        )
    )
    session.commit()
    return LoginResult(token=token, user=user)


# A login's token reaches the page's script once; the browser trades it at once for one that
# only HTTP sees (an HttpOnly cookie), so no script can read a working session later.
HANDOFF_SECONDS = 60


def claim_session(session: Session, token: str) -> str | None:
    """Swap a session's token from a login of the last minute for a new one; None when the
    token is unknown, older or already swapped (the old one stops working either way)."""
    if not token:
        return None
    fresh = secrets.token_urlsafe(32)
    now = utcnow()
    swapped = session.exec(
        update(LoginSession)
        .where(
            col(LoginSession.token_hash) == _hash_token(token),
            col(LoginSession.created_at) >= now - timedelta(seconds=HANDOFF_SECONDS),
            col(LoginSession.expires_at) > now,
        )
        .values(token_hash=_hash_token(fresh))
    )
    session.commit()
    return fresh if swapped.rowcount == 1 else None


def user_for_token(session: Session, token: str) -> User | None:
    """The active user behind a session token, or None if it is unknown or expired."""
    if not token:
        return None
    row = session.exec(
        select(User)
        .join(LoginSession, col(LoginSession.user_id) == User.id)
        .where(LoginSession.token_hash == _hash_token(token), LoginSession.expires_at > utcnow())
    ).first()
    return row if row is not None and row.is_active else None


def session_expired(session: Session, token: str) -> bool:
    """True when the token names a session that has run out (to say so, not just 'log in')."""
    row = session.exec(
        select(LoginSession).where(LoginSession.token_hash == _hash_token(token))
    ).first()
    return row is not None and row.expires_at <= utcnow()


def account_disabled(session: Session, token: str) -> bool:
    """True when the token's session is still open but its account was disabled (a suspended
    volunteer): to tell them why they are logged out."""
    row = session.exec(
        select(User.is_active)
        .join(LoginSession, col(LoginSession.user_id) == User.id)
        .where(LoginSession.token_hash == _hash_token(token), LoginSession.expires_at > utcnow())
    ).first()
    return row is False


def logout(session: Session, token: str) -> None:
    session.exec(delete(LoginSession).where(col(LoginSession.token_hash) == _hash_token(token)))
    session.commit()


@dataclass(frozen=True)
class StaleLogins:
    sessions: int
    login_attempts: int
    signup_attempts: int


def remove_stale_logins(session: Session) -> StaleLogins:
    """Housekeeping: sessions past their end, and failed logins and refused sign-ups older
    than the login window (they no longer count towards any limit)."""
    now = utcnow()
    since = now - timedelta(minutes=get_settings().login_window_minutes)
    removed = StaleLogins(
        sessions=_delete(session, delete(LoginSession).where(col(LoginSession.expires_at) <= now)),
        login_attempts=_delete(session, delete(LoginAttempt).where(col(LoginAttempt.at) < since)),
        signup_attempts=_delete(
            session, delete(SignupAttempt).where(col(SignupAttempt.at) < since)
        ),
    )
    session.commit()
    return removed


def _delete(session: Session, statement) -> int:
    return session.exec(statement).rowcount


# ---------------------------------------------------------------- accounts


def ensure_mobile_free(session: Session, mobile: str) -> None:
    if session.exec(select(User.id).where(User.mobile == mobile)).first() is not None:
        raise InvalidInput({"mobile": "errors.mobile_taken"})


def ensure_signup_mobile_free(
    session: Session, mobile: str, client: str, taken: str = "errors.mobile_taken"
) -> None:
    """For a sign-up without an account: saying a number is taken tells that it is
    registered, so each such refusal counts for the client, and a client refused too often
    in the login window waits before it may ask again (about any number)."""
    settings = get_settings()
    window = timedelta(minutes=settings.login_window_minutes)
    refused = session.exec(
        select(SignupAttempt.at).where(
            SignupAttempt.client == client[:64], SignupAttempt.at >= utcnow() - window
        )
    ).all()
    wait = _lockout_minutes(sorted(refused), settings.signup_max_refusals_per_client, window)
    if wait is not None:
        raise ServiceError("errors.too_many_signups", minutes=wait)
    try:
        ensure_mobile_free(session, mobile)
    except InvalidInput:
        session.add(SignupAttempt(client=client[:64]))
        session.commit()
        raise InvalidInput({"mobile": taken}) from None


def register_resident(session: Session, data: dict, client: str = "") -> User:
    """A resident signs themselves up; staff later link the account to the household.
    `client` is the address the sign-up came from (see ensure_signup_mobile_free)."""
    reg = parse(ResidentRegistration, data)
    community = session.get(Community, reg.community_id)
    if community is None:
        raise InvalidInput({"community_id": "errors.missing"})
    ensure_signup_mobile_free(session, reg.mobile, client)
    user = User(
        mobile=reg.mobile,
        name=reg.name,
        password_hash=hash_password(reg.password),
        role=Role.RESIDENT,
        community_id=reg.community_id,
        street_id=community.street_id,
        claimed_address=reg.address,
    )
    session.add(user)
    session.commit()
    return user


def create_account(session: Session, actor: User | None, data: dict) -> User:
    """Staff create volunteer and staff accounts in their community; street staff in their
    street; admins anywhere. (Volunteers normally arrive through sign-up and approval.)"""
    actor = require_role(actor, Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
    new = parse(NewAccount, data)
    if actor.role != Role.ADMIN and new.role not in CREATABLE_ROLES[actor.role]:
        raise Forbidden()
    if new.role == Role.STREET_STAFF:
        if new.street_id is None:
            raise InvalidInput({"street_id": "errors.missing"})
        if actor.role != Role.ADMIN and new.street_id != actor.street_id:
            raise Forbidden()
        street_id, community_id = new.street_id, None
    elif new.role == Role.ADMIN:
        street_id = community_id = None
    else:
        community = None if new.community_id is None else session.get(Community, new.community_id)
        if community is None:
            raise InvalidInput({"community_id": "errors.missing"})
        require_community(session, actor, saved_id(community))
        community_id, street_id = community.id, community.street_id
    ensure_mobile_free(session, new.mobile)
    user = User(
        mobile=new.mobile,
        name=new.name.strip(),
        password_hash=hash_password(new.password),
        role=new.role,
        street_id=street_id,
        community_id=community_id,
    )
    session.add(user)
    session.commit()
    return user


def create_first_admin(session: Session, name: str, mobile: str, password: str) -> User:
    """Bootstrap from the command line; refused once any admin exists."""
    if session.exec(select(User.id).where(User.role == Role.ADMIN)).first() is not None:
        raise ServiceError("errors.admin_exists")
    new = parse(NewAccount, {"name": name, "mobile": mobile, "password": password, "role": "admin"})
    ensure_mobile_free(session, new.mobile)
    user = User(
        mobile=new.mobile, name=new.name, password_hash=hash_password(new.password), role=Role.ADMIN
    )
    session.add(user)
    session.commit()
    return user


def pending_residents(session: Session, actor: User | None, community_id: int) -> list[User]:
    """Self-registered residents of a community not yet linked to a household."""
    actor = require_role(actor, Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
    require_community(session, actor, community_id)
    return list(
        session.exec(
            select(User)
            .where(
                User.community_id == community_id,
                User.role == Role.RESIDENT,
                col(User.household_id).is_(None),
            )
            .order_by(col(User.created_at))
        )
    )


def link_household(session: Session, actor: User | None, user_id: int, household_id: int) -> User:
    """Staff confirm which household a self-registered resident lives in."""
    actor = require_role(actor, Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
    user = session.get(User, user_id)
    household = session.get(Household, household_id)
    # Every resident registers into a community; one without is not a resident staff can link.
    if user is None or user.role != Role.RESIDENT or user.community_id is None:
        raise ServiceError("errors.not_found")
    if household is None:
        raise InvalidInput({"household_id": "errors.household_not_found"})
    require_community(session, actor, user.community_id)
    if household.community_id != user.community_id:
        raise InvalidInput({"household_id": "errors.household_other_community"})
    user.household_id = household.id
    session.add(user)
    session.commit()
    return user


def find_household(session: Session, actor: User | None, community_id: int, address: str):
    """The household at an address like '望江花园 3-2-501' (compound name optional)."""
    actor = require_role(actor, Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
    require_community(session, actor, community_id)
    numbers = re.findall(r"\d+", address)
    if len(numbers) < 3:
        return None
    building, unit, door = numbers[-3:]
    query = select(Household).where(
        Household.community_id == community_id,
        Household.address.endswith(f" {int(building)}-{int(unit)}-{door}"),
    )
    compound_hint = re.split(r"\d", address, maxsplit=1)[0].strip()
    candidates = list(session.exec(query))
    if compound_hint and len(candidates) > 1:
        names = dict(
            session.exec(
                select(Compound.id, Compound.name).where(Compound.community_id == community_id)
            ).all()
        )
        candidates = [h for h in candidates if compound_hint in names.get(h.compound_id, "")]
    return candidates[0] if len(candidates) == 1 else None


def set_locale(session: Session, actor: User | None, locale: str) -> User:
    actor = require_role(actor, *Role)
    try:
        actor.locale = Locale(locale)
    except ValueError:
        raise InvalidInput({"locale": "errors.invalid_input"}) from None
    session.add(actor)
    session.commit()
    return actor
