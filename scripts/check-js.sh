#!/usr/bin/env bash
# Checks the browser JavaScript under web/ and the browser tests, with nothing built:
#   1. syntax: `node --check` on every file (the console's files as ES modules);
#   2. types: `tsc --noEmit` on the JSDoc types (every file under web/ says `// @ts-check`),
#      TypeScript pinned in tests/browser/package-lock.json, a test-only dependency.
#      - the console and the demo: web/jsconfig.json;
#      - the widget: its files concatenated in the order of web/widget/bundle.txt, as
#        build.rs does, so they are checked as the one scope they share in /widget.js;
#        errors are reported at the line of the file they come from.
# Usage: scripts/check-js.sh   (installs the npm test packages if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
tsc=tests/browser/node_modules/.bin/tsc
if [ ! -x "$tsc" ]; then
  (cd tests/browser && npm ci --no-audit --no-fund)
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0

# The widget's files in bundle order, concatenated whole (the JSDoc types are comments),
# and where each one starts in the concatenation.
widget_files=()
while read -r name; do
  widget_files+=("web/widget/$name")
done < <(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^#/d' -e '/^$/d' web/widget/bundle.txt)
awk -v map="$work/widget.map" 'FNR == 1 { print NR, FILENAME > map } { print }' \
  "${widget_files[@]}" >"$work/widget.js"

echo "== node --check"
while IFS= read -r file; do
  case "$file" in
    web/console/*) node --input-type=module --check <"$file" || { echo "  in $file" >&2; failed=1; } ;;
    # prelude.js opens the bundle's IIFE and end.js closes it: checked in the bundle below.
    web/widget/prelude.js | web/widget/end.js) ;;
    *) node --check "$file" || failed=1 ;;
  esac
done < <(find web tests/browser -path '*/node_modules' -prune -o \( -name '*.js' -o -name '*.mjs' \) -print | sort)
node --check "$work/widget.js" || { echo "  in the widget bundle (web/widget/bundle.txt)" >&2; failed=1; }

echo "== tsc: console and demo (web/jsconfig.json)"
"$tsc" -p web/jsconfig.json --pretty false || failed=1

echo "== tsc: the widget as one bundle (web/widget/bundle.txt)"
# The options of web/jsconfig.json, but for the browsers of 2017 (every visitor runs the
# widget), and without strictNullChecks: its lookups go into its own static template,
# which the checker cannot see, and a non-null cast at each would cost every visitor bytes.
cat >"$work/tsconfig.json" <<EOF
{
  "extends": "$PWD/web/jsconfig.json",
  "compilerOptions": { "lib": ["dom", "es2017"], "strictNullChecks": false },
  "include": [],
  "files": ["widget.js", "$PWD/web/widget/globals.d.ts"]
}
EOF
# tsc names the concatenation: point each error at its source file and line instead.
if ! "$tsc" -p "$work/tsconfig.json" --pretty false >"$work/widget.out"; then
  failed=1
fi
awk -v map="$work/widget.map" '
  BEGIN { while ((getline entry < map) > 0) { split(entry, f, " "); n++; start[n] = f[1]; name[n] = f[2] } }
  match($0, /^[^(]*widget\.js\(/) {
    rest = substr($0, RLENGTH + 1)
    line = rest + 0
    for (i = n; i > 1 && start[i] > line; i--) {}
    $0 = name[i] "(" (line - start[i] + 1) substr(rest, index(rest, ","))
  }
  { print }' "$work/widget.out"

if [ "$failed" -ne 0 ]; then
  echo "JavaScript check failed" >&2
  exit 1
fi
echo "JavaScript check passed"
