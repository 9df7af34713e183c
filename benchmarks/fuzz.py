"""Invalid input sent to every form handler over the app's real websocket.

    .venv/bin/python benchmarks/fuzz.py [--cases 10000] [--seed 2026] [--app-url URL]

A staff member (13800000001) logs in as the browser does (benchmarks/load.py's Phone), then
each case sends one `@rx.event def x(self, form: dict)` handler a form whose values are wrong
on purpose: lists, dicts, deep nesting, None, bools, numbers where text goes and text where
numbers go, numbers out of range (2**63, -1, "NaN", "Infinity"), 10,000-character strings, lone
surrogates, control characters, full-width and superscript digits, HTML and script text,
impossible dates — keyed by the handler's real field names (FORM_FIELDS) plus random extra
keys. Hypothesis draws the cases (generation only, a fixed seed: the same cases every run).

After each case the phone sends a marker event (State.set_is_hydrated) and reads until the
marker's update: a handler's events run in order, so everything the case caused has arrived by
then. Counted:

* unexpected errors: an error toast with the text of `errors.unexpected` (what
  app/app.py's backend exception handler says to an exception that is not a refusal);
* unanswered: a case whose marker did not come back within the timeout, or whose socket the
  server closed (the phone then opens the page again in a new tab, with the same login);
* rows written: every table's rows before and after (hashed), rows added, removed or changed;
* log errors: "Traceback" or "backend error" lines the app logged during the run.

Without APP_URL/--app-url it starts the app on a fresh database (benchmarks/_app.py). Prints
cases, unexpected_errors, rows_written, unanswered, log_errors and cases_per_second; exit
status 1 when any of the counts is not 0. tests/e2e/test_fuzz_forms.py runs a few hundred
cases of the same driver against the browser suite's server.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import collections
import importlib
import json
import os
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import HypothesisDeprecationWarning

from benchmarks._app import ROOT, log, running_app
from benchmarks.load import Names, Phone, ResponseError

STAFF_MOBILE = "13800000001"
ANSWER_TIMEOUT_S = 30.0
PAGE = "/"
MARK = "fuzz_marker"  # the route param that numbers the marker events
T = TypeVar("T")

# ---------------------------------------------------------------- the handlers and their fields

SYMPTOMS = ("sym-fever", "sym-cough", "sym-other")
PERSON = ("temperature-1", "sym-1-fever", "travel-1", "travel_date-1", "health_code-1")
NEW_PERSON = ("name-n0", "sex-n0", "mobile-n0", "temperature-n0")
CARE = ("elderly_alone", "pregnant", "no_smartphone")
ITEM = ("item0_name", "item0_spec", "item0_price_fen", "item0_stock", "item0_limit_per_household")

# The form fields each handler reads (form.get(...) in the app's states, the inputs' names in the
# pages), with a few of the dynamic ones (`sym-<symptom>`, `duty.<duty>`, `building.<id>`).
# Keyed `<domain>.<State>.<handler>`; test_fuzz_forms checks it names every form handler.
FORM_FIELDS: dict[str, tuple[str, ...]] = {
    "accounts.LoginState.submit": ("mobile", "password"),
    "accounts.RegisterState.submit": ("name", "mobile", "password", "address", "community_id"),
    "accounts.ResidentsState.link": ("user_id", "address"),
    "community.HouseholdState.save": (
        "name",
        "sex",
        "birth_date",
        "relation",
        "residency",
        "mobile",
        "id_number",
        "moved_in",
        "moved_out",
        *CARE,
    ),
    "community.PlacesState.add_compound": ("name", "address"),
    "community.PlacesState.add_building": (
        "compound_id",
        "number",
        "units",
        "floors",
        "doors_per_floor",
    ),
    "community.PlacesState.add_grid": ("name", "worker_name", "worker_mobile"),
    "community.RegisterIoState.export": ("compound_id", "grid_id", "flag"),
    "screening.VisitState.save": ("note", *PERSON, *NEW_PERSON),
    "screening.BoardState.start": ("name", "kind", "starts_on", "ends_on", "c-1", "g-1"),
    "screening.BoardState.save_weak": ("weak_from", "weak_below"),
    "screening.TodayState.save_check": ("temperature", *SYMPTOMS),
    "screening.TodayState.release": ("note",),
    "screening.HealthState.report": ("plan_id", "temperature", *SYMPTOMS),
    "screening.ArrivalState.find": ("compound_id", "door_key"),
    "screening.ArrivalState.save": (
        "who",
        "name",
        "sex",
        "mobile",
        "from_place",
        "from_risk_area",
        "arrived_on",
        "transport",
        "transport_no",
        "temperature",
        *SYMPTOMS,
    ),
    "screening.RulesState.save": ("fever_from", "quarantine_days", "call_attempts"),
    "supplies.SuppliesState.ask_errand": ("kind", "details"),
    "supplies.NewBuyState.submit": (
        "title",
        "supplier",
        "opens_at",
        "closes_at",
        "pickup_points",
        "delivery_offered",
        "compound.1",
        *ITEM,
    ),
    "supplies.BuyState.order": ("qty_1", "delivery"),
    "supplies.BuyState.find": ("address",),
    "supplies.BuyState.cancel_buy": ("reason",),
    "supplies.BuyState.reopen": ("closes_at",),
    "supplies.BuyState.save_item": ("price_fen", "stock", "limit_per_household"),
    "supplies.BuyState.generate": ("batch_size", "slot_minutes", "first_slot_at"),
    "supplies.CallState.collect": ("number",),
    "volunteers.ApplyState.submit": (
        "name",
        "mobile",
        "password",
        "compound_id",
        "building",
        "sent_from",
        "party_member",
        "party_branch",
        "duty.screener",
        "time.weekend",
        "skill.medical",
        "healthy",
        "consent",
    ),
    "volunteers.ApplicationsState.approve": ("grid_id", "duty.screener", "duty.gate_guard"),
    "volunteers.ApplicationsState.decline": ("reason",),
    "volunteers.ShiftsState.create_post": ("name", "kind", "place", "opens", "closes"),
    "volunteers.ShiftsState.create_shifts": (
        "post_id",
        "first_day",
        "days",
        "start",
        "end",
        "capacity",
    ),
    "volunteers.TeamsState.create_team": ("name", "grid_id", "building.1"),
    "testing.TestingRoundsState.plan": ("name", "test_date", "mode", "c-1"),
    "testing.TestingRoundState.add_site": ("name", "place", "opens", "closes", "capacity"),
    "testing.TestingRoundState.add_slot": ("building_id", "starts", "ends"),
    "testing.TestingRoundState.record_result": ("barcode", "result"),
    "testing.SamplerState.start": ("site_id",),
    "testing.SamplerState.scan": ("scan",),
    "testing.SamplerState.synced": ("sent", "tube", "refused"),
    "testing.SamplerState.find_door": ("door",),
    "testing.SamplerState.add_ticked": ("p-1",),
    "testing.MissedState.save_mark": ("kind", "reason"),
    "testing.MissedState.finish": ("barcode",),
}


# The page each handler's form is on, loaded (its state's `load`) before each of the
# handler's cases, so that the form meets the state a person's would: the household open, the
# buy shown. (path, the route's params, then events on the same state); "{name}" is an id from
# `page_ids`. The other handlers meet a state no page has loaded, as a forged event would.
PageContext = tuple[str, dict[str, str], tuple[tuple[str, dict[str, Any]], ...]]
_OPEN_BUY: PageContext = ("/supplies/buy/{open_buy}", {"buy_id": "{open_buy}"}, ())
PAGES: dict[str, PageContext] = {
    "community.HouseholdState.save": (
        "/household/{household}",
        {"household_id": "{household}"},
        (("start_add", {}),),
    ),
    "screening.BoardState.start": ("/screening", {}, ()),
    "screening.BoardState.save_weak": ("/screening", {}, ()),
    "screening.ArrivalState.find": ("/arrival", {}, ()),
    "screening.ArrivalState.save": ("/arrival", {"h": "{household}"}, ()),
    "screening.RulesState.save": ("/screening/rules", {}, ()),
    "supplies.NewBuyState.submit": ("/supplies/new", {}, ()),
    "supplies.BuyState.order": _OPEN_BUY,
    "supplies.BuyState.find": _OPEN_BUY,
    "supplies.BuyState.generate": _OPEN_BUY,
    "supplies.BuyState.save_item": (*_OPEN_BUY[:2], (("open_edit", {"item_id": "{item}"}),)),
    "supplies.CallState.collect": (
        "/supplies/call/{arrived_buy}",
        {"buy_id": "{arrived_buy}"},
        (),
    ),
}


def page_ids(database_url: str, mobile: str) -> dict[str, int]:
    """The ids PAGES names, in the community of the user `mobile` (the demo's)."""
    from sqlalchemy import create_engine, text

    queries = {
        "household": "SELECT min(id) FROM household WHERE community_id = :c",
        "open_buy": "SELECT min(id) FROM groupbuy WHERE community_id = :c AND status = 'open'",
        "arrived_buy": (
            "SELECT min(id) FROM groupbuy WHERE community_id = :c AND status = 'arrived'"
        ),
        "item": (
            "SELECT min(buyitem.id) FROM buyitem JOIN groupbuy ON groupbuy.id = buy_id"
            " WHERE community_id = :c AND status = 'open'"
        ),
    }
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            community = conn.execute(
                text('SELECT community_id FROM "user" WHERE mobile = :m'), {"m": mobile}
            ).scalar_one()
            found = {
                k: conn.execute(text(q), {"c": community}).scalar() for k, q in queries.items()
            }
    finally:
        engine.dispose()
    return {k: v for k, v in found.items() if v is not None}


@dataclass(frozen=True)
class Page:
    """Where a handler's cases are sent from, and the events that load it first."""

    path: str = PAGE
    query: dict[str, str] = field(default_factory=dict)
    events: tuple[tuple[str, dict[str, Any]], ...] = ()


def resolve_pages(handlers: dict[str, str], ids: dict[str, int]) -> dict[str, Page]:
    """PAGES with ids and full event names; a page whose ids the database lacks is left out."""
    pages = {}
    for key, (path, query, then) in PAGES.items():
        state = handlers[key].rsplit(".", 1)[0]
        try:
            pages[key] = Page(
                path=_fill(path, ids),
                query={k: str(_fill(v, ids)) for k, v in query.items()},
                events=(
                    (f"{state}.load", {}),
                    *(
                        (f"{state}.{name}", {k: _fill(v, ids) for k, v in payload.items()})
                        for name, payload in then
                    ),
                ),
            )
        except KeyError as missing:
            log(f"no {missing} in the database: {key} runs without its page")
    return pages


def _fill(template: Any, ids: dict[str, int]) -> Any:
    """A PAGES value with its "{name}" ids filled in: "{item}" alone becomes the number."""
    if isinstance(template, str) and template.startswith("{") and template.endswith("}"):
        return ids[template[1:-1]]
    return template.format(**ids) if isinstance(template, str) else template


def _is_rx_event(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ast.unparse(target) == "rx.event"


def form_handlers() -> dict[str, str]:
    """`<domain>.<State>.<handler>` -> full event name, for every `@rx.event` handler of the
    app's states whose one argument is `form`."""
    found = {}
    app_dir = ROOT / "app"
    # A domain's states: state.py, or a state/ package once they outgrow one module.
    for path in sorted([*app_dir.glob("*/state.py"), *app_dir.glob("*/state/*.py")]):
        module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if (
                    isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                    and any(_is_rx_event(d) for d in item.decorator_list)
                    and [a.arg for a in item.args.args] == ["self", "form"]
                ):
                    state = getattr(importlib.import_module(module_name), node.name)
                    domain = path.relative_to(app_dir).parts[0]
                    key = f"{domain}.{node.name}.{item.name}"
                    found[key] = f"{state.get_full_name()}.{item.name}"
    return found


# ---------------------------------------------------------------- the invalid values


def _nested(depth: int) -> Any:
    value: Any = "深"
    for level in range(depth):
        value = [value] if level % 2 else {"x": value}
    return value


# Never a plausible mobile (11 digits from 1), id or count: a case must not log in, lock out a
# demo account or name a real row.
NUMBERS = [2**63, -(2**63) - 1, 2**31, -1, -0.5, 1e308, -1e308, 10**40, 0.1, 3.5]
TEXT_NUMBERS = [
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "sNaN",
    "1e999999",
    "-1",
    "9223372036854775808",
    "0x1F",
    "1_000",
    "²",
    "①",
    "٣",
    "１２３４５６７８９０１２３",
    "－１",
    "９９９９９９９９９９９９９９９９９９９",
    "12.5.3",
    "¥-3",
]
DATES = [
    "2099-13-45",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31T25:61",
    "2026-01-01T00:00:00+99:00",
    "-001-01-01",
    "２０２６－０１－０１",
    "31/12/2026",
    "yesterday",
]
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}${7*7}",
    "'; DROP TABLE user; --",
    "</textarea><svg onload=alert(1)>",
]
CONTROL = [
    "\x00",
    "a\x00b",
    "\x1b[31m红\x1b[0m",
    "\u202eevil",
    "\r\n\r\n",
    "\x7f\x08",
    "\ufeff",
    "\u200b",
]
SURROGATES = ["\ud800", "a\udfffb", "\udbff\udc00\ud800", "张\udc80三"]
BLANKS = ["", " ", "\t", "　"]  # the last one is a full-width space

# Extra keys: names the state might take for something else, and the dynamic field prefixes
# with parts that are not ids.
EXTRA_KEYS = [
    "id",
    "user_id",
    "role",
    "community_id",
    "password_hash",
    "is_active",
    "__proto__",
    "constructor",
    "",
    "x" * 300,
    "\ud800",
    "building.x",
    "building.-1",
    "building.99999999999999999999",
    "building.²",
    "compound.x",
    "c-x",
    "g-x",
    "qty_x",
    "duty.nope",
    "sym-x",
    "sym-1-nope",
    "item9_name",
    "item-1_price_fen",
]


# Free text (names, addresses, notes, reasons): "NaN", a date or <b> is a name someone may
# give, so these fields get only what no text field takes: another type, blank, 10,000
# characters (markup among them), control characters, lone surrogates. Every other field
# (ids, numbers, dates, times, choices, mobiles, ticks) gets all of it.
TEXT_FIELDS = {
    "name",
    "address",
    "note",
    "reason",
    "details",
    "title",
    "supplier",
    "spec",
    "place",
    "party_branch",
    "sent_from",
    "building",
    "from_place",
    "transport_no",
    "worker_name",
    "relation",
    "pickup_points",
    "door_key",
    "item0_name",
    "item0_spec",
    "name-n0",
}


def _overlong(piece: str) -> str:
    return (piece * 10_000)[:10_000]


def invalid_values(text: bool) -> st.SearchStrategy[Any]:
    """What goes into one field: invalid for any field, or (`text` False) for any field that
    is not free text."""
    never_valid = [None, True, False, *NUMBERS, *BLANKS, *CONTROL, *SURROGATES]
    scalars = st.sampled_from(
        never_valid if text else [*never_valid, *TEXT_NUMBERS, *DATES, *MARKUP]
    )
    return st.one_of(
        scalars,
        st.sampled_from(["a", "字", "1", MARKUP[0], "\x00", "１"]).map(_overlong),
        st.lists(scalars, max_size=4),
        st.dictionaries(st.sampled_from(["a", "id", "value", ""]), scalars, max_size=3),
        st.integers(min_value=2, max_value=100).map(_nested),
        st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1, max_size=8),
        st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=4),
    )


@dataclass(frozen=True)
class Case:
    handler: str  # a FORM_FIELDS key
    form: dict[str, Any]

    def describe(self, limit: int = 300) -> str:
        text = json.dumps(self.form, ensure_ascii=True, default=str)
        return f"{self.handler} {text[:limit]}{'…' if len(text) > limit else ''}"


def cases(handlers: list[str]) -> st.SearchStrategy[Case]:
    """A handler and a form of invalid values under its fields, some left out, plus extra keys."""

    def form_for(handler: str) -> st.SearchStrategy[Case]:
        fields = {name: invalid_values(name in TEXT_FIELDS) for name in FORM_FIELDS[handler]}
        real = st.fixed_dictionaries({}, optional=fields)
        extra = st.dictionaries(st.sampled_from(EXTRA_KEYS), invalid_values(False), max_size=3)
        # At least one real field holds something: a form of blanks may be a valid one (an
        # export of the whole roster).
        return st.builds(lambda a, b: Case(handler, {**b, **a}), real, extra).filter(
            lambda case: any(case.form.get(name, "") != "" for name in FORM_FIELDS[handler])
        )

    return st.sampled_from(handlers).flatmap(form_for)


def run_cases(handlers: list[str], count: int, seed: int, execute: Callable[[Case], None]) -> None:
    """`execute` each of `count` cases Hypothesis draws with `seed` (generation only: a case
    that goes wrong is recorded by `execute`, not shrunk)."""

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=[  # big values and a filter, on purpose; cases take time
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.too_slow,
            HealthCheck.large_base_example,
        ],
    )
    @given(case=cases(handlers))
    def one(case: Case) -> None:
        execute(case)

    with warnings.catch_warnings():
        # The phone's thread keeps its websocket alive with random ping payloads meanwhile:
        # nothing Hypothesis draws comes from the `random` module.
        warnings.filterwarnings(
            "ignore", "Do not use the `random` module", HypothesisDeprecationWarning
        )
        one()


# ---------------------------------------------------------------- the run


@dataclass
class Report:
    cases: int = 0
    unexpected: list[str] = field(default_factory=list)  # unexpected-error toasts
    unanswered: list[str] = field(default_factory=list)
    rows_written: int = 0
    changed_tables: dict[str, int] = field(default_factory=dict)
    log_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    per_handler: collections.Counter = field(default_factory=collections.Counter)

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0

    def problems(self) -> list[str]:
        """Every failure, one line each (empty when the run is clean)."""
        lines = [f"unexpected error: {x}" for x in self.unexpected]
        lines += [f"unanswered: {x}" for x in self.unanswered]
        lines += [f"rows written: {t} {n}" for t, n in self.changed_tables.items()]
        lines += [f"server log: {x}" for x in self.log_errors]
        return lines


def table_rows(database_url: str) -> dict[str, collections.Counter[int]]:
    """Every row of every table, hashed: a row added, removed or changed shows as a
    difference between two snapshots."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
            return {
                t: collections.Counter(
                    hash(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{t}"'))
                )
                for t in tables
            }
    finally:
        engine.dispose()


def rows_written(before: dict, after: dict) -> dict[str, int]:
    """Rows added, removed or changed per table (a changed row counts once)."""
    written = {}
    for table in before.keys() | after.keys():
        old, new = before.get(table, collections.Counter()), after.get(table, collections.Counter())
        if count := max((new - old).total(), (old - new).total()):
            written[table] = count
    return written


def _unexpected_texts() -> tuple[str, ...]:
    """The unexpected-error message as a toast's script carries it: as is or \\u-escaped."""
    from app.ui.i18n import translate

    texts = [translate(locale, "errors.unexpected") for locale in ("zh", "en")]
    return (*texts, *(json.dumps(t)[1:-1] for t in texts))


class FuzzPhone:
    """A logged-in staff phone, its asyncio loop in a thread of its own (so the caller, like
    Hypothesis's test function or pytest with a browser open, stays synchronous).

    The end of a case is the answer to a marker event sent after it, State.set_is_hydrated
    with a numbered `fuzz_marker` route param: the answer's delta carries the route, so it
    cannot be taken for an earlier marker's or for a page load's own is_hydrated."""

    def __init__(self, app_url: str):
        self.names = Names.from_app()
        self.phone = Phone(0, STAFF_MOBILE, self.names, app_url, None)
        self.marker = f"{self.names.root}.set_is_hydrated"
        self.hydrated = self.names.var("is_hydrated")
        self.route_page = self.names.var("rx_router_page")
        self.markers = 0
        self.answer: list[dict] = []  # the last case's updates, for a test to read
        self.unexpected_texts = _unexpected_texts()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        try:
            self.run(self.phone.close(), 30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()

    def _hydrated(self, update: dict) -> bool:
        return self.phone._delta(update, self.names.root).get(self.hydrated) is True

    def _marked(self, update: dict, mark: str) -> bool:
        root = self.phone._delta(update, self.names.root)
        page = root.get(self.route_page) or {}
        return self._hydrated(update) and page.get("params", {}).get(MARK) == mark

    async def _mark(self, path: str, query: dict[str, str]) -> str:
        self.markers += 1
        mark = str(self.markers)
        await self.phone.emit(self.marker, path, {"value": True}, {**query, MARK: mark})
        return mark

    async def log_in(self) -> None:
        await self.phone.open_page("/login")
        await self.phone.wait_for(self._hydrated, "the /login hydrate")
        await self.phone.log_in()
        await self._settle()

    async def _settle(self) -> None:
        """Drop everything up to a marker's answer (the rest of the page's own load)."""
        mark = await self._mark(PAGE, {})
        await self.phone.wait_for(lambda u: self._marked(u, mark), "the marker after a load")

    async def reopen(self) -> None:
        """A new tab (the same login) after the server closed the socket: the old tab's state
        may be what closed it."""
        await self.phone.close()
        self.phone.token = str(uuid.uuid4())
        await self.phone.open_page(PAGE)
        await self._settle()

    async def send(self, event: str, form: dict, page: Page) -> str:
        """One case, after its page's load: "ok", "unexpected: <toast>", "closed: <why>" or
        "timeout"."""
        try:
            for name, payload in page.events:
                await self.phone.emit(name, page.path, payload, page.query)
            await self.phone.emit(event, page.path, {"form": form}, page.query)
            mark = await self._mark(page.path, page.query)
        except websockets.ConnectionClosed as exc:
            return f"closed: {exc}"
        outcome, self.answer = "ok", []
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            try:
                update = await asyncio.wait_for(self.phone.updates.get(), left)
            except TimeoutError:
                continue
            if "_closed" in update:
                return f"closed: {update['_closed']}"
            self.answer.append(update)
            scripts = json.dumps(update.get("events") or [], ensure_ascii=False)
            if any(text in scripts for text in self.unexpected_texts):
                outcome = f"unexpected: {scripts[:200]}"
            if self._marked(update, mark):
                return outcome


def fuzz(
    app_url: str,
    database_url: str | None,
    log_path: Path | None,
    count: int,
    seed: int = 2026,
) -> Report:
    """Log in as staff at `app_url`, run `count` cases and count what went wrong."""
    handlers = form_handlers()
    missing = sorted(set(handlers) - set(FORM_FIELDS))
    if missing:
        raise SystemExit(f"FORM_FIELDS names no fields for {missing}")
    report = Report()
    pages = resolve_pages(handlers, page_ids(database_url, STAFF_MOBILE) if database_url else {})
    client = FuzzPhone(app_url)
    try:
        client.run(client.log_in(), 120)
        before = table_rows(database_url) if database_url else {}
        log_from = log_path.stat().st_size if log_path else 0

        def execute(case: Case) -> None:
            report.cases += 1
            report.per_handler[case.handler] += 1
            outcome = client.run(
                client.send(handlers[case.handler], case.form, pages.get(case.handler, Page())),
                ANSWER_TIMEOUT_S + 10,
            )
            if outcome.startswith("unexpected"):
                report.unexpected.append(f"{case.describe()} -> {outcome[:300]}")
            elif outcome != "ok":  # closed or timeout: the case got no answer
                report.unanswered.append(f"{case.describe()} -> {outcome[:300]}")
                client.run(client.reopen(), 120)

        t0 = time.perf_counter()
        run_cases(sorted(handlers), count, seed, execute)
        report.seconds = time.perf_counter() - t0
        if database_url:
            report.changed_tables = rows_written(before, table_rows(database_url))
            report.rows_written = sum(report.changed_tables.values())
        if log_path:
            with log_path.open("rb") as server_log:
                server_log.seek(log_from)
                lines = server_log.read().decode("utf-8", "replace").splitlines()
            report.log_errors = [x for x in lines if "Traceback" in x or "backend error" in x]
    finally:
        client.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--app-url", default=os.environ.get("APP_URL"))
    parser.add_argument("--log-path", type=Path, default=None, help="the running app's log")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")

    with running_app(app_url=args.app_url) as app:
        if not app.database_url:
            log("no DATABASE_URL: rows written are not counted")
        log(f"{args.cases} cases against {app.url}…")
        report = fuzz(
            app.url, app.database_url, app.log_path or args.log_path, args.cases, args.seed
        )

    for line in report.problems()[:20]:
        log(line[:600])
    kinds = collections.Counter(x.split(" ", 1)[0] for x in report.unexpected + report.unanswered)
    for handler, n in kinds.most_common(10):
        log(f"{handler}: {n} failed cases")
    print(f"cases: {report.cases}")
    print(f"unexpected_errors: {len(report.unexpected)}")
    print(f"rows_written: {report.rows_written}")
    print(f"unanswered: {len(report.unanswered)}")
    print(f"log_errors: {len(report.log_errors)}")
    print(f"cases_per_second: {report.cases_per_second:.1f} cases/s")
    return 1 if report.problems() else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ResponseError as exc:
        log(f"FAILED: {exc}")
        sys.exit(1)
