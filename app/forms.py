"""Values of a submitted form as the services take them. A page's form posts text (a ticked
box may post true); anything else came from a forged event, and counts as blank rather than
as its printed form ("None", "['…']"), which a service would take for text someone typed."""

from typing import Any

from app.errors import MAX_ID


def form_text(form: dict[str, Any], key: str) -> str:
    """The text posted under `key`; "" when it is missing or not text."""
    value = form.get(key, "")
    return value if isinstance(value, str) else ""


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def plain_digits(value: object) -> str:
    """The digits typed, ASCII or full-width (a Chinese keyboard's １２), as ASCII; "" for
    anything else, other scripts' digits and "²" too."""
    text = value.strip().translate(_FULL_WIDTH_DIGITS) if isinstance(value, str) else ""
    return text if text.isascii() and text.isdigit() else ""


def form_id(value: object) -> int:
    """A row id or number as a form posts it ("12", "１２"); 0, which names no row and the
    service refuses, for anything else (blank, not digits, past MAX_ID)."""
    digits = plain_digits(value)
    if not digits or len(digits) > len(str(MAX_ID)):
        return 0
    return int(digits) if int(digits) <= MAX_ID else 0
