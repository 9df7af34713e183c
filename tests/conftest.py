"""Service tests run on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.

The schema comes from the real Alembic migrations, built once per session per database;
each test then starts from empty tables."""

import asyncio
import os
import shutil
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import app.models  # noqa: F401  (registers every table)
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
from app.community.service import new_household
from app.db import make_engine

PASSWORD = "Secret123"
_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for every test user

BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("db") / "template.db"
    migrate(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def _postgres_engine():
    url = os.environ["TEST_DATABASE_URL"]
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate(url)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path) -> Engine:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        eng = make_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
        return
    eng = request.getfixturevalue("_postgres_engine")
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with eng.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield eng


@pytest.fixture
def db(engine) -> Session:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@dataclass
class Counted:
    """The SQL statements run inside one `count_queries()` block."""

    statements: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.statements)

    def report(self) -> str:
        """Each distinct statement with how often it ran, most repeated first: an N+1 tops
        the list."""
        lines = [f"{self.total} SQL statements:"]
        for sql, times in Counter(self.statements).most_common():
            lines.append(f"--- x{times}\n{sql}")
        return "\n".join(lines)


@pytest.fixture
def count_queries(engine) -> Callable[[], AbstractContextManager[Counted]]:
    """`with count_queries() as counted: ...` then `assert counted.total <= N`. The statements
    are printed on leaving the block; pytest shows them when the test fails."""

    @contextmanager
    def counting() -> Iterator[Counted]:
        counted = Counted()

        def record(_conn, _cursor, statement, _params, _context, _executemany):
            counted.statements.append(" ".join(statement.split()))

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield counted
        finally:
            event.remove(engine, "before_cursor_execute", record)
            print(counted.report())

    return counting


@dataclass
class World:
    """Two streets: 东湖 with communities A and B, 西城 with community C; one user per role.
    The volunteer works in grid 1 of A, which holds the household's building; `outside` is a
    household of A in no grid."""

    street: Street
    other_street: Street
    community: Community
    sibling: Community
    far: Community
    household: Household
    outside: Household
    far_household: Household
    grid: Grid
    admin: User
    street_staff: User
    staff: User
    far_staff: User
    volunteer: User
    resident: User

    def by_role(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


def add_user(
    db: Session,
    mobile: str,
    role: Role,
    community: Community | None = None,
    street: Street | None = None,
    **extra,
) -> User:
    user = User(
        mobile=mobile,
        name=extra.pop("name", f"用户{mobile[-4:]}"),
        password_hash=_HASH,
        role=role,
        community_id=community.id if community else None,
        street_id=street.id if street else (community.street_id if community else None),
        **extra,
    )
    db.add(user)
    db.commit()
    return user


def add_household(
    db: Session,
    community: Community,
    compound_name: str,
    door: str,
    members: tuple[str, ...] = ("张伟",),
) -> Household:
    compound = Compound(community_id=community.id, name=compound_name)
    db.add(compound)
    db.flush()
    building = Building(compound_id=compound.id, number="3")
    db.add(building)
    db.flush()
    unit = Unit(building_id=building.id, number="2")
    db.add(unit)
    db.flush()
    household = new_household(compound, building, unit, door)
    db.add(household)
    db.flush()
    for i, name in enumerate(members):
        db.add(
            Resident(
                household_id=household.id,
                community_id=community.id,
                name=name,
                sex="male",
                relation="户主" if i == 0 else "子女",
            )
        )
    db.commit()
    return household


@pytest.fixture
def world(db) -> World:
    east = Street(name="东湖街道", district="锦江区")
    west = Street(name="西城街道", district="青羊区")
    db.add_all([east, west])
    db.flush()
    a = Community(street_id=east.id, name="锦官驿社区")
    b = Community(street_id=east.id, name="清泉社区")
    c = Community(street_id=west.id, name="上游社区")
    db.add_all([a, b, c])
    db.commit()
    household = add_household(db, a, "望江花园", "501", ("罗辉", "罗小雨"))
    outside = add_household(db, a, "锦城苑", "1101", ("李雪",))
    far_household = add_household(db, c, "上游小区", "301")
    grid = Grid(community_id=a.id, name="第一网格", worker_name="周敏", worker_mobile="13512345678")
    db.add(grid)
    db.flush()
    building = db.get(Building, household.building_id)
    building.grid_id = grid.id
    db.add(building)
    db.commit()
    return World(
        street=east,
        other_street=west,
        community=a,
        sibling=b,
        far=c,
        household=household,
        outside=outside,
        far_household=far_household,
        grid=grid,
        admin=add_user(db, "13800000000", Role.ADMIN),
        street_staff=add_user(db, "13800000009", Role.STREET_STAFF, street=east),
        staff=add_user(db, "13800000001", Role.STAFF, a),
        far_staff=add_user(db, "13800000005", Role.STAFF, c),
        volunteer=add_user(db, "13900000001", Role.VOLUNTEER, a, grid_id=grid.id),
        resident=add_user(
            db, "13700000001", Role.RESIDENT, a, household_id=household.id, name="罗辉"
        ),
    )


T = TypeVar("T")


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: once the browser tests have run, Playwright keeps an
    event loop running in the main thread, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
