#!/usr/bin/env bash
# Build (first time: install packages too) and run `colonies dev`: a development server on
# SQLite with the well-known development keys (docs/getting-started.md). Extra arguments go to
# `colonies dev` (e.g. --fresh, --port 50081).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x build/src/cli/colonies ]; then
  if [ "$(id -u)" = 0 ]; then bash scripts/install-deps.sh; else sudo bash scripts/install-deps.sh; fi
  bash scripts/build.sh
fi
exec build/src/cli/colonies dev "$@"
