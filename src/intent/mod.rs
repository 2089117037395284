//! Intent: the on-device sentence-embedding model (Universal Sentence Encoder
//! multilingual v3, English + Chinese, int8 ONNX), from visitor text to a normalised
//! 512-d vector, off the executor threads.
//!
//! # Layout
//!
//! - [`tokenizer`]: visitor text → SentencePiece Unigram ids, identical to Google's
//!   `sentencepiece` running the model's pruned vocabulary; special-piece text is plain
//!   text. Its parts: `tokenizer::normalizer` (the `nmt_nfkc` charsmap and whitespace)
//!   and `tokenizer::unigram` (the scored pieces and the Viterbi segmentation).
//! - [`model`]: loads the ONNX file with tract (built in, or `--model PATH`), runs one
//!   unpadded sequence per forward pass.
//! - `float_products`: at load on x86-64, turns the file's integer matrix products into
//!   `f32` products with the same result (tract's integer kernels were 16-30× slower).
//! - [`embedded`]: streams the deflated model out of the executable file (not through
//!   its mapping, whose pages would stay resident) and inflates it to its known size.
//! - [`embedder`]: texts → embeddings (tokenizer + model + batching), and the [`Embed`]
//!   trait the bot is written against.
//! - [`worker`]: the dedicated inference thread with a bounded queue that batches
//!   waiting requests.
//! - `error`: [`IntentError`].
//!
//! The model file, its vocabulary, normalisation map and licence live in `models/` and
//! are produced by `scripts/model-use/run.sh`; the golden fixtures in `tests/fixtures/`
//! (`tokenizer_golden.jsonl`, `embedding_golden.json`) come from the same run.
//! What the embeddings are used for is [`crate::bot`]'s business.

pub mod embedded;
pub mod embedder;
mod error;
mod float_products;
pub mod model;
pub mod tokenizer;
pub mod worker;

pub use embedder::{Embed, Embedder};
pub use error::IntentError;
pub use model::{DIM, Embedding, Model};
pub use worker::{EmbedHandle, StillWanted, WorkerConfig};

#[cfg(test)]
pub(crate) mod tests;
