#!/usr/bin/env bash
# Configure and build into ./build (the `default` preset: Release with debug info).
# COLONIES_WERROR=ON (as CI sets it) turns warnings into errors.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default -DCOLONIES_WERROR="${COLONIES_WERROR:-OFF}"
cmake --build --preset default -j"$(nproc)"
