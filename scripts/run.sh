#!/usr/bin/env bash
# One command from a fresh clone to the running app with demo data:
#   ./scripts/run.sh            → http://localhost:3000   (PORT=8080 ./scripts/run.sh to change)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
python -m app.cli migrate
python -m app.cli load-demo
port=${PORT:-3000}
echo "Starting on http://localhost:$port …"
exec reflex run --env prod --single-port --frontend-port "$port" --backend-port "$port"
