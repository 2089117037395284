#!/usr/bin/env bash
# Checks that the bot decides the same on aarch64 as on x86_64: runs deskbell-eval
# --labels on tests/fixtures/bot_eval.json natively and under qemu-aarch64, and compares
# each message's decision (kind and top-1 label). Also prints the largest difference
# between the two runs' embeddings.
#
# Usage: scripts/eval-cross.sh [X86_64_EVAL ARM_EVAL]
#   default: dist/deskbell-eval-<version>-{x86_64,aarch64}-unknown-linux-musl, built with
#   `WITH_EVAL=1 scripts/build-release.sh` if missing; an armv7 ARM_EVAL runs under
#   qemu-arm.
#   QEMU_CPU=cortex-a72 (Pi 4), cortex-a76 (Pi 5) or cortex-a53 (Pi 3): the CPU qemu
#   emulates, so tract picks the kernels that Pi would (default: qemu's "max").
# Prints "identical on N utterances" (exit 0) or the differences (exit 1).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
if [ "$#" -eq 2 ]; then
  X86=$1
  ARM=$2
else
  X86=dist/deskbell-eval-$VERSION-x86_64-unknown-linux-musl
  ARM=dist/deskbell-eval-$VERSION-aarch64-unknown-linux-musl
  if [ ! -x "$X86" ] || [ ! -x "$ARM" ]; then
    WITH_EVAL=1 scripts/build-release.sh x86_64-unknown-linux-musl aarch64-unknown-linux-musl
  fi
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Runs one evaluation into $WORK/$1.*; $2 = what to call it, the rest = the command.
evaluate() {
  local name=$1 title=$2 t0
  shift 2
  t0=$(date +%s%3N)
  "$@" --set tests/fixtures/bot_eval.json --rounds 1 --labels --dump "$WORK/$name.json" >"$WORK/$name.out"
  echo "$title: $(($(date +%s%3N) - t0)) ms; $(grep -m 1 '^English ' "$WORK/$name.out")"
  grep '^label' "$WORK/$name.out" >"$WORK/$name.labels"
}

case "$(file -b "$ARM")" in
  *aarch64*) QEMU=qemu-aarch64 ;;
  *ARM*) QEMU=qemu-arm ;;
  *) echo "$ARM: not an ARM binary" >&2; exit 1 ;;
esac
evaluate x86_64 "x86_64 (native)" "$X86"
evaluate aarch64 "$(basename "$ARM") ($QEMU, cpu ${QEMU_CPU:-max})" "$QEMU" "$ARM"

if command -v python3 >/dev/null; then
  python3 - "$WORK/x86_64.json" "$WORK/aarch64.json" <<'EOF'
import json, sys
a, b = (json.load(open(p))["utterances"] for p in sys.argv[1:3])
pairs = [(u["vector"], v["vector"]) for u, v in zip(a, b)]
d = max(abs(x - y) for u, v in pairs for x, y in zip(u, v))
cos = min(sum(x * y for x, y in zip(u, v)) / (sum(x * x for x in u) * sum(y * y for y in v)) ** 0.5 for u, v in pairs)
print(f"embeddings: largest component difference {d:.3g}, lowest cosine similarity {cos:.5f}")
EOF
fi

n=$(wc -l <"$WORK/x86_64.labels")
if [ "$n" -gt 0 ] && diff "$WORK/x86_64.labels" "$WORK/aarch64.labels" >"$WORK/diff"; then
  echo "identical on $n utterances"
else
  echo "decisions differ (< x86_64, > $(basename "$ARM"); of $n utterances):"
  cat "$WORK/diff"
  exit 1
fi
