//! The shop's FAQ across storage and the bot: the checked save and delete behind the
//! console's FAQ editor, and (in `load`) loading every entry into the bot at start.
//!
//! # Layout
//! - this file: [`Draft`] and its checks ([`checked`]), [`save`], [`delete`].
//! - `load`: [`load_into`], the start-up load that re-embeds what another model made.
//! - `progress`: [`Progress`], the pure "40/120" reporter behind its log lines.
//!
//! # Stale entries never answer
//! An edit embeds the new questions *before* anything is stored; then one commit writes
//! the questions, answers and embeddings together and takes the entry's revision
//! (`store::faq_records`); only then does the bot's index take it, and the index never
//! lets a lower revision of an id replace a higher one, a deletion included
//! (`bot::index`). So: an edit that fails to embed changes nothing (the old entry stays
//! whole); two quick edits whose index updates arrive out of order leave the later
//! commit; a save racing a delete cannot bring the entry back; a decision uses the index
//! as it is once the message is embedded, so after a save has returned no decision uses
//! the old questions; and a restart between the commit and the index update rebuilds the
//! index from the store.

mod load;
mod progress;

use std::collections::BTreeMap;

pub use load::load_into;
pub use progress::Progress;

use crate::bot::{Bot, FaqEntry, SavedFaq};
use crate::store::key_records::{AuditV1, StoredActor, StoredAuditAction};
use crate::store::{Outcome, StoreError, WriteOp, WriterHandle};

/// Most example questions per entry.
pub const MAX_QUESTIONS: usize = 20;
/// Longest example question, in characters.
pub const MAX_QUESTION_CHARS: usize = 300;
/// Longest answer (the default one and each language's), in characters.
pub const MAX_ANSWER_CHARS: usize = 2_000;
/// The languages an entry's answer can be written in besides its default answer, as
/// `answers` keys: those the bot tells visitors apart by (`bot::answer_language`). Add a
/// code here (and to the console's editor) to let owners write answers in it.
pub const ANSWER_LANGUAGES: [&str; 2] = ["en", "zh"];

/// Why an FAQ entry could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum FaqError {
    /// The entry breaks a limit; the text says which.
    #[error("{0}")]
    Invalid(String),
    /// No entry with that id.
    #[error("no such FAQ entry")]
    NotFound,
    /// The bot could not embed the questions.
    #[error("the bot could not read the questions: {0}")]
    Bot(#[from] crate::bot::BotError),
    /// Storage failed.
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

/// An entry as the owner submits it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    /// Ways a visitor could ask it.
    pub questions: Vec<String>,
    /// The default answer.
    pub answer: String,
    /// The answer in other languages ([`ANSWER_LANGUAGES`]); an empty one means none.
    pub answers: BTreeMap<String, String>,
}

/// Trims the questions (dropping empty lines) and the answers (dropping empty ones), and
/// checks the limits and the languages.
pub fn checked(draft: Draft) -> Result<Draft, FaqError> {
    let questions: Vec<String> = draft
        .questions
        .into_iter()
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty())
        .collect();
    let answer = draft.answer.trim().to_string();
    if questions.is_empty() || questions.len() > MAX_QUESTIONS {
        return Err(FaqError::Invalid(format!(
            "an entry needs 1 to {MAX_QUESTIONS} example questions"
        )));
    }
    if let Some(long) = questions
        .iter()
        .find(|q| q.chars().count() > MAX_QUESTION_CHARS)
    {
        let start: String = long.chars().take(30).collect();
        return Err(FaqError::Invalid(format!(
            "the question \"{start}…\" is longer than {MAX_QUESTION_CHARS} characters"
        )));
    }
    if answer.is_empty() || answer.chars().count() > MAX_ANSWER_CHARS {
        return Err(FaqError::Invalid(format!(
            "the answer must be 1 to {MAX_ANSWER_CHARS} characters"
        )));
    }
    let mut answers = BTreeMap::new();
    for (language, text) in draft.answers {
        if !ANSWER_LANGUAGES.contains(&language.as_str()) {
            let start: String = language.chars().take(16).collect();
            return Err(FaqError::Invalid(format!(
                "unknown answer language \"{start}\": use one of {}",
                ANSWER_LANGUAGES.join(", ")
            )));
        }
        let text = text.trim().to_string();
        if text.chars().count() > MAX_ANSWER_CHARS {
            return Err(FaqError::Invalid(format!(
                "the answer in \"{language}\" must be at most {MAX_ANSWER_CHARS} characters"
            )));
        }
        if !text.is_empty() {
            answers.insert(language, text);
        }
    }
    Ok(Draft {
        questions,
        answer,
        answers,
    })
}

/// `op` recorded in the audit log as `action` by `by`, in the same commit.
fn audited(op: WriteOp, action: StoredAuditAction, by: StoredActor) -> WriteOp {
    WriteOp::Audited {
        op: Box::new(op),
        entry: AuditV1 {
            at_ms: crate::timer::unix_ms(),
            actor: by,
            action,
        },
    }
}

/// Validates, embeds (when the bot runs), stores (audited as done by `by`), and hands
/// the entry to the bot. `id` None creates an entry. Returns the entry as stored.
pub async fn save(
    bot: Option<&Bot>,
    writer: &WriterHandle,
    id: Option<u64>,
    draft: Draft,
    by: StoredActor,
) -> Result<SavedFaq, FaqError> {
    let draft = checked(draft)?;
    let mut saved = SavedFaq {
        entry: FaqEntry {
            id: id.unwrap_or(0),
            questions: draft.questions,
            answer: draft.answer,
        },
        answers: draft.answers,
        revision: 0,
    };
    // Embedded before anything is stored: a failure leaves the old entry whole.
    let embeddings = match bot {
        Some(bot) => Some(bot.embed_entry(&saved.entry).await?),
        None => None,
    };
    let record = crate::stored::faq_record(&saved, embeddings.clone());
    let action = match id {
        None => StoredAuditAction::FaqCreated { faq: 0 },
        Some(faq) => StoredAuditAction::FaqChanged { faq },
    };
    let op = audited(WriteOp::PutFaq { id, record }, action, by);
    (saved.entry.id, saved.revision) = match writer.call(op).await {
        Ok(Outcome::FaqSaved { id, revision }) => (id, revision),
        Ok(_) => {
            return Err(FaqError::Store(StoreError::Corrupt(
                "unexpected outcome".into(),
            )));
        }
        Err(StoreError::NotFound(_)) => return Err(FaqError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if let (Some(bot), Some(embeddings)) = (bot, embeddings) {
        // False when a later revision got there first: it is the one stored.
        bot.upsert_faq(&saved, &embeddings)?;
    }
    Ok(saved)
}

/// Deletes an entry from storage (audited as done by `by`) and from the bot.
pub async fn delete(
    bot: Option<&Bot>,
    writer: &WriterHandle,
    id: u64,
    by: StoredActor,
) -> Result<(), FaqError> {
    let op = audited(
        WriteOp::DeleteFaq { id },
        StoredAuditAction::FaqDeleted { faq: id },
        by,
    );
    let revision = match writer.call(op).await {
        Ok(Outcome::FaqDeleted { revision }) => revision,
        Ok(_) => {
            return Err(FaqError::Store(StoreError::Corrupt(
                "unexpected outcome".into(),
            )));
        }
        Err(StoreError::NotFound(_)) => return Err(FaqError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if let Some(bot) = bot {
        bot.remove_faq(id, revision);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(questions: Vec<String>, answer: &str) -> Draft {
        Draft {
            questions,
            answer: answer.into(),
            answers: BTreeMap::new(),
        }
    }

    #[test]
    fn entries_are_trimmed_and_limits_checked() {
        let d = checked(draft(
            vec!["  Do you ship?  ".into(), "   ".into(), "shipping".into()],
            " Yes. ",
        ))
        .expect("valid");
        assert_eq!(d.questions, vec!["Do you ship?", "shipping"]);
        assert_eq!(d.answer, "Yes.");
        assert!(checked(draft(vec![" ".into()], "a")).is_err());
        assert!(checked(draft(vec!["q".into(); MAX_QUESTIONS + 1], "a")).is_err());
        assert!(checked(draft(vec!["x".repeat(MAX_QUESTION_CHARS + 1)], "a")).is_err());
        assert!(checked(draft(vec!["q".into()], " ")).is_err());
        assert!(checked(draft(vec!["q".into()], &"é".repeat(MAX_ANSWER_CHARS))).is_ok());
        assert!(checked(draft(vec!["q".into()], &"é".repeat(MAX_ANSWER_CHARS + 1))).is_err());
    }

    #[test]
    fn answers_per_language_are_trimmed_and_checked() {
        let with = |language: &str, text: &str| Draft {
            answers: BTreeMap::from([(language.to_string(), text.to_string())]),
            ..draft(vec!["q".into()], "a")
        };
        let d = checked(with("zh", "  九点到五点 ")).expect("valid");
        assert_eq!(d.answers.get("zh").map(String::as_str), Some("九点到五点"));
        let empty = checked(with("en", "   ")).expect("an empty one is none");
        assert!(empty.answers.is_empty());
        for unknown in ["fr", "ZH", "zh-CN", ""] {
            let Err(FaqError::Invalid(why)) = checked(with(unknown, "x")) else {
                panic!("{unknown:?} accepted");
            };
            assert!(why.contains("unknown answer language"), "{why}");
        }
        assert!(checked(with("zh", &"长".repeat(MAX_ANSWER_CHARS))).is_ok());
        let Err(FaqError::Invalid(why)) = checked(with("zh", &"长".repeat(MAX_ANSWER_CHARS + 1)))
        else {
            panic!("an oversized answer accepted");
        };
        assert!(why.contains("\"zh\""), "{why}");
    }
}
