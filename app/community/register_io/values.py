"""One cell as the register holds it: place numbers as people write them, dates, words."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from app.community.models import CARE_FLAGS, Residency, Sex
from app.errors import ServiceError

from .columns import DATE_KEYS, MAX_LENGTHS

_SEX_WORDS = {
    Sex.MALE: ("男", "男性", "m", "male", "man"),
    Sex.FEMALE: ("女", "女性", "f", "female", "woman"),
}
_RESIDENCY_WORDS = {
    Residency.PERMANENT: ("常住", "户籍", "常住人口", "户籍人口", "本地", "自住", "permanent"),
    Residency.TENANT: ("租住", "租户", "租房", "租客", "出租", "流动", "流动人口", "tenant"),
}
_YES = {"是", "y", "yes", "1", "√", "✓", "✔", "有", "true", "t"}
_NO = {"否", "n", "no", "0", "×", "✗", "无", "false", "f", "-", "/"}
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE][+]?\d+$")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _cn_number(text: str) -> str:
    """一 → 1, 十二 → 12, 二十 → 20 (up to 99); anything else unchanged."""
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return text
    if "十" not in text:
        return "".join(str(_CN_DIGITS[c]) for c in text)
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return text
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))


def _number(text: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> str:
    """A building or unit number as the register writes it: "3号楼" → "3", "02" → "2"."""
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    for prefix in prefixes:
        text = text.removeprefix(prefix)
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    text = _cn_number(text)
    return str(int(text)) if text.isdigit() else text.upper()


def building_number(text: str) -> str:
    return _number(text, ("第",), ("号楼", "栋", "幢", "座", "楼", "号", "#"))


def unit_number(text: str) -> str:
    return _number(text, ("第",), ("单元", "单", "号"))


def door_number(text: str, building: str, unit: str) -> str | None:
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    for suffix in ("室", "号", "房"):
        text = text.removesuffix(suffix)
    parts = text.split("-")
    same_place = len(parts) == 3 and (building_number(parts[0]), unit_number(parts[1])) == (
        building,
        unit,
    )
    if same_place:
        text = parts[2]  # the whole "3-2-501" in the door column
    if not re.fullmatch(r"[0-9A-Za-z\u4e00-\u9fff]{1,10}", text):
        return None
    return str(int(text)) if text.isdigit() else text.upper()


def _date(text: str) -> date | None:
    """2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日, 20230501; ValueError otherwise."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    found = re.fullmatch(
        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(:\d{2})?)?",
        text,
    )
    if found:
        return date(int(found[1]), int(found[2]), int(found[3]))
    if re.fullmatch(r"\d{8}", text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    raise ValueError(text)


def _word(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def cell_value(key: str, text: str) -> Any:
    """One person cell as ResidentInput takes it; ServiceError(code) if it cannot be read."""
    if key in DATE_KEYS:
        try:
            return _date(text)
        except ValueError:
            raise ServiceError("errors.date_invalid") from None
    if key == "sex":
        word = _word(text)
        for sex, words in _SEX_WORDS.items():
            if word in words:
                return sex
        raise ServiceError("errors.missing" if not word else "errors.sex_invalid")
    if key == "residency":
        word = _word(text)
        if not word:
            return Residency.PERMANENT
        for residency, words in _RESIDENCY_WORDS.items():
            if word in words:
                return residency
        raise ServiceError("errors.residency_invalid")
    if key in CARE_FLAGS:
        word = _word(text)
        if not word or word in _NO:
            return False
        if word in _YES:
            return True
        raise ServiceError("errors.flag_invalid")
    if key == "id_number":
        if _SCIENTIFIC.match(text.strip()):
            raise ServiceError("errors.id_number_lost_digits")
        return re.sub(r"\s", "", unicodedata.normalize("NFKC", text)).upper()
    if key == "mobile":
        text = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", text))
        if _SCIENTIFIC.match(text):
            raise ServiceError("errors.mobile_invalid")
        return re.sub(r"^(\+?86)(?=1\d{10}$)", "", text)
    if key in MAX_LENGTHS and len(text) > MAX_LENGTHS[key]:
        raise ServiceError("errors.string_too_long", max=MAX_LENGTHS[key])
    return text


def place_name(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
