//! The built-in intents' example phrasings, embedded by the built-in model ahead of time.
//!
//! Embedding the ~100 examples takes about 0.6 s of inference, more than half of a start
//! with the bot; since both the examples and the built-in model are compiled in, their
//! embeddings are too: `models/intent-vectors.postcard`, written by
//! `UPDATE_INTENT_VECTORS=1 cargo test --lib intent_vectors` and checked by the same
//! test (it recomputes them and compares). The file names the model and a digest of the
//! examples: any other model (`--model`), or edited examples without a refreshed file,
//! falls back to computing them at start.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::intents::Intent;
use crate::intent::{DIM, Embedding};

/// The committed file.
static COMMITTED: &[u8] = include_bytes!("../../models/intent-vectors.postcard");

/// What the file holds.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct IntentVectors {
    /// Hex sha256 of the model that computed them.
    model_id: String,
    /// Hex sha256 of the example texts, in order, each followed by a newline.
    examples: String,
    /// One per example, in order; `DIM` values each.
    vectors: Vec<Vec<f32>>,
}

/// Digest of the example texts, in order.
fn examples_digest(examples: &[(Intent, &str)]) -> String {
    let mut hash = Sha256::new();
    for (_, text) in examples {
        hash.update(text.as_bytes());
        hash.update(b"\n");
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The committed embeddings of `examples`, if they were computed by `model_id` for
/// exactly these examples.
pub fn committed(model_id: &str, examples: &[(Intent, &str)]) -> Option<Vec<Embedding>> {
    let file: IntentVectors = postcard::from_bytes(COMMITTED).ok()?;
    if file.model_id != model_id
        || file.examples != examples_digest(examples)
        || file.vectors.len() != examples.len()
    {
        return None;
    }
    file.vectors
        .iter()
        .map(|v| <[f32; DIM]>::try_from(v.as_slice()).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file's bytes for `vectors` (the embeddings of `examples` by `model_id`).
    fn encode(model_id: &str, examples: &[(Intent, &str)], vectors: &[Embedding]) -> Vec<u8> {
        let file = IntentVectors {
            model_id: model_id.to_owned(),
            examples: examples_digest(examples),
            vectors: vectors.iter().map(|v| v.to_vec()).collect(),
        };
        postcard::to_allocvec(&file).unwrap_or_default()
    }
    use crate::bot::Matcher;
    use crate::intent::{Embed, Embedder};

    /// Recomputes the embeddings with the built-in model; they must match the committed
    /// file (closely: another CPU's kernels may round differently), or the file is
    /// rewritten when `UPDATE_INTENT_VECTORS=1`.
    #[test]
    fn committed_intent_vectors_match_the_builtin_model() {
        let embedder = Embedder::builtin().expect("built-in model");
        let model_id = embedder.model().id().to_owned();
        let examples = Matcher::intent_examples();
        let texts: Vec<&str> = examples.iter().map(|(_, t)| *t).collect();
        let fresh = embedder.embed(&texts).expect("embeds");
        if std::env::var_os("UPDATE_INTENT_VECTORS").is_some() {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("models/intent-vectors.postcard");
            std::fs::write(&path, encode(&model_id, &examples, &fresh)).expect("writes");
            return;
        }
        let stored = committed(&model_id, &examples).expect(
            "models/intent-vectors.postcard is stale: run UPDATE_INTENT_VECTORS=1 cargo test --lib intent_vectors",
        );
        for ((a, b), (_, text)) in stored.iter().zip(&fresh).zip(&examples) {
            let cosine: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            assert!(cosine > 0.999, "{text}: cosine {cosine}");
        }
        assert_eq!(committed(&model_id, &examples[1..]), None, "other examples");
        assert_eq!(committed("another model", &examples), None, "another model");
    }
}
