#!/usr/bin/env bash
# Installs what the test suite needs beyond Rust on a Debian machine: Chromium (for the
# browser tests; never a downloaded browser), Node.js and the pinned npm packages
# (playwright-core, and TypeScript for scripts/check-js.sh: a type check, no build), and
# Python's aiosmtpd, the real SMTP server the email tests talk to (Debian's package).
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
python3 -c 'import aiosmtpd' >/dev/null 2>&1 \
  || /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 \
  || need_apt+=(python3-aiosmtpd)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
(cd tests/browser && npm ci --no-audit --no-fund --silent)
