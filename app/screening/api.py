"""The offline field app's two routes: download the day's package, and send the records a
phone saved without signal. Records go through the same screening service as the pages, so
the same checks and permissions apply; there is no second copy of the rules."""

import asyncio
import dataclasses
import hashlib
import json
import logging

from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.accounts.models import User
from app.db import session_scope
from app.errors import InvalidInput, ServiceError
from app.phone_posts import NO_STORE, posted_list, refusal, user_of
from app.screening import service
from app.ui.i18n import CATALOGS, field_messages, translate

MAX_RECORDS = 100  # per request: the phone sends in batches and counts down
MAX_BODY = 1_000_000  # bytes per request; a full batch of visits is far smaller
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
# Part of every package version: a deploy that changes the wording reloads every package.
CATALOG_VERSION = hashlib.sha256(
    repr(
        (sorted((k, sorted(v.items())) for k, v in CATALOGS.items()), service.TEMPERATURE_RANGE)
    ).encode()
).hexdigest()[:8]
# Phones on a weak signal: JSON shrinks to about a tenth. Reflex compresses only its pages.
COMPRESSED = [Middleware(GZipMiddleware, minimum_size=500)]


def _strings(locale: str) -> dict[str, str]:
    catalog = CATALOGS.get(locale, CATALOGS["zh"])
    return {k: v for k, v in catalog.items() if k.startswith(STRING_PREFIXES)}


def _matches(if_none_match: str, tag: str) -> bool:
    """If-None-Match holds this version (compared weakly: the body may be compressed)."""
    return any(
        t.strip() == "*" or t.strip().removeprefix("W/") == f'"{tag}"'
        for t in if_none_match.split(",")
    )


def _download(request: Request) -> Response:
    """The volunteer's package; nothing (304) when the phone's copy is current; only the door
    states and quarantine checks when nothing else changed since the phone's version
    (`?since=`), as after the phone sends its own visits."""
    locale = request.cookies.get("cep_locale", "zh")
    with session_scope() as db:
        user = user_of(db, request)
        if user is None:
            return refusal("login", 401, locale, "field.login_again")
        try:
            current, changes = service.offline_version(db, user)
            base = f"{CATALOG_VERSION}.{current.base}"
            version = f"{base}-{current.live}"
            headers = NO_STORE | {"ETag": f'W/"{version}"'}
            if _matches(request.headers.get("if-none-match", ""), version):
                return Response(status_code=304, headers=headers)
            if request.query_params.get("since", "").split("-")[0] == base:
                body = dataclasses.asdict(changes) | {"version": version, "changes": True}
                return JSONResponse(body, headers=headers)
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
            "version": version,
        }
    return JSONResponse(body, headers=headers)


def _message(locale: str, exc: ServiceError) -> str:
    if isinstance(exc, InvalidInput):
        # A wrong type (a list where a date goes) has no message of its own: the phone never
        # sends one, so the record is damaged.
        damaged = translate(locale, "field.damaged")
        messages = field_messages(locale, exc)
        return "；".join(
            dict.fromkeys(
                messages[name] if code in CATALOGS["zh"] else damaged
                for name, code in exc.fields.items()
            )
        )
    return translate(locale, exc.code, **exc.params)


def _client_id(record: dict) -> str:
    """The record's id to answer with; text that is not valid Unicode (a lone surrogate)
    cannot go into the answer, so its bad characters are replaced."""
    value = record.get("client_id", "")
    text = value if isinstance(value, str) else str(value)
    return text.encode("utf-8", "replace").decode("utf-8")


def _valid_unicode(record: dict) -> bool:
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        return False
    return True


def _refused(client_id: str, message: str) -> dict:
    return {"client_id": client_id, "status": "refused", "message": message}


def _one(db, user: User, record: dict) -> dict:
    """Store one waiting record; its outcome for the phone to show."""
    client_id = _client_id(record)
    kind, data = record.get("kind"), record.get("data")
    damaged = _refused(client_id, translate(user.locale, "field.damaged"))
    if not isinstance(data, dict) or kind not in ("visit", "check"):
        return damaged
    if not _valid_unicode(record):
        return damaged
    try:
        if kind == "visit":
            result = service.record_visit(db, user, data | {"client_id": client_id})
            if result.conflict:
                message = translate(user.locale, "field.conflict")
                return {"client_id": client_id, "status": "conflict", "message": message}
            cue = service.visit_cue(result)  # what the online page warns of, in the same words
            saved = {
                "risk": result.risk,
                "quarantined": result.quarantined,
                "cue": translate(user.locale, cue[0], **cue[1]) if cue else "",
            }
        else:
            plan_id = record.get("plan_id")
            if not isinstance(plan_id, int) or isinstance(plan_id, bool):
                return damaged
            service.record_check(db, user, plan_id, data | {"client_id": client_id})
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
        user = user_of(db, request)
        if user is None:
            return refusal("login", 401, locale, "field.login_again")
        for record in records:
            if not isinstance(record, dict):
                results.append(_refused("", translate(user.locale, "field.damaged")))
                continue
            try:
                results.append(_one(db, user, record))
            except OperationalError:  # the database is busy or away: the phone tries again
                logging.getLogger("app").exception("offline record not stored, will retry")
                db.rollback()
                results.append({"client_id": _client_id(record), "status": "retry"})
            except Exception:  # noqa: BLE001  (sending it again would fail the same way)
                logging.getLogger("app").exception("offline record failed")
                db.rollback()
                message = translate(user.locale, "field.not_stored")
                results.append(_refused(_client_id(record), message))
    return JSONResponse({"results": results}, headers=NO_STORE)


async def download(request: Request) -> Response:
    return await asyncio.to_thread(_download, request)


async def sync(request: Request) -> JSONResponse:
    posted = await posted_list(request, "records", MAX_BODY, MAX_RECORDS)
    if isinstance(posted, JSONResponse):
        return posted
    return await asyncio.to_thread(_sync_records, request, posted[0])


ROUTES = [
    Route("/api/field/download", download, methods=["GET"], middleware=COMPRESSED),
    Route("/api/field/sync", sync, methods=["POST"], middleware=COMPRESSED),
]
field_api = Starlette(routes=ROUTES)
