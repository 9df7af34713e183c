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
    "/doors": (Role.VOLUNTEER, Role.STAFF),
    "/visit": (Role.VOLUNTEER, Role.STAFF),
    "/today": (Role.VOLUNTEER, Role.STAFF),
    "/arrival": (Role.VOLUNTEER, Role.STAFF),
    "/health": (Role.RESIDENT,),
    "/screening": (Role.STAFF,),
    "/screening/rules": (Role.STAFF,),
    "/supplies": (Role.RESIDENT, *FIELD_ROLES),
    "/supplies/new": OFFICE_ROLES,
    "/supplies/buy": (Role.RESIDENT, *FIELD_ROLES),
    "/supplies/call": FIELD_ROLES,
    "/supplies/deliveries": FIELD_ROLES,
    "/supplies/errands": FIELD_ROLES,
    "/duty": (Role.VOLUNTEER,),
    "/volunteers/roster": (Role.STAFF,),
    "/volunteers/teams": (Role.STAFF,),
    "/testing/sample": (Role.VOLUNTEER, Role.STAFF),
    "/testing/missed": (Role.VOLUNTEER, Role.STAFF),
    "/testing/codes": (Role.RESIDENT,),
    "/testing/card": (Role.RESIDENT, Role.STAFF),
    "/testing": (Role.STAFF,),
    "/testing/round": (Role.STAFF,),
}


@dataclass(frozen=True)
class Section:
    route: str
    icon: str
    label_key: str
    only: tuple[Role, ...] = ()  # fewer roles than may open the page, to keep the bar short

    @property
    def roles(self) -> tuple[Role, ...]:
        return self.only or PAGE_ROLES[self.route]


SECTIONS: tuple[Section, ...] = (
    Section("/", "house", "nav.home"),
    Section("/doors", "door-open", "nav.doors", only=(Role.VOLUNTEER,)),
    Section("/screening", "chart-no-axes-column", "nav.screening"),
    # Staff reach the day's lists from the board.
    Section("/today", "clipboard-list", "nav.today", only=(Role.VOLUNTEER,)),
    Section("/registry", "book-user", "nav.registry"),
    Section("/volunteers", "hand-heart", "nav.volunteers"),
    Section("/profile", "circle-user-round", "nav.profile"),
)


def roles_for(route: str) -> tuple[Role, ...]:
    return PAGE_ROLES[route]
