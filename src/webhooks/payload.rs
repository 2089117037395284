//! The JSON body of every delivery: `{"type", "timestamp", "data"}` as Standard Webhooks
//! recommends, with the conversation, message, visitor and agent read from the store at
//! delivery time. Every event's shape is documented in `docs/WEBHOOKS.md`; a test there
//! keeps the two in step.

use serde::Serialize;

use crate::outbox::OutboxEvent;
use crate::store::records::MessageV1;
use crate::store::values::{StoredAuthorKind, StoredEvent, StoredHandoffReason, StoredStatus};
use crate::store::{Store, StoreError, iso_time};

/// The `type` of the ping `POST /api/webhooks/ID/test` sends.
pub const TEST_TYPE: &str = "webhook.test";

/// A delivery's body.
#[derive(Serialize, Debug)]
pub struct Payload {
    /// The event's public name.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// When it happened (RFC 3339, UTC, milliseconds).
    pub timestamp: String,
    /// What it is about.
    pub data: Data,
}

/// The `data` object: the same four fields for every event (null where they do not
/// apply), so a receiver can read any event the same way.
#[derive(Serialize, Debug, Default)]
pub struct Data {
    /// The conversation.
    pub conversation: Option<ConversationData>,
    /// The message that records the event.
    pub message: Option<MessageData>,
    /// The visitor.
    pub visitor: Option<VisitorData>,
    /// The agent concerned (author, new assignee, who closed it).
    pub agent: Option<AgentData>,
    /// For `conversation.rated`: the visitor's rating (absent from other events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<RatingData>,
}

/// A visitor's rating of a closed conversation.
#[derive(Serialize, Debug)]
pub struct RatingData {
    /// 1 (bad) to 5 (very good).
    pub score: u8,
    /// What the visitor added (null: nothing).
    pub comment: Option<String>,
    /// When (RFC 3339).
    pub at: String,
}

/// A conversation in a payload.
#[derive(Serialize, Debug)]
pub struct ConversationData {
    /// Its id.
    pub id: u64,
    /// `bot`, `queued`, `assigned` or `closed`, as it is now.
    pub status: &'static str,
    /// The site the widget was on.
    pub site: String,
}

/// A message in a payload.
#[derive(Serialize, Debug)]
pub struct MessageData {
    /// Its sequence number in the conversation (1, 2, …).
    pub seq: u64,
    /// `visitor`, `agent`, `bot` or `system`.
    pub author_kind: &'static str,
    /// The author's display name.
    pub author_name: String,
    /// The text.
    pub text: String,
    /// When it was stored (RFC 3339).
    pub at: String,
    /// For `conversation.handed_off`: `human_requested`, `frustrated`,
    /// `low_confidence` or `bot_unavailable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handoff_reason: Option<&'static str>,
    /// The files the message carries (`text` is then their caption, maybe empty);
    /// absent when it has none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentData>,
}

/// A file of a message: its bytes are at `GET /api/files/{id}` (a capability: keep it
/// as private as the conversation).
#[derive(Debug, Serialize)]
pub struct AttachmentData {
    /// The download id (32 hex digits).
    pub id: String,
    /// The file name the sender gave.
    pub name: String,
    /// Its media type, found in its bytes.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
}

/// The files of `message`, for its payload.
fn attachments(message: &MessageV1) -> Vec<AttachmentData> {
    match &message.event {
        Some(StoredEvent::Attachments { files }) => files
            .iter()
            .map(|f| AttachmentData {
                id: crate::store::file_token::format(&f.token),
                name: f.name.clone(),
                content_type: f.content_type.clone(),
                size: f.size,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A visitor in a payload.
#[derive(Serialize, Debug)]
pub struct VisitorData {
    /// Their id.
    pub id: u64,
    /// The name they gave.
    pub name: Option<String>,
    /// Their generated friendly name ("Amber Otter"), what the console calls them until
    /// they give one (`crate::visitor_alias`).
    pub alias: String,
    /// The email address they left.
    pub email: Option<String>,
}

/// An agent in a payload.
#[derive(Serialize, Debug)]
pub struct AgentData {
    /// Their id.
    pub id: u64,
    /// Their name.
    pub name: String,
}

/// RFC 3339 with milliseconds: `2026-12-05T19:50:41.123Z`.
pub fn rfc3339_ms(unix_ms: u64) -> String {
    let whole = iso_time(unix_ms);
    let base = whole.strip_suffix('Z').unwrap_or(&whole);
    format!("{base}.{:03}Z", unix_ms % 1000)
}

/// A status's public name (`bot`, `queued`, `assigned`, `closed`).
pub fn status_name(status: StoredStatus) -> &'static str {
    match status {
        StoredStatus::Bot => "bot",
        StoredStatus::Queued => "queued",
        StoredStatus::Assigned => "assigned",
        StoredStatus::Closed => "closed",
    }
}

fn author_kind_name(kind: StoredAuthorKind) -> &'static str {
    match kind {
        StoredAuthorKind::Visitor => "visitor",
        StoredAuthorKind::Agent => "agent",
        StoredAuthorKind::Bot => "bot",
        StoredAuthorKind::System => "system",
    }
}

fn handoff_reason(message: &MessageV1) -> Option<&'static str> {
    match &message.event {
        Some(StoredEvent::HandedOff { reason }) => Some(match reason {
            StoredHandoffReason::HumanRequested => "human_requested",
            StoredHandoffReason::Frustrated => "frustrated",
            StoredHandoffReason::LowConfidence => "low_confidence",
            StoredHandoffReason::BotUnavailable => "bot_unavailable",
        }),
        _ => None,
    }
}

/// The body for `event`, or None when what it names is gone (a conversation deleted
/// by retention before the delivery): nothing to send.
pub fn render(store: &Store, event: &OutboxEvent) -> Result<Option<Payload>, StoreError> {
    let mut data = Data::default();
    if event.conversation != 0 {
        let Some(conversation) = store.conversation(event.conversation)? else {
            return Ok(None);
        };
        data.conversation = Some(ConversationData {
            id: event.conversation,
            status: status_name(conversation.status),
            site: conversation.site,
        });
    }
    if let Some(seq) = event.seq {
        let Some((_, message)) = store
            .messages_between(event.conversation, seq.saturating_sub(1), seq)?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        data.message = Some(MessageData {
            seq,
            author_kind: author_kind_name(message.author_kind),
            handoff_reason: handoff_reason(&message),
            attachments: attachments(&message),
            author_name: message.author_name,
            text: message.body,
            at: rfc3339_ms(message.at_ms),
        });
    }
    if event.visitor != 0 {
        let visitor = store.visitor(event.visitor)?.unwrap_or_default();
        data.visitor = Some(VisitorData {
            id: event.visitor,
            alias: crate::visitor_alias::visitor_alias(event.visitor).en,
            name: visitor.name,
            email: visitor.email,
        });
    }
    if let Some(id) = event.agent {
        data.agent = store.agent(id)?.map(|a| AgentData { id, name: a.name });
    }
    if event.kind == crate::outbox::EventKind::Rated {
        let Some(r) = store
            .ratings_of(&[event.conversation])?
            .remove(&event.conversation)
        else {
            return Ok(None);
        };
        data.rating = Some(RatingData {
            score: r.score,
            comment: (!r.comment.is_empty()).then_some(r.comment),
            at: rfc3339_ms(r.at_ms),
        });
    }
    Ok(Some(Payload {
        kind: event.kind.name(),
        timestamp: rfc3339_ms(event.at_ms),
        data,
    }))
}

/// The body of a test ping for endpoint `endpoint`.
pub fn test_payload(endpoint: u64, now_ms: u64) -> serde_json::Value {
    serde_json::json!({
        "type": TEST_TYPE,
        "timestamp": rfc3339_ms(now_ms),
        "data": {
            "endpoint": endpoint,
            "message": "A test ping from deskbell: this endpoint is reachable and signatures verify."
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::EventKind;

    #[test]
    fn timestamps_are_rfc3339_with_milliseconds() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(1_796_500_241_123), "2026-12-05T19:50:41.123Z");
    }

    #[test]
    fn every_event_kind_is_documented() {
        let doc = include_str!("../../docs/WEBHOOKS.md");
        for kind in EventKind::ALL {
            let heading = format!("### `{}`", kind.name());
            assert!(doc.contains(&heading), "docs/WEBHOOKS.md lacks {heading}");
        }
        assert!(doc.contains(&format!("### `{TEST_TYPE}`")));
    }
}
