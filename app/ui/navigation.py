"""Which roles may open each page, and the bottom navigation's sections."""

from dataclasses import dataclass

from app.accounts.models import Role

ALL_ROLES = tuple(Role)
FIELD_ROLES = (Role.VOLUNTEER, Role.STAFF, Role.STREET_STAFF, Role.ADMIN)
OFFICE_ROLES = (Role.STAFF, Role.STREET_STAFF, Role.ADMIN)

PAGE_ROLES: dict[str, tuple[Role, ...]] = {
    "/": ALL_ROLES,
    "/profile": ALL_ROLES,
    "/registry": FIELD_ROLES,
    "/household": (Role.RESIDENT, *FIELD_ROLES),
    "/registry/import": (Role.STAFF,),
    "/registry/places": (Role.STAFF,),
    "/registry/audit": (Role.STAFF,),
    "/residents": (Role.STAFF,),
    "/volunteers": (Role.STAFF,),
    "/duty": (Role.VOLUNTEER,),
    "/volunteers/roster": (Role.STAFF,),
    "/volunteers/teams": (Role.STAFF,),
}


@dataclass(frozen=True)
class Section:
    route: str
    icon: str
    label_key: str

    @property
    def roles(self) -> tuple[Role, ...]:
        return PAGE_ROLES[self.route]


SECTIONS: tuple[Section, ...] = (
    Section("/", "house", "nav.home"),
    Section("/registry", "book-user", "nav.registry"),
    Section("/residents", "user-check", "nav.residents"),
    Section("/volunteers", "hand-heart", "nav.volunteers"),
    Section("/profile", "circle-user-round", "nav.profile"),
)


def roles_for(route: str) -> tuple[Role, ...]:
    return PAGE_ROLES[route]
