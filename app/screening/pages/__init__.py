"""Screening pages: my doors and the door visit (one hand, in a stairwell), the day's lists,
returning residents, a resident's own daily check, and the office's coverage board. One module
per page; app/app.py registers the page functions re-exported here."""

from .arrival import arrival
from .board import board
from .doors import doors
from .health import health
from .rules import rules
from .today import today
from .visit import visit

__all__ = ["arrival", "board", "doors", "health", "rules", "today", "visit"]
