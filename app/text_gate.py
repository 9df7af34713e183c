"""The text in every event's payload, before any handler runs: refused when it holds what no
person types, cleaned of what no person sees.

Refused: a lone surrogate (a page's script can send one, but no database or answer can hold
it: the text would fail wherever it landed first, a query, a saved row or the tab's own state,
which then cannot be sent and the tab stops answering), control characters other than tab and
line breaks (a name of backspaces saves as a blank one), and bidirectional overrides and
isolates (text that reads backwards to whoever sees it: "\u202eevil" shows as "live").
Dropped: zero-width spaces, word joiners and byte-order marks, which come along with pasted
text (a name of one alone would be saved as a blank one)."""

import re
from typing import Any

import reflex as rx
from reflex.middleware.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event

from app.ui.i18n import translate

UNREADABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
INVISIBLE = re.compile("[\u200b\u2060\ufeff]")
MAX_DEPTH = 200  # a form is one level deep; deeper than this is refused, not a RecursionError


def readable(value: object, depth: int = 0) -> bool:
    """Whether every string in `value` (dict keys too) is text a person could have typed."""
    if isinstance(value, str):
        return UNREADABLE.search(value) is None
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return True
    return depth < MAX_DEPTH and all(readable(item, depth + 1) for item in items)


def visible(value: Any) -> Any:
    """`value` with the invisible characters taken out of every string in it."""
    if isinstance(value, str):
        return INVISIBLE.sub("", value)
    if isinstance(value, dict):
        return {visible(k): visible(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [visible(v) for v in value]
    return value


class TextGate(Middleware):
    async def preprocess(self, app, state: BaseState, event: Event) -> StateUpdate | None:
        if not readable(event.payload):
            message = " / ".join(
                translate(locale, "errors.unreadable_text") for locale in ("zh", "en")
            )
            return StateUpdate(events=Event.from_event_type(rx.toast.error(message)))
        for name, value in event.payload.items():
            event.payload[name] = visible(value)
        return None
