#!/usr/bin/env bash
# How much a stranger's long texts slow everyone else (issue #16, docs/BENCHMARKS.md
# "Eleventh sitting"). A fresh `deskbell serve --no-bot --max-body-bytes 1048576` on
# 127.0.0.1 with scripts/bench.sh's limits and a temporary data directory; a victim load
# of short messages (`deskbell-load latency --rate 1000 --conversations 1000`, 20 s) and,
# from its 6th second, a stranger: 4 visitors sending BODY-byte texts in a closed loop
# (`deskbell-load throughput --connections 4 --body-bytes BODY`, 20 s). Prints both
# RESULT lines; the victim's ack latency is the figure (its delivery latency is not: the
# second generator logs in as the same agent accounts, so the victim's agents receive
# the stranger's texts too). The hourly text budget is off (`--text-kb-per-hour 0`), as
# in scripts/bench.sh: with the default (4,096 KB) the stranger is refused after four
# such texts. Loopback only; every step has a timeout; about 45 s.
#
# Usage: scripts/bench-stranger.sh [BODY]   BODY: bytes per text (default 1000000;
#        0 runs the victim alone).
# Environment: SERVER_BIN (default target/dist/deskbell), LOAD_BIN (default
# target/dist/deskbell-load), BENCH_PORT (default 18090), KEEP=1 keeps the outputs.
set -euo pipefail
cd "$(dirname "$0")/.."

BODY=${1:-1000000}
PORT=${BENCH_PORT:-18090}
ADDR=127.0.0.1:$PORT
SERVER_BIN=${SERVER_BIN:-target/dist/deskbell}
LOAD_BIN=${LOAD_BIN:-target/dist/deskbell-load}
ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d /tmp/deskbell-stranger.XXXXXX)
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Builds before the text budget (90be637) do not know its flag.
budget=()
# The help is read whole first: `grep -q` in a pipe would exit at the first match and
# the server, still printing, would die of SIGPIPE and make the test false (pipefail)
# now and then (the flag left out, every run's texts refused once 4 MB were stored).
help_text=$("$SERVER_BIN" serve --help 2>/dev/null || true)
if [[ $help_text == *--text-kb-per-hour* ]]; then
    budget=(--text-kb-per-hour 0)
fi
"$SERVER_BIN" serve --listen "$ADDR" --data "$WORK/data" --rate-per-sec 100000 \
    --rate-burst 100000 --max-connections-per-address 1000000 --new-visitors-per-minute 0 \
    "${budget[@]}" --no-bot --max-body-bytes 1048576 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    curl -sf "http://$ADDR/healthz" >/dev/null && break
    sleep 0.1
done

timeout 120 "$LOAD_BIN" --addr "$ADDR" --data "$WORK/data" --server-pid "$SERVER_PID" \
    latency --rate 1000 --conversations 1000 --agents 2 --duration-secs 20 \
    >"$WORK/victim.out" 2>&1 &
VICTIM=$!
STRANGER=
if [[ $BODY != 0 ]]; then
    sleep 6
    timeout 120 "$LOAD_BIN" --addr "$ADDR" --data "$WORK/data" \
        throughput --connections 4 --agents 1 --duration-secs 20 --body-bytes "$BODY" \
        >"$WORK/stranger.out" 2>&1 &
    STRANGER=$!
fi
wait "$VICTIM" || echo "the victim's load failed; see $WORK/victim.out" >&2
if [[ -n $STRANGER ]]; then
    wait "$STRANGER" || echo "the stranger's load failed; see $WORK/stranger.out" >&2
fi
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown), server: $SERVER_BIN, body: $BODY"
grep -h "ack latency\|CPU: server" "$WORK/victim.out" | sed 's/^/victim:   /'
grep -h "RESULT" "$WORK/victim.out" | sed 's/^/victim:   /'
if [[ -n $STRANGER ]]; then grep -h "RESULT\|acks:" "$WORK/stranger.out" | sed 's/^/stranger: /'; fi
