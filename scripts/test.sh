#!/usr/bin/env bash
# The README's test command: install dependencies, build, run every test; then the same tests
# again under AddressSanitizer + UndefinedBehaviorSanitizer (the `asan` preset, ./build-asan).
# Warnings are errors in both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then bash scripts/install-deps.sh; else sudo bash scripts/install-deps.sh; fi
export COLONIES_WERROR=ON

bash scripts/build.sh
(cd build && ctest --output-on-failure --timeout 600 -j2)

# Fuzzing goes here (scripts/fuzz.sh), between the default tests and the sanitizer build.

bash scripts/test-asan.sh
