"""The session cookie, set and cleared by the server only: HttpOnly, so no script on a page
can read it, and Secure when the app is served over HTTPS. The login page posts here with the
token of a login made a moment ago (see `service.claim_session`); the websocket reads the
cookie from its own request's headers (`SessionState.session_token`)."""

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app.accounts import service
from app.db import session_scope
from app.settings import get_settings

SESSION_COOKIE = service.SESSION_COOKIE
START, END = "/api/session/start", "/api/session/end"


def from_own_pages(request: Request) -> bool:
    """A form post from one of the app's origins (a browser always sends Origin on a POST)."""
    return request.headers.get("origin") in get_settings().origins


def _secure(request: Request) -> bool:
    if request.url.scheme == "https":
        return True
    hops = get_settings().trusted_proxy_hops
    return hops > 0 and request.headers.get("x-forwarded-proto", "").startswith("https")


def _claim(token: str) -> str | None:
    with session_scope() as db:
        return service.claim_session(db, token)


async def start(request: Request) -> Response:
    form = await request.form()
    claimed = (
        await asyncio.to_thread(_claim, str(form.get("token", "")))
        if from_own_pages(request)
        else None
    )
    if claimed is None:
        return RedirectResponse("/login", status_code=303)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        claimed,
        max_age=get_settings().session_hours * 3600,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


def _end(token: str) -> None:
    with session_scope() as db:
        service.logout(db, token)


async def end(request: Request) -> Response:
    if from_own_pages(request):
        await asyncio.to_thread(_end, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


ROUTES = [Route(START, start, methods=["POST"]), Route(END, end, methods=["POST"])]
session_api = Starlette(routes=ROUTES)
