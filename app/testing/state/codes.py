"""我的核酸码 and the printable household card: each member's personal code as a QR."""

import reflex as rx

from app.accounts.models import Role
from app.accounts.state import SessionState
from app.db import session_scope
from app.errors import Forbidden, ServiceError
from app.forms import form_id
from app.testing import service

from ._codes import CodeCard, qr_svg


class _CodesBase(SessionState):
    address: rx.Field[str] = rx.field("")
    members: rx.Field[list[CodeCard]] = rx.field(default_factory=list)
    message: rx.Field[str] = rx.field("")

    def _show(self, route: str, household_id: int | None):
        """Load a household's codes; `None` for the resident's own."""
        self.address, self.members, self.message = "", [], ""
        with session_scope() as db:
            user = self.enter(db, route)
            if user is None:
                return self.bounce()
            if household_id is None or user.role == Role.RESIDENT:
                household_id = user.household_id
            if not household_id:
                self.message = self.tr("codes.no_household")
                return None
            try:
                view = service.household_codes(db, user, household_id)
            except Forbidden:
                self.allowed_route, self.forbidden_route = "", route
                return None
            except ServiceError as exc:
                self.message = self.tr(exc.code)
                return None
        self.address = view.address
        self.members = [
            CodeCard(
                m.resident_id,
                m.name,
                m.relation,
                m.code,
                qr_svg(m.code, self.tr("codes.qr_label", name=m.name)),
                self.tr("codes.member_of", n=n, total=len(view.members)),
            )
            for n, m in enumerate(view.members, start=1)
        ]
        return None


class CodesState(_CodesBase):
    """我的核酸码: one big QR per member of the resident's household, swiped through."""

    @rx.event
    def load(self):
        return self._show("/testing/codes", None)


class CardState(_CodesBase):
    """核酸码卡: every member's QR on one A4 page; staff open any household of theirs (?h=)."""

    @rx.event
    def load(self):
        return self._show("/testing/card", form_id(self.router.page.params.get("h", "")) or None)
