//! Texts → L2-normalised embeddings: the tokenizer and the model together, with batching.
//!
//! [`Embed`] is the seam the bot is written against, so its tests can use a fake;
//! [`Embedder`] is the real one.
//!
//! The model embeds one text per forward pass whatever the batch
//! ([`super::model`]: its n-gram windows cannot see padding), so a message's embedding
//! never depends on who else was typing. [`DEFAULT_MAX_BATCH`] = 1 keeps the worker's
//! batches to one text per call; [`Embedder::with_max_batch`] groups texts into one
//! call, which gives the same vectors.

use std::path::Path;

use super::IntentError;
use super::model::{BUILTIN_CHARSMAP, Batch, DIM, Embedding, Model, builtin_vocab_text};
use super::tokenizer::Tokenizer;

/// Ids per message, `<s>` and `</s>` included: longer messages are cut. Visitor
/// questions are short; this bounds the cost of a pasted essay.
pub const DEFAULT_MAX_TOKENS: usize = 128;
/// Most texts per call of the model (see the module header for why 1).
pub const DEFAULT_MAX_BATCH: usize = 1;

/// Anything that turns texts into normalised embeddings, one per text, in order.
pub trait Embed {
    /// Embeds every text; the result has `texts.len()` vectors.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Embedding>, IntentError>;
}

/// The real embedder: SentencePiece Unigram tokenizer + ONNX model.
#[derive(Debug, Clone)]
pub struct Embedder {
    /// Text → ids, special tokens never produced from text.
    tokenizer: Tokenizer,
    /// The loaded model.
    model: Model,
    /// Ids per text, see [`DEFAULT_MAX_TOKENS`].
    max_tokens: usize,
    /// Sequences per forward pass, see [`DEFAULT_MAX_BATCH`].
    max_batch: usize,
}

impl Embedder {
    /// An embedder over `model` and `tokenizer` with default limits.
    pub fn new(model: Model, tokenizer: Tokenizer) -> Embedder {
        Embedder {
            tokenizer,
            model,
            max_tokens: DEFAULT_MAX_TOKENS,
            max_batch: DEFAULT_MAX_BATCH,
        }
    }

    /// The model and vocabulary built into the binary.
    pub fn builtin() -> Result<Embedder, IntentError> {
        Ok(Embedder::new(Model::builtin()?, builtin_tokenizer()?))
    }

    /// A model file (the `--model PATH` override) with the built-in vocabulary.
    pub fn from_model_file(path: &Path) -> Result<Embedder, IntentError> {
        Ok(Embedder::new(Model::from_path(path)?, builtin_tokenizer()?))
    }

    /// Changes the per-text id limit (at least 2: `<s> </s>`).
    pub fn with_max_tokens(mut self, max_tokens: usize) -> Embedder {
        self.max_tokens = max_tokens.max(2);
        self
    }

    /// Changes the most texts per call of the model (at least 1).
    pub fn with_max_batch(mut self, max_batch: usize) -> Embedder {
        self.max_batch = max_batch.max(1);
        self
    }

    /// The loaded model (its id and size).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }
}

impl Embed for Embedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Embedding>, IntentError> {
        let seqs: Vec<Vec<u32>> = texts
            .iter()
            .map(|t| self.tokenizer.encode(t, self.max_tokens))
            .collect();
        // Shortest first, so each chunk pads to a length close to its own.
        let mut order: Vec<usize> = (0..seqs.len()).collect();
        order.sort_by_key(|&i| seqs[i].len());
        let mut out = vec![[0.0; DIM]; seqs.len()];
        // Padding is masked out: the model runs each row at its own length.
        let pad = self.tokenizer.special_ids().unk;
        for chunk in order.chunks(self.max_batch) {
            let rows: Vec<&[u32]> = chunk.iter().map(|&i| seqs[i].as_slice()).collect();
            let vectors = self.model.run(&Batch::pad(&rows, pad))?;
            for (&i, mut v) in chunk.iter().zip(vectors) {
                normalize(&mut v);
                out[i] = v;
            }
        }
        Ok(out)
    }
}

/// Loads the built-in vocabulary and normalisation map.
pub fn builtin_tokenizer() -> Result<Tokenizer, IntentError> {
    Ok(Tokenizer::new(&builtin_vocab_text(), BUILTIN_CHARSMAP)?)
}

/// Scales `v` to unit length (a zero vector stays zero).
pub fn normalize(v: &mut Embedding) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Dot product; the cosine similarity of two normalised embeddings.
pub fn dot(a: &Embedding, b: &Embedding) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
