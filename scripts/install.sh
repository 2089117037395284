#!/bin/sh
# Installs (or upgrades) deskbell as a systemd service, or removes it.
#
# Usage:
#   sudo sh install.sh [BINARY]          install or upgrade, start, print the console URL
#                                         and the setup code (BINARY: the deskbell file for
#                                         this board; default ./deskbell, else the one on PATH)
#   sudo sh install.sh --uninstall       stop and remove the service and the binary; the
#                                         data (/var/lib/deskbell) and settings stay
#   sudo sh install.sh --uninstall --purge   also delete the data and /etc/deskbell
# Options:
#   --root DIR   install under DIR instead of / and skip systemctl (for tests and images)
#
# Running it again is safe: the binary and unit are replaced, /etc/deskbell/deskbell.env
# (the flags, see `deskbell serve --help`) is kept, and the service is restarted.
# POSIX sh on purpose: Raspberry Pi OS Lite and Debian minimal images have no bash
# guarantees for root's scripts run with `sh`.
set -eu

ROOT=""
MODE=install
PURGE=no
BINARY=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --uninstall) MODE=uninstall ;;
    --purge) PURGE=yes ;;
    --root) ROOT="${2:?--root needs a directory}"; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) BINARY="$1" ;;
  esac
  shift
done

BIN_PATH="$ROOT/usr/local/bin/deskbell"
UNIT_PATH="$ROOT/etc/systemd/system/deskbell.service"
ENV_DIR="$ROOT/etc/deskbell"
ENV_FILE="$ENV_DIR/deskbell.env"
# DynamicUser keeps the data in /var/lib/private/deskbell, linked from /var/lib/deskbell.
DATA_DIRS="$ROOT/var/lib/deskbell $ROOT/var/lib/private/deskbell"

say() { printf '%s\n' "$*"; }
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
systemctl_() { if [ -z "$ROOT" ]; then systemctl "$@"; fi; }

if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
  fail "run it as root: sudo sh $0 $*"
fi
if [ -z "$ROOT" ] && ! command -v systemctl >/dev/null 2>&1; then
  fail "this system has no systemd; run 'deskbell serve' yourself (see README)"
fi

if [ "$MODE" = uninstall ]; then
  systemctl_ disable --now deskbell.service 2>/dev/null || true
  rm -f "$UNIT_PATH" "$BIN_PATH"
  systemctl_ daemon-reload
  if [ "$PURGE" = yes ]; then
    # shellcheck disable=SC2086 # two paths, split on purpose
    rm -rf $DATA_DIRS "$ENV_DIR"
    say "deskbell removed, with its data and settings."
  else
    say "deskbell removed. Its data (/var/lib/deskbell) and settings (/etc/deskbell) are kept;"
    say "'sh install.sh --uninstall --purge' deletes them too."
  fi
  exit 0
fi

if [ -z "$BINARY" ]; then
  if [ -x ./deskbell ]; then BINARY=./deskbell
  elif command -v deskbell >/dev/null 2>&1; then BINARY=$(command -v deskbell)
  else fail "name the deskbell binary for this board, e.g. sh install.sh deskbell-0.1.0-aarch64-unknown-linux-musl"
  fi
fi
[ -f "$BINARY" ] || fail "$BINARY: no such file"
chmod +x "$BINARY" 2>/dev/null || true
if ! VERSION=$("$BINARY" version 2>/dev/null); then
  fail "$BINARY does not run on this machine ($(uname -m)): take the aarch64 file for a 64-bit OS, armv7 for 32-bit Raspberry Pi OS, x86_64 for a PC or VM"
fi

# The binary carries the unit it was built with; write both atomically (rename).
mkdir -p "$(dirname "$BIN_PATH")" "$(dirname "$UNIT_PATH")" "$ENV_DIR"
"$BINARY" systemd-unit > "$UNIT_PATH.new"
if [ "$(readlink -f "$BINARY")" != "$(readlink -f "$BIN_PATH" 2>/dev/null || true)" ]; then
  cp "$BINARY" "$BIN_PATH.new"
  chmod 0755 "$BIN_PATH.new"
  mv -f "$BIN_PATH.new" "$BIN_PATH"
fi
chmod 0644 "$UNIT_PATH.new"
mv -f "$UNIT_PATH.new" "$UNIT_PATH"
if [ ! -f "$ENV_FILE" ]; then
  cat > "$ENV_FILE" <<'EOF'
# Flags for `deskbell serve` (see `deskbell serve --help`), read by deskbell.service.
# After a change: sudo systemctl restart deskbell
# Examples: --allowed-origin https://shop.example   --no-bot
#           --tls-cert /etc/deskbell/tls/fullchain.pem --tls-key /etc/deskbell/tls/privkey.pem
DESKBELL_OPTS=--listen 0.0.0.0:8080
EOF
  chmod 0644 "$ENV_FILE"
fi

systemctl_ daemon-reload
systemctl_ enable deskbell.service >/dev/null 2>&1
# Type=notify: restart returns once deskbell is ready (or has failed).
if ! systemctl_ restart deskbell.service; then
  fail "deskbell did not start; see: journalctl -u deskbell -n 50"
fi

PORT=$(sed -n 's/^DESKBELL_OPTS=.*--listen [^ ]*:\([0-9][0-9]*\).*/\1/p' "$ENV_FILE" | tail -n 1)
SCHEME=http
if grep -q '^DESKBELL_OPTS=.*--tls-cert' "$ENV_FILE"; then SCHEME=https; fi
HOST=$(hostname 2>/dev/null || echo localhost)
if [ -n "$ROOT" ]; then
  say "$VERSION installed under $ROOT (not started: --root)."
else
  say "$VERSION installed and running."
fi
say "Console: $SCHEME://$HOST.local:${PORT:-8080}/  (or this machine's address)"
CODE_FILE="$ROOT/var/lib/deskbell/setup-code.txt"
if [ -f "$CODE_FILE" ]; then
  say "One-time setup code: $(cat "$CODE_FILE")  (also in $CODE_FILE)"
elif [ -z "$ROOT" ]; then
  say "Log in with your admin account (the setup code is only shown until the first admin exists)."
fi
say "Flags: $ENV_FILE    Logs: journalctl -u deskbell -f"
