#!/usr/bin/env bash
# What the code-export round-trip tests run the generated snippets with (and the TypeScript SDK the
# simulator fault test drives): Debian's nodejs, npm, jq and curl when missing, and
# @anthropic-ai/sdk + typescript from npm into tests/codegen_node/ (node_modules is gitignored).
# Idempotent: does nothing when all is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" = "0" ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
folder=tests/codegen_node
stamp=$folder/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ "$folder/package-lock.json" -nt "$stamp" ]; then
  npm ci --prefix "$folder" --no-audit --no-fund --loglevel=error
fi
