//! Why the tokenizer's vocabulary or normalisation map could not be loaded.

/// Why the vocabulary or the charsmap could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenizerError {
    /// A vocabulary line is not `piece<TAB>score` with a non-empty piece and a finite
    /// score.
    #[error("vocabulary line {line} is not a piece, a tab and a score")]
    BadLine {
        /// 1-based line number.
        line: usize,
    },
    /// The same piece is listed twice, so it would have two ids.
    #[error("vocabulary line {line}: piece {piece:?} is listed twice")]
    DuplicatePiece {
        /// 1-based line number of the second occurrence.
        line: usize,
        /// The repeated piece.
        piece: String,
    },
    /// The first three lines are not `<unk>`, `<s>`, `</s>`.
    #[error("vocabulary lacks the special piece {0} in its place")]
    MissingSpecial(&'static str),
    /// More lines than ids fit in a `u32`.
    #[error("vocabulary has more pieces than fit in a u32 id")]
    TooLarge,
    /// The normalisation map is not a precompiled SentencePiece charsmap.
    #[error("the normalisation map is unusable: {0}")]
    BadCharsmap(String),
}
