#!/usr/bin/env bash
# Build and start a development server on SQLite with the fixed development keys
# (protocol.md 2.4): server K1, colony `dev` owned by K2, executor/user K3.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x build/src/cli/colonies ]; then
  if [ "$(id -u)" = 0 ]; then bash scripts/install-deps.sh; else sudo bash scripts/install-deps.sh; fi
  bash scripts/build.sh
fi
export COLONIES_SERVER_ID=039231c7644e04b6895471dd5335cf332681c54e27f81fac54f9067b3f2c0103
mkdir -p "${COLONIES_DATA_DIR:-$HOME/.colonies}"
exec build/src/cli/colonies server start --insecure --initdb \
  --port "${COLONIES_SERVER_PORT:-50080}" \
  --dbpath "${COLONIES_DATA_DIR:-$HOME/.colonies}/dev.db"
