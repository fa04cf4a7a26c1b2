# shellcheck shell=bash
# Shared by the packaging tests (sourced). Each test works in its own temporary directory,
# removed at exit together with any server it started.
set -euo pipefail

work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2> /dev/null || true
        wait "$server_pid" 2> /dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# A TCP port nobody listens on now.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits up to 30 s for GET /health on 127.0.0.1:$1 to answer 200; fails if the server exits.
wait_healthy() {
    local port=$1
    for _ in $(seq 300); do
        if python3 - "$port" 2> /dev/null << 'PY'; then return 0; fi
import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/health" % sys.argv[1], timeout=1)
PY
        kill -0 "$server_pid" 2> /dev/null || fail "the server exited before it became healthy"
        sleep 0.1
    done
    fail "the server on port $port did not become healthy in 30 s"
}
