#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and integration tests, browser tests.
# Usage: scripts/test.sh   (installs Chromium and the npm test packages if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] || [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "== installing test dependencies"
  scripts/install-test-deps.sh
fi
scripts/check-js.sh
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== import cycles in src/ (and the checker's own test)"
node --test scripts/import-cycles.test.mjs >/dev/null && node scripts/import-cycles.mjs
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --all-targets --locked
echo "== a burst of connections starts no threads (alone: it counts the process's threads)"
cargo test --locked --test it -- --ignored --exact threads::a_burst_of_hellos_starts_no_threads
# The real full-disk test mounts a tiny tmpfs: only where this is allowed (root with
# CAP_SYS_ADMIN); elsewhere it is listed as ignored and the fault-injection test covers it.
probe="$(mktemp -d)"
if mount -t tmpfs -o size=1m tmpfs "$probe" 2>/dev/null; then
  umount "$probe"
  echo "== a really full filesystem (tmpfs)"
  cargo test --locked --test it -- --ignored disk::a_really_full_tmpfs
else
  echo "== skipping the tmpfs full-disk test: mounting is not allowed here"
fi
rmdir "$probe"
echo "== the API against its OpenAPI document (schemathesis, bounded)"
scripts/api-fuzz.sh target/debug/deskbell
echo "== browser tests"
tests/browser/run.sh
