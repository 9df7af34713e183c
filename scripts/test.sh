#!/usr/bin/env bash
# One command from a fresh clone to the whole test suite:  ./scripts/test.sh [pytest args]
# Service tests run on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set;
# the browser tests run the built app, and once more on PostgreSQL + Redis when
# TEST_DATABASE_URL and TEST_REDIS_URL are both set.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh --test
ruff check .
ruff format --check .
pyright
lint-imports --no-cache
exec python -m pytest -q "$@"
