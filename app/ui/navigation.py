"""The bottom navigation: each section, its icon, and the roles that may use it."""

from dataclasses import dataclass

from app.accounts.models import Role


@dataclass(frozen=True)
class Section:
    route: str
    icon: str
    label_key: str
    roles: tuple[Role, ...]


ALL_ROLES = tuple(Role)
SECTIONS: tuple[Section, ...] = (
    Section("/", "house", "nav.home", ALL_ROLES),
    Section("/residents", "user-check", "nav.residents", (Role.STAFF,)),
    Section("/profile", "circle-user-round", "nav.profile", ALL_ROLES),
)


def roles_for(route: str) -> tuple[Role, ...]:
    return next(s.roles for s in SECTIONS if s.route == route)
