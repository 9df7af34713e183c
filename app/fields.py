"""Validators for the fields of the services' inputs, so that every form treats typed text and
numbers alike: trimmed text with a length limit, numbers however they were typed, mobiles.
A wrong value raises the code its form shows next to the field (errors.<code>)."""

import re
import unicodedata
from collections.abc import Callable

from pydantic_core import PydanticCustomError

MOBILE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")


def text(limit: int, *, required: bool = False) -> Callable[[str], str]:
    """Trimmed, at most `limit` characters and, when required, not blank. Use it as
    `_name = field_validator("name")(text(30, required=True))`."""

    def check(value: str) -> str:
        value = value.strip()
        if required and not value:
            raise PydanticCustomError("missing", "required")
        if len(value) > limit:
            raise PydanticCustomError("too_long", "at most {max}", {"max": limit})
        return value

    return check


def plain_number(value: str) -> str:
    """A number as stored and searched, however it was typed: full-width digits and letters
    (１３８…, ｘ) made ASCII, spaces and dashes dropped."""
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", str(value or "")))


def optional_mobile(value: str) -> str:
    """A mobile number, or blank."""
    value = plain_number(value)
    if value and not MOBILE_PATTERN.match(value):
        raise PydanticCustomError("mobile_invalid", "invalid mobile")
    return value


def required_mobile(value: str) -> str:
    """A mobile number, required."""
    if not plain_number(value):
        raise PydanticCustomError("missing", "required")
    return optional_mobile(value)
