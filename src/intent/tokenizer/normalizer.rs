//! SentencePiece's text normaliser for the model's `nmt_nfkc` rules: visitor text → the
//! string the Unigram lattice is built over.
//!
//! It does what sentencepiece's `Normalizer::Normalize` does with the spec of USE-m's
//! `sp.model` (`add_dummy_prefix`, `remove_extra_whitespaces` and `escape_whitespaces` all
//! true), and nothing else (no lowercasing: the model is cased):
//!
//! 1. At each position, the longest key of the *precompiled charsmap* that starts there is
//!    replaced by its value (NFKC plus NMT's rules: control characters removed, tabs and
//!    odd spaces become `' '`, full-width forms become ASCII…); where no key matches, one
//!    character is copied unchanged.
//! 2. Leading, trailing and repeated `' '` are dropped; every remaining `' '` becomes
//!    `▁` (U+2581), and one `▁` is put in front of the text.
//!
//! The charsmap (`models/use-m-charsmap.bin`, copied unchanged from `sp.model` by
//! `scripts/model-use/build.py`) is a little-endian `u32` byte length, a darts-clone
//! double-array trie of that many bytes over the UTF-8 bytes of the keys, then the
//! values as NUL-terminated UTF-8 strings; a trie leaf holds its value's offset.

use super::error::TokenizerError;

/// SentencePiece's whitespace symbol, `▁`.
pub const SPACE: char = '\u{2581}';

/// The charsmap, parsed: the trie's units and the replacement strings.
#[derive(Debug, Clone)]
pub struct Normalizer {
    /// darts-clone units (little-endian `u32`s).
    units: Vec<u32>,
    /// NUL-terminated replacement strings; a leaf's value is an offset into them.
    values: Box<[u8]>,
}

impl Normalizer {
    /// Parses a precompiled charsmap (see the module header).
    pub fn new(charsmap: &[u8]) -> Result<Normalizer, TokenizerError> {
        let bad = |why: &str| TokenizerError::BadCharsmap(why.to_owned());
        let (size, rest) = charsmap
            .split_first_chunk::<4>()
            .ok_or_else(|| bad("shorter than its header"))?;
        let size = usize::try_from(u32::from_le_bytes(*size)).map_err(|_| bad("too large"))?;
        if size % 4 != 0 || size == 0 || size > rest.len() {
            return Err(bad("the trie's length does not fit the file"));
        }
        let (trie, values) = rest.split_at(size);
        let units = trie
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok(Normalizer {
            units,
            values: values.into(),
        })
    }

    /// Appends the normalised form of `text` to `out` (see the module header).
    pub fn normalize(&self, text: &str, out: &mut String) {
        let mut bytes = text.as_bytes();
        // Leading spaces, even those the charsmap makes, are dropped.
        loop {
            if bytes.is_empty() {
                return;
            }
            let (replacement, consumed) = self.prefix(bytes);
            if replacement != " " {
                break;
            }
            bytes = &bytes[consumed..];
        }
        let start = out.len();
        out.push(SPACE);
        let mut after_space = true;
        while !bytes.is_empty() {
            let (replacement, consumed) = self.prefix(bytes);
            bytes = &bytes[consumed..];
            let replacement = if after_space {
                replacement.trim_start_matches(' ')
            } else {
                replacement
            };
            if replacement.is_empty() {
                continue;
            }
            for c in replacement.chars() {
                out.push(if c == ' ' { SPACE } else { c });
            }
            after_space = replacement.ends_with(' ');
        }
        while out.len() > start && out.ends_with(SPACE) {
            out.pop();
        }
    }

    /// The replacement of the longest charsmap key at the start of `bytes` (which is not
    /// empty and starts at a character), and how many bytes it replaces.
    fn prefix<'a>(&'a self, bytes: &'a [u8]) -> (&'a str, usize) {
        if let Some((value, len)) = self.longest_match(bytes)
            && let Some(replacement) = self.value(value)
        {
            return (replacement, len);
        }
        let len = utf8_len(bytes[0]).min(bytes.len());
        // `bytes` comes from a `str` and `len` is its first character's length.
        (std::str::from_utf8(&bytes[..len]).unwrap_or(""), len.max(1))
    }

    /// darts-clone's common-prefix search, keeping the longest match: (value, length).
    fn longest_match(&self, bytes: &[u8]) -> Option<(usize, usize)> {
        let mut best = None;
        let mut node = offset(*self.units.first()?);
        for (i, &byte) in bytes.iter().enumerate() {
            node ^= usize::from(byte);
            let unit = *self.units.get(node)?;
            if unit & 0x8000_00FF != u32::from(byte) {
                break;
            }
            node ^= offset(unit);
            if unit & 0x100 != 0 {
                let value = *self.units.get(node)? & 0x7FFF_FFFF;
                best = Some((value as usize, i + 1));
            }
        }
        best
    }

    /// The NUL-terminated string at `offset` of the values, if it is one.
    fn value(&self, offset: usize) -> Option<&str> {
        let tail = self.values.get(offset..)?;
        let end = tail.iter().position(|&b| b == 0)?;
        std::str::from_utf8(&tail[..end]).ok()
    }
}

/// darts-clone's offset of a unit.
fn offset(unit: u32) -> usize {
    ((unit >> 10) << ((unit & 0x200) >> 6)) as usize
}

/// Length of the UTF-8 sequence a first byte announces (1 for a stray byte).
fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}
