#!/usr/bin/env bash
# Installs what the app needs into the project folder: a Python virtual environment with the
# pinned packages, and bun from the npm registry (Reflex builds the front end with it).
# `scripts/setup.sh --test` also installs the test tools and Debian's Chromium + CJK fonts.
# Source it (`. scripts/setup.sh`) to get PATH and variables set for the caller.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Python 3.11 or newer is needed (found $("$python" --version))." >&2; exit 1; }
[ -x .venv/bin/python ] || "$python" -m venv .venv

extras=""
[ $want_test = 1 ] && extras="[dev]"
stamp=".venv/.installed$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/pip install --quiet --disable-pip-version-check -e ".$extras"
  touch "$stamp"
fi

if [ ! -x .tools/node_modules/.bin/bun ]; then
  command -v npm >/dev/null || { echo "npm (Node.js) is needed to install bun." >&2; exit 1; }
  npm install --silent --no-audit --no-fund --prefix .tools bun@1.4.5
fi

# The sampler's camera reads barcodes with the ZXing polyfill where the browser has no
# BarcodeDetector; its script and .wasm are served from assets/vendor/ (no CDN at the sites).
if [ ! -f .tools/node_modules/barcode-detector/dist/iife/ponyfill.js ]; then
  npm install --silent --no-audit --no-fund --prefix .tools barcode-detector@3.2.2
fi
vendor=assets/vendor/barcode-detector
if [ ! -f $vendor/zxing_reader.wasm ]; then
  mkdir -p $vendor
  cp .tools/node_modules/barcode-detector/dist/iife/ponyfill.js $vendor/
  cp .tools/node_modules/zxing-wasm/dist/reader/zxing_reader.wasm $vendor/
fi

# axe-core checks every page for accessibility problems in the browser tests.
if [ $want_test = 1 ] && [ ! -f .tools/node_modules/axe-core/axe.min.js ]; then
  npm install --silent --no-audit --no-fund --prefix .tools axe-core@4.14.1
fi

if [ $want_test = 1 ] && { [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; }; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi

export PATH="$PWD/.tools/node_modules/.bin:$PWD/.venv/bin:$PATH"
export REFLEX_USE_SYSTEM_BUN=1
export REFLEX_TELEMETRY_ENABLED=false
