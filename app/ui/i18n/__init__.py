"""String catalogs: Simplified Chinese first, English second. Keys are `area.name`."""

from app.errors import InvalidInput
from app.ui.i18n.en import EN
from app.ui.i18n.zh import ZH

CATALOGS: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}


def translate(locale: str, key: str, **params: object) -> str:
    catalog = CATALOGS.get(locale, ZH)
    text = catalog.get(key) or ZH.get(key) or key
    return text.format(**params) if params else text


def field_messages(locale: str, exc: InvalidInput) -> dict[str, str]:
    """Each wrong field's message, with its own values (a length message states that
    field's limit)."""
    return {
        name: translate(locale, code, **exc.field_params.get(name, {}))
        for name, code in exc.fields.items()
    }
