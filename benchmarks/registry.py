"""The people register at street scale: search, and importing a roster spreadsheet.

    .venv/bin/python benchmarks/registry.py [--households 100000] [--residents 300000]
                                            [--runs 50] [--import-rows 10000] [--explain]

1. Builds a registry in a fresh database migrated with `app.cli.migrate`: SQLite in a temp
   folder, or, when DATABASE_URL is a postgresql URL, a database `<db>_bench_registry` created
   next to it (and dropped afterwards). One street, two communities, five compounds of many
   high-rise buildings (2 units × 25 floors × 2 doors), grids of 40 buildings; families with
   realistic names (the demo's surname weights and generation-typical given names), mobiles
   for grown-ups and valid ID numbers for 97 % of people. Bulk inserts.
2. Times `app.community.service.search` as a staff member of the big community (60 % of the
   registry) and as a volunteer of one grid, 50 runs per query kind: a surname ("王"), a full
   name, a name no one has, the last four digits of a mobile, a whole mobile, "3-2-501",
   "望江花园 3-2", an ID number. Prints search_<kind>_<role>_p50 / _p95 in ms
   (target: p95 ≤ 100 ms).
3. Writes a roster .xlsx of new people at existing doors and times read_table + guess_mapping +
   import_roster end to end. Prints import_<n>_rows in s (target for 10,000: ≤ 30 s).

With --explain it also prints the query plan of each search (EXPLAIN QUERY PLAN on SQLite,
EXPLAIN ANALYZE on PostgreSQL). The whole run stops itself after --max-seconds (default 1800).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, text
from sqlalchemy import select as sa_select
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

import app.models  # noqa: F401  (every table)
from app.accounts.models import Role, User
from app.cli import migrate
from app.community import register_io, service
from app.community.models import (
    Building,
    Community,
    Compound,
    Grid,
    Household,
    Resident,
    Sex,
    Street,
    Unit,
)
from app.community.service import id_check_code, new_household
from app.db import make_engine, saved_id, sibling_database
from app.demo import FamilyNamer  # the demo's names: surname weights, given names by generation

SEED = 20220401
TODAY = date(2026, 1, 1)
COMPOUNDS = (  # (community index, name, buildings)
    (0, "望江花园", 200),
    (0, "锦城苑", 200),
    (0, "水井坊小区", 200),
    (1, "清泉雅居", 200),
    (1, "香槟广场", 200),
)
UNITS, FLOORS, DOORS_PER_FLOOR = 2, 25, 2  # 100 doors a building
GRID_BUILDINGS = 40
REGIONS = ("510104", "510105", "510106", "510107", "510108", "510112", "500101", "420106")
CHUNK = 2000


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the database


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith("postgresql"):
        with sibling_database(given, "bench_registry") as url:
            yield url
        return
    folder = tempfile.mkdtemp(prefix="bench_registry_")
    try:
        yield f"sqlite:///{folder}/registry.db"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- building the registry


def _id_number(rng: random.Random, born: date, sex: Sex, used: set[str]) -> str:
    while True:
        digit = rng.choice((1, 3, 5, 7, 9) if sex == Sex.MALE else (0, 2, 4, 6, 8))
        first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(100):02d}{digit}"
        if first17 not in used:
            used.add(first17)
            return first17 + id_check_code(first17)


_RELATIONS = ("户主", "配偶", "子女", "子女", "父母")


def _family(rng: random.Random, namer: FamilyNamer, size: int) -> list[dict]:
    """size people: a head, a spouse, children, a parent; ages and sexes to match."""
    head_age = rng.randint(25, 85) if size == 1 else rng.randint(30, 60)
    head_sex = Sex.MALE if rng.random() < 0.6 else Sex.FEMALE
    surname = namer.surname()
    people = []
    for i in range(size):
        relation = _RELATIONS[min(i, 4)]
        if i == 0:
            age, sex, last = head_age, head_sex, surname
        elif relation == "配偶":
            age = max(20, head_age + rng.randint(-5, 5))
            sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
            last = namer.surname()
        elif relation == "子女":
            age, sex, last = max(0, head_age - rng.randint(22, 36)), rng.choice(list(Sex)), surname
        else:
            age = min(95, head_age + rng.randint(22, 32))
            sex, last = rng.choice(list(Sex)), surname if rng.random() < 0.5 else namer.surname()
        born = TODAY - timedelta(days=age * 365 + rng.randint(0, 364))
        people.append(
            {
                "name": last + namer.given(sex, born.year),
                "sex": sex,
                "birth_date": born,
                "relation": relation,
                "adult": age >= 18,
            }
        )
    return people


def build(url: str, households: int, residents: int) -> dict:
    """The registry, bulk inserted. Returns what the timings need."""
    rng = random.Random(SEED)
    namer = FamilyNamer(rng, set())
    engine = make_engine(url)
    facts: dict = {"names_at": {}}
    with Session(engine, expire_on_commit=False) as db:
        street = Street(name="东湖街道", district="锦江区")
        db.add(street)
        db.flush()
        communities = [
            Community(street_id=saved_id(street), name="锦官驿社区"),
            Community(street_id=saved_id(street), name="清泉社区"),
        ]
        db.add_all(communities)
        db.flush()
        per_building = UNITS * FLOORS * DOORS_PER_FLOOR
        scale = households / (sum(b for _, _, b in COMPOUNDS) * per_building)
        rows: list[dict] = []
        grid_of_community: dict[int, list[Grid]] = {}
        for ci, name, count in COMPOUNDS:
            community = communities[ci]
            compound = Compound(community_id=saved_id(community), name=name)
            db.add(compound)
            db.flush()
            buildings = [
                Building(compound_id=saved_id(compound), number=str(n))
                for n in range(1, max(1, round(count * scale)) + 1)
            ]
            grids = grid_of_community.setdefault(saved_id(community), [])
            for i, building in enumerate(buildings):
                if i % GRID_BUILDINGS == 0:
                    grids.append(
                        Grid(community_id=saved_id(community), name=f"{name}第{i // 40 + 1}网格")
                    )
                    db.add(grids[-1])
                    db.flush()
                building.grid_id = grids[-1].id
            db.add_all(buildings)
            db.flush()
            units = [
                Unit(building_id=saved_id(b), number=str(u)) for b in buildings for u in (1, 2)
            ]
            db.add_all(units)
            db.flush()
            by_building = {b.id: b for b in buildings}
            for unit in units:
                for floor in range(1, FLOORS + 1):
                    for d in range(1, DOORS_PER_FLOOR + 1):
                        household = new_household(
                            compound, by_building[unit.building_id], unit, f"{floor}{d:02d}"
                        )
                        rows.append(household.model_dump(exclude={"id"}))
        rows = rows[:households]
        add = insert(Household).returning(col(Household.id), sort_by_parameter_order=True)
        ids: list[int] = []
        for start in range(0, len(rows), CHUNK):
            ids += db.exec(add, params=rows[start : start + CHUNK]).scalars().all()
        log(f"{len(ids)} households")

        # Family sizes of a city register, then nudged to the exact total.
        sizes = [rng.choices((1, 2, 3, 4, 5), (12, 24, 30, 20, 14))[0] for _ in ids]
        total = sum(sizes)
        while total != residents:
            i = rng.randrange(len(sizes))
            step = 1 if total < residents else -1
            if 1 <= sizes[i] + step <= 6:
                sizes[i] += step
                total += step
        used_ids: set[str] = set()
        batch: list[dict] = []
        people_total = 0
        for hid, row, size in zip(ids, rows, sizes, strict=True):
            family = _family(rng, namer, size)
            facts["names_at"][hid] = {p["name"] for p in family}
            for p in family:
                mobile = namer.mobile() if p["adult"] and rng.random() < 0.9 else ""
                batch.append(
                    {
                        "household_id": hid,
                        "community_id": row["community_id"],
                        "name": p["name"],
                        "sex": p["sex"].value,
                        "birth_date": p["birth_date"],
                        "mobile": mobile,
                        "mobile_tail": mobile[-4:],
                        "id_number": _id_number(rng, p["birth_date"], p["sex"], used_ids)
                        if rng.random() < 0.97
                        else "",
                        "relation": p["relation"],
                        "residency": "tenant" if rng.random() < 0.12 else "permanent",
                        "elderly_alone": size == 1 and TODAY.year - p["birth_date"].year >= 70,
                    }
                )
            if len(batch) >= CHUNK:
                db.exec(insert(Resident), params=batch)
                people_total += len(batch)
                batch = []
        if batch:
            db.exec(insert(Resident), params=batch)
            people_total += len(batch)
        log(f"{people_total} residents")

        main = communities[0]
        staff = User(mobile="13800000001", name="刘晓燕", password_hash="x", role=Role.STAFF,
                     community_id=main.id, street_id=street.id)  # fmt: skip
        grid = grid_of_community[saved_id(main)][0]
        volunteer = User(mobile="13900000001", name="王浩然", password_hash="x",
                         role=Role.VOLUNTEER, community_id=main.id, street_id=street.id,
                         grid_id=grid.id)  # fmt: skip
        db.add_all([staff, volunteer])
        db.commit()
        facts.update(
            staff_id=staff.id,
            volunteer_id=volunteer.id,
            community_id=main.id,
            grid_id=grid.id,
            used_ids=used_ids,
        )
    engine.dispose()
    return facts


# ---------------------------------------------------------------- search


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _queries(db: Session, grid_id: int) -> dict[str, str]:
    """One query of each kind, with answers inside the volunteer's grid."""
    in_grid = (
        select(Resident.name, Resident.mobile, Resident.id_number)
        .join(Household, col(Household.id) == Resident.household_id)
        .join(Building, col(Building.id) == Household.building_id)
        .where(Building.grid_id == grid_id, Resident.mobile != "", Resident.id_number != "")
        .order_by(col(Resident.id))
        .offset(37)
        .limit(1)
    )
    name, mobile, id_number = db.exec(in_grid).one()
    return {
        "surname": "王",
        "name": name,
        "name_missing": "司马青衫",  # no one: the search must not walk the whole community
        "mobile_tail": "5678",
        "mobile": mobile,
        "door": "3-2-501",
        "compound_door": "望江花园 3-2",
        "id_number": id_number,
    }


def _explain(db: Session, actor: User, query: str) -> None:
    """The plan of each statement `search` runs for this query."""
    dialect = db.get_bind().dialect.name
    statements: list = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    from sqlalchemy import event

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        service.search(db, actor, query)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    raw = db.connection().connection  # the pooled DB-API connection
    for statement, parameters in statements:
        prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        cursor = raw.cursor()
        cursor.execute(prefix + statement, parameters)
        lines = [" | ".join(str(c) for c in row) for row in cursor.fetchall()]
        cursor.close()
        print(f"#   {' '.join(statement.split())[:160]}", file=sys.stderr)
        for line in lines:
            print(f"#     {line}", file=sys.stderr)


def time_search(url: str, facts: dict, runs: int, explain: bool) -> list[tuple[str, float]]:
    engine = make_engine(url)
    results = []
    with Session(engine, expire_on_commit=False) as db:
        queries = _queries(db, facts["grid_id"])
        for role, user_id in (("staff", facts["staff_id"]), ("volunteer", facts["volunteer_id"])):
            actor = db.get_one(User, user_id)
            for kind, query in queries.items():
                hits = service.search(db, actor, query)  # warm up
                timings = []
                for _ in range(runs):
                    started = time.perf_counter()
                    service.search(db, actor, query)
                    timings.append((time.perf_counter() - started) * 1000)
                p50, p95 = statistics.median(timings), _percentile(timings, 0.95)
                results.append((f"search_{kind}_{role}_p50", p50))
                results.append((f"search_{kind}_{role}_p95", p95))
                log(f"{role} {kind} {query!r}: {len(hits)} hits, p50 {p50:.1f} ms p95 {p95:.1f}")
                if explain or p95 > 100:
                    _explain(db, actor, query)
                db.rollback()
    engine.dispose()
    return results


# ---------------------------------------------------------------- import


def roster_file(url: str, facts: dict, rows: int) -> bytes:
    """New people at existing doors of the big community, as staff would type them."""
    from openpyxl import Workbook

    rng = random.Random(SEED + 7)
    namer = FamilyNamer(rng, set())
    engine = make_engine(url)
    with Session(engine) as db:
        # Five columns: more than sqlmodel's typed select() takes, so SQLAlchemy's own.
        doors = db.execute(
            sa_select(
                col(Household.id),
                col(Compound.name),
                col(Building.number),
                col(Unit.number),
                col(Household.door),
            )
            .join(Compound, col(Compound.id) == Household.compound_id)
            .join(Building, col(Building.id) == Household.building_id)
            .join(Unit, col(Unit.id) == Household.unit_id)
            .where(col(Household.community_id) == facts["community_id"])
        ).all()
    engine.dispose()
    chosen = rng.sample(doors, min(len(doors), rows))
    book = Workbook(write_only=True)
    ws = book.create_sheet(register_io.DATA_SHEET)
    ws.append([c.zh for c in register_io.ROSTER_COLUMNS])
    used = facts["used_ids"]
    for i in range(rows):
        hid, compound, building, unit, door = chosen[i % len(chosen)]
        sex = rng.choice(list(Sex))
        born = TODAY - timedelta(days=rng.randint(20 * 365, 80 * 365))
        while True:
            name = namer.surname() + namer.given(sex, born.year)
            if name not in facts["names_at"][hid]:
                facts["names_at"][hid].add(name)
                break
        tenant = rng.random() < 0.3
        ws.append(
            [
                compound,
                f"{building}栋" if i % 3 == 0 else building,
                f"{unit}单元" if i % 3 == 0 else unit,
                door,
                name,
                "男" if sex == Sex.MALE else "女",
                born.isoformat(),
                namer.mobile(),
                _id_number(rng, born, sex, used),
                "租客" if tenant else "亲属",
                "租住" if tenant else "常住",
                (TODAY - timedelta(days=rng.randint(10, 300))).isoformat() if tenant else "",
                "",
                "是" if rng.random() < 0.02 and born.year < 1956 else "否",  # 独居老人
                "是"
                if sex == Sex.FEMALE and 1981 <= born.year <= 2003 and rng.random() < 0.05
                else "否",  # 孕妇
                *["是" if rng.random() < 0.02 else "否" for _ in range(4)],
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def time_import(url: str, facts: dict, rows: int) -> list[tuple[str, float]]:
    content = roster_file(url, facts, rows)
    log(f"roster file: {rows} rows, {len(content) / 1e6:.1f} MB")
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        staff = db.get(User, facts["staff_id"])
        before = db.exec(select(func.count()).select_from(Resident)).one()
        started = time.perf_counter()
        table = register_io.read_table("摸底表.xlsx", content)
        read_s = time.perf_counter() - started
        mapping = register_io.guess_mapping(table.headers)
        try:
            result = register_io.import_roster(db, staff, facts["community_id"], table, mapping)
        except register_io.ImportHasErrors as exc:
            for e in exc.plan.errors[:10]:
                log(f"row {e.row} {e.column} {e.value!r}: {e.code} {e.params}")
            raise
        total_s = time.perf_counter() - started
        after = db.exec(select(func.count()).select_from(Resident)).one()
    engine.dispose()
    assert result.residents_created == rows and after - before == rows, (result, before, after)
    return [
        (f"import_{rows}_rows_read_table", read_s),
        (f"import_{rows}_rows", total_s),
    ]


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--residents", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--explain", action="store_true", help="print every search's plan")
    parser.add_argument("--max-seconds", type=int, default=1800)
    args = parser.parse_args(argv)

    def give_up(*_):
        raise SystemExit(f"benchmark stopped after {args.max_seconds} s")

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(args.max_seconds)

    with fresh_database() as url:
        backend = make_url(url).get_backend_name()
        log(f"database: {backend}")
        migrate(url)
        started = time.perf_counter()
        facts = build(url, args.households, args.residents)
        build_s = time.perf_counter() - started
        if backend == "postgresql":  # what autovacuum does a minute after a bulk load
            engine = make_engine(url)
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
            engine.dispose()
        # SQLite gathers no statistics by itself, and the app does not run ANALYZE: neither
        # does the benchmark, so the plans are the ones the app gets.
        results = [("households", args.households), ("residents", args.residents)]
        results.append(("build_registry", build_s))
        searches = time_search(url, facts, args.runs, args.explain)
        results += searches
        results.append(("search_worst_p95", max(v for k, v in searches if k.endswith("_p95"))))
        results += time_import(url, facts, args.import_rows)
    signal.alarm(0)

    print(f"backend: {backend}")
    for name, value in results:
        if name in ("households", "residents"):
            print(f"{name}: {value} rows")
        elif name.startswith("search_"):
            print(f"{name}: {value:.1f} ms")
        else:
            print(f"{name}: {value:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
