#!/usr/bin/env bash
# Installs what the test suite needs beyond Rust on a Debian machine: Chromium (for the
# browser tests; never a downloaded browser), Node.js and the pinned npm packages
# (playwright-core, and TypeScript for scripts/check-js.sh: a type check, no build), and
# Python's aiosmtpd, the real SMTP server the email tests talk to (Debian's package), and
# the pinned `standardwebhooks` Python package (docs/WEBHOOKS.md's examples are run by
# tests/it/webhooks/examples.rs), and schemathesis in its own virtual environment
# (scripts/install-schemathesis.sh; scripts/api-fuzz.sh runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
python3 -c 'import aiosmtpd' >/dev/null 2>&1 \
  || /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 \
  || need_apt+=(python3-aiosmtpd)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
(cd tests/browser && npm ci --no-audit --no-fund --silent)
if ! python3 -c 'import standardwebhooks' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check standardwebhooks==1.3.0 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check --break-system-packages standardwebhooks==1.3.0
fi
scripts/install-schemathesis.sh
