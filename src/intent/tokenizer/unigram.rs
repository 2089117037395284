//! The Unigram vocabulary and its Viterbi segmentation: normalised text → piece ids.
//!
//! The best segmentation maximises the sum of the pieces' scores (log-probabilities),
//! computed exactly as sentencepiece's `unigram::Model::EncodeOptimized` does, so ties
//! and rounding fall the same way:
//!
//! - left to right over character positions, each position's candidates in order of
//!   length; a candidate replaces the best path ending where it ends only if its score
//!   is strictly greater, summed in `f32` as `piece score + score so far`;
//! - where no one-character piece starts at a position, an `<unk>` node covers that
//!   character with the score `min(piece scores) − 10`;
//! - after the backtrace, a run of consecutive `<unk>` becomes one `<unk>` (as
//!   `SentencePieceProcessor::Encode` does).
//!
//! Only normal pieces are in the lattice: `<unk>`, `<s>` and `</s>` never match text,
//! so a visitor typing `<s>` gets the pieces of `<`, `s`, `>`.

use std::collections::HashMap;

use super::error::TokenizerError;

/// The names of the three first ids, which every vocabulary starts with.
pub const SPECIAL_PIECES: [&str; 3] = ["<unk>", "<s>", "</s>"];
/// sentencepiece's `kUnkPenalty`.
const UNK_PENALTY: f32 = 10.0;

/// Pieces and scores, as listed in `models/use-m-en-zh-vocab.tsv`.
#[derive(Debug, Clone)]
pub struct Vocab {
    /// Normal piece text → id (the specials are not in it).
    ids: HashMap<Box<str>, u32>,
    /// Score of every id, specials included.
    scores: Vec<f32>,
    /// Score of an `<unk>` node.
    unk_score: f32,
    /// Length in bytes of the longest piece: no longer candidate can match.
    max_piece_bytes: usize,
}

/// The best path ending at one byte position.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Sum of the scores along the path.
    score: f32,
    /// Where its last piece starts; `None` while no path ends here.
    start: Option<usize>,
    /// Id of its last piece.
    id: u32,
}

impl Vocab {
    /// Parses `piece<TAB>score` lines; id = line index; the first three lines must be
    /// `<unk>`, `<s>` and `</s>`.
    pub fn from_tsv(text: &str) -> Result<Vocab, TokenizerError> {
        let mut ids = HashMap::new();
        let mut scores = Vec::new();
        let mut max_piece_bytes = 0;
        for (index, row) in text.lines().enumerate() {
            let line = index + 1;
            let (piece, score) = row
                .split_once('\t')
                .ok_or(TokenizerError::BadLine { line })?;
            let score: f32 = score
                .parse()
                .ok()
                .filter(|s: &f32| s.is_finite())
                .ok_or(TokenizerError::BadLine { line })?;
            if piece.is_empty() {
                return Err(TokenizerError::BadLine { line });
            }
            let id = u32::try_from(index).map_err(|_| TokenizerError::TooLarge)?;
            if let Some(&special) = SPECIAL_PIECES.get(index) {
                if piece != special {
                    return Err(TokenizerError::MissingSpecial(special));
                }
            } else if ids.insert(Box::from(piece), id).is_some() {
                let piece = piece.to_owned();
                return Err(TokenizerError::DuplicatePiece { line, piece });
            } else {
                max_piece_bytes = max_piece_bytes.max(piece.len());
            }
            scores.push(score);
        }
        if let Some(&missing) = SPECIAL_PIECES.get(scores.len()) {
            return Err(TokenizerError::MissingSpecial(missing));
        }
        let min_score = scores[SPECIAL_PIECES.len()..]
            .iter()
            .copied()
            .fold(f32::MAX, f32::min);
        Ok(Vocab {
            ids,
            scores,
            unk_score: min_score - UNK_PENALTY,
            max_piece_bytes,
        })
    }

    /// Number of ids, specials included.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// Appends the ids of the best segmentation of `text` (already normalised) to `out`,
    /// with `unk` for characters no piece covers.
    pub fn segment(&self, text: &str, unk: u32, out: &mut Vec<u32>) {
        let size = text.len();
        let empty = Node {
            score: 0.0,
            start: None,
            id: unk,
        };
        let mut best = vec![empty; size + 1];
        for (start, c) in text.char_indices() {
            let here = best[start].score;
            let char_end = start + c.len_utf8();
            let mut covered = false;
            let mut stop = (start + self.max_piece_bytes).min(size);
            while !text.is_char_boundary(stop) {
                stop -= 1;
            }
            let ends = text[start..stop]
                .char_indices()
                .map(|(i, c)| start + i + c.len_utf8());
            for end in ends {
                let Some(&id) = self.ids.get(&text[start..end]) else {
                    continue;
                };
                let score = self.scores[id as usize] + here;
                relax(&mut best[end], score, start, id);
                covered |= end == char_end;
            }
            if !covered {
                relax(&mut best[char_end], self.unk_score + here, start, unk);
            }
        }
        let first = out.len();
        let mut end = size;
        while end > 0 {
            let node = best[end];
            let Some(start) = node.start else { break };
            if !(node.id == unk && out.len() > first && out.last() == Some(&unk)) {
                out.push(node.id);
            }
            end = start;
        }
        out[first..].reverse();
    }
}

/// Makes (`score`, `start`, `id`) the best path ending at `node` if it is strictly
/// better, or the first one.
fn relax(node: &mut Node, score: f32, start: usize, id: u32) {
    if node.start.is_none() || score > node.score {
        *node = Node {
            score,
            start: Some(start),
            id,
        };
    }
}
