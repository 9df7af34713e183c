"""What several registry pages show alike."""

from reflex.vars import StringVar

from app.ui.components import match_text, t
from app.ui.i18n import ZH


def catalog_label(prefix: str, value: StringVar | str) -> StringVar:
    """A catalog label chosen by a value known only at run time (sex, residency, flags)."""
    keys = sorted(k.removeprefix(prefix) for k in ZH if k.startswith(prefix))
    return match_text(value, *[(k, t(prefix + k)) for k in keys], value)
