#!/usr/bin/env bash
# Runs the browser tests against a freshly built deskbell binary.
# Honours CARGO_TARGET_DIR (the binary is then $CARGO_TARGET_DIR/debug/deskbell) and
# DESKBELL_BIN (use that binary, build nothing). Arguments name test files to run
# (default: all of them), e.g. tests/browser/run.sh widget.test.mjs
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "Chromium is missing: run scripts/install-test-deps.sh (Debian: apt-get install chromium)" >&2
  exit 1
fi
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund
fi
if [ -z "${DESKBELL_BIN:-}" ]; then
  (cd ../.. && cargo build --locked --bin deskbell)
  # cargo reads a relative CARGO_TARGET_DIR from where it runs: the repository root.
  target="${CARGO_TARGET_DIR:-target}"
  case "$target" in /*) ;; *) target="$(cd ../.. && pwd)/$target" ;; esac
  export DESKBELL_BIN="$target/debug/deskbell"
fi
if [ "$#" -gt 0 ]; then
  node --test --test-concurrency=1 "$@"
else
  node --test --test-concurrency=1 ./*.test.mjs
fi
