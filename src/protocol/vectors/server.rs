//! One vector per server frame variant, with edge values (ids up to 2^53, empty and
//! non-ASCII strings, absent and present options) for the cross-language vectors file.

use super::BIG;
use super::MAX_JS;
use crate::protocol::*;

fn author(kind: AuthorKind, id: u64, name: &str) -> Author {
    Author {
        kind,
        id,
        name: name.into(),
    }
}

fn summary(id: u64, status: ConversationStatus, set: bool) -> ConversationSummary {
    ConversationSummary {
        id,
        site: "default".into(),
        visitor: BIG + 41,
        status,
        agent: set.then_some(2),
        last_seq: 6,
        last_at_ms: 1_795_329_605_815,
        created_ms: 1_795_329_600_000,
        queue_position: set.then_some(u32::MAX),
        visitor_name: set.then(|| "Maria 玛丽亚".into()),
        preview: "Yes, 3-5 days.".into(),
        read_visitor: 6,
        read_agent: 5,
    }
}

fn message(seq: u64, author: Author, body: &str, event: Option<ConversationEvent>) -> Message {
    Message {
        conversation: 12,
        seq,
        at_ms: 1_795_329_601_000 + seq,
        author,
        body: body.into(),
        client_id: (event.is_none() && seq.is_multiple_of(2)).then(|| format!("c-{seq}")),
        event,
    }
}

fn agent(id: u64, presence: Presence) -> AgentInfo {
    AgentInfo {
        id,
        name: "Alice 爱丽丝".into(),
        presence,
        open: 3,
        capacity: 5,
    }
}

/// Every server frame variant at least once.
pub(super) fn server_frames() -> Vec<ServerFrame> {
    let system = || author(AuthorKind::System, 0, "");
    vec![
        ServerFrame::Welcome(Welcome {
            role: Role::Visitor,
            id: BIG,
            name: String::new(),
            visitor_token: Some("9b2e".repeat(16)),
            conversation: Some(summary(12, ConversationStatus::Assigned, true)),
            conversations: vec![],
            agents: vec![],
            max_body_bytes: 8192,
            agents_online: true,
            server_version: "0.1.0".into(),
        }),
        ServerFrame::Welcome(Welcome {
            role: Role::Agent,
            id: 2,
            name: "Alice".into(),
            visitor_token: None,
            conversation: None,
            conversations: vec![
                summary(12, ConversationStatus::Queued, false),
                summary(MAX_JS, ConversationStatus::Closed, true),
            ],
            agents: vec![agent(2, Presence::Online), agent(BIG, Presence::Offline)],
            max_body_bytes: u32::MAX,
            agents_online: false,
            server_version: "0.1.0-dev+中".into(),
        }),
        ServerFrame::Ack(Ack {
            client_id: "m-1".into(),
            conversation: 12,
            seq: 5,
            duplicate: false,
        }),
        ServerFrame::Ack(Ack {
            client_id: "0f8e2a3c-5b1d-4c7e-9a2b-6d4f8e1c3a5b".into(),
            conversation: BIG,
            seq: MAX_JS,
            duplicate: true,
        }),
        ServerFrame::Message(message(
            6,
            author(AuthorKind::Agent, 2, "Alice"),
            "Yes, 3-5 days. 是的 👍",
            None,
        )),
        ServerFrame::Message(message(
            7,
            author(AuthorKind::Visitor, BIG, ""),
            "Thanks!",
            None,
        )),
        ServerFrame::Message(message(
            8,
            author(AuthorKind::Bot, 0, "Bot"),
            "We ship worldwide.",
            None,
        )),
        ServerFrame::Message(message(
            1,
            system(),
            "Waiting for an agent",
            Some(ConversationEvent::Queued),
        )),
        ServerFrame::Message(message(
            2,
            system(),
            "Alice joined the conversation",
            Some(ConversationEvent::Assigned { agent: 2 }),
        )),
        ServerFrame::Message(message(
            3,
            system(),
            "Alice transferred the conversation to Bob",
            Some(ConversationEvent::Transferred { from: 2, to: BIG }),
        )),
        ServerFrame::Message(message(
            4,
            system(),
            "Closed for inactivity",
            Some(ConversationEvent::Closed { by: 0 }),
        )),
        ServerFrame::Message(message(
            5,
            system(),
            "Alice reopened the conversation",
            Some(ConversationEvent::Reopened { by: 2 }),
        )),
        ServerFrame::Message(message(
            9,
            author(AuthorKind::Agent, 2, "Alice"),
            "Internal: wholesale buyer",
            Some(ConversationEvent::Note),
        )),
        ServerFrame::Message(message(
            10,
            author(AuthorKind::Bot, 0, ""),
            "We ship within 2 working days — 两天内发货",
            Some(ConversationEvent::BotAnswer { faq_id: BIG }),
        )),
        ServerFrame::Message(message(
            11,
            system(),
            "The visitor asked for a person",
            Some(ConversationEvent::HandedOff {
                reason: HandoffReason::HumanRequested,
            }),
        )),
        ServerFrame::Message(message(
            12,
            system(),
            "Handed to the team",
            Some(ConversationEvent::HandedOff {
                reason: HandoffReason::BotUnavailable,
            }),
        )),
        ServerFrame::Message(message(
            13,
            author(AuthorKind::Bot, 0, ""),
            "Suggested replies",
            Some(ConversationEvent::Suggestions {
                replies: vec![
                    SuggestedReply {
                        faq_id: 3,
                        answer: "Returns are free within 30 days.".into(),
                        score_pct: 41,
                    },
                    SuggestedReply {
                        faq_id: MAX_JS,
                        answer: "退货".into(),
                        score_pct: 100,
                    },
                ],
            }),
        )),
        ServerFrame::Message(message(
            14,
            author(AuthorKind::Bot, 0, ""),
            "No suggestions",
            Some(ConversationEvent::Suggestions { replies: vec![] }),
        )),
        ServerFrame::Message(message(
            14,
            author(AuthorKind::Bot, 0, ""),
            "Did you mean one of these?",
            Some(ConversationEvent::Choices {
                choices: vec![
                    Choice {
                        faq_id: 3,
                        question: "Can I return it?".into(),
                    },
                    Choice {
                        faq_id: MAX_JS,
                        question: "可以退货吗？".into(),
                    },
                ],
            }),
        )),
        ServerFrame::Message(message(
            15,
            system(),
            "The visitor found the answer helpful",
            Some(ConversationEvent::Feedback {
                seq: 10,
                helpful: true,
            }),
        )),
        ServerFrame::Message(message(
            16,
            system(),
            "Frustrated",
            Some(ConversationEvent::HandedOff {
                reason: HandoffReason::Frustrated,
            }),
        )),
        ServerFrame::Message(message(
            17,
            system(),
            "Low confidence",
            Some(ConversationEvent::HandedOff {
                reason: HandoffReason::LowConfidence,
            }),
        )),
        ServerFrame::Message(message(
            18,
            author(AuthorKind::Visitor, BIG + 41, ""),
            "",
            Some(ConversationEvent::Attachments {
                files: vec![
                    Attachment {
                        id: "00112233445566778899aabbccddeeff".into(),
                        name: "箱子 box.jpg".into(),
                        content_type: "image/jpeg".into(),
                        size: 1_234_567,
                    },
                    Attachment {
                        id: "ffeeddccbbaa99887766554433221100".into(),
                        name: "receipt.pdf".into(),
                        content_type: "application/pdf".into(),
                        size: MAX_JS,
                    },
                ],
            }),
        )),
        ServerFrame::Synced(Synced {
            conversation: 12,
            upto_seq: 6,
        }),
        ServerFrame::Resync(Resync {
            conversation: BIG,
            server_seq: 3,
            reason: "the server has fewer messages than you; drop yours and sync from 0".into(),
        }),
        ServerFrame::Typing(TypingNotice {
            conversation: 12,
            author: author(AuthorKind::Agent, 2, "Alice"),
            on: true,
        }),
        ServerFrame::Typing(TypingNotice {
            conversation: 12,
            author: author(AuthorKind::Visitor, 41, ""),
            on: false,
        }),
        ServerFrame::ReadUpTo(ReadUpTo {
            conversation: 12,
            reader: AuthorKind::Agent,
            seq: 6,
        }),
        ServerFrame::ReadUpTo(ReadUpTo {
            conversation: BIG,
            reader: AuthorKind::Visitor,
            seq: BIG,
        }),
        ServerFrame::QueuePosition(QueuePosition {
            conversation: 12,
            position: 2,
        }),
        ServerFrame::QueuePosition(QueuePosition {
            conversation: 12,
            position: 0,
        }),
        ServerFrame::Conversation(summary(12, ConversationStatus::Queued, false)),
        ServerFrame::Conversation(summary(BIG, ConversationStatus::Assigned, true)),
        ServerFrame::Conversation(summary(7, ConversationStatus::Bot, false)),
        ServerFrame::Agent(agent(2, Presence::Away)),
        ServerFrame::History(HistoryPage {
            conversation: 12,
            messages: vec![],
            has_more: false,
        }),
        ServerFrame::History(HistoryPage {
            conversation: 12,
            messages: vec![
                message(1, system(), "Waiting", Some(ConversationEvent::Queued)),
                message(2, author(AuthorKind::Visitor, 41, ""), "Hej 👋", None),
            ],
            has_more: true,
        }),
        ServerFrame::Error(ErrorFrame {
            code: 4031,
            error: "not_assigned".into(),
            message: "the conversation is not assigned to you; claim it first".into(),
            client_id: Some("a-8".into()),
            conversation: Some(12),
        }),
        ServerFrame::Error(ErrorFrame {
            code: u16::MAX,
            error: "internal".into(),
            message: "unexpected".into(),
            client_id: None,
            conversation: None,
        }),
        ServerFrame::Availability(Availability {
            agents_online: true,
        }),
        ServerFrame::Availability(Availability {
            agents_online: false,
        }),
        ServerFrame::Labels(ConversationLabels {
            conversation: 12,
            labels: vec![1, 3, BIG],
        }),
        ServerFrame::Labels(ConversationLabels {
            conversation: MAX_JS,
            labels: Vec::new(),
        }),
        ServerFrame::Rating(Rating {
            conversation: 12,
            score: 4,
            comment: Some("Quick and kind, thanks!".into()),
        }),
        ServerFrame::Rating(Rating {
            conversation: MAX_JS,
            score: 1,
            comment: None,
        }),
    ]
}
