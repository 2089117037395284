#!/usr/bin/env bash
# Send → bot reply through the real visitor path (issue #12's latency budget): starts
# BINARY on loopback with a fresh temporary data directory, then `deskbell-load bot`
# creates the admin, saves the first 14 entries of FAQ and sends every message of
# MESSAGES, one at a time, each from a fresh visitor, ROUNDS times; it prints the
# percentiles of send → ack, send → bot message and send → hand-off note. Stops the
# server at the end; every step is bounded.
#
# Usage: scripts/bench-bot.sh [BINARY] [ROUNDS]
#   BINARY  default: dist/deskbell-<version>-x86_64-unknown-linux-musl
#   ROUNDS  default 1
# Environment: FAQ, MESSAGES (default: the bakery's English FAQ and calibration set;
# holdout files are refused), LOAD (a built deskbell-load; default
# ${CARGO_TARGET_DIR:-target}/dist/deskbell-load), BENCH_PORT (default 18095).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
BINARY=${1:-dist/deskbell-$version-x86_64-unknown-linux-musl}
ROUNDS=${2:-1}
FAQ=${FAQ:-tests/fixtures/bot_eval/bakery-en-faq.json}
MESSAGES=${MESSAGES:-tests/fixtures/bot_eval/bakery-en-calibration.json}
LOAD=${LOAD:-${CARGO_TARGET_DIR:-target}/dist/deskbell-load}
ADDR=127.0.0.1:${BENCH_PORT:-18095}
case $MESSAGES in *-holdout.json) echo "holdout files are not for benchmarks" >&2; exit 2 ;; esac

DATA=$(mktemp -d /tmp/deskbell-bench-bot.XXXXXX)
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$DATA"
}
trap cleanup EXIT

# Every message opens a new conversation from the same address: lift the limits.
mkdir -p "$DATA/data"
"$BINARY" serve --listen "$ADDR" --data "$DATA/data" --new-visitors-per-minute 0 \
    --max-connections-per-address 1000000 --rate-per-sec 100000 --rate-burst 100000 \
    >"$DATA/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 600); do
    curl -sf "http://$ADDR/healthz" >/dev/null && break
    sleep 0.1
done
curl -sf "http://$ADDR/healthz" >/dev/null || { cat "$DATA/server.log" >&2; exit 1; }
echo "$BINARY; $(basename "$FAQ") + $(basename "$MESSAGES"); commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (modified)');" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
timeout 600 "$LOAD" --addr "$ADDR" --data "$DATA/data" bot --faq "$FAQ" --messages "$MESSAGES" \
    --rounds "$ROUNDS"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
