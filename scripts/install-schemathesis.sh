#!/usr/bin/env bash
# Installs the pinned schemathesis (PyPI) into its own virtual environment under
# target/schemathesis, for scripts/api-fuzz.sh; nothing outside the checkout changes.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/schemathesis
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv" 2>/dev/null || {
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  }
  "$venv/bin/pip" install --quiet --disable-pip-version-check schemathesis==4.32.5
fi
