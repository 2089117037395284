//! Who gets a push, and what it says. Pure: the sink reads the records and asks here,
//! when planning (which devices) and again right before sending (is it still wanted?),
//! so a conversation claimed or closed meanwhile, or an agent back at the console,
//! stops a push that is waiting for a retry.
//!
//! # Rules
//! 1. A **waiting conversation** (`conversation.created`, `conversation.handed_off`) is
//!    pushed to every enabled agent while it is queued, or to its assignee once it has
//!    one. Not while the bot has it, never once closed.
//! 2. A **visitor message** is pushed to the conversation's assignee only (a queued
//!    conversation was announced by rule 1 already).
//! 3. Nobody is pushed while one of their console tabs is visible: the console itself
//!    chimes and shows the conversation there.
//! 4. Other events (agent and bot messages, assignments, closes, emails) are not pushed,
//!    nor a conversation's first message (its `conversation.created` says it already).

use serde::Serialize;

use super::send::{PushMessage, Urgency, topic};
use crate::email::Language;
use crate::outbox::{EventKind, OutboxEvent};
use crate::store::preview_of;
use crate::store::values::StoredStatus;

/// Why an event is worth a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A visitor is waiting for someone to take the conversation.
    Waiting,
    /// A visitor wrote in a conversation an agent has.
    VisitorMessage,
}

impl Reason {
    /// The reason for `event`, None for events that are never pushed (rule 4).
    pub fn of(event: &OutboxEvent) -> Option<Reason> {
        match event.kind {
            EventKind::ConversationCreated | EventKind::HandedOff => Some(Reason::Waiting),
            EventKind::MessageVisitor if event.seq == Some(1) => None,
            EventKind::MessageVisitor => Some(Reason::VisitorMessage),
            EventKind::MessageAgent
            | EventKind::MessageBot
            | EventKind::Assigned
            | EventKind::Closed
            | EventKind::VisitorEmailLeft
            | EventKind::Rated => None,
        }
    }
}

/// The conversation as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationState {
    /// Its status.
    pub status: StoredStatus,
    /// Its assignee (or last one).
    pub agent: Option<u64>,
}

/// Whether `agent` (enabled or not, console visible or not) should get a push now.
pub fn wanted(
    reason: Reason,
    conversation: ConversationState,
    agent: u64,
    enabled: bool,
    visible: bool,
) -> bool {
    if !enabled || visible {
        return false;
    }
    match (reason, conversation.status) {
        (_, StoredStatus::Bot | StoredStatus::Closed) => false,
        (Reason::Waiting, StoredStatus::Queued) => true,
        (_, StoredStatus::Assigned) => conversation.agent == Some(agent),
        (Reason::VisitorMessage, StoredStatus::Queued) => false,
    }
}

/// What the service worker receives (`web/console/sw.js` shows it).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Payload {
    /// Notification title.
    pub title: String,
    /// Notification text: a one-line preview of the visitor's words, plain text.
    pub body: String,
    /// The conversation.
    pub conversation: u64,
    /// Where a tap leads (the console, at the conversation).
    pub url: String,
    /// Notifications with the same tag replace each other (one per conversation).
    pub tag: String,
    /// The outbox event id, for deduplication (`evt_…`).
    pub event: String,
}

/// Longest preview in a notification, in characters.
const PREVIEW: usize = 120;

/// The push for `event` in the agent's `language`: `visitor` is the visitor's name if
/// they gave one, `words` the visitor's message it is about (None if there is none to
/// show).
pub fn message(
    reason: Reason,
    event: &OutboxEvent,
    visitor: Option<&str>,
    words: Option<&str>,
    language: Language,
) -> PushMessage {
    let zh = language == Language::Zh;
    let who = crate::visitor_alias::visitor_display_name(event.visitor, visitor, zh);
    let (title, ttl_s) = match (reason, zh) {
        (Reason::Waiting, false) => (format!("{who} is waiting"), 4 * 3600),
        (Reason::Waiting, true) => (format!("{who} 正在等待接入"), 4 * 3600),
        (Reason::VisitorMessage, false) => (format!("{who} wrote"), 3600),
        (Reason::VisitorMessage, true) => (format!("{who} 发来消息"), 3600),
    };
    let mut body: String = preview_of(words.unwrap_or(""))
        .chars()
        .take(PREVIEW)
        .collect();
    if body.is_empty() {
        body = match zh {
            true => "打开会话进行回复。",
            false => "Open the conversation to answer.",
        }
        .into();
    }
    let payload = Payload {
        title: title.chars().take(PREVIEW).collect(),
        body,
        conversation: event.conversation,
        url: format!("/console/#/c/{}", event.conversation),
        tag: format!("deskbell-c{}", event.conversation),
        event: event.public_id(),
    };
    PushMessage {
        payload: serde_json::to_vec(&payload).unwrap_or_default(),
        ttl_s,
        urgency: Urgency::High,
        topic: Some(topic(event.conversation)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: StoredStatus, agent: Option<u64>) -> ConversationState {
        ConversationState { status, agent }
    }

    #[test]
    fn who_gets_a_push() {
        use Reason::*;
        use StoredStatus::*;
        let queued = state(Queued, None);
        let theirs = state(Assigned, Some(1));
        // Rule 1: a queued conversation reaches everyone, an assigned one its assignee.
        assert!(wanted(Waiting, queued, 1, true, false));
        assert!(wanted(Waiting, queued, 2, true, false));
        assert!(wanted(Waiting, theirs, 1, true, false));
        assert!(!wanted(Waiting, theirs, 2, true, false));
        assert!(!wanted(Waiting, state(Bot, None), 1, true, false));
        assert!(!wanted(Waiting, state(Closed, Some(1)), 1, true, false));
        // Rule 2: visitor messages only to the assignee.
        assert!(wanted(VisitorMessage, theirs, 1, true, false));
        assert!(!wanted(VisitorMessage, theirs, 2, true, false));
        assert!(!wanted(VisitorMessage, queued, 1, true, false));
        assert!(!wanted(
            VisitorMessage,
            state(Closed, Some(1)),
            1,
            true,
            false
        ));
        // Rule 3 and disabled accounts.
        assert!(!wanted(VisitorMessage, theirs, 1, true, true));
        assert!(!wanted(Waiting, queued, 1, true, true));
        assert!(!wanted(Waiting, queued, 1, false, false));
        // Rule 4.
        let event = |kind, seq| OutboxEvent {
            id: 1,
            kind,
            at_ms: 0,
            conversation: 2,
            seq: Some(seq),
            visitor: 3,
            agent: None,
        };
        assert_eq!(Reason::of(&event(EventKind::MessageAgent, 2)), None);
        assert_eq!(Reason::of(&event(EventKind::HandedOff, 4)), Some(Waiting));
        assert_eq!(Reason::of(&event(EventKind::MessageVisitor, 1)), None);
        assert_eq!(
            Reason::of(&event(EventKind::MessageVisitor, 2)),
            Some(VisitorMessage)
        );
    }

    #[test]
    fn the_payload_is_small_plain_json() {
        let event = OutboxEvent {
            id: 5,
            kind: EventKind::MessageVisitor,
            at_ms: 0,
            conversation: 12,
            seq: Some(3),
            visitor: 7,
            agent: None,
        };
        let long = format!("<b>Hello</b>\n{}", "x".repeat(500));
        let m = message(
            Reason::VisitorMessage,
            &event,
            None,
            Some(&long),
            Language::En,
        );
        let json: serde_json::Value = serde_json::from_slice(&m.payload).expect("json");
        let alias = crate::visitor_alias::visitor_alias(7);
        assert_eq!(
            json["title"],
            format!("{} wrote", alias.en),
            "the friendly name"
        );
        assert_eq!(json["url"], "/console/#/c/12");
        assert_eq!(json["conversation"], 12);
        assert_eq!(json["event"], "evt_5");
        assert!(
            json["body"]
                .as_str()
                .expect("body")
                .starts_with("<b>Hello</b> xxx")
        );
        assert!(m.payload.len() < 400, "{}", m.payload.len());
        assert_eq!((m.ttl_s, m.urgency), (3600, Urgency::High));
        let m = message(Reason::Waiting, &event, Some(" Maria "), None, Language::En);
        let json: serde_json::Value = serde_json::from_slice(&m.payload).expect("json");
        assert_eq!(json["title"], "Maria is waiting");
        assert_eq!(json["body"], "Open the conversation to answer.");
        // In the agent's language (the console's, else the emails').
        let m = message(Reason::Waiting, &event, None, None, Language::Zh);
        let json: serde_json::Value = serde_json::from_slice(&m.payload).expect("json");
        assert_eq!(json["title"], format!("{} 正在等待接入", alias.zh));
        assert_eq!(json["body"], "打开会话进行回复。");
        let m = message(
            Reason::VisitorMessage,
            &event,
            Some("王"),
            Some("在吗"),
            Language::Zh,
        );
        let json: serde_json::Value = serde_json::from_slice(&m.payload).expect("json");
        assert_eq!(
            (json["title"].as_str(), json["body"].as_str()),
            (Some("王 发来消息"), Some("在吗"))
        );
    }
}
