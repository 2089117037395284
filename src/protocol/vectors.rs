//! Cross-language test vectors: every client and server frame variant, encoded by the
//! real postcard codec, kept in `tests/fixtures/protocol_vectors.json` so the widget's
//! JavaScript codec (`web/widget/codec.js`, checked by `tests/browser/codec.test.mjs`)
//! cannot drift from the Rust types. `UPDATE_VECTORS=1 cargo test vectors` rewrites the
//! file after a deliberate protocol change.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::*;

/// 2^40 and 2^53: ids far beyond 32 bits, up to the largest a JavaScript number holds
/// exactly (the widget's codec refuses anything larger).
const BIG: u64 = 1 << 40;
const MAX_JS: u64 = 1 << 53;

/// Number of `ClientFrame` variants; [`client_variant`] must name each one.
const CLIENT_VARIANTS: usize = 15;
/// Number of `ServerFrame` variants; [`server_variant`] must name each one.
const SERVER_VARIANTS: usize = 13;

/// Variant number of a client frame. No wildcard: a new variant fails to compile here
/// until it gets a number (and then the coverage check wants a vector for it).
fn client_variant(frame: &ClientFrame) -> usize {
    match frame {
        ClientFrame::HelloVisitor(_) => 0,
        ClientFrame::HelloAgent(_) => 1,
        ClientFrame::Send(_) => 2,
        ClientFrame::Sync(_) => 3,
        ClientFrame::Typing(_) => 4,
        ClientFrame::Read(_) => 5,
        ClientFrame::Claim(_) => 6,
        ClientFrame::Close(_) => 7,
        ClientFrame::Reopen(_) => 8,
        ClientFrame::Transfer(_) => 9,
        ClientFrame::Presence(_) => 10,
        ClientFrame::History(_) => 11,
        ClientFrame::Note(_) => 12,
        ClientFrame::Profile(_) => 13,
        ClientFrame::BotFeedback(_) => 14,
    }
}

/// Variant number of a server frame (same rule as [`client_variant`]).
fn server_variant(frame: &ServerFrame) -> usize {
    match frame {
        ServerFrame::Welcome(_) => 0,
        ServerFrame::Ack(_) => 1,
        ServerFrame::Message(_) => 2,
        ServerFrame::Synced(_) => 3,
        ServerFrame::Resync(_) => 4,
        ServerFrame::Typing(_) => 5,
        ServerFrame::ReadUpTo(_) => 6,
        ServerFrame::QueuePosition(_) => 7,
        ServerFrame::Conversation(_) => 8,
        ServerFrame::Agent(_) => 9,
        ServerFrame::History(_) => 10,
        ServerFrame::Error(_) => 11,
        ServerFrame::Availability(_) => 12,
    }
}

fn client_frames() -> Vec<ClientFrame> {
    let conv = |conversation| ConversationRef { conversation };
    vec![
        ClientFrame::HelloVisitor(HelloVisitor {
            site: "default".into(),
            token: None,
            page: None,
            referrer: None,
            language: None,
            utc_offset_min: None,
        }),
        ClientFrame::HelloVisitor(HelloVisitor {
            site: "shop-2.example".into(),
            token: Some("9b2e".repeat(16)),
            page: Some("https://shop.example/鞋子?size=42#top".into()),
            referrer: Some("https://www.google.com/".into()),
            language: Some("zh-CN".into()),
            utc_offset_min: Some(-300),
        }),
        ClientFrame::HelloVisitor(HelloVisitor {
            site: "a".into(),
            token: Some(String::new()),
            page: None,
            referrer: None,
            language: Some("en-GB".into()),
            utc_offset_min: Some(i32::MIN),
        }),
        ClientFrame::HelloVisitor(HelloVisitor {
            site: "b".into(),
            token: None,
            page: None,
            referrer: None,
            language: None,
            utc_offset_min: Some(i32::MAX),
        }),
        ClientFrame::HelloAgent(HelloAgent { token: None }),
        ClientFrame::HelloAgent(HelloAgent {
            token: Some("3f1c".repeat(16)),
        }),
        ClientFrame::Send(Send {
            conversation: None,
            client_id: "m-1".into(),
            body: "Do you ship to Norway?".into(),
        }),
        ClientFrame::Send(Send {
            conversation: Some(BIG),
            client_id: "0f8e2a3c-5b1d-4c7e-9a2b-6d4f8e1c3a5b".into(),
            body: "你好！能寄到挪威吗？ 🚚\nZweite Zeile — \"quoted\" \\ <b>not markup</b>".into(),
        }),
        ClientFrame::Send(Send {
            conversation: Some(127),
            client_id: "x".into(),
            body: "é".repeat(100),
        }),
        ClientFrame::Sync(Sync {
            conversation: 12,
            after_seq: 0,
        }),
        ClientFrame::Sync(Sync {
            conversation: MAX_JS,
            after_seq: BIG + 1,
        }),
        ClientFrame::Typing(Typing {
            conversation: None,
            on: true,
        }),
        ClientFrame::Typing(Typing {
            conversation: Some(128),
            on: false,
        }),
        ClientFrame::Read(Read {
            conversation: None,
            seq: 6,
        }),
        ClientFrame::Read(Read {
            conversation: Some(BIG),
            seq: 16_384,
        }),
        ClientFrame::Claim(conv(12)),
        ClientFrame::Close(conv(BIG)),
        ClientFrame::Reopen(conv(300)),
        ClientFrame::Transfer(Transfer {
            conversation: 12,
            to_agent: 3,
        }),
        ClientFrame::Presence(SetPresence {
            presence: Presence::Online,
        }),
        ClientFrame::Presence(SetPresence {
            presence: Presence::Away,
        }),
        ClientFrame::Presence(SetPresence {
            presence: Presence::Offline,
        }),
        ClientFrame::History(HistoryRequest {
            conversation: 12,
            before_seq: 0,
            limit: 50,
        }),
        ClientFrame::History(HistoryRequest {
            conversation: BIG,
            before_seq: 1_000_000,
            limit: u32::MAX,
        }),
        ClientFrame::Note(Note {
            conversation: 12,
            client_id: "n-1".into(),
            body: "Wholesale buyer — 批发".into(),
        }),
        ClientFrame::Profile(Profile {
            name: Some("Maria Øster 玛丽亚".into()),
            email: Some("maria@example.com".into()),
        }),
        ClientFrame::Profile(Profile {
            name: None,
            email: Some("x@y.no".into()),
        }),
        ClientFrame::Profile(Profile {
            name: None,
            email: None,
        }),
        ClientFrame::BotFeedback(BotFeedback {
            conversation: 12,
            seq: 3,
            helpful: true,
        }),
        ClientFrame::BotFeedback(BotFeedback {
            conversation: BIG,
            seq: BIG,
            helpful: false,
        }),
    ]
}

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

fn server_frames() -> Vec<ServerFrame> {
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
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// One line per vector: `{"kind":…,"json":…,"hex":…}` with fields in declaration order.
fn line<T: serde::Serialize>(kind: &str, frame: &T) -> String {
    let json = serde_json::to_string(frame).expect("frames encode to JSON");
    let bytes = postcard::to_allocvec(frame).expect("frames encode to postcard");
    format!(
        r#"{{"kind":"{kind}","json":{json},"hex":"{}"}}"#,
        hex(&bytes)
    )
}

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/protocol_vectors.json")
}

#[test]
fn every_frame_variant_has_a_vector() {
    let clients: BTreeSet<usize> = client_frames().iter().map(client_variant).collect();
    let servers: BTreeSet<usize> = server_frames().iter().map(server_variant).collect();
    assert_eq!(clients, (0..CLIENT_VARIANTS).collect(), "client frames");
    assert_eq!(servers, (0..SERVER_VARIANTS).collect(), "server frames");
    // The variant numbers above are the wire numbers (all below 128: one varint byte).
    for frame in client_frames() {
        let bytes = postcard::to_allocvec(&frame).expect("encodes");
        assert_eq!(bytes[0] as usize, client_variant(&frame));
    }
    for frame in server_frames() {
        let bytes = postcard::to_allocvec(&frame).expect("encodes");
        assert_eq!(bytes[0] as usize, server_variant(&frame));
    }
}

#[test]
fn vectors_decode_back_to_their_frames() {
    for frame in client_frames() {
        let bytes = postcard::to_allocvec(&frame).expect("encodes");
        let Encoded::Text(text) = Encoding::Json.encode(&frame) else {
            panic!("json encodes to text");
        };
        assert_eq!(
            Encoding::Binary.decode_binary::<ClientFrame>(&bytes),
            Ok(frame.clone())
        );
        assert_eq!(Encoding::Json.decode_text::<ClientFrame>(&text), Ok(frame));
    }
    for frame in server_frames() {
        let bytes = postcard::to_allocvec(&frame).expect("encodes");
        assert_eq!(
            Encoding::Binary.decode_binary::<ServerFrame>(&bytes),
            Ok(frame)
        );
    }
}

#[test]
fn fixture_file_matches_the_rust_encoding() {
    let lines: Vec<String> = client_frames()
        .iter()
        .map(|f| line("client", f))
        .chain(server_frames().iter().map(|f| line("server", f)))
        .collect();
    let text = format!("[\n{}\n]\n", lines.join(",\n"));
    let path = fixture_path();
    if std::env::var_os("UPDATE_VECTORS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &text).expect("writing the vectors file");
        return;
    }
    let rerun = "rerun with UPDATE_VECTORS=1 cargo test vectors to rewrite it (after a deliberate protocol change), \
         then check web/widget/codec.js with tests/browser/codec.test.mjs";
    let stored = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; {rerun}", path.display()));
    let stored: Vec<serde_json::Value> = serde_json::from_str(&stored)
        .unwrap_or_else(|e| panic!("{} is not a JSON list: {e}; {rerun}", path.display()));
    let wanted: Vec<serde_json::Value> =
        serde_json::from_str(&text).expect("the generated vectors are JSON");
    assert_eq!(
        stored.len(),
        wanted.len(),
        "{} has {} vectors, the Rust types give {}; {rerun}",
        path.display(),
        stored.len(),
        wanted.len()
    );
    for (i, (s, w)) in stored.iter().zip(&wanted).enumerate() {
        assert!(
            s == w,
            "vector {i} differs from the Rust encoding:\n stored: {s}\n   rust: {w}\n{rerun}"
        );
    }
}
