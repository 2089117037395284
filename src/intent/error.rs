//! What can go wrong between visitor text and an embedding: loading, inference, the worker.

use std::path::PathBuf;

use super::tokenizer::TokenizerError;

/// Why the model could not be loaded or an embedding could not be computed.
///
/// `Clone` so one failed batch can report the same error to every request in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntentError {
    /// The `--model` file could not be read.
    #[error("cannot read the model file {}: {message}", path.display())]
    ReadModel {
        /// The path given.
        path: PathBuf,
        /// The I/O error, as text.
        message: String,
    },
    /// The model file has no bytes (a failed download or copy).
    #[error("the model file is empty")]
    EmptyModel,
    /// The bytes are not an ONNX sentence-embedding model tract can run with deskbell's
    /// inputs (`input_ids`, `attention_mask`, `token_type_ids` → one 512-d vector).
    #[error("the model is not a usable ONNX sentence-embedding model: {0}")]
    BadModel(String),
    /// The built-in vocabulary or normalisation map is unusable.
    #[error("the model vocabulary is unusable: {0}")]
    Vocabulary(#[from] TokenizerError),
    /// The forward pass failed (or panicked) on this batch.
    #[error("inference failed: {0}")]
    Inference(String),
    /// The worker's queue is full; the caller should not wait (e.g. skip the bot).
    #[error("the intent worker is busy")]
    Busy,
    /// The worker has stopped (shutdown, or its thread died).
    #[error("the intent worker has stopped")]
    Closed,
}
