"""个人码: the personal code a resident shows at a sampling site (and later at the gate).

Opaque and signed: "CEP1", the resident's id in base32 and a truncated HMAC-SHA256 of both
under the deployment's secret. It names no one; only this server can tell whose it is, and no
one can make one for another id. Upper-case letters and digits only: QR's compact mode."""

import base64
import hashlib
import hmac
import re
from functools import lru_cache

from sqlmodel import Session

from app.community.models import Resident
from app.errors import MAX_ID, ServiceError
from app.settings import get_settings

PREFIX = "CEP1"
_ID_CHARS = 7  # 4 bytes of id in base32, unpadded
_SIG_BYTES = 10  # 80 bits: forging one is out of reach
_SIG_CHARS = 16
CODE_LENGTH = len(PREFIX) + _ID_CHARS + _SIG_CHARS
_SHAPE = re.compile(rf"{PREFIX}[A-Z2-7]{{{_ID_CHARS + _SIG_CHARS}}}")


@lru_cache
def _key() -> bytes:
    return get_settings().pass_key()


def _signature(id_part: str) -> str:
    mac = hmac.new(_key(), (PREFIX + id_part).encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:_SIG_BYTES]).decode()


def personal_code(resident_id: int) -> str:
    """The personal code of one resident (27 characters)."""
    if not 0 < resident_id <= MAX_ID:
        raise ValueError(f"not a resident id: {resident_id}")
    id_part = base64.b32encode(resident_id.to_bytes(4, "big")).decode().rstrip("=")
    return PREFIX + id_part + _signature(id_part)


def code_resident_id(code: str) -> int:
    """The resident id a code carries, once its signature is checked. `errors.code_not_ours`
    for anything not shaped like our codes (another QR, a typo), `errors.code_forged` when the
    signature does not match."""
    code = code.strip().upper()
    if len(code) != CODE_LENGTH or not _SHAPE.fullmatch(code):
        raise ServiceError("errors.code_not_ours")
    id_part = code[len(PREFIX) : len(PREFIX) + _ID_CHARS]
    if not hmac.compare_digest(_signature(id_part), code[len(PREFIX) + _ID_CHARS :]):
        raise ServiceError("errors.code_forged")
    resident_id = int.from_bytes(base64.b32decode(id_part + "="), "big")
    if not 0 < resident_id <= MAX_ID:
        raise ServiceError("errors.code_forged")
    return resident_id


def resolve_code(session: Session, code: str) -> Resident:
    """The resident whose code this is; `errors.code_unknown` when they are no longer in the
    register."""
    found = session.get(Resident, code_resident_id(code))
    if found is None:
        raise ServiceError("errors.code_unknown")
    return found
