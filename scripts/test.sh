#!/usr/bin/env bash
# The README's test command: install dependencies, build (warnings are errors), run every test,
# run the fuzz targets for a bounded time, then every test again under ASan + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then bash scripts/install-deps.sh; else sudo bash scripts/install-deps.sh; fi
export COLONIES_WERROR=ON

bash scripts/build.sh
(cd build && ctest --output-on-failure --timeout 600 -j2)

# Each libFuzzer target for a bounded time (about a minute; scripts/fuzz.sh).
bash scripts/fuzz.sh

# The same tests under AddressSanitizer + UndefinedBehaviorSanitizer (the `asan` preset, built at
# -O0 so that it builds in minutes); any sanitizer report fails the run.
bash scripts/test-asan.sh --timeout 600
