"""The sampler's page at a site: a tube's barcode, then people's codes, one-handed."""

import reflex as rx
from pydantic import BaseModel

from app.accounts.state import SessionState
from app.community import service as community
from app.db import session_scope
from app.errors import ServiceError
from app.forms import form_id, form_text
from app.testing import service
from app.testing.service import TubeView

ROUTE = "/testing/sample"


class DoorPick(BaseModel):
    """One person at a door, for the sampler to tick."""

    id: str
    name: str
    relation: str
    sampled: bool


class DoorFound(BaseModel):
    address: str
    people: list[DoorPick]


class SamplerState(SessionState):
    """The round and site chosen (kept in the tab's session storage), the open tube, and
    the last scan's answer shown large: a colour and a word."""

    # "round_id:site_id", so a reload or a return to the page keeps the sampler's place.
    picked: rx.Field[str] = rx.field(rx.SessionStorage("", name="sampler_pick"))
    rounds: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    sites: rx.Field[list[tuple[str, str]]] = rx.field(default_factory=list)
    round_choice: rx.Field[str] = rx.field("")
    round_id: rx.Field[int] = rx.field(0)
    site_id: rx.Field[int] = rx.field(0)
    round_name: rx.Field[str] = rx.field("")
    site_name: rx.Field[str] = rx.field("")
    tube_id: rx.Field[int] = rx.field(0)
    barcode: rx.Field[str] = rx.field("")
    size: rx.Field[int] = rx.field(0)
    filled: rx.Field[int] = rx.field(0)
    tube_closed: rx.Field[bool] = rx.field(False)
    people: rx.Field[list[str]] = rx.field(default_factory=list)
    # The last scan's answer: "ok", "full", "tube", "undone" or "error"; its word and line.
    flash: rx.Field[str] = rx.field("")
    flash_word: rx.Field[str] = rx.field("")
    flash_text: rx.Field[str] = rx.field("")
    door_open: rx.Field[bool] = rx.field(False)
    door_found: rx.Field[list[DoorFound]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    @rx.var
    def tube_open(self) -> bool:
        return self.tube_id != 0 and not self.tube_closed

    @rx.var
    def count_text(self) -> str:
        return f"{self.filled}/{self.size}"

    @rx.var
    def fill_percent(self) -> int:
        return self.filled * 100 // self.size if self.size else 0

    @rx.event
    def load(self):
        self.errors, self.flash = {}, ""
        self.door_open, self.door_found = False, []
        with session_scope() as db:
            user = self.enter(db, ROUTE)
            if user is None:
                return self.bounce()
            found = service.testing_rounds(db, user, self.community_of(user))
            open_rounds = [r for r in found if r.open]
            self.rounds = [(str(r.id), f"{r.test_date} {r.name}") for r in open_rounds]
            round_text, _, site_text = self.picked.partition(":")
            chosen = form_id(round_text)
            if chosen not in {r.id for r in open_rounds}:
                chosen = open_rounds[0].id if open_rounds else 0
                site_text = ""
            if chosen != self.round_id:
                self._forget_tube()
            self.round_choice = str(chosen) if chosen else ""
            self._load_sites(db, user, chosen)
            site_id = form_id(site_text)
            self.site_id = site_id if str(site_id) in dict(self.sites) else 0
            self.round_id = chosen if self.site_id else 0
            self._names()
        return self._focus()

    def _load_sites(self, db, user, round_id: int) -> None:
        self.sites = (
            [(str(s.id), s.name) for s in service.sites(db, user, round_id)] if round_id else []
        )

    def _names(self) -> None:
        self.round_name = dict(self.rounds).get(str(self.round_id), "")
        self.site_name = dict(self.sites).get(str(self.site_id), "")

    def _forget_tube(self) -> None:
        self.tube_id, self.barcode, self.size, self.filled = 0, "", 0, 0
        self.tube_closed, self.people = False, []

    def _focus(self):
        return rx.set_focus("scan") if self.round_id else None

    @rx.event
    def pick_round(self, value: str):
        """A round chosen in the picker: its sites."""
        self.errors = {}
        with session_scope() as db:
            user = self.actor(db)
            self.round_choice = str(form_id(value) or "")
            try:
                self._load_sites(db, user, form_id(value))
            except ServiceError as exc:
                self.sites, self.errors = [], {"round_id": self.describe(exc)[1]}

    @rx.event
    def start(self, form: dict):
        """开始采样 at the chosen round and site."""
        round_id = form_id(self.round_choice)
        site_id = form_id(form.get("site_id"))
        self.errors = {}
        if str(round_id) not in dict(self.rounds):
            self.errors = {"round_id": self.tr("sampler.choose_round")}
            return None
        if str(site_id) not in dict(self.sites):
            self.errors = {"site_id": self.tr("sampler.choose_site")}
            return None
        if round_id != self.round_id:
            self._forget_tube()
        self.round_id, self.site_id = round_id, site_id
        self.picked = f"{round_id}:{site_id}"
        self.flash = ""
        self._names()
        return self._focus()

    @rx.event
    def change_site(self):
        """Back to the picker (the open tube stays open for whoever scans it next)."""
        self.round_id = self.site_id = 0
        self.picked, self.flash = "", ""
        self._forget_tube()
        return SamplerState.load

    def _show(self, view: TubeView) -> None:
        self.tube_id, self.barcode, self.size = view.id, view.barcode, view.size
        self.filled, self.tube_closed, self.people = view.filled, view.closed, view.people

    def _say(self, kind: str, word_key: str, text: str) -> None:
        self.flash, self.flash_word, self.flash_text = kind, self.tr(word_key), text

    def _refused(self, exc: ServiceError) -> None:
        fields, text = self.describe(exc)
        self._say("error", "sampler.refused", text or next(iter(fields.values()), ""))

    @rx.event
    def scan(self, form: dict):
        """One scan (or typed code, ended with Enter): a tube's barcode when no tube is open,
        else a person's code."""
        value = form_text(form, "scan").strip()
        if not value or not self.round_id:
            return self._focus()
        with session_scope() as db:
            actor = self.actor(db)
            try:
                if self.tube_open:
                    view = service.scan_code(db, actor, self.tube_id, value)
                elif _is_personal_code(value):
                    self._say("error", "sampler.refused", self.tr("sampler.scan_tube_first"))
                    return self._focus()
                else:
                    view = service.open_tube(db, actor, {"site_id": self.site_id, "barcode": value})
                    self._show(view)
                    self._say(
                        "tube",
                        "sampler.tube_opened",
                        self.tr("sampler.tube_opened_text", barcode=view.barcode),
                    )
                    return self._focus()
            except ServiceError as exc:
                self._refused(exc)
                return self._focus()
        self._added(view, self.tr("sampler.added", name=view.people[-1]))
        return self._focus()

    def _added(self, view: TubeView, text: str) -> None:
        self._show(view)
        if view.closed:
            self._say("full", "sampler.full", self.tr("sampler.full_text", barcode=view.barcode))
        else:
            self._say("ok", "sampler.ok", text)

    @rx.event
    def synced(self, form: dict):
        """Scans saved with no signal were sent (assets/scan/outbox.js): the tube as it is
        now, and what was refused."""
        tube_id, refused = form_id(form.get("tube")), form_text(form, "refused").strip()
        with session_scope() as db:
            try:
                if tube_id:
                    self._show(service.tube_state(db, self.actor(db), tube_id))
            except ServiceError as exc:
                self._refused(exc)
                return self._focus()
        if refused:
            self._say("error", "sampler.refused", refused.replace("\n", "；"))
        else:
            count = form_id(form.get("sent"))
            self._say("ok", "sampler.ok", self.tr("sampler.sent", count=count))
        return self._focus()

    @rx.event
    def undo(self):
        """撤销上一个: the tube's last person out again."""
        if not self.tube_id:
            return self._focus()
        name = self.people[-1] if self.people else ""
        with session_scope() as db:
            try:
                view = service.undo_last_scan(db, self.actor(db), self.tube_id)
            except ServiceError as exc:
                self._refused(exc)
                return self._focus()
        self._show(view)
        self._say("undone", "sampler.undone", self.tr("sampler.undone_text", name=name))
        return self._focus()

    @rx.event
    def close_early(self):
        """提前封管: the queue is done before the tube is full."""
        if not self.tube_open:
            return self._focus()
        with session_scope() as db:
            try:
                view = service.close_tube(db, self.actor(db), self.tube_id)
            except ServiceError as exc:
                self._refused(exc)
                return self._focus()
        self._show(view)
        text = self.tr("sampler.closed_text", barcode=view.barcode, count=view.filled)
        self._say("full", "sampler.full", text)
        return self._focus()

    @rx.event
    def set_door_open(self, value: bool):
        self.door_open = bool(value) and self.tube_open
        self.door_found, self.errors = [], {}
        if not self.door_open:
            return self._focus()

    @rx.event
    def find_door(self, form: dict):
        """The household(s) at a door, with who is sampled already."""
        self.errors, self.door_found = {}, []
        with session_scope() as db:
            try:
                found = service.find_door(
                    db, self.actor(db), self.round_id, form_text(form, "door")
                )
            except ServiceError as exc:
                fields, text = self.describe(exc)
                self.errors = {"door": fields.get("door") or text}
                return
        self.door_found = [
            DoorFound(
                address=h.address,
                people=[
                    DoorPick(
                        id=str(p.resident_id), name=p.name, relation=p.relation, sampled=p.sampled
                    )
                    for p in h.people
                ],
            )
            for h in found
        ]

    @rx.event
    def add_ticked(self, form: dict):
        """The ticked people into the open tube, one by one; the first refusal stops it."""
        ticked = [
            form_id(key.removeprefix("p-"))
            for key, on in form.items()
            if key.startswith("p-") and on
        ]
        ticked = [i for i in ticked if i]
        if not ticked:
            self.errors = {"tick": self.tr("sampler.tick_someone")}
            return None
        added, view = 0, None
        with session_scope() as db:
            actor = self.actor(db)
            for resident_id in ticked:
                try:
                    view = service.scan_member(db, actor, self.tube_id, resident_id)
                except ServiceError as exc:
                    if view is not None:
                        self._show(view)
                    self._refused(exc)
                    self.door_open = False
                    return self._focus()
                added += 1
        assert view is not None
        text = (
            self.tr("sampler.added", name=view.people[-1])
            if added == 1
            else self.tr("sampler.added_many", count=added)
        )
        self._added(view, text)
        self.door_open, self.door_found = False, []
        return self._focus()


def _is_personal_code(value: str) -> bool:
    """A resident's code scanned where a tube's barcode belongs (both are letters and
    digits; only ours carry the prefix and signature)."""
    try:
        community.code_resident_id(value)
    except ServiceError as exc:
        return exc.code == "errors.code_forged"
    return True
