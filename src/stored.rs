//! Between stored records and the rest: `From` conversions both ways between the
//! store's own value types (`store::values`) and the wire's (`protocol`) and the bot's,
//! and the wire- and bot-shaped views of stored data (`Store::summary`,
//! `Store::faq_entries`, `MessageV1::to_wire`) and the record of a saved FAQ entry
//! ([`faq_record`]).
//!
//! `store` imports nothing from `protocol` or `bot`, so a frame or bot change cannot
//! change the file format by accident; this module is where the two meet. A new wire
//! variant that must be stored needs a new stored variant (appended, with its golden
//! bytes in `store/golden.rs`) and its arm here: the matches below have no wildcard.

use crate::bot::{FaqEmbeddings, FaqEntry, QuantizedEmbedding, SavedFaq};
use crate::protocol::{
    Attachment, Author, AuthorKind, Choice, ConversationEvent, ConversationStatus,
    ConversationSummary, HandoffReason, Message, SuggestedReply,
};
use crate::store::records::{FaqV2, LocalAnswer, MessageV1};
use crate::store::values::{
    StoredAttachment, StoredAuthorKind, StoredChoice, StoredEmbedding, StoredEmbeddings,
    StoredEvent, StoredHandoffReason, StoredStatus, StoredSuggestion,
};
use crate::store::{Store, StoreError};

/// `From` both ways between two field-less enums with the same variants.
macro_rules! same_variants {
    ($stored:ident, $other:ident, [$($variant:ident),+ $(,)?]) => {
        impl From<$other> for $stored {
            fn from(value: $other) -> Self {
                match value {
                    $($other::$variant => $stored::$variant,)+
                }
            }
        }
        impl From<$stored> for $other {
            fn from(value: $stored) -> Self {
                match value {
                    $($stored::$variant => $other::$variant,)+
                }
            }
        }
        impl PartialEq<$other> for $stored {
            fn eq(&self, other: &$other) -> bool {
                $other::from(*self) == *other
            }
        }
    };
}

same_variants!(StoredAuthorKind, AuthorKind, [Visitor, Agent, Bot, System]);
same_variants!(
    StoredStatus,
    ConversationStatus,
    [Queued, Assigned, Closed, Bot]
);
same_variants!(
    StoredHandoffReason,
    HandoffReason,
    [HumanRequested, Frustrated, LowConfidence, BotUnavailable]
);

impl From<ConversationEvent> for StoredEvent {
    fn from(event: ConversationEvent) -> Self {
        use ConversationEvent as E;
        match event {
            E::Queued => StoredEvent::Queued,
            E::Assigned { agent } => StoredEvent::Assigned { agent },
            E::Transferred { from, to } => StoredEvent::Transferred { from, to },
            E::Closed { by } => StoredEvent::Closed { by },
            E::Reopened { by } => StoredEvent::Reopened { by },
            E::Note => StoredEvent::Note,
            E::BotAnswer { faq_id } => StoredEvent::BotAnswer { faq_id },
            E::HandedOff { reason } => StoredEvent::HandedOff {
                reason: reason.into(),
            },
            E::Suggestions { replies } => StoredEvent::Suggestions {
                replies: replies
                    .into_iter()
                    .map(|r| StoredSuggestion {
                        faq_id: r.faq_id,
                        answer: r.answer,
                        score_pct: r.score_pct,
                    })
                    .collect(),
            },
            E::Feedback { seq, helpful } => StoredEvent::Feedback { seq, helpful },
            E::Choices { choices } => StoredEvent::Choices {
                choices: choices
                    .into_iter()
                    .map(|c| StoredChoice {
                        faq_id: c.faq_id,
                        question: c.question,
                    })
                    .collect(),
            },
            E::Attachments { files } => StoredEvent::Attachments {
                files: files
                    .into_iter()
                    .map(|f| StoredAttachment {
                        token: crate::store::file_token::parse(&f.id).unwrap_or_default(),
                        name: f.name,
                        content_type: f.content_type,
                        size: f.size,
                    })
                    .collect(),
            },
        }
    }
}

impl From<StoredEvent> for ConversationEvent {
    fn from(event: StoredEvent) -> Self {
        use ConversationEvent as E;
        match event {
            StoredEvent::Queued => E::Queued,
            StoredEvent::Assigned { agent } => E::Assigned { agent },
            StoredEvent::Transferred { from, to } => E::Transferred { from, to },
            StoredEvent::Closed { by } => E::Closed { by },
            StoredEvent::Reopened { by } => E::Reopened { by },
            StoredEvent::Note => E::Note,
            StoredEvent::BotAnswer { faq_id } => E::BotAnswer { faq_id },
            StoredEvent::HandedOff { reason } => E::HandedOff {
                reason: reason.into(),
            },
            StoredEvent::Suggestions { replies } => E::Suggestions {
                replies: replies
                    .into_iter()
                    .map(|r| SuggestedReply {
                        faq_id: r.faq_id,
                        answer: r.answer,
                        score_pct: r.score_pct,
                    })
                    .collect(),
            },
            StoredEvent::Feedback { seq, helpful } => E::Feedback { seq, helpful },
            StoredEvent::Choices { choices } => E::Choices {
                choices: choices
                    .into_iter()
                    .map(|c| Choice {
                        faq_id: c.faq_id,
                        question: c.question,
                    })
                    .collect(),
            },
            StoredEvent::Attachments { files } => E::Attachments {
                files: files
                    .into_iter()
                    .map(|f| Attachment {
                        id: crate::store::file_token::format(&f.token),
                        name: f.name,
                        content_type: f.content_type,
                        size: f.size,
                    })
                    .collect(),
            },
        }
    }
}

impl From<FaqEmbeddings> for StoredEmbeddings {
    fn from(e: FaqEmbeddings) -> Self {
        StoredEmbeddings {
            model_id: e.model_id,
            vectors: e
                .vectors
                .into_iter()
                .map(|v| StoredEmbedding {
                    scale: v.scale,
                    values: v.values,
                })
                .collect(),
        }
    }
}

impl From<StoredEmbeddings> for FaqEmbeddings {
    fn from(e: StoredEmbeddings) -> Self {
        FaqEmbeddings {
            model_id: e.model_id,
            vectors: e
                .vectors
                .into_iter()
                .map(|v| QuantizedEmbedding {
                    scale: v.scale,
                    values: v.values,
                })
                .collect(),
        }
    }
}

impl MessageV1 {
    /// The wire form of this message at position `seq` of `conversation`.
    pub fn to_wire(&self, conversation: u64, seq: u64) -> Message {
        Message {
            conversation,
            seq,
            at_ms: self.at_ms,
            author: Author {
                kind: self.author_kind.into(),
                id: self.author_id,
                name: self.author_name.clone(),
            },
            body: self.body.clone(),
            client_id: self.client_id.clone(),
            event: self.event.clone().map(Into::into),
        }
    }
}

impl Store {
    /// A stored conversation as agents see it (queue position unknown here).
    pub fn summary(&self, id: u64) -> Result<Option<ConversationSummary>, StoreError> {
        let Some(c) = self.conversation(id)? else {
            return Ok(None);
        };
        let (last_seq, last_at_ms) = self.last_message(id)?;
        let [read_visitor, read_agent] = self.read_state(id)?;
        Ok(Some(ConversationSummary {
            id,
            visitor_name: self.visitor(c.visitor)?.and_then(|v| v.name),
            site: c.site,
            visitor: c.visitor,
            status: c.status.into(),
            agent: c.agent,
            last_seq,
            last_at_ms,
            created_ms: c.created_ms,
            queue_position: None,
            preview: self.preview(id)?,
            read_visitor,
            read_agent,
        }))
    }

    /// Closed conversations with ids below `before` (0 = any), newest first.
    pub fn closed_conversations(
        &self,
        before: u64,
        limit: usize,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        self.summaries(self.closed_conversation_ids(before, limit)?)
    }

    /// Closed conversations that carry `label`, ids below `before` (0 = any), newest
    /// first (read through the label's index).
    pub fn closed_with_label(
        &self,
        label: u64,
        before: u64,
        limit: usize,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        let mut found = Vec::new();
        for id in self.labelled(label, before)? {
            if found.len() >= limit {
                break;
            }
            let closed = self
                .conversation(id)?
                .is_some_and(|c| c.status == crate::store::values::StoredStatus::Closed);
            if closed && let Some(summary) = self.summary(id)? {
                found.push(summary);
            }
        }
        Ok(found)
    }

    /// A visitor's conversations, newest first.
    pub fn visitor_conversations(
        &self,
        visitor: u64,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        self.summaries(self.visitor_conversation_ids(visitor)?)
    }

    fn summaries(&self, ids: Vec<u64>) -> Result<Vec<ConversationSummary>, StoreError> {
        ids.into_iter()
            .filter_map(|id| self.summary(id).transpose())
            .collect()
    }

    /// Every FAQ entry by id, with its stored embeddings (`None`: not computed yet).
    pub fn faq_entries(&self) -> Result<Vec<(SavedFaq, Option<FaqEmbeddings>)>, StoreError> {
        Ok(self
            .faq_records()?
            .into_iter()
            .map(|f| {
                let saved = SavedFaq {
                    entry: FaqEntry {
                        id: f.id,
                        questions: f.questions,
                        answer: f.answer,
                    },
                    answers: f
                        .answers
                        .into_iter()
                        .map(|a| (a.language, a.text))
                        .collect(),
                    revision: f.revision,
                };
                (saved, f.embeddings.map(Into::into))
            })
            .collect())
    }
}

/// The record that stores `saved` with `embeddings` (its `revision` is set by the store).
pub fn faq_record(saved: &SavedFaq, embeddings: Option<FaqEmbeddings>) -> FaqV2 {
    FaqV2 {
        questions: saved.entry.questions.clone(),
        answer: saved.entry.answer.clone(),
        answers: saved
            .answers
            .iter()
            .map(|(language, text)| LocalAnswer {
                language: language.clone(),
                text: text.clone(),
            })
            .collect(),
        revision: saved.revision,
        embeddings: embeddings.map(Into::into),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every wire event (the match makes a new variant fail to compile here).
    fn every_event() -> Vec<ConversationEvent> {
        use ConversationEvent as E;
        let all = vec![
            E::Queued,
            E::Assigned { agent: 2 },
            E::Transferred { from: 2, to: 3 },
            E::Closed { by: 2 },
            E::Reopened { by: 0 },
            E::Note,
            E::BotAnswer { faq_id: 1 },
            E::HandedOff {
                reason: HandoffReason::LowConfidence,
            },
            E::Suggestions {
                replies: vec![SuggestedReply {
                    faq_id: 3,
                    answer: "Yes".into(),
                    score_pct: 49,
                }],
            },
            E::Feedback {
                seq: 2,
                helpful: false,
            },
            E::Choices {
                choices: vec![Choice {
                    faq_id: 3,
                    question: "运费多少？".into(),
                }],
            },
            E::Attachments {
                files: vec![Attachment {
                    id: "00112233445566778899aabbccddeeff".into(),
                    name: "box.jpg".into(),
                    content_type: "image/jpeg".into(),
                    size: 1234,
                }],
            },
        ];
        for e in &all {
            match e {
                E::Queued
                | E::Assigned { .. }
                | E::Transferred { .. }
                | E::Closed { .. }
                | E::Reopened { .. }
                | E::Note
                | E::BotAnswer { .. }
                | E::HandedOff { .. }
                | E::Suggestions { .. }
                | E::Feedback { .. }
                | E::Choices { .. }
                | E::Attachments { .. } => {}
            }
        }
        all
    }

    #[test]
    fn events_convert_both_ways_and_keep_the_wire_rules() {
        let kinds = [
            AuthorKind::Visitor,
            AuthorKind::Agent,
            AuthorKind::Bot,
            AuthorKind::System,
        ];
        for event in every_event() {
            let stored = StoredEvent::from(event.clone());
            assert_eq!(stored.agents_only(), event.agents_only(), "{event:?}");
            for kind in kinds {
                assert_eq!(
                    StoredEvent::previewed(kind.into(), Some(&stored)),
                    Message::previewed(kind, Some(&event)),
                    "{kind:?} {event:?}"
                );
            }
            assert_eq!(ConversationEvent::from(stored), event);
        }
        for kind in kinds {
            let visitor = kind == AuthorKind::Visitor;
            assert_eq!(StoredEvent::previewed(kind.into(), None), visitor);
            assert_eq!(Message::previewed(kind, None), visitor, "{kind:?}");
        }
    }

    #[test]
    fn statuses_author_kinds_and_embeddings_convert_both_ways() {
        use ConversationStatus as S;
        for status in [S::Queued, S::Assigned, S::Closed, S::Bot] {
            assert_eq!(S::from(StoredStatus::from(status)), status);
            assert!(StoredStatus::from(status) == status);
        }
        for kind in [
            AuthorKind::Visitor,
            AuthorKind::Agent,
            AuthorKind::Bot,
            AuthorKind::System,
        ] {
            assert_eq!(AuthorKind::from(StoredAuthorKind::from(kind)), kind);
        }
        let embeddings = FaqEmbeddings {
            model_id: "ab".into(),
            vectors: vec![QuantizedEmbedding {
                scale: 0.5,
                values: vec![1, -1, 127],
            }],
        };
        let stored = StoredEmbeddings::from(embeddings.clone());
        assert_eq!(FaqEmbeddings::from(stored), embeddings);
    }
}
