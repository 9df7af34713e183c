"""Volunteer sign-up and the approval queue: thin states over the volunteers service."""

import asyncio
import dataclasses

import reflex as rx

from app.accounts import service as accounts
from app.accounts.state import SessionState
from app.community.service import list_communities
from app.db import session_scope
from app.errors import ServiceError
from app.volunteers import service
from app.volunteers.models import Availability, Duty, Skill


@dataclasses.dataclass
class ApplicationCard:
    id: int
    name: str
    mobile: str
    place: str
    party: str
    duties: list[str]
    availability: list[str]
    skills: list[str]
    applied_at: str
    status: str
    decline_reason: str


def _card(view: service.ApplicationView) -> ApplicationCard:
    return ApplicationCard(**dataclasses.asdict(view))


def _choices(form: dict, prefix: str, values) -> list[str]:
    """Checked boxes arrive as `<prefix>.<value>`: "on"."""
    return [v.value for v in values if form.get(f"{prefix}.{v.value}")]


def _apply(token: str, data: dict) -> None:
    with session_scope() as db:
        service.apply(db, accounts.user_for_token(db, token), data)


class ApplyState(SessionState):
    """申请成为志愿者: one screen, about a minute on a phone. Works logged in or not."""

    communities: list[tuple[str, str]] = []
    compounds: list[tuple[str, str]] = []
    community_id: str = ""
    signed_in: bool = False
    prefill_name: str = ""
    prefill_mobile: str = ""
    errors: dict[str, str] = {}
    message: str = ""

    @rx.event
    def load(self):
        self.errors, self.message = {}, ""
        wanted = str(self.router.page.params.get("c", ""))
        with session_scope() as db:
            user = self.actor(db)
            self.signed_in = user is not None
            self.prefill_name = user.name if user else ""
            self.prefill_mobile = user.mobile if user else ""
            self.communities = [(str(cid), label) for cid, label in list_communities(db)]
            known = {cid for cid, _ in self.communities}
            if user is not None and user.community_id is not None:
                wanted = str(user.community_id)
            self.community_id = wanted if wanted in known else ""
            self._load_compounds(db)

    def _load_compounds(self, db) -> None:
        self.compounds = (
            [(str(i), n) for i, n in service.list_compounds(db, int(self.community_id))]
            if self.community_id
            else []
        )

    @rx.event
    def choose_community(self, community_id: str):
        self.community_id = community_id
        with session_scope() as db:
            self._load_compounds(db)

    @rx.event
    async def submit(self, form: dict):
        self.errors, self.message = {}, ""
        data = {
            "name": str(form.get("name", "")),
            "mobile": str(form.get("mobile", "")),
            "password": str(form.get("password", "")),
            "community_id": self.community_id or None,
            "compound_id": form.get("compound_id") or None,
            "building": str(form.get("building", "")),
            "sent_from": str(form.get("sent_from", "")),
            "party_member": bool(form.get("party_member")),
            "party_branch": str(form.get("party_branch", "")),
            "duties": _choices(form, "duty", Duty),
            "availability": _choices(form, "time", Availability),
            "skills": _choices(form, "skill", Skill),
            "healthy": bool(form.get("healthy")),
            "consent": bool(form.get("consent")),
        }
        try:
            # A new account hashes its password: keep that off the shared event loop.
            await asyncio.to_thread(_apply, self.token, data)
        except ServiceError as exc:
            self.errors, self.message = self.describe(exc)
            return
        if self.signed_in:
            return rx.redirect("/")
        self.notice = "apply.done"
        return rx.redirect("/login")


class ApplicationsState(SessionState):
    """The approval queue of a community, with the sign-up link to post in the compound."""

    cards: list[ApplicationCard] = []
    chosen: list[int] = []
    signup_link: str = ""
    reason_error: str = ""
    declining: int = 0  # the decline sheet: 0 closed, -1 the chosen ones, else one application

    def _refresh(self, db, user) -> None:
        self.cards = [_card(v) for v in service.pending_applications(db, user, user.community_id)]
        self.chosen = [c for c in self.chosen if any(card.id == c for card in self.cards)]

    @rx.event
    def load(self):
        self.chosen, self.reason_error = [], ""
        with session_scope() as db:
            user = self.enter(db, "/volunteers")
            if user is None:
                return self.bounce()
            origin = self.router.page.host or ""
            self.signup_link = f"{origin}/volunteer/apply?c={user.community_id}"
            self._refresh(db, user)

    @rx.event
    def toggle(self, application_id: int, checked: bool):
        others = [c for c in self.chosen if c != application_id]
        self.chosen = [*others, application_id] if checked else others

    @rx.event
    def approve(self, application_id: int):
        return self._decide([application_id], True, "")

    @rx.event
    def approve_chosen(self):
        return self._decide(self.chosen, True, "")

    @rx.event
    def open_decline(self, application_id: int):
        self.declining, self.reason_error = application_id, ""

    @rx.event
    def set_decline_open(self, is_open: bool):
        if not is_open:
            self.declining = 0

    @rx.event
    def decline(self, form: dict):
        ids = self.chosen if self.declining == -1 else [self.declining]
        outcome = self._decide(ids, False, str(form.get("reason", "")))
        if not self.reason_error:
            self.declining = 0
        return outcome

    def _decide(self, ids: list[int], approve: bool, reason: str):
        self.reason_error = ""
        with session_scope() as db:
            user = self.actor(db)
            try:
                count = service.decide(db, user, ids, approve, reason)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                if "reason" in fields:
                    self.reason_error = fields["reason"]
                    return None
                self._refresh(db, user)
                return rx.toast.error(fields.get("_") or text)
            self._refresh(db, user)
        key = "applications.approved" if approve else "applications.declined"
        return rx.toast.success(self.tr(key, count=count))
