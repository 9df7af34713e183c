"""Database engine and sessions. SQLite is the embedded default; PostgreSQL for scale-out."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine

from app.settings import get_settings


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        # WAL lets readers go on while one writer commits; foreign keys are off by default.
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Row | int | None) -> int:
    """The primary key of a row already in the database, or such a key read by a query.
    Models type `id` optional only because a new row has none until it is flushed; reaching
    here without one is a bug."""
    key = row if row is None or isinstance(row, int) else row.id
    if key is None:
        raise RuntimeError(f"no id: {row!r} has not been flushed")
    return key


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table a model maps, for Core statements (SQLModel sets `__table__` on table
    models but does not declare it)."""
    table = sa.inspect(model).local_table
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: services commit; anything left uncommitted is rolled back."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def enum_column(enum: type[StrEnum]) -> sa.Enum:
    """An enum stored as its value in a VARCHAR (no PostgreSQL enum type to migrate) and
    read back as the enum member."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


@contextmanager
def sibling_database(
    url: str, suffix: str, on_drop_error: Callable[[Exception], None] | None = None
) -> Iterator[str]:
    """A new, empty PostgreSQL database `<db>_<suffix>` next to the one `url` names (for test
    and benchmark runs that must not touch it); dropped again on exit. A drop that fails
    raises, unless `on_drop_error` takes it."""
    base = make_url(url)
    name = f"{base.database or 'postgres'}_{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    try:
        drop()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            drop()
        except Exception as exc:
            if on_drop_error is None:
                raise
            on_drop_error(exc)
        finally:
            admin.dispose()
