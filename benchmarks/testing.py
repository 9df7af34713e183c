"""Nucleic-acid testing (核酸检测) at street scale: the missed list, the board, the lab's results
and a site's samplers scanning.

    .venv/bin/python benchmarks/testing.py [--residents 100000] [--buildings 100] [--runs 20]
        [--import-rows 10000] [--samplers 10] [--interval 3] [--scan-seconds 60]
        [--offline-scans 20] [--only reads,scan,http,offline,import] [--explain]
        [--max-seconds 1800]

With http or offline among the parts (the default), the app is started (benchmarks/_app.py:
migrated, the demo loaded, then this register loaded into the same database) and the parts run
against it; otherwise it runs on SQLite in a temp folder, or, when DATABASE_URL is a postgresql
URL, in a database `<db>_bench_testing` created next to it (dropped afterwards), migrated with
`app.cli.migrate`. Then bulk loaded: one community of `--residents` people (families of 1–5,
about 2.7 a door) in 5 compounds of high-rise buildings (2 units × 25 floors × 2 doors), grids
of 40 buildings, special-care flags as a register has them. A 10 混 1 round over the whole
community is planned with `testing.plan_round` (which lists the home sampling tasks), 10 sites
with a slot for every building; the morning so far is bulk inserted: the first 60 % of
buildings queued (95 % of their people sampled, tubes of 10 sealed; their home tasks done; a
third of the rest marked away or in hospital). PostgreSQL is ANALYZEd after the load
(autovacuum does it a minute later); SQLite is not (the app never runs ANALYZE). Then, each
call in a session of its own like a page load, as the community's staff member:

1. missed_list (target p95 ≤ 200 ms): `testing.missed_list` of `--buildings` buildings spread
   over the community (sampled ones and ones still to come, whose everyone is missed).
2. board (target p95 ≤ 300 ms): `testing.board` of the round, `--runs` times.
3. scan (target p95 ≤ 300 ms): `--samplers` volunteers at one site, each in a thread of their
   own scanning a person's code every `--interval` s (fixed rate, staggered starts) for
   `--scan-seconds`, a new tube when one is full: `testing.scan_code` from the call to the
   confirmation it returns.
   http (same target): the same load through `POST /api/testing/scan`, each sampler logged in
   as themselves (the login form, then the HttpOnly session cookie), one request a scan (a
   tube's barcode is a scan of its own), timed from the request to the answer.
   offline (target p95 ≤ 50 ms): Chromium at 390×844, a sampler at the site with a tube open
   loses the signal (context.set_offline) and scans `--offline-scans` codes (typed + Enter):
   each from the Enter to the frame showing the "N 条待发送" banner (its write to the outbox in
   localStorage, assets/scan/outbox.js, is in the same handler; `saved` is up to that write).
4. results import (target ≤ 10 s for 10,000 rows): the rest of the day bulk inserted, then an
   .xlsx built in memory with `--import-rows` tubes (the lab's columns: number, tube, time,
   result, lab; three positive pools) and `testing.import_results` timed end to end (reading the
   file, checking every row, storing, starting the positives' home quarantine).

Prints `name: value unit` lines, each timed figure followed by `ok` or `over` against its
target. Where the time goes (each SQL statement of one call) goes to stderr for the missed
list and the board; with --explain, or when a target is missed, their query plans too. The
exit status is 1 when a target is missed or a scan failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from itertools import groupby
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, insert, text, update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, select

import app.models  # noqa: F401  (every table)
from app.accounts.models import Role, User
from app.accounts.service import hash_password
from app.cli import migrate
from app.community.models import (
    Building,
    Community,
    Compound,
    Grid,
    Household,
    Resident,
    Street,
    Unit,
)
from app.community.service import new_household, personal_code
from app.db import make_engine, saved_id, sibling_database
from app.errors import ServiceError
from app.testing import service as testing
from app.testing.models import (
    HomeSamplingTask,
    MissedMark,
    SampleStatus,
    SiteSlot,
    TaskStatus,
    Tube,
)
from app.testing.models import Sample as SampleRow
from app.timeutil import today_local
from benchmarks._app import RunningApp, log, running_app
from benchmarks.load import DEMO_PASSWORD, Names, Phone, percentile

SEED = 20220415
TARGET_MISSED_MS = 200
TARGET_BOARD_MS = 300
TARGET_SCAN_MS = 300
TARGET_IMPORT_S = 10.0
TARGET_OFFLINE_MS = 50
TUBE_SIZE = 10  # 10 混 1
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PARTS = ("reads", "scan", "http", "offline", "import")
COMPOUNDS = ("清泉雅居", "香槟广场", "合江亭小区", "东湖花园", "锦绣苑")
UNITS, FLOORS, DOORS_PER_FLOOR = 2, 25, 2
GRID_BUILDINGS = 40
SITES = 10
QUEUED_SHARE = 0.6  # buildings whose slot has come
SAMPLED_SHARE = 0.95  # of their people
CHUNK = 5000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红梅玉兰德"
API_ROUTE = "/api/testing/scan"


# ---------------------------------------------------------------- the database


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith("postgresql"):
        with sibling_database(given, "bench_testing") as url:
            yield url
        return
    folder = tempfile.mkdtemp(prefix="bench_testing_")
    try:
        yield f"sqlite:///{folder}/testing.db"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _chunked(session: Session, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.exec(insert(model), params=rows[start : start + CHUNK])


# ---------------------------------------------------------------- the register


def build_register(url: str, residents: int, samplers: int) -> dict:
    """One community of `residents` people, bulk inserted; its staff member and volunteers."""
    rng = random.Random(SEED)
    engine = make_engine(url)
    password = hash_password(DEMO_PASSWORD)
    households = round(residents / 2.7)
    per_building = UNITS * FLOORS * DOORS_PER_FLOOR
    buildings_total = -(-households // per_building)
    with Session(engine, expire_on_commit=False) as db:
        # Not the demo's street nor its numbers: with the app running both share a database.
        street = Street(name="合江街道", district="锦江区")
        db.add(street)
        db.flush()
        community = Community(street_id=saved_id(street), name="清泉社区")
        db.add(community)
        db.flush()
        rows: list[dict] = []
        grids: list[Grid] = []
        for ci, name in enumerate(COMPOUNDS):
            compound = Compound(community_id=saved_id(community), name=name)
            db.add(compound)
            db.flush()
            count = buildings_total // len(COMPOUNDS) + (ci < buildings_total % len(COMPOUNDS))
            buildings = []
            for n in range(1, count + 1):
                if (n - 1) % GRID_BUILDINGS == 0:  # a compound starts a grid of its own
                    grids.append(Grid(community_id=saved_id(community), name=f"{name}{n}网格"))
                    db.add(grids[-1])
                    db.flush()
                buildings.append(
                    Building(compound_id=saved_id(compound), number=str(n), grid_id=grids[-1].id)
                )
            db.add_all(buildings)
            db.flush()
            units = [
                Unit(building_id=saved_id(b), number=str(u)) for b in buildings for u in (1, 2)
            ]
            db.add_all(units)
            db.flush()
            by_id = {b.id: b for b in buildings}
            for unit in units:
                for floor in range(1, FLOORS + 1):
                    for d in range(1, DOORS_PER_FLOOR + 1):
                        door = new_household(
                            compound, by_id[unit.building_id], unit, f"{floor}{d:02d}"
                        )
                        rows.append(door.model_dump(exclude={"id"}))
        rows = rows[:households]
        add = insert(Household).returning(col(Household.id), sort_by_parameter_order=True)
        ids: list[int] = []
        for start in range(0, len(rows), CHUNK):
            ids += db.exec(add, params=rows[start : start + CHUNK]).scalars().all()
        sizes = [rng.choices((1, 2, 3, 4, 5), (12, 24, 30, 20, 14))[0] for _ in ids]
        total = sum(sizes)
        while total != residents:  # nudged to the exact total
            i = rng.randrange(len(sizes))
            step = 1 if total < residents else -1
            if 1 <= sizes[i] + step <= 6:
                sizes[i] += step
                total += step
        people: list[dict] = []
        for hid, size in zip(ids, sizes, strict=True):
            surname = rng.choice(SURNAMES)
            for k in range(size):
                born = date(rng.randint(1935, 2020) if k else rng.randint(1935, 1998), 6, 1)
                people.append(
                    {
                        "household_id": hid,
                        "community_id": community.id,
                        "name": surname + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                        "sex": rng.choice(("male", "female")),
                        "birth_date": born,
                        "relation": "户主" if k == 0 else "家属",
                        "elderly_alone": size == 1 and born.year <= 1955,
                        "disabled": rng.random() < 0.01,
                    }
                )
        _chunked(db, Resident, people)
        staff = User(mobile="16600009999", name="杨丽华", password_hash="x", role=Role.STAFF,
                     community_id=community.id, street_id=street.id)  # fmt: skip
        volunteers = [
            User(
                mobile=f"1660000{i:04d}",
                name=f"采样员{i:02d}",
                password_hash=password,  # they log in to the app
                role=Role.VOLUNTEER,
                community_id=community.id,
                street_id=street.id,
                grid_id=grids[i % len(grids)].id,
            )  # fmt: skip
            for i in range(samplers)
        ]
        db.add(staff)
        db.add_all(volunteers)
        db.commit()
        facts = {
            "community_id": saved_id(community),
            "staff_id": saved_id(staff),
            "volunteer_ids": [saved_id(v) for v in volunteers],
            "volunteer_mobiles": [v.mobile for v in volunteers],
            "households": len(ids),
            "residents": len(people),
            "buildings": buildings_total,
        }
    engine.dispose()
    return facts


# ---------------------------------------------------------------- the round


def _due(db: Session, building_ids: list[int]) -> list[tuple[int, int, int]]:
    """(resident, household, building) of those due in these buildings, door by door."""
    found: list[tuple[int, int, int]] = []
    for start in range(0, len(building_ids), 500):
        found += [
            (saved_id(r), saved_id(h), b)
            for r, h, b in db.exec(
                select(Resident.id, Household.id, Household.building_id)
                .join(Household, col(Household.id) == Resident.household_id)
                .where(
                    col(Household.building_id).in_(building_ids[start : start + 500]),
                    col(Resident.moved_out).is_(None),
                )
            ).all()
        ]
    return sorted(found, key=lambda p: (p[2], p[1], p[0]))


class Morning:
    """Tubes and samples bulk inserted as the samplers would have made them."""

    def __init__(self, round_id: int, user_id: int, when: datetime):
        self.round_id, self.user_id, self.when = round_id, user_id, when
        self.tubes = 0

    def sample(self, db: Session, site_id: int | None, people: list[tuple[int, int, int]]) -> None:
        """Into sealed tubes of 10, in queue order (a building's last tube part-filled)."""
        tubes, members = [], []
        for _, queue in _by_building(people):
            for start in range(0, len(queue), 10):
                chunk = queue[start : start + 10]
                self.tubes += 1
                tubes.append(
                    {
                        "round_id": self.round_id,
                        "site_id": site_id,
                        "barcode": f"BT{self.tubes:08d}",
                        "size": 10,
                        "filled": len(chunk),
                        "opened_by": self.user_id,
                        "opened_at": self.when,
                        "closed_at": self.when,
                    }
                )
                members.append(chunk)
        add = insert(Tube).returning(col(Tube.id), sort_by_parameter_order=True)
        ids: list[int] = []
        for start in range(0, len(tubes), CHUNK):
            ids += db.exec(add, params=tubes[start : start + CHUNK]).scalars().all()
        rows = [
            {
                "round_id": self.round_id,
                "tube_id": tube_id,
                "resident_id": r,
                "household_id": h,
                "building_id": b,
                "status": SampleStatus.SAMPLED.value,
                "by_code": True,
                "sampled_by": self.user_id,
                "sampled_at": self.when,
            }
            for tube_id, chunk in zip(ids, members, strict=True)
            for r, h, b in chunk
        ]
        _chunked(db, SampleRow, rows)


def _by_building(people: list[tuple[int, int, int]]):
    for building_id, queue in groupby(people, key=lambda p: p[2]):
        yield building_id, list(queue)


def build_round(url: str, facts: dict) -> tuple[dict, float]:
    """The round planned through the service (timed), its sites and slots, the morning so
    far bulk inserted."""
    rng = random.Random(SEED + 1)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        staff = db.get_one(User, facts["staff_id"])
        started = time.perf_counter()
        planned = testing.plan_round(
            db,
            staff,
            facts["community_id"],
            {"name": "全员核酸检测", "test_date": today_local(), "mode": "pool10"},
        )
        plan_s = time.perf_counter() - started
        round_id = saved_id(planned)
        sites = [
            saved_id(
                testing.add_site(
                    db,
                    staff,
                    round_id,
                    {
                        "name": f"第{i + 1}采样点",
                        "opens": "07:30",
                        "closes": "11:30",
                        "capacity": 3000,
                    },
                )  # fmt: skip
            )
            for i in range(SITES)
        ]
        # This community's only: with the app running the demo's share the database.
        buildings = db.exec(
            select(Building.id)
            .join(Compound, col(Compound.id) == Building.compound_id)
            .where(Compound.community_id == facts["community_id"])
            .order_by(col(Building.id))
        ).all()
        per_site = -(-len(buildings) // SITES)
        slots = []
        for j, building_id in enumerate(buildings):
            minutes = 240 * (j % per_site) // per_site
            starts = datetime.combine(date.min, clock(7, 30)) + timedelta(minutes=minutes)
            slots.append(
                {
                    "round_id": round_id,
                    "site_id": sites[j // per_site],
                    "building_id": building_id,
                    "starts": starts.time(),
                    "ends": (starts + timedelta(minutes=240 // per_site + 1)).time(),
                }
            )
        _chunked(db, SiteSlot, slots)
        # The buildings whose slot has come: the first ones of every site.
        queued = [
            s["building_id"] for j, s in enumerate(slots) if j % per_site < per_site * QUEUED_SHARE
        ]
        site_of = {s["building_id"]: s["site_id"] for s in slots}
        at_home = set(
            db.exec(
                select(HomeSamplingTask.resident_id).where(HomeSamplingTask.round_id == round_id)
            ).all()
        )
        morning = Morning(round_id, facts["volunteer_ids"][0], datetime.now(UTC))
        people = _due(db, queued)
        sampled, missed, home = [], [], []
        for person in people:
            if person[0] in at_home:
                home.append(person)
            elif rng.random() < SAMPLED_SHARE:
                sampled.append(person)
            else:
                missed.append(person)
        for site_id in sites:
            morning.sample(db, site_id, [p for p in sampled if site_of[p[2]] == site_id])
        morning.sample(db, None, home)
        db.exec(
            update(HomeSamplingTask)
            .where(
                col(HomeSamplingTask.round_id) == round_id,
                col(HomeSamplingTask.resident_id).in_(
                    select(SampleRow.resident_id).where(SampleRow.round_id == round_id)
                ),
            )
            .values(status=TaskStatus.DONE)
        )  # fmt: skip
        marks = [
            {
                "round_id": round_id,
                "resident_id": r,
                "building_id": b,
                "kind": rng.choice(("away", "hospital")),
                "reason": "外出",
                "marked_by": facts["volunteer_ids"][0],
                "marked_at": morning.when,
            }
            for r, _, b in missed
            if rng.random() < 0.33
        ]
        _chunked(db, MissedMark, marks)
        db.commit()
        facts = facts | {
            "round_id": round_id,
            "sites": sites,
            "queued": queued,
            "waiting": [b for b in buildings if b not in set(queued)],
            "morning": morning,
            "sampled": len(sampled) + len(home),
            "marks": len(marks),
        }
    engine.dispose()
    return facts, plan_s


# ---------------------------------------------------------------- timing reads


def _timed(engine: Engine, calls: list[Callable[[Session], object]]) -> list[float]:
    """Each call in a session of its own (a page load), in ms; one warm-up first."""
    with Session(engine) as db:
        calls[0](db)
    timings = []
    for call in calls:
        with Session(engine) as db:
            started = time.perf_counter()
            call(db)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def where_time_goes(engine: Engine, call: Callable[[Session], object], explain: bool) -> None:
    """Each statement's time in one call; with explain, their query plans."""
    spent: list[tuple[str, Any, float]] = []
    started_at: dict[int, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started_at[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        spent.append(
            (statement, parameters, (time.perf_counter() - started_at.pop(id(cursor))) * 1000)
        )

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        with Session(engine) as db:
            started = time.perf_counter()
            call(db)
            total = (time.perf_counter() - started) * 1000
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    in_sql = sum(ms for _, _, ms in spent)
    log(f"  one call: {total:.1f} ms, {in_sql:.1f} ms in {len(spent)} statements")
    for statement, _, ms in spent:
        log(f"  {ms:8.1f} ms  {' '.join(statement.split())[:150]}")
    if not explain:
        return
    prefix = (
        "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    )
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        for statement, parameters, _ in spent:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor = raw.cursor()
            cursor.execute(prefix + statement, parameters)
            log(f"  plan of {' '.join(statement.split())[:120]}")
            for row in cursor.fetchall():
                log(f"    {' | '.join(str(c) for c in row)}")
            cursor.close()
        conn.rollback()


def time_reads(
    url: str, facts: dict, buildings: int, runs: int, explain: bool
) -> list[tuple[str, float, str, float | None]]:
    engine = make_engine(url)
    round_id = facts["round_id"]
    with Session(engine, expire_on_commit=False) as db:
        staff = db.get_one(User, facts["staff_id"])
    everyone = facts["queued"] + facts["waiting"]
    step = max(1, len(everyone) // buildings)
    chosen = sorted(everyone)[::step][:buildings]

    def missed(building_id: int):
        return lambda db: testing.missed_list(db, staff, round_id, building_id)

    def board(db: Session):
        return testing.board(db, staff, round_id)

    with Session(engine) as db:
        shown = board(db)
        log(f"board: {shown.total}, tubes {shown.tubes}")
        biggest = max(chosen, key=lambda b: len(testing.missed_list(db, staff, round_id, b).doors))
    missed_ms = _timed(engine, [missed(b) for b in chosen])
    board_ms = _timed(engine, [board] * runs)
    results: list[tuple[str, float, str, float | None]] = [
        ("missed_list_buildings", len(chosen), "buildings", None),
        ("missed_list_p50", statistics.median(missed_ms), "ms", TARGET_MISSED_MS),
        ("missed_list_p95", percentile(missed_ms, 95), "ms", TARGET_MISSED_MS),
        ("missed_list_max", max(missed_ms), "ms", None),
        ("board_runs", runs, "runs", None),
        ("board_p50", statistics.median(board_ms), "ms", TARGET_BOARD_MS),
        ("board_p95", percentile(board_ms, 95), "ms", TARGET_BOARD_MS),
        ("board_max", max(board_ms), "ms", None),
    ]
    log("where the time goes: the missed list of the building with most doors missed")
    where_time_goes(
        engine, missed(biggest), explain or percentile(missed_ms, 95) > TARGET_MISSED_MS
    )
    log("where the time goes: the board")
    where_time_goes(engine, board, explain or percentile(board_ms, 95) > TARGET_BOARD_MS)
    engine.dispose()
    return results


# ---------------------------------------------------------------- scanning at a site


def waiting_people(url: str, facts: dict) -> list[int]:
    """Those still to come to a site (not sampled at home), in queue order: the scans' people."""
    engine = make_engine(url)
    with Session(engine) as db:
        queue = [p[0] for p in _due(db, facts["waiting"])]
        at_home = set(
            db.exec(
                select(HomeSamplingTask.resident_id).where(
                    HomeSamplingTask.round_id == facts["round_id"]
                )
            ).all()
        )
    engine.dispose()
    return [r for r in queue if r not in at_home]


def time_scans(
    url: str, facts: dict, interval: float, seconds: float, queue: list[int]
) -> tuple[list[tuple[str, float, str, float | None]], int]:
    """Samplers in threads, each scanning a code every `interval` s into tubes of their own."""
    engine = make_engine(url)
    site_id = facts["sites"][-1]
    with Session(engine, expire_on_commit=False) as db:
        samplers = [db.get_one(User, v) for v in facts["volunteer_ids"]]
    per = int(seconds / interval) + 2
    if len(queue) < per * len(samplers):
        raise SystemExit("not enough people waiting: raise --residents or lower --scan-seconds")
    timings: list[list[float]] = [[] for _ in samplers]
    errors: list[str] = []
    start_at = time.perf_counter() + 1.0
    end_at = start_at + seconds

    def work(k: int) -> None:
        sampler = samplers[k]
        people = iter(queue[k * per : (k + 1) * per])
        tube = None
        tubes = 0
        at = start_at + interval * k / len(samplers)  # staggered: not all at the same instant
        while at < end_at:
            time.sleep(max(0.0, at - time.perf_counter()))
            code = personal_code(next(people))
            started = time.perf_counter()
            try:
                with Session(engine, expire_on_commit=False) as db:
                    if tube is None or tube.closed:  # a new tube: scanned before the person
                        tubes += 1
                        barcode = f"SC{k:02d}{tubes:06d}"
                        tube = testing.open_tube(
                            db, sampler, {"site_id": site_id, "barcode": barcode}
                        )
                    tube = testing.scan_code(db, sampler, tube.id, code)
            except ServiceError as exc:
                errors.append(exc.code)
            timings[k].append((time.perf_counter() - started) * 1000)
            at += interval

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(samplers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    every = [ms for mine in timings for ms in mine]
    for code in sorted(set(errors)):
        log(f"scan refused: {code} × {errors.count(code)}")
    return [
        ("scan_samplers", len(samplers), "threads", None),
        ("scan_interval", interval, "s", None),
        ("scan_count", len(every), "scans", None),
        ("scan_per_second", len(every) / seconds, "scans/s", None),
        ("scan_p50", statistics.median(every), "ms", TARGET_SCAN_MS),
        ("scan_p95", percentile(every, 95), "ms", TARGET_SCAN_MS),
        ("scan_max", max(every), "ms", None),
        ("scan_errors", len(errors), "errors", None),
    ], len(errors)


async def _session_cookie(app_url: str, names: Names, index: int, mobile: str) -> str:
    """Log in as the browser does (the login form, then /api/session/start): the HttpOnly
    session cookie the app sets."""
    phone = Phone(
        index=index, mobile=mobile, names=names, app_url=app_url, expected_households=None
    )
    try:
        await phone.open_page("/login")
        await phone.wait_for(
            lambda u: phone._delta(u, names.root).get(names.var("is_hydrated")) is True,
            "the /login hydrate",
        )
        await phone.log_in()
    finally:
        await phone.close()
    return phone.session_cookie


async def _http_scans(
    app_url: str, facts: dict, interval: float, seconds: float, queue: list[int]
) -> tuple[list[float], list[str], float]:
    import httpx

    names = Names.from_app()
    mobiles: list[str] = facts["volunteer_mobiles"]
    logins = asyncio.Semaphore(3)  # as a site's phones would: not all in the same instant

    async def cookie(k: int) -> str:
        async with logins:
            return await _session_cookie(app_url, names, k, mobiles[k])

    cookies = await asyncio.gather(*(cookie(k) for k in range(len(mobiles))))
    log(f"{len(cookies)} samplers logged in to the app")
    round_id, site_id = facts["round_id"], facts["sites"][-1]
    per = int(seconds / interval) + 2
    timings: list[float] = []
    errors: list[str] = []
    loop = asyncio.get_running_loop()
    start_at = loop.time() + 1.0
    end_at = start_at + seconds

    async def work(k: int) -> None:
        people = iter(queue[k * per : (k + 1) * per])
        headers = {"Origin": app_url, "Cookie": f"{names.session_cookie}={cookies[k]}"}
        async with httpx.AsyncClient(base_url=app_url, headers=headers, timeout=30) as client:

            async def send(scan: dict) -> int | None:
                """One scan, timed from the request to the answer; the tube it went to."""
                body = {"scans": [scan | {"client_id": uuid.uuid4().hex, "round_id": round_id}]}
                started = time.perf_counter()
                answer = await client.post(API_ROUTE, json=body)
                timings.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    errors.append(f"HTTP {answer.status_code}")
                    return None
                (result,) = answer.json()["results"]
                if result["status"] != "ok":
                    errors.append(result.get("message", result["status"]))
                return result.get("tube_id") if result["status"] == "ok" else None

            tube_id, filled, tubes = None, 0, 0
            at = start_at + interval * k / len(mobiles)  # staggered, as in-process
            while at < end_at:
                await asyncio.sleep(max(0.0, at - loop.time()))
                if tube_id is None or filled >= TUBE_SIZE:  # a new tube: scanned first
                    tubes += 1
                    barcode = f"HT{k:02d}{tubes:06d}"
                    tube_id = await send({"site_id": site_id, "barcode": barcode})
                    filled = 0
                if tube_id is not None:
                    code = personal_code(next(people))
                    filled += await send({"tube_id": tube_id, "code": code}) is not None
                at += interval

    started = time.perf_counter()
    await asyncio.gather(*(work(k) for k in range(len(mobiles))))
    return timings, errors, time.perf_counter() - started


def time_http_scans(
    app_url: str, facts: dict, interval: float, seconds: float, queue: list[int]
) -> tuple[list[tuple[str, float, str, float | None]], int]:
    """The same site through the app's route: each sampler logged in as themselves, a scan
    every `interval` s, timed from the request to the phone's confirmation (a tube's barcode,
    scanned before its first person, is a scan of its own)."""
    timings, errors, took = asyncio.run(_http_scans(app_url, facts, interval, seconds, queue))
    for message in sorted(set(errors)):
        log(f"api scan refused: {message} × {errors.count(message)}")
    return [
        ("api_scan_samplers", len(facts["volunteer_mobiles"]), "logins", None),
        ("api_scan_count", len(timings), "requests", None),
        ("api_scan_per_second", len(timings) / took, "requests/s", None),
        ("api_scan_p50", statistics.median(timings), "ms", TARGET_SCAN_MS),
        ("api_scan_p95", percentile(timings, 95), "ms", TARGET_SCAN_MS),
        ("api_scan_max", max(timings), "ms", None),
        ("api_scan_errors", len(errors), "errors", None),
    ], len(errors)


# Set before the scanner's Enter; the outbox's banner changing (its write to localStorage and
# render are one synchronous handler) and the frame after it are stamped against it.
WATCH_BANNER = """() => {
  window.__scanTimes = [];
  new MutationObserver(() => {
    const banner = document.getElementById('scan-outbox');
    if (!banner || window.__scanStart === undefined) return;
    const saved = performance.now(), began = window.__scanStart;
    window.__scanStart = undefined;
    requestAnimationFrame(() => window.__scanTimes.push(
      {saved: saved - began, shown: performance.now() - began, text: banner.textContent}));
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target.id === 'scan') window.__scanStart = performance.now();
  }, true);
}"""


def time_offline_scans(
    app_url: str, facts: dict, scans: int, queue: list[int]
) -> list[tuple[str, float, str, float | None]]:
    """In Chromium at phone size, a sampler with a tube open loses the signal and scans
    `scans` codes: each timed from the Enter to the "N 条待发送" banner showing it."""
    from playwright.sync_api import expect, sync_playwright

    mobile = facts["volunteer_mobiles"][0]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        page.goto(app_url + "/login")
        page.wait_for_function(
            "() => Object.keys(document.querySelector('main')).some(k => k.startsWith('__react'))"
        )
        page.locator("#mobile").fill(mobile)
        page.locator("#password").fill(DEMO_PASSWORD)
        page.locator("button[type=submit]").click()
        page.wait_for_url(app_url + "/")
        page.goto(app_url + "/testing/sample")
        page.get_by_role("combobox").first.click()
        page.get_by_role("option").filter(has_text="全员核酸检测").first.click()
        page.get_by_role("combobox").nth(1).click()
        page.get_by_role("option", name=f"第{SITES}采样点", exact=True).click()
        page.locator("button[type=submit]").click()
        box = page.locator("#scan")
        box.wait_for()
        box.fill("BR000001")
        box.press("Enter")
        expect(page.locator("#tube-count")).to_have_text(f"0/{TUBE_SIZE}", timeout=30_000)
        page.evaluate(WATCH_BANNER)
        context.set_offline(True)
        page.wait_for_function("!navigator.onLine")
        for n, resident_id in enumerate(queue[:scans], start=1):
            box.fill(personal_code(resident_id))
            box.press("Enter")
            page.wait_for_function(f"window.__scanTimes.length === {n}")
        stored = page.evaluate("JSON.parse(localStorage.getItem('cep-scan-outbox')).length")
        times = page.evaluate("window.__scanTimes")
        browser.close()
    if stored != scans or str(scans) not in times[-1]["text"]:
        raise SystemExit(f"{stored} scans on the phone, banner {times[-1]['text']!r}: not {scans}")
    saved = [t["saved"] for t in times]
    shown = [t["shown"] for t in times]
    return [
        ("offline_scan_count", scans, "scans", None),
        ("offline_scan_saved_p50", statistics.median(saved), "ms", None),
        ("offline_scan_saved_p95", percentile(saved, 95), "ms", None),
        ("offline_scan_p50", statistics.median(shown), "ms", TARGET_OFFLINE_MS),
        ("offline_scan_p95", percentile(shown, 95), "ms", TARGET_OFFLINE_MS),
        ("offline_scan_max", max(shown), "ms", None),
    ]


# ---------------------------------------------------------------- the lab's results


def rest_of_day(url: str, facts: dict) -> None:
    """The afternoon, bulk inserted, so the lab has a day's tubes to report: the buildings
    still waiting queue, and those the morning missed but nobody marked come late (tubes of
    their own, building by building)."""
    engine = make_engine(url)
    round_id = facts["round_id"]
    morning: Morning = facts["morning"]
    with Session(engine) as db:
        done = set(
            db.exec(select(SampleRow.resident_id).where(SampleRow.round_id == round_id)).all()
        )
        marked = set(
            db.exec(select(MissedMark.resident_id).where(MissedMark.round_id == round_id)).all()
        )
        waiting = [p for p in _due(db, facts["waiting"]) if p[0] not in done]
        morning.sample(db, facts["sites"][0], waiting)
        late = [p for p in _due(db, facts["queued"]) if p[0] not in done | marked]
        morning.sample(db, facts["sites"][1], late)
        db.commit()
    engine.dispose()


def results_file(url: str, facts: dict, rows: int) -> bytes:
    """An .xlsx as a lab exports it: a row per tube with its number and result, 3 positive.
    No title row above the header: read_table keeps only the first row's width when the
    register's columns are not found, so the service cannot read such a file yet."""
    from openpyxl import Workbook

    engine = make_engine(url)
    with Session(engine) as db:
        barcodes = db.exec(
            select(Tube.barcode)
            .where(
                Tube.round_id == facts["round_id"],
                col(Tube.result).is_(None),
                col(Tube.closed_at).is_not(None),
            )
            .order_by(col(Tube.id))
        ).all()
    engine.dispose()
    if len(barcodes) < rows:
        raise SystemExit(f"only {len(barcodes)} tubes for {rows} result rows: raise --residents")
    rng = random.Random(SEED + 3)
    chosen = rng.sample(list(barcodes), rows)
    positive = set(chosen[:3])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "检测结果"
    sheet.append(["序号", "试管编号", "采样时间", "检测结果", "检测机构"])
    for i, barcode in enumerate(chosen, 1):
        result = "阳性" if barcode in positive else "阴性"
        sheet.append([i, barcode, f"{today_local()} 09:00", result, "华西检验中心"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def time_import(url: str, facts: dict, rows: int) -> list[tuple[str, float, str, float | None]]:
    content = results_file(url, facts, rows)
    log(f"results file: {rows} rows, {len(content) / 1e3:.0f} KB")
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        staff = db.get_one(User, facts["staff_id"])
        started = time.perf_counter()
        result = testing.import_results(db, staff, facts["round_id"], "检测结果.xlsx", content)
        import_s = time.perf_counter() - started
        stored = db.exec(
            select(func.count())
            .select_from(Tube)
            .where(Tube.round_id == facts["round_id"], col(Tube.result).is_not(None))
        ).one()
    engine.dispose()
    assert result.tubes == rows == stored and result.positive == 3, (result, stored)
    log(
        f"imported: {result.negative} negative, {result.positive} positive, "
        f"{result.retest} to retest, {len(result.quarantined)} into home quarantine"
    )
    return [
        ("import_rows", rows, "rows", None),
        ("import_retest", result.retest, "people", None),
        ("import_seconds", import_s, "s", TARGET_IMPORT_S),
    ]


# ---------------------------------------------------------------- main


def _line(name: str, value: float, unit: str, target: float | None) -> str:
    shown = f"{value:.1f}" if isinstance(value, float) else str(value)
    verdict = (
        ""
        if target is None
        else f" {'ok' if value <= target else 'over'} (target ≤ {target:g} {unit})"
    )
    return f"{name}: {shown} {unit}{verdict}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--buildings", type=int, default=100, help="missed lists timed")
    parser.add_argument("--runs", type=int, default=20, help="boards timed")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--samplers", type=int, default=10)
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between scans")
    parser.add_argument("--scan-seconds", type=float, default=60.0)
    parser.add_argument("--offline-scans", type=int, default=20, help="scans in Chromium")
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run, of {','.join(PARTS)} (default: all)",
    )
    parser.add_argument("--explain", action="store_true", help="query plans of the reads")
    parser.add_argument("--max-seconds", type=int, default=1800)
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    if parts - set(PARTS):
        parser.error(f"unknown parts {sorted(parts - set(PARTS))}; choose from {PARTS}")

    def give_up(*_):
        raise SystemExit(f"benchmark stopped after {args.max_seconds} s")

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(args.max_seconds)
    results: list[tuple[str, float, str, float | None]] = []
    errors = 0
    built: dict = {}

    def build(url: str) -> None:
        started = time.perf_counter()
        facts = build_register(url, args.residents, args.samplers)
        log(
            f"{facts['residents']} residents, {facts['households']} households, "
            f"{facts['buildings']} buildings"
        )
        facts, plan_s = build_round(url, facts)
        build_s = time.perf_counter() - started
        if make_url(url).get_backend_name() == "postgresql":  # as autovacuum does after a load
            engine = make_engine(url)
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
            engine.dispose()
        built.update(facts=facts, plan_s=plan_s, build_s=build_s)

    with contextlib.ExitStack() as stack:
        app: RunningApp | None = None
        if parts & {"http", "offline"}:  # the register goes into the started app's database
            app = stack.enter_context(running_app(build))
            if not app.started or app.database_url is None:
                raise SystemExit("unset APP_URL: the register goes into an app this script starts")
            url = app.database_url
        else:
            url = stack.enter_context(fresh_database())
            migrate(url)
            build(url)
        backend = make_url(url).get_backend_name()
        log(f"database: {backend}")
        facts = built["facts"]
        results += [
            ("residents", facts["residents"], "people", None),
            ("buildings", facts["buildings"], "buildings", None),
            ("sampled_before", facts["sampled"], "people", None),
            ("missed_marks", facts["marks"], "people", None),
            ("build", built["build_s"], "s", None),
            ("plan_round", built["plan_s"], "s", None),
        ]
        if "reads" in parts:
            results += time_reads(url, facts, args.buildings, args.runs, args.explain)
        # Each part its own people: nobody is sampled twice.
        queue = waiting_people(url, facts)
        per = (int(args.scan_seconds / args.interval) + 2) * args.samplers
        if len(queue) < 2 * per + args.offline_scans:
            raise SystemExit("not enough people waiting: raise --residents or lower --scan-seconds")
        if "scan" in parts:
            scans, failed = time_scans(url, facts, args.interval, args.scan_seconds, queue[:per])
            results += scans
            errors += failed
        if app is not None and "http" in parts:
            scans, failed = time_http_scans(
                app.url, facts, args.interval, args.scan_seconds, queue[per : 2 * per]
            )
            results += scans
            errors += failed
        if app is not None and "offline" in parts:
            results += time_offline_scans(app.url, facts, args.offline_scans, queue[2 * per :])
        if "import" in parts:
            rest_of_day(url, facts)
            results += time_import(url, facts, args.import_rows)
    signal.alarm(0)

    print(f"backend: {backend}")
    # This machine is shared: runnable processes per core say how far the figures are its own.
    print(f"load_average: {os.getloadavg()[0]:.1f} processes ({os.cpu_count()} cores)")
    for name, value, unit, target in results:
        print(_line(name, value, unit, target))
    over = any(target is not None and value > target for _, value, _, target in results)
    return 1 if over or errors else 0


if __name__ == "__main__":
    sys.exit(main())
