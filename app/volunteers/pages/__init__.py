"""The volunteers' pages: sign-up, the approval queue, my duty, the roster and teams."""

from app.volunteers.pages.applications import applications
from app.volunteers.pages.apply import apply
from app.volunteers.pages.duty import duty
from app.volunteers.pages.shifts import roster_page
from app.volunteers.pages.teams import teams_page

__all__ = ["applications", "apply", "duty", "roster_page", "teams_page"]
