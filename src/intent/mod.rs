//! Intent: the on-device sentence-embedding model (all-MiniLM-L6-v2, int8 ONNX), from
//! visitor text to a normalised 384-d vector, off the executor threads.
//!
//! # Layout
//!
//! - [`tokenizer`]: visitor text → WordPiece token ids, identical to the reference
//!   tokenizer the model was trained with, except that special-token text is plain text.
//! - `charclass`: the character classes the tokenizer follows, generated from the
//!   reference by `scripts/model/gen_char_tables.py` (not edited by hand).
//! - [`embedded`]: streams the deflated model out of the executable file (not through
//!   its mapping, whose pages would stay resident) and inflates it to its known size.
//! - [`model`]: loads the ONNX file with tract (built in, or `--model PATH`), runs padded
//!   batches of ids.
//! - [`embedder`]: texts → embeddings (tokenizer + model + batching), and the [`Embed`]
//!   trait the bot is written against.
//! - [`worker`]: the dedicated inference thread with a bounded queue that batches
//!   waiting requests.
//! - `error`: [`IntentError`].
//!
//! The model file, its vocabulary and licence live in `models/` and are produced by
//! `scripts/model/run.sh`; the golden fixtures in `tests/fixtures/` come from the same run.
//! What the embeddings are used for is [`crate::bot`]'s business.

mod charclass;
pub mod embedded;
pub mod embedder;
mod error;
pub mod model;
pub mod tokenizer;
pub mod worker;

pub use embedder::{Embed, Embedder};
pub use error::IntentError;
pub use model::{DIM, Embedding, Model};
pub use worker::{EmbedHandle, WorkerConfig};

#[cfg(test)]
pub(crate) mod tests;
