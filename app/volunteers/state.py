"""Volunteer sign-up and the approval queue: thin states over the volunteers service."""

import asyncio
import dataclasses
from datetime import date, timedelta

import reflex as rx

from app.accounts import service as accounts
from app.accounts.state import SessionState
from app.community import service as community_service
from app.community.service import list_communities
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_id, form_text
from app.timeutil import to_local, today_local, utcnow
from app.volunteers import service, shifts
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


def _apply(token: str, data: dict, client: str) -> None:
    with session_scope() as db:
        service.apply(db, accounts.user_for_token(db, token), data, client=client)


class ApplyState(SessionState):
    """申请成为志愿者: one screen, about a minute on a phone. Works logged in or not."""

    communities: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    compounds: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    community_id: rx.Field[str] = rx.field("")
    signed_in: rx.Field[bool] = rx.field(False)
    prefill_name: rx.Field[str] = rx.field("")
    prefill_mobile: rx.Field[str] = rx.field("")
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    message: rx.Field[str] = rx.field("")

    @rx.event
    def load(self):
        self.errors, self.message = {}, ""
        wanted = str(self.router.page.params.get("c", ""))
        with session_scope() as db:
            user = self.current_user(db)  # the page is open to visitors too
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
            "name": form_text(form, "name"),
            "mobile": form_text(form, "mobile"),
            "password": form_text(form, "password"),
            "community_id": self.community_id or None,
            "compound_id": form.get("compound_id") or None,
            "building": form_text(form, "building"),
            "sent_from": form_text(form, "sent_from"),
            "party_member": bool(form.get("party_member")),
            "party_branch": form_text(form, "party_branch"),
            "duties": _choices(form, "duty", Duty),
            "availability": _choices(form, "time", Availability),
            "skills": _choices(form, "skill", Skill),
            "healthy": bool(form.get("healthy")),
            "consent": bool(form.get("consent")),
        }
        try:
            # A new account hashes its password: keep that off the shared event loop.
            client = self.client()
            await asyncio.to_thread(_apply, self.token, data, client)
        except ServiceError as exc:
            self.errors, self.message = self.describe(exc)
            return
        if self.signed_in:
            return rx.redirect("/")
        self.notice = "apply.done"
        return rx.redirect("/login")


class ApplicationsState(SessionState):
    """The approval queue of a community, with the sign-up link to post in the compound."""

    cards: rx.Field[list[ApplicationCard]] = rx.field(default_factory=list)
    chosen: rx.Field[list[int]] = rx.field(default_factory=list)
    signup_link: rx.Field[str] = rx.field("")
    # the open sheet's field messages
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # the decline sheet: 0 closed, -1 the chosen ones, else one application
    declining: rx.Field[int] = rx.field(0)
    # the approval sheet: 0 closed, else the application it grants
    approving: rx.Field[int] = rx.field(0)
    approving_name: rx.Field[str] = rx.field("")
    # the duties that application offers, ticked to begin with
    offered: rx.Field[list[str]] = rx.field(default_factory=list)
    grid_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)

    def _refresh(self, db, user) -> None:
        self.cards = [_card(v) for v in service.pending_applications(db, user, user.community_id)]
        self.chosen = [c for c in self.chosen if any(card.id == c for card in self.cards)]

    @rx.event
    def load(self):
        self.chosen, self.errors = [], {}
        with session_scope() as db:
            user = self.enter(db, "/volunteers")
            if user is None:
                return self.bounce()
            origin = self.router.page.host or ""
            self.signup_link = f"{origin}/volunteer/apply?c={user.community_id}"
            self.grid_options = [
                (str(g.id), g.name)
                for g in community_service.grids(db, user, self.community_of(user))
            ]
            self._refresh(db, user)

    @rx.event
    def toggle(self, application_id: int, checked: bool):
        others = [c for c in self.chosen if c != application_id]
        self.chosen = [*others, application_id] if checked else others

    @rx.event
    def open_approve(self, application_id: int):
        card = next((c for c in self.cards if c.id == application_id), None)
        if card is not None:
            self.approving, self.approving_name, self.offered = card.id, card.name, card.duties
            self.errors = {}

    @rx.event
    def set_approve_open(self, is_open: bool):
        if not is_open:
            self.approving = 0

    @rx.event
    def approve(self, form: dict):
        """Approve the open application with the duties ticked and the grid chosen."""
        application_id, grid = self.approving, form_text(form, "grid_id")
        data = {"duties": _choices(form, "duty", Duty), "grid_id": form_id(grid) if grid else None}
        return self._decide(
            lambda db, user: service.approve(db, user, application_id, data),
            "applications.approved_one",
            name=self.approving_name,
        )

    @rx.event
    def approve_chosen(self):
        ids = self.chosen
        return self._decide(
            lambda db, user: service.decide(db, user, ids, True), "applications.approved"
        )

    @rx.event
    def open_decline(self, application_id: int):
        self.declining, self.errors = application_id, {}

    @rx.event
    def set_decline_open(self, is_open: bool):
        if not is_open:
            self.declining = 0

    @rx.event
    def decline(self, form: dict):
        ids = self.chosen if self.declining == -1 else [self.declining]
        reason = form_text(form, "reason")
        return self._decide(
            lambda db, user: service.decide(db, user, ids, False, reason),
            "applications.declined",
        )

    def _decide(self, action, done_key: str, **params):
        """One decision: a field's problem stays under that field in the open sheet; anything
        else (decided by someone else already, say) closes the sheet and shows as a toast."""
        self.errors = {}
        with session_scope() as db:
            user = self.actor(db)
            try:
                count = action(db, user)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                if fields.keys() - {"_"}:
                    self.errors = fields
                    return None
                toast = rx.toast.error(fields.get("_") or text)
            else:
                toast = rx.toast.success(self.tr(done_key, count=count, **params))
            self.declining = self.approving = 0
            self._refresh(db, user)
        return toast


# ---------------------------------------------------------------- rosters


@dataclasses.dataclass
class ShiftRow:
    id: int
    post: str
    day: str
    starts: str
    ends: str
    capacity: int
    taken: int
    names: list[str]
    on_duty: list[str]
    checked_in: bool
    checked_out: bool
    full: bool
    error: str = ""


@dataclasses.dataclass
class PostCard:
    id: int
    name: str
    kind: str
    place: str
    hours: str
    shifts: list[ShiftRow]


def _shift_row(view: shifts.ShiftView, error: str = "") -> ShiftRow:
    return ShiftRow(
        id=view.id,
        post=view.post,
        day=view.day[5:],
        starts=view.starts,
        ends=view.ends,
        capacity=view.capacity,
        taken=view.taken,
        names=list(view.names),
        on_duty=list(view.on_duty),
        checked_in=view.checked_in,
        checked_out=view.checked_out,
        full=view.taken >= view.capacity,
        error=error,
    )


_EMPTY_SHIFT = ShiftRow(0, "", "", "", "", 0, 0, [], [], False, False, False)


class DutyState(SessionState):
    """我的值班: a volunteer's team, grid, roles, shifts to take, and check-in on duty."""

    team: rx.Field[str] = rx.field("")
    leader: rx.Field[str] = rx.field("")
    teammates: rx.Field[list[str]] = rx.field(default_factory=list)
    grid: rx.Field[str] = rx.field("")
    duties: rx.Field[list[str]] = rx.field(default_factory=list)
    watching: rx.Field[list[str]] = rx.field(default_factory=list)
    current: rx.Field[ShiftRow] = rx.field(default_factory=lambda: _EMPTY_SHIFT)
    upcoming: rx.Field[list[ShiftRow]] = rx.field(default_factory=list)
    open_shifts: rx.Field[list[ShiftRow]] = rx.field(default_factory=list)
    hours: rx.Field[str] = rx.field("0")
    # A refused action's message, shown on the card of the shift it was about.
    shift_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    def _refresh(self, db, user) -> None:
        mine = shifts.my_duty(db, user)
        self.team, self.leader, self.teammates = mine.team, mine.leader, list(mine.teammates)
        self.grid, self.duties, self.watching = mine.grid, list(mine.duties), list(mine.watching)
        errors = self.shift_errors
        self.current = (
            _shift_row(mine.current, errors.get(str(mine.current.id), ""))
            if mine.current
            else _EMPTY_SHIFT
        )
        self.upcoming = [_shift_row(s, errors.get(str(s.id), "")) for s in mine.upcoming]
        self.open_shifts = [_shift_row(s, errors.get(str(s.id), "")) for s in mine.open_shifts]
        self.hours = f"{mine.hours:g}"

    @rx.event
    def load(self):
        self.shift_errors = {}
        return self.load_page("/duty", self._refresh)

    def _act(self, action, shift_id: int, done_key: str):
        self.shift_errors = {}
        with session_scope() as db:
            user = self.current_user(db)
            if user is None:  # suspended or logged out since the page opened
                self.notice = self.refused_notice(db)
                return rx.redirect("/login")
            try:
                action(db, user, shift_id)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                message = text or next(iter(fields.values()), "")
                self.shift_errors = {str(shift_id): message}
                # The message goes on the card tapped, which stays where it is (a refresh
                # would drop a shift that just filled up, and the message with it).
                self._mark(shift_id, message)
                return None
            self._refresh(db, user)
        return rx.toast.success(self.tr(done_key))

    def _mark(self, shift_id: int, message: str) -> None:
        def marked(rows: list[ShiftRow]) -> list[ShiftRow]:
            return [dataclasses.replace(r, error=message if r.id == shift_id else "") for r in rows]

        self.upcoming, self.open_shifts = marked(self.upcoming), marked(self.open_shifts)
        [self.current] = marked([self.current])

    @rx.event
    def sign_up(self, shift_id: int):
        return self._act(shifts.sign_up_shift, shift_id, "duty.signed_up")

    @rx.event
    def drop(self, shift_id: int):
        return self._act(shifts.drop_shift, shift_id, "duty.dropped")

    @rx.event
    def check_in(self):
        return self._act(shifts.check_in, self.current.id, "duty.checked_in")

    @rx.event
    def check_out(self):
        return self._act(shifts.check_out, self.current.id, "duty.checked_out")


class ShiftsState(SessionState):
    """排班: one day of the community's roster, by post, and the forms that fill it."""

    day: rx.Field[str] = rx.field("")  # ISO date, local
    posts: rx.Field[list[PostCard]] = rx.field(default_factory=list)
    unfilled: rx.Field[int] = rx.field(0)
    # (name, post, since)
    on_duty: rx.Field[list[tuple[str, str, str]]] = rx.field(default_factory=list)
    post_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    form: rx.Field[str] = rx.field("")  # which form reported `errors`: post, shifts
    sheet: rx.Field[str] = rx.field("")  # the open sheet: "", post, shifts
    saved: rx.Field[int] = rx.field(0)

    def _refresh(self, db, user) -> None:
        view = shifts.roster_day(db, user, user.community_id, date.fromisoformat(self.day))
        self.posts = [
            PostCard(
                p.post.id,
                p.post.name,
                p.post.kind,
                p.post.place,
                p.post.hours,
                [_shift_row(s) for s in p.shifts],
            )
            for p in view.posts
        ]
        self.unfilled = view.unfilled
        self.on_duty = [(d.name, d.post, d.since) for d in view.on_duty]
        self.post_options = [(str(p.post.id), p.post.name) for p in view.posts]

    @rx.event
    def load(self):
        self.errors, self.form, self.sheet = {}, "", ""
        with session_scope() as db:
            user = self.enter(db, "/volunteers/roster")
            if user is None:
                return self.bounce()
            self.day = today_local().isoformat()
            self._refresh(db, user)

    def _show(self, day: date):
        self.day = day.isoformat()
        with session_scope() as db:
            user = self.current_user(db)
            if user is None:
                return rx.redirect("/login")
            self._refresh(db, user)

    @rx.event
    def pick_day(self, value: str):
        try:
            return self._show(date.fromisoformat(value))
        except ValueError:
            return None

    @rx.event
    def step_day(self, days: int):
        return self._show(date.fromisoformat(self.day) + timedelta(days=days))

    @rx.event
    def open_sheet(self, name: str):
        self.sheet, self.errors, self.form = name, {}, ""

    @rx.event
    def set_sheet_open(self, is_open: bool):
        if not is_open:
            self.sheet = ""

    def _run(self, form_name: str, action, done_key: str):
        self.errors, self.form = {}, form_name
        with session_scope() as db:
            user = self.actor(db)
            try:
                outcome = action(db, user)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                return None
            self._refresh(db, user)
        self.saved += 1
        self.sheet = ""
        count = len(outcome) if isinstance(outcome, list) else 1
        return rx.toast.success(self.tr(done_key, count=count))

    @rx.event
    def create_post(self, form: dict):
        data = {k: form_text(form, k) for k in ("name", "kind", "place", "opens", "closes")}
        return self._run(
            "post",
            lambda db, user: shifts.create_post(db, user, user.community_id, data),
            "shifts.post_saved",
        )

    @rx.event
    def create_shifts(self, form: dict):
        data = {
            "post_id": form.get("post_id") or None,
            "first_day": form.get("first_day") or None,
            "days": form.get("days") or 1,
            "start": form_text(form, "start"),
            "end": form_text(form, "end"),
            "capacity": form.get("capacity") or None,
        }
        outcome = self._run(
            "shifts", lambda db, user: shifts.create_shifts(db, user, data), "shifts.shifts_saved"
        )
        if self.form == "shifts" and not self.errors and data["first_day"]:
            # Show the first day of what was just created.
            self.day = str(data["first_day"])
            with session_scope() as db:
                self._refresh(db, self.actor(db))
        return outcome

    @rx.event
    def export(self):
        with session_scope() as db:
            user = self.actor(db)
            try:
                data = shifts.export_hours(db, user, self.community_of(user))
            except ServiceError as exc:
                return rx.toast.error(self.tr(exc.code, **exc.params))
            place = self.place
        stamp = to_local(utcnow()).strftime("%Y%m%d")
        return rx.download(data=data, filename=f"志愿服务时长-{place}-{stamp}.xlsx")


@dataclasses.dataclass
class TeamCard:
    id: int
    name: str
    leader_id: int
    leader: str
    grid: str
    buildings: list[str]
    members: list[tuple[int, str]]


@dataclasses.dataclass
class VolunteerLine:
    id: int
    name: str
    mobile: str
    team: str
    grid: str
    suspended: bool
    hours: str


@dataclasses.dataclass
class WatcherLine:
    building_id: int
    building: str
    user_id: str
    name: str


class TeamsState(SessionState):
    """小队与楼幢观察员: teams and their leaders, building watchers, suspending volunteers."""

    teams: rx.Field[list[TeamCard]] = rx.field(default_factory=list)
    volunteers: rx.Field[list[VolunteerLine]] = rx.field(default_factory=list)
    volunteer_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    grid_options: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    watchers: rx.Field[list[WatcherLine]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    form: rx.Field[str] = rx.field("")  # which form reported `errors`: team, or member-<team id>
    saved: rx.Field[int] = rx.field(0)

    def _refresh(self, db, user) -> None:
        community_id = user.community_id
        self.teams = [
            TeamCard(
                t.id,
                t.name,
                t.leader_id or 0,
                t.leader,
                t.grid,
                list(t.buildings),
                [(uid, name) for uid, name in t.members],
            )
            for t in shifts.teams(db, user, community_id)
        ]
        views = shifts.community_volunteers(db, user, community_id)
        self.volunteers = [
            VolunteerLine(v.id, v.name, v.mobile, v.team, v.grid, v.suspended, f"{v.hours:g}")
            for v in views
        ]
        self.volunteer_options = [(str(v.id), v.name) for v in views if not v.suspended]
        self.grid_options = [
            (str(g.id), g.name) for g in community_service.grids(db, user, community_id)
        ]
        self.watchers = [
            WatcherLine(w.building_id, w.building, str(w.user_id or ""), w.name)
            for w in shifts.watchers(db, user, community_id)
        ]

    @rx.event
    def load(self):
        self.errors, self.form = {}, ""
        return self.load_page("/volunteers/teams", self._refresh)

    def _run(self, form_name: str, action):
        self.errors, self.form = {}, form_name
        with session_scope() as db:
            user = self.actor(db)
            try:
                action(db, user)
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = fields or {"_": text}
                if "_" not in self.errors and text and not exc.field:
                    self.errors["_"] = text
                return None
            self._refresh(db, user)
        self.saved += 1
        return rx.toast.success(self.tr("places.saved"))

    @rx.event
    def create_team(self, form: dict):
        data = {
            "name": form.get("name", ""),  # as sent: a list is refused, not saved as "['…']"
            "grid_id": form.get("grid_id") or None,
            "building_ids": [
                form_id(key.removeprefix("building."))
                for key, ticked in form.items()
                if key.startswith("building.") and ticked
            ],
        }
        return self._run(
            "team", lambda db, user: shifts.create_team(db, user, user.community_id, data)
        )

    @rx.event
    def add_member(self, team_id: int, user_id: str):
        if not user_id:
            return None
        return self._run(
            f"member-{team_id}",
            lambda db, user: shifts.add_member(db, user, team_id, int(user_id)),
        )

    @rx.event
    def remove_member(self, team_id: int, user_id: int):
        return self._run(
            f"member-{team_id}", lambda db, user: shifts.remove_member(db, user, team_id, user_id)
        )

    @rx.event
    def set_leader(self, team_id: int, user_id: int):
        return self._run(
            f"member-{team_id}", lambda db, user: shifts.set_leader(db, user, team_id, user_id)
        )

    @rx.event
    def set_watcher(self, building_id: int, user_id: str):
        return self._run(
            f"watcher-{building_id}",
            lambda db, user: shifts.set_watcher(
                db, user, building_id, int(user_id) if user_id and user_id != "none" else None
            ),
        )

    @rx.event
    def suspend(self, user_id: int):
        return self._run(f"volunteer-{user_id}", lambda db, u: service.suspend(db, u, user_id))

    @rx.event
    def reinstate(self, user_id: int):
        return self._run(f"volunteer-{user_id}", lambda db, u: service.reinstate(db, u, user_id))
