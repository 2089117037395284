#!/usr/bin/env bash
# Smoke test of release binaries: starts each one (ARM ones under qemu-user) on a free
# loopback port with a temporary data directory, waits for /healthz, runs one
# visitor→agent→visitor round trip over WebSocket (src/bin/deskbell-smoke.rs, built
# natively), sends SIGTERM and requires exit status 0 within STOP_SECS.
#
# Usage: scripts/smoke-release.sh [dist/deskbell-<version>-<target>...]
#   default: every dist/deskbell-<version>-<target> (scripts/build-release.sh makes them)
# Environment: SMOKE_CLIENT (a built deskbell-smoke; default: cargo build --bin
#   deskbell-smoke), START_SECS (default 60), ROUND_TRIP_SECS (60), STOP_SECS (10),
#   QEMU_CPU (read by qemu-user: e.g. cortex-a72 to emulate a Raspberry Pi 4).
# Prints the timings of each step; exits non-zero if any binary fails.
set -euo pipefail
cd "$(dirname "$0")/.."

START_SECS=${START_SECS:-60}
ROUND_TRIP_SECS=${ROUND_TRIP_SECS:-60}
STOP_SECS=${STOP_SECS:-10}

if [ "$#" -gt 0 ]; then
  BINARIES=("$@")
else
  mapfile -t BINARIES < <(find dist -maxdepth 1 -name 'deskbell-[0-9]*' -type f | sort)
  [ "${#BINARIES[@]}" -gt 0 ] || { echo "no dist/deskbell-* binaries: run scripts/build-release.sh" >&2; exit 1; }
fi

if [ -z "${SMOKE_CLIENT:-}" ]; then
  cargo build --locked --bin deskbell-smoke
  SMOKE_CLIENT="${CARGO_TARGET_DIR:-target}/debug/deskbell-smoke"
fi

SERVER_PID=""
WORK=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# The command that runs a binary on this machine: qemu-user for a foreign architecture.
runner() {
  case "$(file -b "$1")" in
    *x86-64*) echo "" ;;
    *aarch64*) echo qemu-aarch64 ;;
    *ARM*) echo qemu-arm ;;
    *) echo "unknown architecture: $(file -b "$1")" >&2; return 1 ;;
  esac
}

# Smoke-tests one binary; prints one summary line.
smoke() {
  local bin=$1 run log port t0 t_health t_smoke t_stop status=0 deadline
  run=$(runner "$bin") || return 1
  WORK=$(mktemp -d)
  log="$WORK/server.log"
  t0=$(now_ms)
  # shellcheck disable=SC2086 # $run is empty or one word
  $run "$bin" serve --listen 127.0.0.1:0 --data "$WORK/data" >"$log" 2>&1 &
  SERVER_PID=$!

  deadline=$((SECONDS + START_SECS))
  port=""
  until [ -n "$port" ]; do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$log" | head -n 1)
    if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "FAIL $bin: did not start listening"; cat "$log"; return 1
    fi
    [ -n "$port" ] || sleep 0.05
  done
  until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz"; do
    if [ "$SECONDS" -ge "$deadline" ]; then echo "FAIL $bin: /healthz never answered 200"; cat "$log"; return 1; fi
    sleep 0.05
  done
  t_health=$(now_ms)

  if ! "$SMOKE_CLIENT" --addr "127.0.0.1:$port" --data "$WORK/data" --timeout-secs "$ROUND_TRIP_SECS"; then
    echo "FAIL $bin: round trip"; cat "$log"; return 1
  fi
  t_smoke=$(now_ms)

  kill -TERM "$SERVER_PID"
  deadline=$((SECONDS + STOP_SECS))
  while kill -0 "$SERVER_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "FAIL $bin: still running ${STOP_SECS} s after SIGTERM"; cat "$log"; return 1
  fi
  wait "$SERVER_PID" || status=$?
  SERVER_PID=""
  t_stop=$(now_ms)
  if [ "$status" != 0 ]; then echo "FAIL $bin: exit status $status after SIGTERM"; cat "$log"; return 1; fi
  rm -rf "$WORK"
  WORK=""
  echo "ok   $bin (${run:-native}): healthz $((t_health - t0)) ms, round trip $((t_smoke - t_health)) ms, stop $((t_stop - t_smoke)) ms, total $((t_stop - t0)) ms"
}

failed=0
for bin in "${BINARIES[@]}"; do
  echo "== $bin"
  smoke "$bin" || failed=1
  cleanup
  SERVER_PID=""
  WORK=""
done
exit "$failed"
