//! The shop's FAQ entries as stored (`faqid_faq`, since schema 2): a record of versions
//! like every other (see `records.rs`), read as the latest version.
//!
//! V2 adds the answer per language and the entry's revision. Revisions come from one
//! counter in `meta` ([`super::tables::FAQ_REVISION`]), taken in the transaction that
//! saves or deletes an entry, so they follow the commit order across all entries (and
//! across an id used again after its entry was deleted); the bot's index never lets a
//! lower revision replace a higher one (`bot::index`). A V1 entry reads as revision 0.

use serde::{Deserialize, Serialize};

use super::values::StoredEmbeddings;

/// An FAQ entry as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum FaqRecord {
    /// Version 1.
    V1 {
        /// Ways a visitor might ask it.
        questions: Vec<String>,
        /// What the bot answers.
        answer: String,
        /// The questions' embeddings; `None` when saved while the bot was off (computed
        /// at the next start with the bot).
        embeddings: Option<StoredEmbeddings>,
    },
    /// Version 2: adds the answer per language and the revision.
    V2(FaqV2),
}

/// Version 2 of a stored FAQ entry.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct FaqV2 {
    /// Ways a visitor might ask it (in any language).
    pub questions: Vec<String>,
    /// The default answer: for visitors whose language has none in `answers`.
    pub answer: String,
    /// The answer in other languages, by language code (`en`, `zh`), sorted, each
    /// language once.
    pub answers: Vec<LocalAnswer>,
    /// Set by the store when the entry is written (see the module docs).
    pub revision: u64,
    /// The questions' embeddings, computed for exactly these questions (they are
    /// written together); `None` when saved while the bot was off (computed at the next
    /// start with the bot).
    pub embeddings: Option<StoredEmbeddings>,
}

/// An FAQ entry's answer in one language.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct LocalAnswer {
    /// Language code, e.g. `zh`.
    pub language: String,
    /// The answer.
    pub text: String,
}

impl FaqRecord {
    /// The entry in the current version's shape.
    pub fn into_latest(self) -> FaqV2 {
        match self {
            FaqRecord::V1 {
                questions,
                answer,
                embeddings,
            } => FaqV2 {
                questions,
                answer,
                answers: Vec::new(),
                revision: 0,
                embeddings,
            },
            FaqRecord::V2(v2) => v2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_entry_reads_with_no_other_languages_at_revision_0() {
        let v1 = FaqRecord::V1 {
            questions: vec!["Open?".into()],
            answer: "9-5".into(),
            embeddings: None,
        };
        let latest = v1.into_latest();
        assert_eq!(
            (
                latest.answer.as_str(),
                latest.answers.len(),
                latest.revision
            ),
            ("9-5", 0, 0)
        );
    }
}
