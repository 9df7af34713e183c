"""The offline field app's two routes: download the day's package, and send the records a
phone saved without signal. Records go through the same screening service as the pages, so
the same checks and permissions apply; there is no second copy of the rules."""

import asyncio
import dataclasses
import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.accounts.models import User
from app.accounts.service import user_for_token
from app.db import session_scope
from app.errors import InvalidInput, ServiceError
from app.screening import service
from app.ui.i18n import CATALOGS, translate

SESSION_COOKIE = "cep_session"
MAX_RECORDS = 100  # per request: the phone sends in batches and counts down
# The catalog entries the field app shows; sent with the package so it speaks the user's
# language with no server.
STRING_PREFIXES = (
    "field.",
    "outcome.",
    "symptom.",
    "flag.",
    "sex.",
    "visit.",
    "health_code",
    "test_status",
    "today.",
    "doors.",
    "errors.",
)
NO_STORE = {"Cache-Control": "no-store"}


def _strings(locale: str) -> dict[str, str]:
    catalog = CATALOGS.get(locale, CATALOGS["zh"])
    return {k: v for k, v in catalog.items() if k.startswith(STRING_PREFIXES)}


def _login_needed(locale: str) -> JSONResponse:
    return JSONResponse(
        {"error": "login", "message": translate(locale, "field.login_again")},
        status_code=401,
        headers=NO_STORE,
    )


def _user(db, request: Request) -> User | None:
    return user_for_token(db, request.cookies.get(SESSION_COOKIE, ""))


def _download(request: Request) -> JSONResponse:
    locale = request.cookies.get("cep_locale", "zh")
    with session_scope() as db:
        user = _user(db, request)
        if user is None:
            return _login_needed(locale)
        try:
            package = service.offline_package(db, user)
        except ServiceError as exc:
            return JSONResponse(
                {"error": "forbidden", "message": translate(user.locale, exc.code)},
                status_code=403,
                headers=NO_STORE,
            )
        body = dataclasses.asdict(package) | {
            "strings": _strings(user.locale.value),
            "temperature_range": service.TEMPERATURE_RANGE,
        }
    return JSONResponse(body, headers=NO_STORE)


def _message(locale: str, exc: ServiceError) -> str:
    if isinstance(exc, InvalidInput):
        return "；".join(translate(locale, code) for code in exc.fields.values())
    return translate(locale, exc.code, **exc.params)


def _refused(client_id: str, message: str) -> dict:
    return {"client_id": client_id, "status": "refused", "message": message}


def _one(db, user: User, record: dict) -> dict:
    """Store one waiting record; its outcome for the phone to show."""
    client_id = str(record.get("client_id", ""))
    kind, data = record.get("kind"), record.get("data")
    damaged = _refused(client_id, translate(user.locale, "field.damaged"))
    if not isinstance(data, dict) or kind not in ("visit", "check"):
        return damaged
    try:
        if kind == "visit":
            result = service.record_visit(db, user, data | {"client_id": client_id})
            saved = {"risk": result.risk, "quarantined": result.quarantined}
        else:
            service.record_check(
                db, user, int(record.get("plan_id") or 0), data | {"client_id": client_id}
            )
            saved = {}
    except ServiceError as exc:
        db.rollback()
        return _refused(client_id, _message(user.locale, exc))
    except (TypeError, ValueError):
        db.rollback()
        return damaged
    return {"client_id": client_id, "status": "saved"} | saved


def _sync_records(request: Request, records: list) -> JSONResponse:
    locale = request.cookies.get("cep_locale", "zh")
    results = []
    with session_scope() as db:
        user = _user(db, request)
        if user is None:
            return _login_needed(locale)
        for record in records:
            if not isinstance(record, dict):
                results.append(_refused("", translate(user.locale, "field.damaged")))
                continue
            try:
                results.append(_one(db, user, record))
            except Exception:  # noqa: BLE001  (the phone keeps it and tries again)
                logging.getLogger("app").exception("offline record failed")
                db.rollback()
                results.append({"client_id": str(record.get("client_id", "")), "status": "retry"})
    return JSONResponse({"results": results}, headers=NO_STORE)


async def download(request: Request) -> JSONResponse:
    return await asyncio.to_thread(_download, request)


async def sync(request: Request) -> JSONResponse:
    try:
        body = await request.json()
    except ValueError:
        body = None
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list) or len(records) > MAX_RECORDS:
        locale = request.cookies.get("cep_locale", "zh")
        return JSONResponse(
            {"error": "bad_request", "message": translate(locale, "field.damaged")},
            status_code=400,
        )
    return await asyncio.to_thread(_sync_records, request, records)


field_api = Starlette(
    routes=[
        Route("/api/field/download", download, methods=["GET"]),
        Route("/api/field/sync", sync, methods=["POST"]),
    ]
)
