"""Alembic environment: the app's metadata and DATABASE_URL (or a URL passed by tests)."""

from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from alembic import context
from app.db import make_engine
from app.settings import get_settings

url = context.config.attributes.get("url") or get_settings().database_url


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations rebuild tables; SQLite cannot do that with foreign keys enforced.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
