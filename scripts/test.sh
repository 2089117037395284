#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and integration tests, browser tests.
# Usage: scripts/test.sh   (installs Chromium and the npm test packages if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] || [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "== installing test dependencies"
  scripts/install-test-deps.sh
fi
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --all-targets --locked
if [ "$(id -u)" = 0 ]; then
  echo "== root-only: a really full filesystem (tmpfs)"
  cargo test --locked --test it -- --ignored disk::a_really_full_tmpfs
fi
echo "== browser tests"
tests/browser/run.sh
