#!/usr/bin/env bash
# Sets up everything the tests need (venv, packages, Debian's chromium) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
if [ ! -x /usr/bin/chromium ]; then
  # Browser journeys drive Debian's chromium; Playwright never downloads a browser here.
  sudo_cmd=""
  [ "$(id -u)" = "0" ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
bash scripts/node_deps.sh  # node, npm, jq and the npm packages the export round-trip tests run
exec .venv/bin/python -m pytest "$@"
