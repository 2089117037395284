#!/usr/bin/env bash
# Renders the console's app icon (web/console/app-icon.svg: the bell of icon.svg on a
# full-bleed square, inside the safe zone of maskable icons) to the PNGs the web app
# manifest names, with Debian's headless Chromium. Run after changing the SVG; the PNGs
# are committed (nothing renders at build time).
# Usage: scripts/make-icons.sh
set -euo pipefail
cd "$(dirname "$0")/.."
chromium="${CHROMIUM:-/usr/bin/chromium}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp web/console/app-icon.svg "$work/"
cat >"$work/page.html" <<'HTML'
<!doctype html><html><body style="margin:0"><img src="app-icon.svg" style="display:block;width:100vw;height:100vh"></body></html>
HTML
for size in 192 512; do
  "$chromium" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
    --force-device-scale-factor=1 --window-size="$size,$size" \
    --screenshot="$PWD/web/console/icon-$size.png" "file://$work/page.html" 2>/dev/null
done
file web/console/icon-192.png web/console/icon-512.png
