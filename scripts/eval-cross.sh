#!/usr/bin/env bash
# Checks that the bot decides the same on aarch64 as on x86_64: runs deskbell-eval
# --labels on tests/fixtures/bot_eval.json natively and under qemu-aarch64, and compares
# each message's decision (kind and top-1 label). Also prints the largest difference
# between the two runs' embeddings.
#
# Usage: scripts/eval-cross.sh [X86_64_EVAL ARM_EVAL]
#   default: dist/deskbell-eval-<version>-{x86_64,aarch64}-unknown-linux-musl, built with
#   `WITH_EVAL=1 scripts/build-release.sh` if missing; an armv7 ARM_EVAL runs under
#   qemu-arm; an x86-64 ARM_EVAL runs natively (two builds compared, e.g. before and
#   after a change to inference).
#   QEMU_CPU=cortex-a72 (Pi 4), cortex-a76 (Pi 5) or cortex-a53 (Pi 3): the CPU qemu
#   emulates, so tract picks the kernels that Pi would (default: qemu's "max").
#   EVAL_SETS: which messages (default `old`: tests/fixtures/bot_eval.json);
#   `calibration`: issue #12's sets, tests/fixtures/bot_eval/SHOP-LANG-calibration.json
#   against their FAQ, and the Chinese ones also against the English FAQ
#   (cross-lingual), one deskbell-eval run per pair; `holdout`: the same pairs with
#   the holdout files, where only the count of differing decisions is printed (no
#   accuracy, no decisions: those files are for the final blind measurement).
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

EVAL_SETS=${EVAL_SETS:-old}
# The deskbell-eval arguments of each set to compare, one run each.
SET_ARGS=()
case $EVAL_SETS in
  old) SET_ARGS=("--set tests/fixtures/bot_eval.json") ;;
  calibration | holdout)
    dir=tests/fixtures/bot_eval
    extra=""
    [ "$EVAL_SETS" = holdout ] && extra=" --holdout"
    for shop in bakery bike; do
      for pair in en:en zh:zh zh:en; do
        SET_ARGS+=("--faq $dir/$shop-${pair#*:}-faq.json --messages $dir/$shop-${pair%:*}-$EVAL_SETS.json$extra")
      done
    done
    ;;
  *) echo "EVAL_SETS: old, calibration or holdout" >&2; exit 2 ;;
esac

# Runs one evaluation into $WORK/$1.*; $2 = what to call it, $3 = the set's arguments,
# the rest = the command. Appends the decisions to $WORK/$1.labels.
evaluate() {
  local name=$1 title=$2 args=$3 t0 summary=""
  shift 3
  t0=$(date +%s%3N)
  # shellcheck disable=SC2086 # word splitting wanted: several arguments
  "$@" $args --rounds 1 --labels --dump "$WORK/$name.json" >"$WORK/$name.out"
  # The accuracy line only for the set that may be looked at.
  [ "$EVAL_SETS" = old ] && summary="; $(grep -m 1 '^English ' "$WORK/$name.out")"
  echo "$title: $(($(date +%s%3N) - t0)) ms$summary"
  grep '^label' "$WORK/$name.out" | sed "s|^|$args\t|" >>"$WORK/$name.labels"
}

case "$(file -b "$ARM")" in
  *aarch64*) QEMU=qemu-aarch64 ;;
  *ARM*) QEMU=qemu-arm ;;
  # Two x86-64 builds (before and after a change to inference): both run natively.
  *x86-64*) QEMU=env ;;
  *) echo "$ARM: neither an ARM nor an x86-64 binary" >&2; exit 1 ;;
esac
for i in "${!SET_ARGS[@]}"; do
  args=${SET_ARGS[$i]}
  echo "== $args"
  evaluate x86_64 "x86_64 (native)" "$args" "$X86"
  how="$QEMU, cpu ${QEMU_CPU:-max}"
  [ "$QEMU" = env ] && how=native
  evaluate aarch64 "$(basename "$ARM") ($how)" "$args" "$QEMU" "$ARM"
  mv "$WORK/x86_64.json" "$WORK/x86_64.$i.json"
  mv "$WORK/aarch64.json" "$WORK/aarch64.$i.json"
done

if command -v python3 >/dev/null; then
  python3 - "$WORK" "${#SET_ARGS[@]}" <<'EOF'
import json, sys
work, sets = sys.argv[1], int(sys.argv[2])
pairs = []
for i in range(sets):
    a, b = (json.load(open(f"{work}/{arch}.{i}.json"))["utterances"] for arch in ("x86_64", "aarch64"))
    pairs += [(u["vector"], v["vector"]) for u, v in zip(a, b)]
d = max(abs(x - y) for u, v in pairs for x, y in zip(u, v))
cos = min(sum(x * y for x, y in zip(u, v)) / (sum(x * x for x in u) * sum(y * y for y in v)) ** 0.5 for u, v in pairs)
print(f"embeddings: largest component difference {d:.3g}, lowest cosine similarity {cos:.5f}")
EOF
fi

n=$(wc -l <"$WORK/x86_64.labels")
if [ "$n" -gt 0 ] && diff "$WORK/x86_64.labels" "$WORK/aarch64.labels" >"$WORK/diff"; then
  echo "identical on $n utterances"
elif [ "$EVAL_SETS" = holdout ]; then
  echo "decisions differ on $(grep -c '^<' "$WORK/diff" || true) of $n utterances (holdout: not shown)"
  exit 1
else
  echo "decisions differ (< x86_64, > $(basename "$ARM"); of $n utterances):"
  cat "$WORK/diff"
  exit 1
fi
