//! Intent: the on-device FAQ model's side of deskbell (all-MiniLM-L6-v2, int8 ONNX).
//!
//! # Layout
//!
//! - [`tokenizer`]: visitor text → WordPiece token ids, identical to the reference
//!   tokenizer the model was trained with, except that special-token text is plain text.
//! - `charclass`: the character classes the tokenizer follows, generated from the
//!   reference by `scripts/model/gen_char_tables.py` (not edited by hand).
//!
//! The model file, its vocabulary and licence live in `models/` and are produced by
//! `scripts/model/run.sh`; the golden fixtures in `tests/fixtures/` come from the same run.

mod charclass;
pub mod tokenizer;
