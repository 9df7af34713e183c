"""What every JSON route the phones post to checks before it reads one record: the app's own
origin, a JSON body, a login (checked before the body is read), the body counted as it arrives
up to a limit, and a list under one key. The field app's sync and the sampler's scans use it."""

import asyncio
import json

from starlette.requests import Request
from starlette.responses import JSONResponse

from app.accounts.models import User
from app.accounts.service import SESSION_COOKIE, user_for_token
from app.db import session_scope
from app.settings import get_settings
from app.ui.i18n import translate

NO_STORE = {"Cache-Control": "no-store"}


def refusal(error: str, status: int, locale: str, key: str) -> JSONResponse:
    """A refused request: a code the phone's script reads and a message in the user's language."""
    body = {"error": error, "message": translate(locale, key)}
    return JSONResponse(body, status_code=status, headers=NO_STORE)


def user_of(db, request: Request) -> User | None:
    return user_for_token(db, request.cookies.get(SESSION_COOKIE, ""))


def _locale_if_logged_in(request: Request) -> str | None:
    with session_scope() as db:
        user = user_of(db, request)
        return None if user is None else user.locale.value


async def _body(request: Request, max_bytes: int) -> bytes | None:
    """The body, or None once it passes `max_bytes`: counted as it arrives, so a huge or endless
    upload is cut off instead of held in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return None
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > max_bytes:
            return None
    return bytes(received)


async def posted_list(
    request: Request, key: str, max_bytes: int, max_items: int
) -> tuple[list, str] | JSONResponse:
    """The list posted under `key` and the user's locale, or the refusal to answer with."""
    cookie_locale = request.cookies.get("cep_locale", "zh")
    # Only the app's own pages post: another site's page must not post with a volunteer's
    # cookie. Browsers send Origin with every POST, and a cross-site page cannot send JSON
    # without the permission these routes never give.
    origin = request.headers.get("origin")
    if origin is not None and origin not in get_settings().origins:
        return refusal("forbidden", 403, cookie_locale, "errors.forbidden")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return refusal("unsupported", 415, cookie_locale, "field.unreadable")
    locale = await asyncio.to_thread(_locale_if_logged_in, request)
    if locale is None:
        return refusal("login", 401, cookie_locale, "field.login_again")
    raw = await _body(request, max_bytes)
    if raw is None:
        return refusal("too_large", 413, locale, "field.too_large")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past Python's limit
        body = None
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list) or len(items) > max_items:
        return refusal("bad_request", 400, locale, "field.unreadable")
    return items, locale
