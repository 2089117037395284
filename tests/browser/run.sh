#!/usr/bin/env bash
# Runs the browser tests against a freshly built deskbell binary.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "Chromium is missing: run scripts/install-test-deps.sh (Debian: apt-get install chromium)" >&2
  exit 1
fi
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund
fi
(cd ../.. && cargo build --locked --bin deskbell)
node --test --test-concurrency=1 ./*.test.mjs
