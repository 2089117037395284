#!/usr/bin/env bash
# Writes tests/fixtures/data-v2/: a small data directory written by THIS build of
# deskbell (schema version 2 when it was made; data-v1 came from an older copy of
# this script, before the FAQ bot), for tests/it/old_data.rs. The bot is on (the
# built-in model), so the FAQ entries are stored with their embeddings.
# Starts the real binary on a loopback port with an empty data directory, fills it
# through the HTTP API and WebSocket (examples/make_data_fixture.rs), stops it with
# SIGTERM and copies the database file and what was stored (fixture.json).
# Usage: scripts/make-data-fixture.sh [OUT_DIR]   (default tests/fixtures/data-v2)
# Only rerun it on purpose: the fixture stands for data written by an older release.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-tests/fixtures/data-v2}
target=${CARGO_TARGET_DIR:-target}

cargo build --bin deskbell --example make_data_fixture
work=$(mktemp -d)
trap 'kill -TERM "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir "$work/data"
"$target/debug/deskbell" serve --listen 127.0.0.1:0 --data "$work/data" --threads 1 \
  >"$work/log" 2>&1 &
pid=$!

addr=
for _ in $(seq 100); do
  addr=$(sed -n 's/.*listening on http:\/\///p' "$work/log" | head -n1)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { cat "$work/log"; echo "deskbell did not start" >&2; exit 1; }

"$target/debug/examples/make_data_fixture" "$addr" "$(cat "$work/data/setup-code.txt")" \
  "$work/fixture.json"
kill -TERM "$pid"
wait "$pid"

mkdir -p "$out"
cp "$work/data/deskbell.redb" "$out/deskbell.redb"
cp "$work/fixture.json" "$out/fixture.json"
ls -l "$out"
