//! One vector per client frame variant, with edge values (ids up to 2^53, non-ASCII
//! strings, absent and present options) for the cross-language vectors file.

use super::BIG;
use super::MAX_JS;
use crate::protocol::*;

/// Every client frame variant at least once.
pub(super) fn client_frames() -> Vec<ClientFrame> {
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
        ClientFrame::Visibility(Visibility { visible: true }),
        ClientFrame::Visibility(Visibility { visible: false }),
        ClientFrame::SendFiles(SendFiles {
            conversation: None,
            client_id: "m-2".into(),
            body: String::new(),
            uploads: vec!["00112233445566778899aabbccddeeff".into()],
        }),
        ClientFrame::SendFiles(SendFiles {
            conversation: Some(BIG),
            client_id: "a-9".into(),
            body: "Price list and receipt — 价目表".into(),
            uploads: vec![
                "00112233445566778899aabbccddeeff".into(),
                "ffeeddccbbaa99887766554433221100".into(),
            ],
        }),
        ClientFrame::HelloCustomer(HelloCustomer {
            hello: HelloVisitor {
                site: "default".into(),
                token: None,
                page: None,
                referrer: None,
                language: None,
                utc_offset_min: None,
            },
            customer: Customer {
                id: "42".into(),
                name: None,
                email: None,
                avatar: None,
                attributes: vec![],
                hash: None,
            },
        }),
        ClientFrame::HelloCustomer(HelloCustomer {
            hello: HelloVisitor {
                site: "shop-2.example".into(),
                token: Some("v1.41.0123456789abcdef0123456789abcdef".into()),
                page: Some("https://shop.example/账户".into()),
                referrer: None,
                language: Some("zh-CN".into()),
                utc_offset_min: Some(480),
            },
            customer: Customer {
                id: "user-9007199254740993".into(),
                name: Some("王芳 Fang".into()),
                email: Some("fang@example.com".into()),
                avatar: Some("https://cdn.shop.example/a/9.png".into()),
                attributes: vec![
                    Attribute {
                        key: "vip".into(),
                        value: "gold 金卡".into(),
                    },
                    Attribute {
                        key: "orders".into(),
                        value: "12".into(),
                    },
                ],
                hash: Some(
                    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843".into(),
                ),
            },
        }),
        ClientFrame::Label(SetLabel {
            conversation: 12,
            label: 3,
            on: true,
        }),
        ClientFrame::Label(SetLabel {
            conversation: MAX_JS,
            label: BIG,
            on: false,
        }),
        ClientFrame::Rate(Rate {
            conversation: 12,
            score: 5,
            comment: None,
        }),
        ClientFrame::Rate(Rate {
            conversation: MAX_JS,
            score: 1,
            comment: Some("Slow answer — 回复太慢".into()),
        }),
    ]
}
