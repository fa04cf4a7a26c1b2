#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan+UBSan) and runs each for a bounded time from
# the seed corpus (docs/design.md 5). Fails on any crash, leak, timeout or property failure and
# prints the input in base64, to become a unit test.
#   FUZZ_SECONDS  seconds per target (default 20; 7 targets two at a time: about 80 s)
#   FUZZ_JOBS     targets run at once (default 2)
#   FUZZ_BUILD    build dir (default build-fuzz)
#   FUZZ_TARGETS  space-separated subset, e.g. "time envelope" (default: all)
# One target longer, keeping what it finds:
#   build-fuzz/fuzz/fuzz_time -max_total_time=600 -timeout=5 -rss_limit_mb=1024 \
#       /tmp/time-corpus fuzz/corpus/time
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
jobs=${FUZZ_JOBS:-2}
build=${FUZZ_BUILD:-build-fuzz}
targets=${FUZZ_TARGETS:-"envelope domain_json time resources durations http_request cron"}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="${FUZZ_CXX:-clang++}" -DCOLONIES_FUZZ=ON -DCOLONIES_TESTS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_targets

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs one target on a copy of its corpus (the repository is not modified); the log and any
# artifact stay in $work/<target>.
run_target() {
  local t=$1 dir="$work/$1"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp fuzz/corpus/"$t"/* "$dir/corpus/" 2>/dev/null || true
  "$build/fuzz/fuzz_$t" "$dir/corpus" -max_total_time="$seconds" -timeout=5 \
    -rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    >"$dir/log" 2>&1
}

declare -A pids
for t in $targets; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  run_target "$t" &
  pids[$t]=$!
done

failed=0
for t in $targets; do
  if wait "${pids[$t]}"; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t/log" | grep -o '[0-9]*$')
    echo "fuzz_$t: ok (${runs:-?} runs in ${seconds} s)"
    continue
  fi
  failed=1
  echo "fuzz_$t: FAILED"
  grep -E 'ERROR|runtime error|property failed|exception escaped|SUMMARY' "$work/$t/log" |
    head -20 || true
  for a in "$work/$t/artifacts"/*; do
    [ -f "$a" ] || continue
    echo "  input $(basename "$a") (base64): $(base64 -w0 "$a")"
  done
  echo "  (full log: tail of it below)"
  tail -40 "$work/$t/log" | sed 's/^/    /'
done
exit "$failed"
