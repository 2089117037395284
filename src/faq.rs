//! The shop's FAQ across storage and the bot: loading every entry into the bot at start
//! (recomputing embeddings the running model did not make), and the checked save and
//! delete behind the console's FAQ editor.

use crate::bot::{Bot, FaqEmbeddings, FaqEntry};
use crate::store::records::FaqRecord;
use crate::store::{Outcome, Store, StoreError, WriteOp, WriterHandle};

/// Most example questions per entry.
pub const MAX_QUESTIONS: usize = 20;
/// Longest example question, in characters.
pub const MAX_QUESTION_CHARS: usize = 300;
/// Longest answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 2_000;

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

/// Trims the questions (dropping empty lines) and the answer, and checks the limits.
pub fn checked(questions: Vec<String>, answer: String) -> Result<(Vec<String>, String), FaqError> {
    let questions: Vec<String> = questions
        .into_iter()
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty())
        .collect();
    let answer = answer.trim().to_string();
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
    Ok((questions, answer))
}

/// Validates, embeds (when the bot runs), stores, and hands the entry to the bot.
/// `id` None creates an entry. Returns the entry as stored.
pub async fn save(
    bot: Option<&Bot>,
    writer: &WriterHandle,
    id: Option<u64>,
    questions: Vec<String>,
    answer: String,
) -> Result<FaqEntry, FaqError> {
    let (questions, answer) = checked(questions, answer)?;
    let mut entry = FaqEntry {
        id: id.unwrap_or(0),
        questions,
        answer,
    };
    let embeddings = match bot {
        Some(bot) => Some(bot.embed_entry(&entry).await?),
        None => None,
    };
    let record = FaqRecord::V1 {
        questions: entry.questions.clone(),
        answer: entry.answer.clone(),
        embeddings: embeddings.clone().map(Into::into),
    };
    entry.id = match writer.call(WriteOp::PutFaq { id, record }).await {
        Ok(Outcome::FaqSaved(saved)) => saved,
        Ok(_) => {
            return Err(FaqError::Store(StoreError::Corrupt(
                "unexpected outcome".into(),
            )));
        }
        Err(StoreError::NotFound(_)) => return Err(FaqError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if let (Some(bot), Some(embeddings)) = (bot, embeddings) {
        bot.upsert_faq(&entry, &embeddings)?;
    }
    Ok(entry)
}

/// Deletes an entry from storage and from the bot.
pub async fn delete(bot: Option<&Bot>, writer: &WriterHandle, id: u64) -> Result<(), FaqError> {
    match writer.call(WriteOp::DeleteFaq { id }).await {
        Ok(_) => {}
        Err(StoreError::NotFound(_)) => return Err(FaqError::NotFound),
        Err(e) => return Err(e.into()),
    }
    if let Some(bot) = bot {
        bot.remove_faq(id);
    }
    Ok(())
}

/// At start: gives the bot every stored entry, recomputing (and storing) embeddings that
/// are missing or were made by another model. Blocking; returns how many were
/// recomputed.
pub fn load_into(bot: &Bot, store: &Store, writer: &WriterHandle) -> Result<usize, FaqError> {
    let mut recomputed = 0;
    for (entry, stored) in store.faq_entries()? {
        let embeddings = match stored {
            Some(e) if bot.is_current(&entry, &e) => e,
            _ => {
                let fresh: FaqEmbeddings = smol::block_on(bot.embed_entry(&entry))?;
                let record = FaqRecord::V1 {
                    questions: entry.questions.clone(),
                    answer: entry.answer.clone(),
                    embeddings: Some(fresh.clone().into()),
                };
                writer.call_blocking(WriteOp::PutFaq {
                    id: Some(entry.id),
                    record,
                })?;
                recomputed += 1;
                fresh
            }
        };
        bot.upsert_faq(&entry, &embeddings)?;
    }
    Ok(recomputed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_trimmed_and_limits_checked() {
        let (q, a) = checked(
            vec!["  Do you ship?  ".into(), "   ".into(), "shipping".into()],
            " Yes. ".into(),
        )
        .expect("valid");
        assert_eq!(q, vec!["Do you ship?", "shipping"]);
        assert_eq!(a, "Yes.");
        assert!(checked(vec![" ".into()], "a".into()).is_err());
        assert!(checked(vec!["q".into(); MAX_QUESTIONS + 1], "a".into()).is_err());
        assert!(checked(vec!["x".repeat(MAX_QUESTION_CHARS + 1)], "a".into()).is_err());
        assert!(checked(vec!["q".into()], " ".into()).is_err());
        assert!(checked(vec!["q".into()], "é".repeat(MAX_ANSWER_CHARS)).is_ok());
        assert!(checked(vec!["q".into()], "é".repeat(MAX_ANSWER_CHARS + 1)).is_err());
    }
}
