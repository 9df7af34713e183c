"""What the check and the import share: progress reports and chunked bulk statements."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

PROGRESS_EVERY = 250
CHUNK = 500  # rows per IN (...) lookup and per bulk insert

Progress = Callable[[int, int], None]


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
