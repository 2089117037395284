//! The shop's FAQ entries, their answers per language, and the shape of their example
//! embeddings.
//!
//! An entry has a default answer ([`FaqEntry::answer`]) and may have the same answer in
//! other languages ([`SavedFaq::answers`], by language code). A visitor gets the answer in
//! their language ([`super::answer_language`]) when the owner wrote one, the default one
//! otherwise ([`answer_in`]): a shop that wrote its default answers in Chinese gives
//! them to English visitors too unless it adds English ones.
//!
//! An entry's example questions and its answer are embedded once, when the entry is saved
//! ([`super::Bot::embed_entry`]); the store keeps the result next to the entry (as its
//! own `StoredEmbeddings`, converted from [`FaqEmbeddings`] in `crate::stored`). Each
//! vector is int8 with one `f32` scale (≈ 520 bytes instead of 2,048 for `f32`); the
//! cosine it gives differs from the `f32` one by less than 0.001, far below any
//! threshold step. `model_id` says which model computed them: when it differs from
//! the running model's ([`super::Bot::model_id`]), the embeddings must be recomputed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::BotError;
use crate::intent::{DIM, Embedding};

/// One FAQ entry as the shop owner writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqEntry {
    /// Chosen by the store; stable for the entry's life.
    pub id: u64,
    /// A few ways a visitor could ask it (the bot compares messages with these).
    pub questions: Vec<String>,
    /// What the bot sends when it is confident the visitor asked this: the default
    /// answer, for visitors whose language has none of its own ([`SavedFaq::answers`]).
    pub answer: String,
}

impl FaqEntry {
    /// The texts the bot compares messages with, in the order their embeddings are
    /// stored: every example question, then the answer.
    pub fn prototypes(&self) -> Vec<&str> {
        let mut texts: Vec<&str> = self.questions.iter().map(String::as_str).collect();
        texts.push(&self.answer);
        texts
    }

    /// How many embeddings [`FaqEntry::prototypes`] has: one per question, one for the
    /// answer.
    pub fn prototype_count(&self) -> usize {
        self.questions.len() + 1
    }
}

/// An entry as saved: the entry with its default answer, that answer in other languages,
/// and the revision it was saved at (the bot's index never lets a lower revision of an
/// entry replace a higher one; see `super::index`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFaq {
    /// The entry (its `answer` is the default answer).
    pub entry: FaqEntry,
    /// The answer in other languages: language code (`en`, `zh`) → answer.
    pub answers: BTreeMap<String, String>,
    /// Set by the store when saved; 0 for an entry saved before revisions.
    pub revision: u64,
}

impl SavedFaq {
    /// The answer for a visitor whose language is `language` (see [`answer_in`]).
    pub fn answer_in(&self, language: &str) -> &str {
        answer_in(&self.entry.answer, &self.answers, language)
    }
}

/// The rule for every answer the bot sends or suggests: the answer in `language` when
/// the owner wrote one (a non-empty text under that code), else the default answer.
pub fn answer_in<'a>(
    default: &'a str,
    answers: &'a BTreeMap<String, String>,
    language: &str,
) -> &'a str {
    answers
        .get(language)
        .map(String::as_str)
        .filter(|a| !a.is_empty())
        .unwrap_or(default)
}

/// The stored embeddings of one entry's prototypes, in the order of
/// [`FaqEntry::prototypes`] (its questions, then its answer; embeddings stored before
/// issue #12 have the questions only, and are recomputed at start).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaqEmbeddings {
    /// Hex sha256 of the model file that computed them.
    pub model_id: String,
    /// One per prototype.
    pub vectors: Vec<QuantizedEmbedding>,
}

/// An embedding stored as int8: value `i` is `values[i] as f32 * scale`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuantizedEmbedding {
    /// The largest absolute value divided by 127.
    pub scale: f32,
    /// [`DIM`] values.
    pub values: Vec<i8>,
}

impl QuantizedEmbedding {
    /// Quantizes `embedding` (symmetric, one scale per vector).
    pub fn quantize(embedding: &Embedding) -> QuantizedEmbedding {
        let max = embedding.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let values = embedding
            .iter()
            .map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8)
            .collect();
        QuantizedEmbedding { scale, values }
    }

    /// Back to a normalised `f32` embedding; fails if the record is malformed.
    pub fn to_embedding(&self) -> Result<Embedding, BotError> {
        if self.values.len() != DIM || !self.scale.is_finite() {
            return Err(BotError::BadEmbedding {
                len: self.values.len(),
            });
        }
        let mut out = [0.0; DIM];
        for (o, &v) in out.iter_mut().zip(&self.values) {
            *o = f32::from(v) * self.scale;
        }
        crate::intent::embedder::normalize(&mut out);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::embedder::{dot, normalize};

    #[test]
    fn the_answer_in_the_visitors_language_else_the_default_one() {
        let saved = SavedFaq {
            entry: FaqEntry {
                id: 1,
                questions: vec!["Open?".into()],
                answer: "9-5".into(),
            },
            answers: BTreeMap::from([
                ("zh".to_string(), "九点到五点".to_string()),
                ("fr".to_string(), String::new()),
            ]),
            revision: 3,
        };
        assert_eq!(saved.answer_in("zh"), "九点到五点");
        assert_eq!(saved.answer_in("en"), "9-5", "no English one: the default");
        assert_eq!(saved.answer_in("fr"), "9-5", "an empty one counts as none");
        assert_eq!(saved.answer_in("ZH"), "9-5", "codes are lower-case");
        let chinese_default = BTreeMap::new();
        assert_eq!(
            answer_in("九点到五点", &chinese_default, "en"),
            "九点到五点"
        );
    }

    #[test]
    fn quantized_embeddings_keep_the_cosine_and_reject_bad_records() {
        let mut e = [0.0; DIM];
        for (i, v) in e.iter_mut().enumerate() {
            *v = ((i * 7919) % 211) as f32 / 211.0 - 0.5;
        }
        normalize(&mut e);
        let q = QuantizedEmbedding::quantize(&e);
        let back = q.to_embedding().expect("valid");
        assert!(dot(&e, &back) > 0.9999);
        let bytes = postcard::to_allocvec(&q).expect("encodes");
        assert!(bytes.len() <= DIM + 8, "{} bytes", bytes.len());
        let short = QuantizedEmbedding {
            scale: 0.1,
            values: vec![1; 10],
        };
        assert!(short.to_embedding().is_err());
        let zero = QuantizedEmbedding::quantize(&[0.0; DIM]);
        assert_eq!(zero.to_embedding().expect("valid"), [0.0; DIM]);
    }
}
