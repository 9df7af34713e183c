"""String catalogs: Simplified Chinese first, English second. Keys are `area.name`. The texts
every page shares and the errors are here; each domain keeps its own in its `texts.py`."""

from app.accounts import texts as accounts
from app.community import texts as community
from app.errors import InvalidInput
from app.screening import texts as screening
from app.supplies import texts as supplies
from app.testing import texts as testing
from app.ui.i18n import en, zh
from app.volunteers import texts as volunteers

_DOMAINS = (accounts, community, screening, supplies, testing, volunteers)
ZH: dict[str, str] = zh.ZH | {k: v for d in _DOMAINS for k, v in d.ZH.items()}
EN: dict[str, str] = en.EN | {k: v for d in _DOMAINS for k, v in d.EN.items()}

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
