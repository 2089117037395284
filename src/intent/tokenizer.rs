//! SentencePiece Unigram tokenizer: visitor text → token ids for the intent model
//! (USE multilingual v3, vocabulary pruned to English + Chinese).
//!
//! Produces the same ids as Google's `sentencepiece` library running the pruned model
//! that `scripts/model-use/build.py` writes (checked against
//! `tests/fixtures/tokenizer_golden.jsonl`, made by that library):
//!
//! 1. normalise ([`normalizer`]): the model's precompiled `nmt_nfkc` charsmap, then
//!    whitespace: trimmed, collapsed, written `▁`, and a `▁` in front. The model is
//!    cased: nothing is lowercased;
//! 2. segment ([`unigram`]): the Viterbi path of highest total piece score over the
//!    normalised text; a character no piece covers is `<unk>`, and a run of them is
//!    one `<unk>`;
//! 3. `<s> pieces… </s>`, cut to `max_len` ids in total (the pieces are cut, never the
//!    final `</s>`).
//!
//! Special-token text is plain text: `<s>`, `</s>` and `<unk>` typed by a visitor are
//! spelled with ordinary pieces, so visitor text never yields `<s>` or `</s>`.
//!
//! Cost is linear in the input; inputs longer than [`MAX_INPUT_BYTES`] are cut first
//! (their ids past the first few hundred are never used).

mod error;
mod normalizer;
mod unigram;

pub use error::TokenizerError;
use normalizer::Normalizer;
use unigram::{SPECIAL_PIECES, Vocab};

/// Default limit on ids per message, `<s>` and `</s>` included.
pub const DEFAULT_MAX_LEN: usize = 256;
/// Bytes of visitor text that are tokenized at most; the rest is ignored. Far more than
/// any `max_len` in use needs (a piece covers at least one character).
pub const MAX_INPUT_BYTES: usize = 16 * 1024;

/// Ids of the special pieces (the first three of every vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialIds {
    /// `<unk>`: a run of characters no piece covers.
    pub unk: u32,
    /// `<s>`: first id of every sequence.
    pub bos: u32,
    /// `</s>`: last id of every sequence.
    pub eos: u32,
}

impl SpecialIds {
    /// Whether `id` is `<s>` or `</s>`, which text never produces.
    pub fn is_control(&self, id: u32) -> bool {
        id == self.bos || id == self.eos
    }
}

/// The ids of the first three lines, in the order of [`SPECIAL_PIECES`].
const SPECIAL: SpecialIds = SpecialIds {
    unk: 0,
    bos: 1,
    eos: 2,
};

/// A SentencePiece Unigram tokenizer: the charsmap normaliser and the scored pieces.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    /// Step 1.
    normalizer: Normalizer,
    /// Step 2.
    vocab: Vocab,
}

impl Tokenizer {
    /// Loads a vocabulary (`piece<TAB>score` per line, id = line index, starting with
    /// `<unk>`, `<s>`, `</s>`) and a precompiled charsmap.
    pub fn new(vocab: &str, charsmap: &[u8]) -> Result<Tokenizer, TokenizerError> {
        debug_assert_eq!(SPECIAL_PIECES, ["<unk>", "<s>", "</s>"]);
        Ok(Tokenizer {
            normalizer: Normalizer::new(charsmap)?,
            vocab: Vocab::from_tsv(vocab)?,
        })
    }

    /// The special-piece ids.
    pub fn special_ids(&self) -> SpecialIds {
        SPECIAL
    }

    /// Number of ids in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    /// The normalised text the pieces are found in (step 1).
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len().min(MAX_INPUT_BYTES) + 8);
        self.normalizer
            .normalize(cut(text, MAX_INPUT_BYTES), &mut out);
        out
    }

    /// `<s> pieces… </s>` for `text`, at most `max_len` ids (but always at least
    /// `<s> </s>`). Truncation cuts the pieces, never the final `</s>`.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let normalized = self.normalize(text);
        let mut ids = Vec::with_capacity(normalized.len().min(max_len) + 2);
        ids.push(SPECIAL.bos);
        self.vocab.segment(&normalized, SPECIAL.unk, &mut ids);
        ids.truncate(max_len.saturating_sub(1).max(1));
        ids.push(SPECIAL.eos);
        ids
    }
}

/// `text` cut to at most `limit` bytes, at a character boundary.
fn cut(text: &str, limit: usize) -> &str {
    let mut end = limit.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests;
