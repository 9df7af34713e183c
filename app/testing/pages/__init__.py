"""Testing pages, one module per page; app/app.py registers the page functions re-exported
here."""

from .codes import card, codes
from .missed import missed
from .round import round_page
from .rounds import rounds
from .sampler import sampler

__all__ = ["card", "codes", "missed", "round_page", "rounds", "sampler"]
