//! What the outbox records: the eight kinds of event and the snapshot a sink receives.

use serde::{Deserialize, Serialize};

/// The kinds of event, with the names webhooks use for them (`docs/WEBHOOKS.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// A visitor opened a new conversation (its first message is sequence 1).
    ConversationCreated,
    /// A visitor wrote a message.
    MessageVisitor,
    /// An agent wrote a message the visitor sees (notes are not events).
    MessageAgent,
    /// The FAQ bot answered.
    MessageBot,
    /// The bot handed the conversation to the agents (it is queued now).
    HandedOff,
    /// An agent took the conversation, or it was transferred or assigned to one.
    Assigned,
    /// The conversation was closed.
    Closed,
    /// The visitor left (or changed) an email address.
    VisitorEmailLeft,
    /// The visitor rated the closed conversation (1–5, maybe a comment).
    Rated,
}

impl EventKind {
    /// Every kind, in a fixed order.
    pub const ALL: [EventKind; 9] = [
        EventKind::ConversationCreated,
        EventKind::MessageVisitor,
        EventKind::MessageAgent,
        EventKind::MessageBot,
        EventKind::HandedOff,
        EventKind::Assigned,
        EventKind::Closed,
        EventKind::VisitorEmailLeft,
        EventKind::Rated,
    ];

    /// The event's public name (webhook `type`, subscription filters).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::ConversationCreated => "conversation.created",
            EventKind::MessageVisitor => "message.visitor",
            EventKind::MessageAgent => "message.agent",
            EventKind::MessageBot => "message.bot",
            EventKind::HandedOff => "conversation.handed_off",
            EventKind::Assigned => "conversation.assigned",
            EventKind::Closed => "conversation.closed",
            EventKind::VisitorEmailLeft => "visitor.email_left",
            EventKind::Rated => "conversation.rated",
        }
    }

    /// The kind with this public name.
    pub fn from_name(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One recorded event as sinks see it. It names what happened; the message text,
/// visitor details and so on are read from the store when a delivery is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    /// Stable, never reused: the id receivers deduplicate on (`webhook-id: evt_<id>`).
    pub id: u64,
    /// What happened.
    pub kind: EventKind,
    /// Commit time of the cause, ms since the Unix epoch.
    pub at_ms: u64,
    /// The conversation (0 for a visitor event with no conversation).
    pub conversation: u64,
    /// The message that records it (a system message for handed off, assigned and
    /// closed; the first message for conversation.created); None for visitor events.
    pub seq: Option<u64>,
    /// The visitor.
    pub visitor: u64,
    /// The agent concerned: the author of an agent message, the new assignee, or who
    /// closed it (None when nobody did, e.g. closed for inactivity).
    pub agent: Option<u64>,
}

impl OutboxEvent {
    /// The id as receivers see it: `evt_` and the number.
    pub fn public_id(&self) -> String {
        format!("evt_{}", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.name()), Some(kind));
            assert!(seen.insert(kind.name()));
        }
        assert_eq!(EventKind::from_name("message.created"), None);
    }
}
