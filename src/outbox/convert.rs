//! `From` between the store's outbox records and the outbox's own types. Matches have
//! no wildcard, so a new kind does not compile until both sides know it.

use crate::store::outbox_records::{StoredOutboxEvent, StoredOutboxKind};

use super::event::{EventKind, OutboxEvent};

impl From<StoredOutboxKind> for EventKind {
    fn from(kind: StoredOutboxKind) -> EventKind {
        match kind {
            StoredOutboxKind::ConversationCreated => EventKind::ConversationCreated,
            StoredOutboxKind::MessageVisitor => EventKind::MessageVisitor,
            StoredOutboxKind::MessageAgent => EventKind::MessageAgent,
            StoredOutboxKind::MessageBot => EventKind::MessageBot,
            StoredOutboxKind::HandedOff => EventKind::HandedOff,
            StoredOutboxKind::Assigned => EventKind::Assigned,
            StoredOutboxKind::Closed => EventKind::Closed,
            StoredOutboxKind::VisitorEmailLeft => EventKind::VisitorEmailLeft,
            StoredOutboxKind::Rated => EventKind::Rated,
        }
    }
}

impl From<EventKind> for StoredOutboxKind {
    fn from(kind: EventKind) -> StoredOutboxKind {
        match kind {
            EventKind::ConversationCreated => StoredOutboxKind::ConversationCreated,
            EventKind::MessageVisitor => StoredOutboxKind::MessageVisitor,
            EventKind::MessageAgent => StoredOutboxKind::MessageAgent,
            EventKind::MessageBot => StoredOutboxKind::MessageBot,
            EventKind::HandedOff => StoredOutboxKind::HandedOff,
            EventKind::Assigned => StoredOutboxKind::Assigned,
            EventKind::Closed => StoredOutboxKind::Closed,
            EventKind::VisitorEmailLeft => StoredOutboxKind::VisitorEmailLeft,
            EventKind::Rated => StoredOutboxKind::Rated,
        }
    }
}

impl From<StoredOutboxEvent> for OutboxEvent {
    fn from(e: StoredOutboxEvent) -> OutboxEvent {
        OutboxEvent {
            id: e.id,
            kind: e.kind.into(),
            at_ms: e.at_ms,
            conversation: e.conversation,
            seq: e.seq,
            visitor: e.visitor,
            agent: e.agent,
        }
    }
}

impl From<&OutboxEvent> for StoredOutboxEvent {
    fn from(e: &OutboxEvent) -> StoredOutboxEvent {
        StoredOutboxEvent {
            id: e.id,
            kind: e.kind.into(),
            at_ms: e.at_ms,
            conversation: e.conversation,
            seq: e.seq,
            visitor: e.visitor,
            agent: e.agent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from(StoredOutboxKind::from(kind)), kind);
        }
    }
}
