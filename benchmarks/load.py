"""N simulated phones on the app's real websocket: each hydrates /login, logs in as its own
volunteer, lands on / like the browser does, then sends HomeState.load events one after another.

    .venv/bin/python benchmarks/load.py [--phones 100] [--events 20] [--app-url URL]

Without APP_URL/--app-url it starts the app on a fresh database (see benchmarks/_app.py;
DATABASE_URL=postgresql+psycopg://... and REDIS_URL switch it to PostgreSQL + Redis) after
adding one volunteer account per phone (mobiles 1960000xxxx, password Demo2026). Against an
already running app the phones add their volunteers to DATABASE_URL's database if it is set,
and otherwise log in as the demo volunteers in turn.

The client speaks what the compiled front end (.web/utils/state.js) speaks: Engine.IO 4 over a
websocket at /_event/?EIO=4&transport=websocket&token=<tab token>, Socket.IO namespace
"/_event", the hydrate event (State.hydrate_and_load) in the CONNECT packet's auth, events as
["event", {name, payload, router_data}], updates back as ["event", {delta, events}]. The
login is the browser's: LoginState.submit answers with a script that posts the login's token to
/api/session/start; the phone posts it (with the Origin header a browser sends), takes the
HttpOnly session cookie from the 303 to /, and opens / on a new websocket whose handshake
carries the cookies (the backend reads the session from there), with the cookies scripts can
read (the locale) in the hydrate payload too. A HomeState.load event is timed from emit to the
update that carries the home state's tiles; the households tile must hold the community's real
count, and an error toast, a missing tile or a timeout counts as an error (any error: exit
status 1).

Prints: phones, events (planned), events_per_second (answered correctly, over the timed phase),
p50/p95/p99/max latency, login_p95_latency (login submit to the home page's data) and errors
(failed logins + failed events + events not sent because of them).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import websockets
from engineio import packet as eio
from socketio import packet as sio
from websockets.typing import Origin

from benchmarks._app import log, running_app

NAMESPACE = "/_event"
MOBILE_PREFIX = "1960000"  # + 4 digits: 19600000000 … 19600009999
DEMO_PASSWORD = "Demo2026"
DEMO_VOLUNTEERS = [f"139000000{i:02d}" for i in (1, 2, 3, 4, 11, 12, 13, 14)]
CONNECT_TIMEOUT_S = 60.0
EVENT_TIMEOUT_S = 30.0


# ---------------------------------------------------------------- names from the app's states


@dataclass(frozen=True)
class Names:
    root: str
    session: str
    login: str
    home: str
    on_load_internal: str
    update_vars_internal: str
    marker: str
    session_cookie: str  # the HttpOnly cookie the server sets: scripts never see it
    cookie_vars: dict[str, str]  # client-storage key of each cookie var -> the cookie's name
    households_labels: tuple[str, ...]

    @classmethod
    def from_app(cls) -> Names:
        # Importing the app's states only defines classes; it opens no database.
        from reflex.compiler.utils import compile_client_storage
        from reflex.state import OnLoadInternalState, State, UpdateVarsInternalState
        from reflex_base.constants.state import FIELD_MARKER

        from app.accounts.api import SESSION_COOKIE
        from app.accounts.state import LoginState, SessionState
        from app.ui.i18n import translate
        from app.ui.state import HomeState

        session = SessionState.get_full_name()
        return cls(
            root=State.get_full_name(),
            session=session,
            login=LoginState.get_full_name(),
            home=HomeState.get_full_name(),
            on_load_internal=f"{OnLoadInternalState.get_full_name()}.on_load_internal",
            update_vars_internal=(
                f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal"
            ),
            marker=FIELD_MARKER,
            session_cookie=SESSION_COOKIE,
            # What the compiled front end's clientStorage lists (.web/utils/context.jsx).
            cookie_vars={
                key: options["name"]
                for key, options in compile_client_storage(State)["cookies"].items()
            },
            households_labels=(
                translate("zh", "home.households"),
                translate("en", "home.households"),
            ),
        )

    def var(self, name: str) -> str:
        return f"{name}{self.marker}"


# ---------------------------------------------------------------- benchmark data


def add_volunteers(database_url: str, count: int) -> tuple[list[str], int]:
    """Volunteer accounts 1960000xxxx in the first community (the ones missing), with one
    argon2 hash for all; returns their mobiles and that community's household count."""
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from app.accounts.models import Locale, Role, User
    from app.accounts.service import hash_password
    from app.community.models import Community, Household
    from app.db import make_engine

    if count > 10_000:
        raise SystemExit("--phones is at most 10000 (mobiles 1960000xxxx)")
    mobiles = [f"{MOBILE_PREFIX}{i:04d}" for i in range(count)]
    engine = make_engine(database_url)
    try:
        with Session(engine) as db:
            community = db.exec(select(Community).order_by(col(Community.id))).first()
            if community is None:
                raise SystemExit("no community in the database: load the demo data first")
            existing = set(db.exec(select(User.mobile).where(col(User.mobile).in_(mobiles))).all())
            password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow: once for all
            db.add_all(
                User(
                    mobile=mobile,
                    name=f"压测志愿者{i:04d}",
                    password_hash=password_hash,
                    role=Role.VOLUNTEER,
                    street_id=community.street_id,
                    community_id=community.id,
                    locale=Locale.ZH,
                )
                for i, mobile in enumerate(mobiles)
                if mobile not in existing
            )
            db.commit()
            households = db.exec(
                select(func.count())
                .select_from(Household)
                .where(Household.community_id == community.id)
            ).one()
    finally:
        engine.dispose()
    log(f"{count - len(existing)} volunteer accounts added ({len(existing)} there already)")
    return mobiles, households


# ---------------------------------------------------------------- one phone


class ResponseError(Exception):
    """The app answered, but not with what a working page gets."""


def _toast_errors(events: list[dict]) -> list[str]:
    """Error toasts in an update's events (the app's backend_exception_handler sends one)."""
    found = []
    for event in events or []:
        function = str((event.get("payload") or {}).get("function", ""))
        if "__toast" in function and ('"error"' in function or "'error'" in function):
            found.append(function)
    return found


_JS_STRING = r'"(?:[^"\\]|\\.)*"'  # a JSON-quoted string in a script


def _form_post(script: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the form a script posts (`post_form` in
    app/accounts/state.py)."""
    action = re.search(rf"f\.action=({_JS_STRING})", script)
    fields = re.findall(rf"name:({_JS_STRING}),value:({_JS_STRING})", script)
    if action is None or not fields:
        raise ResponseError(f"the login's script posts no form: {script[:300]}")
    return json.loads(action[1]), {json.loads(k): json.loads(v) for k, v in fields}


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _frame(packet: eio.Packet) -> str | bytes:
    """An Engine.IO packet as one WebSocket message: text, or bytes for a binary packet.

    A Reflex app made in this process swaps the packets' JSON for one that leaves lone
    surrogates raw, and no text frame can carry them: they go as the JSON escapes a browser
    sends (they can only stand inside JSON strings)."""
    encoded = packet.encode()
    if isinstance(encoded, str):
        return _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", encoded)
    if not isinstance(encoded, bytes):
        raise TypeError(f"engineio encoded {packet!r} as {encoded!r}")
    return encoded


@dataclass
class Phone:
    index: int
    mobile: str
    names: Names
    app_url: str
    expected_households: int | None
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    ws: websockets.ClientConnection | None = None
    updates: asyncio.Queue = field(default_factory=asyncio.Queue)
    reader: asyncio.Task | None = None
    cookies: dict[str, str] = field(default_factory=dict)  # client-storage key -> value
    session_cookie: str = ""  # the HttpOnly session cookie, from /api/session/start
    latencies_ms: list[float] = field(default_factory=list)
    login_ms: float | None = None
    errors: list[str] = field(default_factory=list)

    # -- transport

    async def connect(self, boot_event: dict) -> None:
        base = "ws" + self.app_url.removeprefix("http")
        url = f"{base}{NAMESPACE}/?EIO=4&transport=websocket&token={self.token}"
        cookie = self._cookie_header()
        self.ws = await websockets.connect(
            url,
            origin=Origin(self.app_url),
            additional_headers={"Cookie": cookie} if cookie else None,
            max_size=None,
            open_timeout=CONNECT_TIMEOUT_S,
        )
        opened = eio.Packet(encoded_packet=await self.ws.recv())
        if opened.packet_type != eio.OPEN:
            raise ResponseError(f"expected an Engine.IO OPEN packet, got {opened.packet_type}")
        # The front end puts its hydrate event into the namespace CONNECT packet's auth.
        await self._send(sio.Packet(sio.CONNECT, data={"event": boot_event}, namespace=NAMESPACE))
        self.reader = asyncio.create_task(self._read())

    def _socket(self) -> websockets.ClientConnection:
        if self.ws is None:
            raise ResponseError("the phone is not connected")
        return self.ws

    async def _send(self, packet: sio.Packet) -> None:
        await self._socket().send(_frame(eio.Packet(eio.MESSAGE, data=packet.encode())))

    async def _read(self) -> None:
        ws = self._socket()
        try:
            async for raw in ws:
                pkt = eio.Packet(encoded_packet=raw)
                if pkt.packet_type == eio.PING:
                    await ws.send(_frame(eio.Packet(eio.PONG, data=pkt.data)))
                    continue
                if pkt.packet_type == eio.CLOSE:
                    break
                if pkt.packet_type != eio.MESSAGE:
                    continue
                msg = sio.Packet(encoded_packet=pkt.data)
                if msg.packet_type == sio.EVENT and msg.data and msg.data[0] == "event":
                    self._store_cookies(msg.data[1])
                    await self.updates.put(msg.data[1])
                elif msg.packet_type == sio.EVENT and msg.data and msg.data[0] == "new_token":
                    self.token = msg.data[1]
                elif msg.packet_type in (sio.CONNECT_ERROR, sio.DISCONNECT):
                    await self.updates.put({"_closed": f"socket.io {msg.packet_type}: {msg.data}"})
        except websockets.ConnectionClosed as exc:
            await self.updates.put({"_closed": f"websocket closed: {exc}"})
            return
        await self.updates.put({"_closed": "websocket closed"})

    def _cookie_header(self) -> str:
        """The Cookie header a browser sends with the websocket's handshake."""
        jar = {self.names.cookie_vars[key]: value for key, value in self.cookies.items()}
        if self.session_cookie:
            jar[self.names.session_cookie] = self.session_cookie
        return "; ".join(f"{name}={value}" for name, value in jar.items())

    def _is_snapshot(self, update: dict) -> bool:
        """The hydrate's first update: the whole state, with is_hydrated false."""
        delta = update.get("delta") or {}
        main = [key for key in delta if "." not in key]
        return len(main) == 1 and delta[main[0]].get(self.names.var("is_hydrated"), True) is False

    def _store_cookies(self, update: dict) -> None:
        """What applyClientStorageDelta does: cookie vars in a delta go to the cookie jar,
        except in the hydrate's snapshot."""
        if self._is_snapshot(update):
            return
        for substate, values in (update.get("delta") or {}).items():
            for key, value in values.items():
                if f"{substate}.{key}" in self.names.cookie_vars:
                    self.cookies[f"{substate}.{key}"] = value

    async def emit(
        self, name: str, path: str, payload: dict | None = None, query: dict | None = None
    ) -> None:
        """Send an event from page `path`; `query` holds its route's params (a dynamic
        route's `[household_id]`, `?h=`), as the front end sends them."""
        event: dict = {"name": name, "router_data": {"pathname": path, "asPath": path}}
        if query:
            event["router_data"]["query"] = query
        if payload:
            event["payload"] = payload
        await self._send(sio.Packet(sio.EVENT, data=["event", event], namespace=NAMESPACE))

    async def wait_for(self, done, what: str, timeout: float = EVENT_TIMEOUT_S) -> dict:
        """Updates until `done(update)` is true; error toasts and closed sockets raise."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ResponseError(f"timeout after {timeout:.0f} s waiting for {what}")
            try:
                update = await asyncio.wait_for(self.updates.get(), left)
            except TimeoutError:
                continue
            if "_closed" in update:
                raise ResponseError(f"{update['_closed']} while waiting for {what}")
            if toasts := _toast_errors(update.get("events", [])):
                raise ResponseError(f"error toast while waiting for {what}: {toasts[0][:300]}")
            if done(update):
                return update

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        self.reader = self.ws = None
        self.updates = asyncio.Queue()  # what the closed page had not read yet is gone with it

    async def open_page(self, path: str) -> None:
        """Load `path` like a browser tab: a websocket whose handshake carries the cookies, and
        the hydrate event (with the cookies scripts can read) in the CONNECT packet. The
        caller waits for what the page's load sends."""
        event: dict = {
            "name": f"{self.names.root}.hydrate_and_load",
            "router_data": {"pathname": path, "asPath": path},
        }
        if self.cookies:
            event["payload"] = {"vars": dict(self.cookies)}
        await self.connect(event)

    # -- what the phone does

    def _delta(self, update: dict, state: str) -> dict:
        return (update.get("delta") or {}).get(state) or {}

    def check_home(self, update: dict) -> None:
        """The home state's tiles must include the households tile with the real count."""
        tiles = self._delta(update, self.names.home).get(self.names.var("tiles"))
        if not tiles:
            raise ResponseError(f"home update without tiles: {json.dumps(update)[:300]}")
        values = {label: value for label, value in tiles}
        label = next((x for x in self.names.households_labels if x in values), None)
        if label is None:
            raise ResponseError(f"no households tile in {tiles}")
        households = int(str(values[label]).replace(",", ""))
        expected = self.expected_households
        if (expected is not None and households != expected) or households <= 0:
            raise ResponseError(f"households tile says {households}, expected {expected}")

    def has_home_tiles(self, update: dict) -> bool:
        """An update of the home page's load (not the hydrate's snapshot) with the tiles."""
        tiles = self.names.var("tiles")
        return not self._is_snapshot(update) and tiles in self._delta(update, self.names.home)

    def _signed_in(self, update: dict) -> bool:
        """The page's load shows this phone's user. A redirect (to /login: the backend read no
        session from the handshake's cookie) raises."""
        for event in update.get("events") or []:
            if event.get("name") == "_redirect":
                path = (event.get("payload") or {}).get("path")
                raise ResponseError(f"the page redirected to {path} after the login")
        if self._is_snapshot(update):
            return False
        session = self._delta(update, self.names.session)
        return session.get(self.names.var("user_mobile")) == self.mobile

    async def hydrate_and_login(self, logins: asyncio.Semaphore) -> None:
        """Open /login like a browser tab, then (at most `logins` phones at a time) log in and
        land on /."""
        is_hydrated = self.names.var("is_hydrated")
        await self.open_page("/login")
        await self.wait_for(
            lambda u: self._delta(u, self.names.root).get(is_hydrated) is True,
            "the /login hydrate",
        )

        async with logins:
            await self._login()

    async def log_in(self) -> dict:
        """Log in as the browser does and land on /; returns the update of /'s load that shows
        this phone's user."""
        action, fields = await self._submit_login()
        location = await self._post_form(action, fields)
        if location != "/":
            raise ResponseError(f"{action} sent the page to {location!r}, not /")
        await self.close()  # the form post leaves the page, and its websocket closes
        await self.open_page(location)
        return await self.wait_for(self._signed_in, "the home page's load after the login")

    async def _submit_login(self) -> tuple[str, dict[str, str]]:
        """LoginState.submit; returns the form its script posts (action, fields)."""
        n = self.names
        form = {"mobile": self.mobile, "password": DEMO_PASSWORD}
        await self.emit(f"{n.login}.submit", "/login", {"form": form})
        scripts: list[str] = []

        def scripted(update: dict) -> bool:
            if errors := self._delta(update, n.login).get(n.var("errors")):
                raise ResponseError(f"login refused for {self.mobile}: {errors}")
            scripts.extend(
                str((event.get("payload") or {}).get("javascript_code", ""))
                for event in update.get("events") or []
                if event.get("name") == "_call_script"
            )
            return bool(scripts)

        await self.wait_for(scripted, "the login's script")
        return _form_post(scripts[0])

    async def _post_form(self, action: str, fields: dict[str, str]) -> str:
        """Post the form as the browser does (with its page's Origin, redirects not followed)
        and keep the session cookie the answer sets; returns where it sends the page."""
        async with httpx.AsyncClient(
            base_url=self.app_url, timeout=EVENT_TIMEOUT_S, follow_redirects=False
        ) as client:
            answer = await client.post(action, data=fields, headers={"Origin": self.app_url})
        location = answer.headers.get("location", "")
        if answer.status_code != 303:
            raise ResponseError(f"{action} answered {answer.status_code}, not 303")
        cookie = answer.cookies.get(self.names.session_cookie)
        if not cookie:
            raise ResponseError(f"{action} set no session cookie (and sent the page to {location})")
        self.session_cookie = cookie
        return location

    async def _login(self) -> None:
        t0 = time.perf_counter()
        update = await self.log_in()
        if not self.has_home_tiles(update):
            update = await self.wait_for(self.has_home_tiles, "the home page's tiles")
        self.check_home(update)
        self.login_ms = (time.perf_counter() - t0) * 1000

    def _drain(self) -> None:
        """Drop updates left over from earlier events (an error toast among them still counts)."""
        while not self.updates.empty():
            update = self.updates.get_nowait()
            if "_closed" in update:
                raise ResponseError(update["_closed"])
            if toasts := _toast_errors(update.get("events", [])):
                raise ResponseError(f"error toast: {toasts[0][:300]}")

    async def load_home(self, count: int) -> None:
        """`count` HomeState.load events one after another, each timed from emit to its update.
        After an error the phone stops (a late answer would be taken for the next event's), and
        the events it did not send count as errors too."""
        name = f"{self.names.home}.load"
        for sent in range(count):
            t0 = time.perf_counter()
            try:
                self._drain()
                await self.emit(name, "/")
                update = await self.wait_for(self.has_home_tiles, "HomeState.load's update")
                self.check_home(update)
            except (ResponseError, websockets.ConnectionClosed) as exc:
                self.errors.append(str(exc))
                self.errors += ["not sent after an earlier error"] * (count - sent - 1)
                return
            self.latencies_ms.append((time.perf_counter() - t0) * 1000)


# ---------------------------------------------------------------- the run


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


async def run_phones(
    app_url: str,
    mobiles: list[str],
    events: int,
    expected_households: int | None,
    login_concurrency: int,
) -> tuple[list[Phone], float]:
    """Log every phone in, then time the load events; returns the phones and the seconds the
    timed phase took (all phones sending at once)."""
    names = Names.from_app()
    phones = [
        Phone(
            index=i,
            mobile=mobile,
            names=names,
            app_url=app_url,
            expected_households=expected_households,
        )
        for i, mobile in enumerate(mobiles)
    ]

    log(f"{len(phones)} phones connect, hydrate /login and log in ({login_concurrency} at a time)…")
    t0 = time.perf_counter()
    logins = asyncio.Semaphore(login_concurrency)
    results = await asyncio.gather(
        *(p.hydrate_and_login(logins) for p in phones), return_exceptions=True
    )
    failed = [(p, r) for p, r in zip(phones, results, strict=True) if isinstance(r, BaseException)]
    for phone, exc in failed:
        phone.errors.append(f"login: {exc!r}")
        phone.errors += ["not sent: the phone's login failed"] * events
    log(f"logins done in {time.perf_counter() - t0:.1f} s ({len(failed)} failed)")
    if failed:
        log(f"first login failure ({failed[0][0].mobile}): {failed[0][1]!r}")
    ready = [p for p in phones if p.login_ms is not None]
    if not ready:
        await asyncio.gather(*(p.close() for p in phones))
        return phones, 0.0

    log(f"{len(ready)} phones send {events} HomeState.load events each…")
    t0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(p.load_home(events) for p in ready))
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    log(f"timed phase: {elapsed:.1f} s; this load client used {cpu:.1f} s of CPU in it")
    await asyncio.gather(*(p.close() for p in phones))
    return phones, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=100)
    parser.add_argument("--events", type=int, default=20, help="HomeState.load events per phone")
    parser.add_argument("--app-url", default=os.environ.get("APP_URL"))
    parser.add_argument(
        "--login-concurrency",
        type=int,
        default=10,
        help="phones logging in at the same time (login runs argon2); the timed phase is "
        "unaffected: it starts when every phone is in",
    )
    args = parser.parse_args(argv)
    if min(args.phones, args.events, args.login_concurrency) < 1:
        parser.error("--phones, --events and --login-concurrency must be at least 1")

    # The phones' mobiles, and how many households they should see (None: not known).
    prepared: dict[str, tuple[list[str], int | None]] = {}

    def prepare(database_url: str) -> None:
        prepared["phones"] = add_volunteers(database_url, args.phones)

    with running_app(prepare=prepare, app_url=args.app_url) as app:
        if not app.started:
            if app.database_url:
                prepare(app.database_url)
            else:
                log("no DATABASE_URL: the phones log in as the demo volunteers in turn")
                mobiles = [DEMO_VOLUNTEERS[i % len(DEMO_VOLUNTEERS)] for i in range(args.phones)]
                prepared["phones"] = (mobiles, None)
        mobiles, households = prepared["phones"]
        phones, window = asyncio.run(
            run_phones(app.url, mobiles, args.events, households, args.login_concurrency)
        )
        if app.log_path is not None:
            errors_in_log = app.log_path.read_text(errors="replace").count("backend error")
            if errors_in_log:
                log(f"the app logged {errors_in_log} backend errors ({app.log_path})")

    latencies = [ms for p in phones for ms in p.latencies_ms]
    logins = [p.login_ms for p in phones if p.login_ms is not None]
    errors = [e for p in phones for e in p.errors]
    kinds = collections.Counter(re.sub(r"\b1\d{10}\b", "<mobile>", e)[:400] for e in errors)
    for message, count in kinds.most_common(5):
        log(f"error ×{count}: {message}")

    print(f"phones: {len(phones)}")
    print(f"events: {args.events * len(phones)}")
    print(f"events_per_second: {len(latencies) / window if window else 0:.1f} events/s")
    print(f"p50_latency: {percentile(latencies, 50):.1f} ms")
    print(f"p95_latency: {percentile(latencies, 95):.1f} ms")
    print(f"p99_latency: {percentile(latencies, 99):.1f} ms")
    print(f"max_latency: {max(latencies, default=float('nan')):.1f} ms")
    print(f"login_p95_latency: {percentile(logins, 95):.1f} ms")
    print(f"errors: {len(errors)}")
    if errors or not latencies:
        print(
            "FAILED: the app answered with errors; these figures do not measure it", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
