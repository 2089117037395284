#!/usr/bin/env bash
# The benchmark behind docs/BENCHMARKS.md: builds the dist profile, then for each scenario starts
# a fresh `deskbell serve` on 127.0.0.1 with a temporary data directory, drives it with
# `deskbell-load` (loopback only, hard caps, stops by itself) and stops it again.
# Prints a summary at the end. Every step has a timeout; the runs take about 2.5 minutes
# after the build (a cold LTO build adds about 5 minutes on 2 CPUs).
#
#   scripts/bench.sh            all scenarios
#   scripts/bench.sh idle       only some: idle, throughput, throughput-words, latency,
#                               latency-words, quiet-words, latency10k, latency10k-long, closed1000, burst
#
# Environment: BENCH_PORT (default 18080), CARGO_TARGET_DIR (default target),
# KEEP=1 keeps the temporary directory with server logs and outputs,
# SERVER_BIN=path runs that deskbell binary (e.g. the static musl one from
# scripts/build-release.sh) instead of target/dist/deskbell,
# SERVER_EXTRA="--cache-mb 1024" adds serve flags, NO_BUILD=1 skips the cargo build.
# OUTBOX=1 runs every server with the outbox busy (issue #11): a webhook endpoint for
# every event, pointing at a loopback receiver (`deskbell-load receiver`), and email
# configured to a loopback SMTP server (aiosmtpd, discarding); the receiver's counts
# are printed as a RECEIVER line after each scenario.
# After each scenario the server's peak RSS (VmHWM), RSS and threads are printed as a
# `SERVER` line, from /proc/PID/status.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${BENCH_PORT:-18080}
ADDR=127.0.0.1:$PORT
BIN=${CARGO_TARGET_DIR:-target}/dist
SCENARIOS=${*:-idle throughput latency}
# Per-connection rate limits high enough for agents syncing thousands of conversations
# and for closed-loop visitors; visitors in the latency run send 1 message/s each.
# The load generator opens thousands of sockets from one address: lift the per-address
# cap, the new-visitor limit and the hourly text budget (`start_server` adds its flag
# for builds that have it, so older builds can still be measured alongside).
SERVER_FLAGS=(--rate-per-sec 100000 --rate-burst 100000 --max-connections-per-address 1000000
  --new-visitors-per-minute 0)
# shellcheck disable=SC2206 # word splitting wanted: several flags
SERVER_FLAGS+=(${SERVER_EXTRA:-})
RECEIVER_PORT=$((PORT + 1))
SMTP_PORT=$((PORT + 2))
if [[ ${OUTBOX:-0} == 1 ]]; then
    SERVER_FLAGS+=(--allow-private-webhooks --smtp-url "smtp://127.0.0.1:$SMTP_PORT"
        --smtp-from "Bench <bench@localhost>" --public-url "http://$ADDR")
fi
SERVER_BIN=${SERVER_BIN:-$BIN/deskbell}

# Both processes hold up to 19,000 sockets: raise the soft open-file limit to the hard
# one (20,000 on the reference machine); children inherit it.
ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d /tmp/deskbell-bench.XXXXXX)
SERVER_PID=
RECEIVER_PID=
SMTP_PID=
cleanup() {
    for pid in $RECEIVER_PID $SMTP_PID; do kill -TERM "$pid" 2>/dev/null || true; done
    if [[ -n $SERVER_PID ]]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

facts() {
    echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
        "kernel $(uname -r), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
    echo "open files: soft $(ulimit -n), hard $(ulimit -Hn);" \
        "ephemeral ports: $(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
}

start_server() {
    local name=$1 budget=() help_text
    mkdir -p "$WORK/$name"
    # The help is read whole first: `grep -q` in a pipe would exit at the first match and
    # the server, still printing, would die of SIGPIPE and make the test false (pipefail)
    # now and then (the flag left out, every run's texts refused once 4 MB were stored).
    help_text=$("$SERVER_BIN" serve --help 2>/dev/null || true)
    if [[ $help_text == *--text-kb-per-hour* ]]; then
        budget=(--text-kb-per-hour 0)
    fi
    "$SERVER_BIN" serve --listen "$ADDR" --data "$WORK/$name" "${SERVER_FLAGS[@]}" "${budget[@]}" \
        >"$WORK/$name.server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -sf "http://$ADDR/healthz" >/dev/null && return 0
        sleep 0.1
    done
    echo "server did not start; log:" >&2
    cat "$WORK/$name.server.log" >&2
    exit 1
}

# One line with the server's memory and threads now, from /proc/PID/status.
server_status() {
    local name=$1
    awk -v name="$name" '/^(VmHWM|VmRSS|Threads):/ {v[$1] = $2}
        END {printf "SERVER %s VmHWM_kib=%s VmRSS_kib=%s threads=%s\n", name, v["VmHWM:"], v["VmRSS:"], v["Threads:"]}' \
        "/proc/$SERVER_PID/status"
}

stop_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=
}

# run NAME LOADGEN-ARGS...: one scenario against a fresh server.
run() {
    local name=$1
    shift
    start_server "$name"
    if [[ ${OUTBOX:-0} == 1 ]]; then
        "$BIN/deskbell-load" receiver --listen "127.0.0.1:$RECEIVER_PORT" --secs 540 \
            >"$WORK/$name.receiver" 2>&1 &
        RECEIVER_PID=$!
        "$BIN/deskbell-load" --addr "$ADDR" --data "$WORK/$name" \
            webhook --url "http://127.0.0.1:$RECEIVER_PORT/hook"
    fi
    # Idle and burst figures are RSS growth: let start-up's garbage (the model load) be
    # given back first (jemalloc purges after 10 s). Measured before it was, the growth
    # looked up to 1.5 KB per connection smaller, as the connections reused those pages.
    if [[ $name == burst-* || $name == idle-* ]]; then sleep 15; fi
    echo
    echo "== $name (load average $(cut -d' ' -f1-3 /proc/loadavg);" \
        "CPU pressure $(awk '/^some/{print $3}' /proc/pressure/cpu 2>/dev/null))"
    echo "\$ deskbell-load --addr $ADDR --data DATA --server-pid PID $*"
    timeout 480 "$BIN/deskbell-load" --addr "$ADDR" --data "$WORK/$name" \
        --server-pid "$SERVER_PID" "$@" 2>"$WORK/$name.progress" | tee "$WORK/$name.out" ||
        { echo "scenario $name failed:" >&2; tail -5 "$WORK/$name.progress" >&2; }
    server_status "$name" | tee -a "$WORK/$name.out"
    if [[ -n $RECEIVER_PID ]]; then
        # What the outbox still holds when the load ends (it keeps sending after).
        curl -s "http://$ADDR/metrics" | grep -E '^deskbell_outbox_(pending|delivered_total)' |
            tr '\n' ' ' | sed "s/^/OUTBOX $name /; s/$/\n/" | tee -a "$WORK/$name.out"
    fi
    stop_server
    if [[ -n $RECEIVER_PID ]]; then
        kill -TERM "$RECEIVER_PID" 2>/dev/null || true
        wait "$RECEIVER_PID" 2>/dev/null || true
        RECEIVER_PID=
        grep '^RECEIVER' "$WORK/$name.receiver" | tail -1 | sed "s/^RECEIVER/RECEIVER $name/" |
            tee -a "$WORK/$name.out"
    fi
}

if [[ ${NO_BUILD:-0} != 1 ]]; then
    echo "building the dist profile's binaries (fat LTO, as shipped)..."
    cargo build --profile dist --bins --quiet
fi
facts
echo "server: $SERVER_BIN ${SERVER_FLAGS[*]} (and --text-kb-per-hour 0 if the build has it)"
if [[ ${OUTBOX:-0} == 1 ]]; then
    # A loopback SMTP server that accepts and discards every mail (Debian's aiosmtpd:
    # the first python3 on PATH may be another one).
    PY=python3
    python3 -c 'import aiosmtpd' 2>/dev/null || PY=/usr/bin/python3
    "$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Sink \
        >"$WORK/smtp.log" 2>&1 &
    SMTP_PID=$!
fi


started=$(date +%s)
for scenario in $SCENARIOS; do
    case $scenario in
        idle)
            # 30 s idle: every connection has had its first ping/pong by then.
            run idle-10000 idle --connections 10000 --hold-secs 30
            run idle-19000 idle --connections 19000 --hold-secs 30
            ;;
        throughput)
            run throughput throughput --connections 2048 --agents 2 --duration-secs 20
            ;;
        latency)
            run latency latency --rate 5000 --conversations 5000 --agents 2 --duration-secs 30
            ;;
        latency-words)
            # The same with chat-like texts (5,000-word vocabulary, Zipf): as many
            # distinct search terms per message as real chat (issue #16).
            run latency-words latency --rate 5000 --conversations 5000 --agents 2 --duration-secs 30 --words 5000
            ;;
        quiet-words)
            # A shop's own pace, chat-like: 200 msg/s (each message about its own
            # commit), then 2 msg/s (idle between messages): what each message costs
            # the storage when nothing is batched (issue #16; an SD card's wear).
            run shop-200-words latency --rate 200 --conversations 2000 --agents 2 --duration-secs 20 --words 5000
            run quiet-2-words latency --rate 2 --conversations 20 --agents 1 --duration-secs 60 --words 5000
            ;;
        throughput-words)
            run throughput-words throughput --connections 2048 --agents 2 --duration-secs 20 --words 5000
            ;;
        latency10k)
            # Issue #16's tail target: p99 ≤ 10 ms, p99.9 ≤ 25 ms at 10,000 msg/s.
            run latency-10000 latency --rate 10000 --conversations 5000 --agents 2 --duration-secs 30
            ;;
        latency10k-long)
            # The same for 90 s: past the search index's busy-merge bound (issue #16).
            run latency-10000-90s latency --rate 10000 --conversations 5000 --agents 2 --duration-secs 90
            ;;
        closed1000)
            # Issue #16's closed loop: 1,000 visitors and many agents (the generator's cap).
            run closed-1000 throughput --connections 1000 --agents 64 --duration-secs 20
            ;;
        burst)
            # Open and close 2,000 then 10,000 connections; memory and threads must
            # come back to their idle figures (issue #9).
            run burst-2000 burst --connections 2000 --settle-secs 15
            run burst-10000 burst --connections 10000 --settle-secs 15
            ;;
        *)
            echo "unknown scenario $scenario (idle, throughput, throughput-words, latency, latency-words, quiet-words, latency10k, latency10k-long, closed1000, burst)" >&2
            exit 2
            ;;
    esac
done

echo
echo "== summary ($(($(date +%s) - started)) s)"
facts
cat "$WORK"/*.out 2>/dev/null | grep -E '^(RESULT|SERVER|OUTBOX|RECEIVER)' || echo "no results"
