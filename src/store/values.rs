//! The small value types inside stored records: who wrote a message, where a
//! conversation stands, what a system message records, FAQ embeddings.
//!
//! They are the store's own, not the wire's (`protocol`) or the bot's: a change to a
//! frame or to the bot must not change the bytes on disk. When they were split off
//! (issue #10) they copied the wire and bot types variant for variant and field for
//! field, so postcard writes the same bytes (checked by `super::golden` and the data-v1
//! and data-v2 fixtures). Conversions live outside `store` (`crate::stored`).
//! Variants are only ever appended; a field is never added, removed or reordered
//! without a new record version.

use serde::{Deserialize, Serialize};

/// Who wrote a stored message.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StoredAuthorKind {
    /// The website visitor.
    Visitor,
    /// Shop staff.
    Agent,
    /// The FAQ bot.
    Bot,
    /// The server itself.
    System,
}

impl StoredAuthorKind {
    /// The lower-case name used in exports.
    pub fn name(self) -> &'static str {
        match self {
            StoredAuthorKind::Visitor => "visitor",
            StoredAuthorKind::Agent => "agent",
            StoredAuthorKind::Bot => "bot",
            StoredAuthorKind::System => "system",
        }
    }
}

/// Where a stored conversation stands.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StoredStatus {
    /// Waiting for an agent.
    Queued,
    /// An agent has it.
    Assigned,
    /// Finished.
    Closed,
    /// With the FAQ bot (since schema 2).
    Bot,
}

/// What a stored system (or bot) message records.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StoredEvent {
    /// Waiting for an agent.
    Queued,
    /// An agent took it.
    Assigned {
        /// The agent.
        agent: u64,
    },
    /// Handed from one agent to another.
    Transferred {
        /// Previous agent.
        from: u64,
        /// New agent.
        to: u64,
    },
    /// Closed (`by` = 0 when closed for inactivity).
    Closed {
        /// Who closed it.
        by: u64,
    },
    /// Reopened by an agent.
    Reopened {
        /// Who reopened it.
        by: u64,
    },
    /// An internal note: agents only.
    Note,
    /// A bot message answering this FAQ entry.
    BotAnswer {
        /// The FAQ entry.
        faq_id: u64,
    },
    /// The bot handed the conversation to the agents.
    HandedOff {
        /// Why.
        reason: StoredHandoffReason,
    },
    /// FAQ answers suggested to the agents: agents only.
    Suggestions {
        /// Best first.
        replies: Vec<StoredSuggestion>,
    },
    /// The visitor's verdict on a bot answer: agents only.
    Feedback {
        /// The bot message judged.
        seq: u64,
        /// "That helped" (true) or "Talk to a person" (false).
        helpful: bool,
    },
    /// A bot message offering the visitor FAQ questions ("Did you mean…?").
    Choices {
        /// Best first.
        choices: Vec<StoredChoice>,
    },
    /// On a visitor's or agent's message: the files it carries (since schema 5). The
    /// body is the caption, possibly empty.
    Attachments {
        /// In the order the sender gave them.
        files: Vec<StoredAttachment>,
    },
}

/// One file attached to a message, as the message keeps it: enough to show it without
/// another lookup; the bytes are found through the token (`super::file_records`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    /// The capability token of its download URL (random, 128 bits).
    pub token: [u8; 16],
    /// The file name the sender gave (cleaned).
    pub name: String,
    /// The media type found in its bytes (from the allow-list).
    pub content_type: String,
    /// Size in bytes (after metadata was stripped).
    pub size: u64,
}

impl StoredEvent {
    /// Whether messages with this event are for agents only (never shown to or
    /// exported for the visitor). Must agree with the wire's rule (tested in
    /// `crate::stored`).
    pub fn agents_only(&self) -> bool {
        matches!(
            self,
            StoredEvent::Note | StoredEvent::Suggestions { .. } | StoredEvent::Feedback { .. }
        )
    }

    /// Whether an inbox preview shows a message of `kind` with this event (`None`: an
    /// ordinary message): the visitor's own words or files only. Must agree with the
    /// wire's rule, `Message::previewed` (tested in `crate::stored`), which says why.
    pub fn previewed(kind: StoredAuthorKind, event: Option<&StoredEvent>) -> bool {
        kind == StoredAuthorKind::Visitor
            && matches!(event, None | Some(StoredEvent::Attachments { .. }))
    }
}

/// Why the bot handed a conversation over.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StoredHandoffReason {
    /// The visitor asked for a person.
    HumanRequested,
    /// The visitor sounded annoyed.
    Frustrated,
    /// The bot did not know the answer well enough.
    LowConfidence,
    /// The bot could not decide in time.
    BotUnavailable,
}

/// An FAQ question offered to the visitor.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct StoredChoice {
    /// The FAQ entry.
    pub faq_id: u64,
    /// The question offered.
    pub question: String,
}

/// An FAQ answer suggested to the agents.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct StoredSuggestion {
    /// The FAQ entry.
    pub faq_id: u64,
    /// Its answer.
    pub answer: String,
    /// How well the visitor's message matched it, 0-100.
    pub score_pct: u32,
}

/// The stored embeddings of one FAQ entry's questions, in the order of the questions.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct StoredEmbeddings {
    /// Hex sha256 of the model file that computed them.
    pub model_id: String,
    /// One per question.
    pub vectors: Vec<StoredEmbedding>,
}

/// One embedding as int8: value `i` is `values[i] as f32 * scale`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct StoredEmbedding {
    /// The largest absolute value divided by 127.
    pub scale: f32,
    /// The quantized values.
    pub values: Vec<i8>,
}
