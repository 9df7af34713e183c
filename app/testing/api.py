"""The sampler's scans saved on the phone while it had no signal, sent in order once it is
back. Each goes through the same sampling service as the page; a scan's client id is kept
with its answer (ScanReceipt), so a batch sent again answers the same and samples nobody twice."""

import asyncio
import json
import logging

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.accounts.models import User
from app.db import saved_id, session_scope
from app.errors import InvalidInput, ServiceError
from app.phone_posts import NO_STORE, posted_list, refusal, user_of
from app.testing import service
from app.testing.models import ScanReceipt
from app.ui.i18n import CATALOGS, translate

MAX_BODY = 64 * 1024  # bytes: a scan is about 150, a queue of a few hundred fits
MAX_SCANS = 200


class Scan(BaseModel):
    """One scan as the phone saved it: a tube's barcode (opens it at the site), or a person's
    code or id into a tube known by id or, opened offline, by barcode."""

    client_id: str = Field(min_length=1, max_length=40)
    round_id: int
    site_id: int = 0
    tube_id: int = 0
    barcode: str = Field(default="", max_length=40)
    code: str = Field(default="", max_length=200)
    resident_id: int = 0
    scanned_at: str = Field(default="", max_length=40)  # kept on the phone; the server stamps


def _apply(db, user: User, scan: Scan) -> service.TubeView:
    if not scan.code and not scan.resident_id:
        return service.open_tube(db, user, {"site_id": scan.site_id, "barcode": scan.barcode})
    tube_id = scan.tube_id or service.tube_by_barcode(db, user, scan.round_id, scan.barcode)
    if scan.code:
        return service.scan_code(db, user, tube_id, scan.code)
    return service.scan_member(db, user, tube_id, scan.resident_id)


def _receipt(user: User, client_id: str, exc: ServiceError | None, tube_id: int | None):
    code, params = ("", {}) if exc is None else (exc.code, exc.params)
    if isinstance(exc, InvalidInput):
        name, code = next(iter(exc.fields.items()))
        code = code if code in CATALOGS["zh"] else "field.damaged"
        params = exc.field_params.get(name, {})
    return ScanReceipt(
        user_id=saved_id(user),
        client_id=client_id,
        code=code,
        params=json.dumps(params, ensure_ascii=False, default=str),
        tube_id=tube_id,
    )


def _answer(user: User, receipt: ScanReceipt) -> dict:
    answer = {"client_id": receipt.client_id, "tube_id": receipt.tube_id}
    if not receipt.code:
        return answer | {"status": "ok"}
    message = translate(user.locale, receipt.code, **json.loads(receipt.params))
    return answer | {"status": "refused", "message": message}


def _one(db, user: User, raw: object) -> dict:
    client_id = raw.get("client_id") if isinstance(raw, dict) else None
    damaged = {"status": "refused", "message": translate(user.locale, "field.damaged")}
    if not isinstance(client_id, str) or not 0 < len(client_id) <= 40:
        return damaged | {"client_id": ""}
    stored = db.get(ScanReceipt, (user.id, client_id))
    if stored is not None:
        return _answer(user, stored)
    try:
        scan = Scan.model_validate(raw)
    except ValidationError:
        return damaged | {"client_id": client_id}
    try:
        view = _apply(db, user, scan)
        receipt = _receipt(user, client_id, None, view.id)
    except ServiceError as exc:
        db.rollback()
        receipt = _receipt(user, client_id, exc, scan.tube_id or None)
    db.add(receipt)
    try:
        db.commit()
    except IntegrityError:  # the same batch, sent twice at once: the first stored its answer
        db.rollback()
        receipt = db.get(ScanReceipt, (user.id, client_id))
    return damaged | {"client_id": client_id} if receipt is None else _answer(user, receipt)


def _apply_all(request: Request, scans: list) -> JSONResponse:
    locale = request.cookies.get("cep_locale", "zh")
    results = []
    with session_scope() as db:
        user = user_of(db, request)
        if user is None:
            return refusal("login", 401, locale, "field.login_again")
        for raw in scans:
            try:
                results.append(_one(db, user, raw))
            except OperationalError:  # the database is away: this and the rest wait
                logging.getLogger("app").exception("offline scan not applied, will retry")
                db.rollback()
                break
    return JSONResponse({"results": results}, headers=NO_STORE)


async def scan(request: Request) -> JSONResponse:
    posted = await posted_list(request, "scans", MAX_BODY, MAX_SCANS)
    if isinstance(posted, JSONResponse):
        return posted
    return await asyncio.to_thread(_apply_all, request, posted[0])


scan_api = Starlette(routes=[Route("/api/testing/scan", scan, methods=["POST"])])
