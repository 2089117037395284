#!/usr/bin/env bash
# Idle memory per connection at several commits, measured the same way: for each commit,
# build its `deskbell` (release, no fat LTO, to keep builds short), start it on loopback
# with the flags it knows, open 10,000 idle visitor connections with the current
# checkout's `deskbell-load`, and print its RESULT line. Loopback only, bounded.
#
#   scripts/bench-idle-at.sh f2e5ede 4999b56 HEAD
#
# Environment: IDLE_AT_TARGET, the target directory for the per-commit builds (default
# /tmp/deskbell-idle-at; a copy of a release target dir saves building the dependencies);
# CARGO_TARGET_DIR, where the current checkout's release deskbell-load is (default
# target; build it first: `cargo build --release --bin deskbell-load`), or LOAD=path;
# BENCH_PORT (default 18090).
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)"
LOAD=${LOAD:-${CARGO_TARGET_DIR:-target}/release/deskbell-load}
LOAD=$(realpath "$LOAD")
TARGET=${IDLE_AT_TARGET:-/tmp/deskbell-idle-at}
PORT=${BENCH_PORT:-18090}
TREE=$(mktemp -d /tmp/deskbell-idle-tree.XXXXXX)
git worktree add -q --detach "$TREE" HEAD
trap 'git worktree remove --force "$TREE"' EXIT
for commit in "$@"; do
    git -C "$TREE" checkout -q --detach "$commit"
    # Commits before issue #16 had fat LTO in their release profile: turn it off for all.
    (cd "$TREE" && CARGO_TARGET_DIR=$TARGET CARGO_PROFILE_RELEASE_LTO=off \
        CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo build --release --locked --quiet --bin deskbell)
    server=$TARGET/release/deskbell
    flags=(--rate-per-sec 100000 --rate-burst 100000)
    help=$("$server" serve --help)
    grep -q max-connections-per-address <<<"$help" && flags+=(--max-connections-per-address 1000000)
    grep -q new-visitors-per-minute <<<"$help" && flags+=(--new-visitors-per-minute 0)
    data=$(mktemp -d)
    "$server" serve --listen "127.0.0.1:$PORT" --data "$data" "${flags[@]}" >"$data.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
    # Let start-up's garbage be given back first (jemalloc purges after 10 s): read
    # earlier, the growth looks smaller as connections reuse those pages (issue #16).
    sleep 15
    echo "== $commit"
    timeout 300 "$LOAD" --addr "127.0.0.1:$PORT" --data "$data" --server-pid "$pid" \
        idle --connections 10000 --hold-secs 30 2>/dev/null | grep RESULT || echo "no result"
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    rm -rf "$data" "$data.log"
done
