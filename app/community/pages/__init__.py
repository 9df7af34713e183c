"""Registry pages: search, the household file, places and grids, the audit log, and the
roster's import and export."""

from .audit_log import audit
from .household_file import household
from .import_export import roster_page
from .places_grids import places
from .search import registry

__all__ = ["audit", "household", "places", "registry", "roster_page"]
