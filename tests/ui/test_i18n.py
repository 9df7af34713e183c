"""Every string a user can see exists in both languages."""

import re
from pathlib import Path

from app.ui.i18n import EN, ZH

APP = Path(__file__).resolve().parents[2] / "app"
# t("key"), translate(locale, "key"), self.tr("key"), and catalog codes like "errors.x"
KEY = re.compile(r"""(?:\bt|\btr|translate\([^,]+,)\(?\s*["']([a-z_]+\.[a-z_.]+)["']""")
CODE = re.compile(r"""["'](errors\.[a-z_]+)["']""")


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for path in APP.rglob("*.py"):
        if "i18n" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        keys.update(KEY.findall(text))
        keys.update(CODE.findall(text))
    return keys


def test_chinese_and_english_have_the_same_keys():
    assert set(ZH) ^ set(EN) == set()


def test_every_key_the_code_uses_is_in_the_catalogs():
    missing = sorted(k for k in _used_keys() if k not in ZH)
    assert missing == []


def test_no_catalog_text_is_empty():
    assert [k for k, v in {**ZH, **EN}.items() if not v.strip()] == []
