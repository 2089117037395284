//! The context of a question, read from the store on a responder thread: the
//! conversation so far (visitor, bot and agent messages the visitor saw; never system
//! or agents-only messages) and the shop's FAQ in the visitor's language, both bounded.

use crate::bot::answer_in;
use crate::store::values::StoredAuthorKind;
use crate::store::{Store, StoreError};

use super::wire::{Asked, FaqContext, Turn};

/// Messages of the conversation sent at most (the newest).
pub const HISTORY_MAX: usize = 20;
/// FAQ entries sent at most.
pub const FAQ_MAX: usize = 100;
/// Bytes of FAQ text sent at most.
pub const FAQ_BYTES_MAX: usize = 32 * 1024;

/// What the hub knows of a question; the rest is read here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The conversation.
    pub conversation: u64,
    /// The visitor message.
    pub seq: u64,
    /// The visitor.
    pub visitor: u64,
    /// The site.
    pub site: String,
    /// The message's text.
    pub query: String,
    /// The visitor's language (`en`, `zh`).
    pub language: String,
}

/// The question with its history and the FAQ.
pub fn gather(store: &Store, q: Question) -> Result<Asked, StoreError> {
    let (messages, _) = store.messages_before(q.conversation, q.seq + 1, HISTORY_MAX)?;
    let mut history: Vec<Turn> = messages
        .into_iter()
        .filter(|(_, m)| m.event.as_ref().is_none_or(|e| !e.agents_only()))
        .filter_map(|(_, m)| {
            let role = match m.author_kind {
                StoredAuthorKind::Visitor => "visitor",
                StoredAuthorKind::Bot => "bot",
                StoredAuthorKind::Agent => "agent",
                StoredAuthorKind::System => return None,
            };
            (!m.body.trim().is_empty()).then_some(Turn { role, text: m.body })
        })
        .collect();
    if history.last().is_none_or(|t| t.text != q.query) {
        history.push(Turn {
            role: "visitor",
            text: q.query.clone(),
        });
    }
    let mut faq = Vec::new();
    let mut bytes = 0;
    for (saved, _) in store.faq_entries()?.into_iter().take(FAQ_MAX) {
        let answer = answer_in(&saved.entry.answer, &saved.answers, &q.language).to_owned();
        bytes += answer.len() + saved.entry.questions.iter().map(String::len).sum::<usize>();
        if bytes > FAQ_BYTES_MAX {
            break;
        }
        faq.push(FaqContext {
            questions: saved.entry.questions,
            answer,
        });
    }
    Ok(Asked {
        conversation: q.conversation,
        seq: q.seq,
        visitor: q.visitor,
        site: q.site,
        query: q.query,
        language: q.language,
        history,
        faq,
    })
}
