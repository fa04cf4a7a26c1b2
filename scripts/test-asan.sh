#!/usr/bin/env bash
# Builds the `asan` preset (ASan + UBSan, no mimalloc) into ./build-asan and runs every test
# there. The tests and every `colonies` process they start write sanitizer reports to
# build-asan/sanitizer-logs (tests/CMakeLists.txt); any report fails this script, also one from
# a server child whose test passed. COLONIES_WERROR=ON turns warnings into errors.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset asan -DCOLONIES_WERROR="${COLONIES_WERROR:-OFF}"
cmake --build --preset asan -j"$(nproc)"
logs=build-asan/sanitizer-logs
rm -rf "$logs" && mkdir -p "$logs"
status=0
(cd build-asan && ctest --output-on-failure -j2 "$@") || status=$?
if compgen -G "$logs/*" >/dev/null; then
  echo "sanitizer reports in $logs:" >&2
  for f in "$logs"/*; do echo "==== $f" >&2; cat "$f" >&2; done
  status=1
fi
exit "$status"
