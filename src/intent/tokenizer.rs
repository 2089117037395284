//! BERT WordPiece tokenizer: visitor text → token ids for the intent model.
//!
//! Produces the same ids as the reference Hugging Face tokenizer of all-MiniLM-L6-v2
//! (BertNormalizer with lowercasing, BertPreTokenizer, WordPiece), with one deliberate
//! difference: text that looks like a special token is plain text, so `"[SEP]"` becomes
//! `[`, `sep`, `]` and visitor text never yields `[CLS]`, `[SEP]`, `[PAD]` or `[MASK]`.
//!
//! The pipeline runs lazily over the input, so a huge message stops once `max_len` ids
//! are reached, and every step is linear in the input:
//!
//! 1. clean: drop control and format characters, turn whitespace into `' '`, put spaces
//!    around CJK ideographs (so each is a word);
//! 2. NFD, drop non-spacing marks (accents), lowercase;
//! 3. split on whitespace and isolate every punctuation character as its own word;
//! 4. WordPiece each word: greedy longest match first, `##` for continuations, `[UNK]` for
//!    a word that cannot be covered or has more than 100 characters;
//! 5. `[CLS] … [SEP]`, truncated to `max_len` ids in total.
//!
//! The character classes come from the reference itself (see [`super::charclass`]).

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use super::charclass::{self, CJK, NONSPACING_MARK, PUNCTUATION, REMOVED};

/// Default limit on ids per message, `[CLS]` and `[SEP]` included.
pub const DEFAULT_MAX_LEN: usize = 256;
/// Words longer than this (in characters, after normalisation) become a single `[UNK]`.
const MAX_CHARS_PER_WORD: usize = 100;
/// Prefix of vocabulary entries that continue a word.
const CONTINUATION: &str = "##";

/// Why a vocabulary could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenizerError {
    /// A line of `vocab.txt` is empty (its id would be unreachable).
    #[error("vocabulary line {line} is empty")]
    EmptyToken {
        /// 1-based line number.
        line: usize,
    },
    /// The same token is listed twice, so it would have two ids.
    #[error("vocabulary line {line}: token {token:?} is listed twice")]
    DuplicateToken {
        /// 1-based line number of the second occurrence.
        line: usize,
        /// The repeated token.
        token: String,
    },
    /// One of `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]` is missing.
    #[error("vocabulary lacks the special token {0}")]
    MissingSpecial(&'static str),
    /// More lines than ids fit in a `u32`.
    #[error("vocabulary has more tokens than fit in a u32 id")]
    TooLarge,
}

/// Ids of the special tokens in the loaded vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialIds {
    /// `[PAD]`: fills batches to a common length (attention mask 0).
    pub pad: u32,
    /// `[UNK]`: a word the vocabulary cannot spell.
    pub unk: u32,
    /// `[CLS]`: first id of every sequence.
    pub cls: u32,
    /// `[SEP]`: last id of every sequence.
    pub sep: u32,
    /// `[MASK]`: never produced by [`Tokenizer::encode`].
    pub mask: u32,
}

impl SpecialIds {
    /// Whether `id` is one of the special tokens.
    pub fn contains(&self, id: u32) -> bool {
        [self.pad, self.unk, self.cls, self.sep, self.mask].contains(&id)
    }
}

/// A WordPiece tokenizer over a BERT `vocab.txt` (one token per line, id = line index).
#[derive(Debug, Clone)]
pub struct Tokenizer {
    /// Token text → id.
    vocab: HashMap<Box<str>, u32>,
    /// Ids of `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]`.
    special: SpecialIds,
    /// Length in bytes of the longest token without its `##`: no longer piece can match.
    max_piece_bytes: usize,
}

impl Tokenizer {
    /// Loads a vocabulary from the text of a `vocab.txt` (e.g. from `include_str!`).
    pub fn from_vocab(text: &str) -> Result<Tokenizer, TokenizerError> {
        let mut vocab = HashMap::new();
        let mut max_piece_bytes = 0;
        for (index, token) in text.lines().enumerate() {
            let line = index + 1;
            if token.is_empty() {
                return Err(TokenizerError::EmptyToken { line });
            }
            let id = u32::try_from(index).map_err(|_| TokenizerError::TooLarge)?;
            if vocab.insert(Box::from(token), id).is_some() {
                let token = token.to_owned();
                return Err(TokenizerError::DuplicateToken { line, token });
            }
            let piece = token.strip_prefix(CONTINUATION).unwrap_or(token);
            max_piece_bytes = max_piece_bytes.max(piece.len());
        }
        let id = |name: &'static str| {
            vocab
                .get(name)
                .copied()
                .ok_or(TokenizerError::MissingSpecial(name))
        };
        let special = SpecialIds {
            pad: id("[PAD]")?,
            unk: id("[UNK]")?,
            cls: id("[CLS]")?,
            sep: id("[SEP]")?,
            mask: id("[MASK]")?,
        };
        Ok(Tokenizer {
            vocab,
            special,
            max_piece_bytes,
        })
    }

    /// The special-token ids of this vocabulary.
    pub fn special_ids(&self) -> SpecialIds {
        self.special
    }

    /// Number of tokens in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    /// `[CLS] tokens… [SEP]` for `text`, at most `max_len` ids (but always at least
    /// `[CLS] [SEP]`). Truncation cuts the tokens, never the final `[SEP]`.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let budget = max_len.saturating_sub(2);
        let mut ids = Vec::with_capacity(budget.min(64) + 2);
        ids.push(self.special.cls);
        let mut word = Word::default();
        for c in normalized(text) {
            if ids.len() > budget {
                break;
            }
            if c.is_whitespace() {
                self.flush(&mut word, &mut ids);
            } else if is_punctuation(c) {
                self.flush(&mut word, &mut ids);
                word.push(c);
                self.flush(&mut word, &mut ids);
            } else {
                word.push(c);
            }
        }
        self.flush(&mut word, &mut ids);
        ids.truncate(budget + 1);
        ids.push(self.special.sep);
        ids
    }

    /// Appends the WordPiece ids of the buffered word (if any) and empties the buffer.
    fn flush(&self, word: &mut Word, ids: &mut Vec<u32>) {
        match word.chars {
            0 => return,
            n if n > MAX_CHARS_PER_WORD => ids.push(self.special.unk),
            _ => self.wordpiece(&word.text, &mut word.key, ids),
        }
        word.text.clear();
        word.chars = 0;
    }

    /// Greedy longest-match-first split of one word; `[UNK]` if any position fails.
    fn wordpiece(&self, word: &str, key: &mut String, ids: &mut Vec<u32>) {
        let first = ids.len();
        let mut start = 0;
        while start < word.len() {
            let mut end = (start + self.max_piece_bytes).min(word.len());
            while !word.is_char_boundary(end) {
                end -= 1;
            }
            let found = loop {
                if end <= start {
                    break None;
                }
                key.clear();
                if start > 0 {
                    key.push_str(CONTINUATION);
                }
                key.push_str(&word[start..end]);
                if let Some(id) = self.lookup(key) {
                    break Some(id);
                }
                end -= word[start..end]
                    .chars()
                    .next_back()
                    .map_or(1, char::len_utf8);
            };
            let Some(id) = found else {
                ids.truncate(first);
                ids.push(self.special.unk);
                return;
            };
            ids.push(id);
            start = end;
        }
    }

    /// Id of a word piece; special tokens are never matched from text (punctuation
    /// splitting already makes that impossible, this keeps it so for any vocabulary).
    fn lookup(&self, piece: &str) -> Option<u32> {
        let id = *self.vocab.get(piece)?;
        (!self.special.contains(id)).then_some(id)
    }
}

/// The word being collected, plus a scratch buffer for `##` lookups.
#[derive(Debug, Default)]
struct Word {
    /// Its first `MAX_CHARS_PER_WORD + 1` characters (enough to know it is too long).
    text: String,
    /// Its full length in characters.
    chars: usize,
    /// Scratch space for the piece being looked up.
    key: String,
}

impl Word {
    fn push(&mut self, c: char) {
        if self.chars <= MAX_CHARS_PER_WORD {
            self.text.push(c);
        }
        self.chars += 1;
    }
}

/// Steps 1 and 2 of the pipeline, as a lazy character stream.
fn normalized(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .flat_map(clean)
        .nfd()
        .filter(|&c| !is_nonspacing_mark(c))
        .flat_map(char::to_lowercase)
}

/// Step 1 for one character: nothing, a space, the character, or it between spaces.
fn clean(c: char) -> std::iter::Take<std::array::IntoIter<char, 3>> {
    if is_removed(c) {
        [c; 3].into_iter().take(0)
    } else if c.is_whitespace() {
        [' '; 3].into_iter().take(1)
    } else if !c.is_ascii() && charclass::contains(CJK, c) {
        [' ', c, ' '].into_iter().take(3)
    } else {
        [c; 3].into_iter().take(1)
    }
}

fn is_removed(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')
    } else {
        charclass::contains(REMOVED, c)
    }
}

fn is_nonspacing_mark(c: char) -> bool {
    !c.is_ascii() && charclass::contains(NONSPACING_MARK, c)
}

fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_punctuation()
    } else {
        charclass::contains(PUNCTUATION, c)
    }
}

#[cfg(test)]
mod tests;
