"""Matching a file's headers to the register's columns (Chinese and English, synonyms)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .columns import COLUMN_BY_KEY, ROSTER_COLUMNS


def _header_key(text: str) -> str:
    """A header reduced for comparing: no brackets, marks, spaces, case."""
    text = unicodedata.normalize("NFKC", text).lower().replace("_", " ")
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", text)


def _header_words(text: str) -> str:
    """A header as lower-case words, for finding an English word in it."""
    text = unicodedata.normalize("NFKC", text).lower().replace("_", " ")
    return " ".join(re.findall(r"[0-9a-z]+", text))


def _contains(header: str, word: str) -> bool:
    if word.isascii():  # whole words: "unit" is not in "community"
        return (
            re.search(rf"(?<![0-9a-z]){re.escape(_header_words(word))}(?![0-9a-z])", header)
            is not None
        )
    return _header_key(word) in header


def guess_mapping(headers: Sequence[str]) -> dict[str, int | None]:
    """Which header holds each column: exact or synonym matches first, then headers that
    contain a known word (the longest word wins). Chinese and English."""
    keys = [_header_key(h) for h in headers]
    words = {c.key: (c.zh, c.en, c.key, *c.synonyms) for c in ROSTER_COLUMNS}
    mapping: dict[str, int | None] = dict.fromkeys(COLUMN_BY_KEY)
    taken: set[int] = set()
    for column in ROSTER_COLUMNS:
        exact = {_header_key(w) for w in words[column.key]}
        for i, key in enumerate(keys):
            if i not in taken and key and key in exact:
                mapping[column.key] = i
                taken.add(i)
                break
    candidates = []
    for i, header in enumerate(headers):
        key, spaced = _header_key(header), _header_words(header)
        for column in ROSTER_COLUMNS:
            for word in words[column.key]:
                if _contains(spaced if word.isascii() else key, word):
                    candidates.append((-len(_header_key(word)), i, column.key))
    for _, i, key in sorted(candidates):
        if mapping[key] is None and i not in taken:
            mapping[key] = i
            taken.add(i)
    return mapping
