#!/usr/bin/env bash
# ColonyFS sync throughput (issue 15): `colonies fs sync` of FILES files (TOTAL_MIB in all) to an
# s3rver on loopback through a `colonies dev` server, then a second sync after changing 3 files.
# Prints files/s and MB/s of each sync. Not a test: run it by hand.
#   bench/fs/fs_sync_bench.sh [path/to/colonies]     (FILES=1000 TOTAL_MIB=100 by default)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COLONIES=${1:-$ROOT/build/src/cli/colonies}
FILES=${FILES:-1000}
TOTAL_MIB=${TOTAL_MIB:-100}
S3RVER=$ROOT/tests/support/node_modules/s3rver/bin/s3rver.js
[ -x "$COLONIES" ] || { echo "no colonies binary at $COLONIES" >&2; exit 1; }
[ -f "$S3RVER" ] || { echo "s3rver missing: run scripts/install-deps.sh" >&2; exit 1; }

WORK=$(mktemp -d /tmp/colonies-fsbench-XXXXXX)
cleanup() { kill "${DEV_PID:-}" "${S3_PID:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

S3_PORT=$(free_port)
mkdir -p "$WORK/s3"
node "$S3RVER" -d "$WORK/s3" -a 127.0.0.1 -p "$S3_PORT" --silent --no-vhost-buckets &
S3_PID=$!
DEV_PORT=$(free_port)
"$COLONIES" dev --datadir "$WORK/dev" --port "$DEV_PORT" > "$WORK/dev.out" 2> "$WORK/dev.err" &
DEV_PID=$!
for _ in $(seq 100); do grep -q 'export COLONIES_EXECUTOR_TYPE' "$WORK/dev.out" 2>/dev/null && break; sleep 0.1; done
eval "$(grep '^export ' "$WORK/dev.out")"
export AWS_S3_ENDPOINT=127.0.0.1:$S3_PORT AWS_S3_ACCESSKEY=S3RVER AWS_S3_SECRETKEY=S3RVER
export AWS_S3_REGION=us-east-1 AWS_S3_BUCKET=bench AWS_S3_TLS=false

SIZE=$((TOTAL_MIB * 1024 * 1024 / FILES))
mkdir -p "$WORK/data"
python3 - "$WORK/data" "$FILES" "$SIZE" <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    with open(os.path.join(d, "file%04d.bin" % i), "wb") as f:
        f.write(os.urandom(size))
PY

timed_sync() {  # label: prints files/s and MB/s from the transfer's own line
    local t0 t1
    t0=$(date +%s.%N)
    "$COLONIES" fs sync -l /bench -d "$WORK/data" --yes 2> "$WORK/sync.err"
    t1=$(date +%s.%N)
    local line; line=$(grep 'Uploading /bench:' "$WORK/sync.err" || true)
    python3 - "$1" "$t0" "$t1" "$line" <<'PY'
import re, sys
what, t0, t1, line = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
m = re.search(r"(\d+) files, ([\d.]+) MiB", line)
files, mib = (int(m.group(1)), float(m.group(2))) if m else (0, 0.0)
secs = t1 - t0
print("%-34s %5d files %8.1f MiB %7.2f s  %8.1f files/s  %7.1f MB/s" % (
    what, files, mib, secs, files / secs, mib * 1.048576 / secs))
PY
}

timed_sync "first sync ($FILES files)"
for i in 1 2 3; do head -c "$SIZE" /dev/urandom > "$WORK/data/file000$i.bin"; done
timed_sync "second sync (3 files changed)"
timed_sync "third sync (nothing changed)"

# A snapshot of the label, downloaded into an empty directory: bit-identical to the source.
"$COLONIES" fs snapshot create -l /bench -n bench-snap > /dev/null 2>&1
t0=$(date +%s.%N)
"$COLONIES" fs snapshot download -n bench-snap -d "$WORK/snap" 2> "$WORK/snap.err"
t1=$(date +%s.%N)
python3 - "$t0" "$t1" "$(grep 'Downloading snapshot' "$WORK/snap.err")" <<'PY'
import re, sys
t0, t1, line = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
m = re.search(r"(\d+) files, ([\d.]+) MiB", line)
files, mib = (int(m.group(1)), float(m.group(2))) if m else (0, 0.0)
secs = t1 - t0
print("%-34s %5d files %8.1f MiB %7.2f s  %8.1f files/s  %7.1f MB/s" % (
    "snapshot download", files, mib, secs, files / secs, mib * 1.048576 / secs))
PY
diff -r -x .cfs "$WORK/data" "$WORK/snap" && echo "snapshot download: bit-identical to the source"
