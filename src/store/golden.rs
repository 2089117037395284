//! Golden bytes for every stored record variant and every value inside one: the hex
//! below was written once from the encoding of the build that wrote
//! `tests/fixtures/data-v2/` (when records still held wire and bot types) and must never
//! change. A new record variant, event, status or author kind does not compile until
//! [`sample`] has a vector for it (the matches have no wildcard). `golden_fixtures`
//! checks that every row of the data-v1 and data-v2 fixtures decodes and re-encodes to
//! its stored bytes.

use super::push_records::{PushSubscriptionRecord, PushSubscriptionV1, PushTargetRecord};
use super::records::*;
use super::responder_records::{ResponderRecord, ResponderV1};
use super::values::*;
use super::webhooks::{WebhookRecord, WebhookV1};

/// Every record variant and stored value, by name: (name, record, golden hex).
enum Sample {
    /// A message record.
    Message(MessageRecord),
    /// A conversation record.
    Conversation(ConversationRecord),
    /// An agent record.
    Agent(AgentRecord),
    /// A session record.
    Session(SessionRecord),
    /// A visitor record.
    Visitor(VisitorRecord),
    /// Settings.
    Settings(SettingsRecord),
    /// An FAQ entry.
    Faq(FaqRecord),
    /// A canned reply.
    Canned(CannedRecord),
    /// A webhook endpoint.
    Webhook(WebhookRecord),
    /// An agent's push subscription.
    PushSubscription(PushSubscriptionRecord),
    /// The push sink's outbox target.
    PushTarget(PushTargetRecord),
    /// The external responder's settings.
    Responder(ResponderRecord),
}

fn message(kind: StoredAuthorKind, event: Option<StoredEvent>) -> Sample {
    Sample::Message(MessageRecord::V1(MessageV1 {
        at_ms: 1_795_338_445_376,
        author_kind: kind,
        author_id: 2,
        author_name: "Alice".into(),
        body: "Hi".into(),
        client_id: Some("a1".into()),
        event,
    }))
}

fn system(event: StoredEvent) -> Sample {
    message(StoredAuthorKind::System, Some(event))
}

fn conversation(status: StoredStatus) -> Sample {
    Sample::Conversation(ConversationRecord::V1(ConversationV1 {
        visitor: 7,
        site: "default".into(),
        status,
        agent: Some(2),
        created_ms: 1000,
        updated_ms: 2000,
    }))
}

fn agent(role: AgentRole) -> Sample {
    Sample::Agent(AgentRecord::V1(AgentV1 {
        name: "Alice".into(),
        role,
        password_hash: "$argon2id$x".into(),
        capacity: Some(3),
        disabled: false,
        created_ms: 1000,
    }))
}

fn agent_v2(role: AgentRole) -> Sample {
    Sample::Agent(AgentRecord::V2(AgentV2 {
        name: "Alice".into(),
        role,
        password_hash: "$argon2id$x".into(),
        capacity: Some(3),
        disabled: false,
        created_ms: 1000,
        email: Some("a@x".into()),
        language: Some("zh".into()),
        notify_waiting_email: true,
    }))
}

fn agent_v3_fields(role: AgentRole) -> AgentV3 {
    AgentV3 {
        capacity: Some(3),
        email: Some("a@x".into()),
        language: Some("zh".into()),
        console_language: Some("zh-CN".into()),
        ..AgentV3::new("Alice".into(), role, "$argon2id$x".into(), 1000)
    }
}

fn agent_v3(role: AgentRole) -> Sample {
    Sample::Agent(AgentRecord::V3(agent_v3_fields(role)))
}

fn agent_v4(role: AgentRole) -> Sample {
    Sample::Agent(AgentRecord::V4(AgentV4 {
        avatar: Some(AgentAvatar {
            initials: "AL".into(),
            colour: "#047857".into(),
        }),
        ..agent_v3_fields(role).into()
    }))
}

fn settings_v1() -> SettingsV1 {
    SettingsV1 {
        business_hours: vec![OpeningHours {
            day: 1,
            open_min: 420,
            close_min: 1080,
        }],
        allowed_origins: vec!["https://a.example".into()],
        ..SettingsV1::default()
    }
}

fn faq(embeddings: Option<StoredEmbeddings>) -> Sample {
    Sample::Faq(FaqRecord::V1 {
        questions: vec!["Open?".into()],
        answer: "9-5".into(),
        embeddings,
    })
}

fn embeddings() -> StoredEmbeddings {
    StoredEmbeddings {
        model_id: "ab".into(),
        vectors: vec![StoredEmbedding {
            scale: 0.5,
            values: vec![1, -1, 127],
        }],
    }
}

/// The golden hex of `sample`, matched without a wildcard on every enum it holds.
fn golden(sample: &Sample) -> &'static str {
    match sample {
        Sample::Message(MessageRecord::V1(m)) => match (&m.author_kind, &m.event) {
            (StoredAuthorKind::Visitor, None) => "00c0c48a94a034000205416c6963650248690102613100",
            (StoredAuthorKind::Agent, None) => "00c0c48a94a034010205416c6963650248690102613100",
            (StoredAuthorKind::Bot, None) => "00c0c48a94a034020205416c6963650248690102613100",
            (StoredAuthorKind::System, None) => "00c0c48a94a034030205416c6963650248690102613100",
            (_, Some(event)) => match event {
                StoredEvent::Queued => "00c0c48a94a034030205416c696365024869010261310100",
                StoredEvent::Assigned { .. } => {
                    "00c0c48a94a034030205416c69636502486901026131010102"
                }
                StoredEvent::Transferred { .. } => {
                    "00c0c48a94a034030205416c6963650248690102613101020203"
                }
                StoredEvent::Closed { .. } => "00c0c48a94a034030205416c69636502486901026131010302",
                StoredEvent::Reopened { .. } => {
                    "00c0c48a94a034030205416c69636502486901026131010402"
                }
                StoredEvent::Note => "00c0c48a94a034030205416c696365024869010261310105",
                StoredEvent::BotAnswer { .. } => {
                    "00c0c48a94a034030205416c69636502486901026131010601"
                }
                StoredEvent::HandedOff { reason } => match reason {
                    StoredHandoffReason::HumanRequested => {
                        "00c0c48a94a034030205416c69636502486901026131010700"
                    }
                    StoredHandoffReason::Frustrated => {
                        "00c0c48a94a034030205416c69636502486901026131010701"
                    }
                    StoredHandoffReason::LowConfidence => {
                        "00c0c48a94a034030205416c69636502486901026131010702"
                    }
                    StoredHandoffReason::BotUnavailable => {
                        "00c0c48a94a034030205416c69636502486901026131010703"
                    }
                },
                StoredEvent::Suggestions { .. } => {
                    "00c0c48a94a034030205416c69636502486901026131010801030359657331"
                }
                StoredEvent::Feedback { .. } => {
                    "00c0c48a94a034030205416c6963650248690102613101090201"
                }
                StoredEvent::Choices { .. } => {
                    "00c0c48a94a034030205416c69636502486901026131010a0103054f70656e3f"
                }
                StoredEvent::Attachments { .. } => {
                    "00c0c48a94a034030205416c69636502486901026131010b01abababababababababababababababab07626f782e6a70670a696d6167652f6a706567ac02"
                }
            },
        },
        Sample::Conversation(ConversationRecord::V1(c)) => match c.status {
            StoredStatus::Queued => "00070764656661756c74000102e807d00f",
            StoredStatus::Assigned => "00070764656661756c74010102e807d00f",
            StoredStatus::Closed => "00070764656661756c74020102e807d00f",
            StoredStatus::Bot => "00070764656661756c74030102e807d00f",
        },
        Sample::Agent(AgentRecord::V1(a)) => match a.role {
            AgentRole::Admin => "0005416c696365000b246172676f6e3269642478010300e807",
            AgentRole::Agent => "0005416c696365010b246172676f6e3269642478010300e807",
        },
        Sample::Agent(AgentRecord::V2(a)) => match a.role {
            AgentRole::Admin => {
                "0105416c696365000b246172676f6e3269642478010300e807010361407801027a6801"
            }
            AgentRole::Agent => {
                "0105416c696365010b246172676f6e3269642478010300e807010361407801027a6801"
            }
        },
        Sample::Agent(AgentRecord::V3(a)) => match a.role {
            AgentRole::Admin => {
                "0205416c696365000b246172676f6e3269642478010300e807010361407801027a680101057a682d434e"
            }
            AgentRole::Agent => {
                "0205416c696365010b246172676f6e3269642478010300e807010361407801027a680101057a682d434e"
            }
        },
        Sample::Agent(AgentRecord::V4(a)) => match a.role {
            AgentRole::Admin => {
                "0305416c696365000b246172676f6e3269642478010300e807010361407801027a680101057a682d434e0102414c0723303437383537"
            }
            AgentRole::Agent => {
                "0305416c696365010b246172676f6e3269642478010300e807010361407801027a680101057a682d434e0102414c0723303437383537"
            }
        },
        Sample::Session(SessionRecord::V1 { .. }) => "0002e807d00f",
        Sample::Visitor(VisitorRecord::V1(_)) => "00050601022f70000102656e000177",
        Sample::Visitor(VisitorRecord::V2(_)) => {
            "01050601022f70000102656e00017801054d6172696101036d40780104706c616e0370726f"
        }
        Sample::Settings(SettingsRecord::V1(_)) => {
            "00000007233235363365620572696768740000000101a403b808011168747470733a2f2f612e6578616d706c65"
        }
        Sample::Settings(SettingsRecord::V2(_)) => {
            "01000007233235363365620572696768740000000101a403b808011168747470733a2f2f612e6578616d706c6501027a6806e59ca8e7babf0006e6988ee5a4a9"
        }
        Sample::Settings(SettingsRecord::V3(_)) => {
            "02000007233235363365620572696768740000000101a403b808011168747470733a2f2f612e6578616d706c65000d4575726f70652f4c6f6e646f6e"
        }
        Sample::Faq(FaqRecord::V1 { embeddings, .. }) => match embeddings {
            Some(_) => "0001054f70656e3f03392d3501026162010000003f0301ff7f",
            None => "0001054f70656e3f03392d3500",
        },
        Sample::Faq(FaqRecord::V2(f)) => match f.embeddings {
            Some(_) => "0101054f70656e3f03392d3501027a6806e4b99de782b90701026162010000003f0301ff7f",
            None => "0101054f70656e3f03392d3501027a6806e4b99de782b90700",
        },
        Sample::Canned(CannedRecord::V1 { .. }) => "0005686f75727303392d35",
        Sample::Webhook(WebhookRecord::V1(_)) => {
            "001268747470733a2f2f682e6578616d706c652f010f6d6573736167652e76697369746f720343524d03010203e8070101d00f0103343130"
        }
        Sample::Responder(ResponderRecord::V1(_)) => {
            "00010019687474703a2f2f3132372e302e302e313a31313433342f763107736b2d74657374077177656e322e35c03e0af40301"
        }
        Sample::PushSubscription(PushSubscriptionRecord::V1(_)) => {
            "00021668747470733a2f2f707573682e6578616d706c652f780204010109e8070550686f6e65"
        }
        Sample::PushTarget(PushTargetRecord::V1 { .. }) => "0003",
    }
}

/// One sample of everything [`golden`] matches on.
fn samples() -> Vec<Sample> {
    let mut all = Vec::new();
    for kind in [
        StoredAuthorKind::Visitor,
        StoredAuthorKind::Agent,
        StoredAuthorKind::Bot,
        StoredAuthorKind::System,
    ] {
        all.push(message(kind, None));
    }
    all.extend(
        [
            StoredEvent::Queued,
            StoredEvent::Assigned { agent: 2 },
            StoredEvent::Transferred { from: 2, to: 3 },
            StoredEvent::Closed { by: 2 },
            StoredEvent::Reopened { by: 2 },
            StoredEvent::Note,
            StoredEvent::BotAnswer { faq_id: 1 },
            StoredEvent::Suggestions {
                replies: vec![StoredSuggestion {
                    faq_id: 3,
                    answer: "Yes".into(),
                    score_pct: 49,
                }],
            },
            StoredEvent::Feedback {
                seq: 2,
                helpful: true,
            },
            StoredEvent::Choices {
                choices: vec![StoredChoice {
                    faq_id: 3,
                    question: "Open?".into(),
                }],
            },
            StoredEvent::Attachments {
                files: vec![StoredAttachment {
                    token: [0xab; 16],
                    name: "box.jpg".into(),
                    content_type: "image/jpeg".into(),
                    size: 300,
                }],
            },
        ]
        .map(system),
    );
    for reason in [
        StoredHandoffReason::HumanRequested,
        StoredHandoffReason::Frustrated,
        StoredHandoffReason::LowConfidence,
        StoredHandoffReason::BotUnavailable,
    ] {
        all.push(system(StoredEvent::HandedOff { reason }));
    }
    for status in [
        StoredStatus::Queued,
        StoredStatus::Assigned,
        StoredStatus::Closed,
        StoredStatus::Bot,
    ] {
        all.push(conversation(status));
    }
    all.push(agent(AgentRole::Admin));
    all.push(agent(AgentRole::Agent));
    all.push(agent_v2(AgentRole::Admin));
    all.push(agent_v2(AgentRole::Agent));
    all.push(agent_v3(AgentRole::Admin));
    all.push(agent_v3(AgentRole::Agent));
    all.push(agent_v4(AgentRole::Admin));
    all.push(agent_v4(AgentRole::Agent));
    all.push(Sample::Session(SessionRecord::V1 {
        agent: 2,
        created_ms: 1000,
        expires_ms: 2000,
    }));
    all.push(Sample::Visitor(VisitorRecord::V1(VisitorV1 {
        created_ms: 5,
        last_seen_ms: 6,
        page: Some("/p".into()),
        language: Some("en".into()),
        utc_offset_min: Some(-60),
        ..VisitorV1::default()
    })));
    all.push(Sample::Visitor(VisitorRecord::V2(VisitorV2 {
        created_ms: 5,
        last_seen_ms: 6,
        page: Some("/p".into()),
        language: Some("en".into()),
        utc_offset_min: Some(60),
        name: Some("Maria".into()),
        email: Some("m@x".into()),
        attributes: vec![("plan".into(), "pro".into())],
        ..VisitorV2::default()
    })));
    all.push(Sample::Settings(SettingsRecord::V1(settings_v1())));
    all.push(Sample::Settings(SettingsRecord::V2(SettingsV2 {
        texts: vec![LocalTexts {
            language: "zh".into(),
            title: "在线".into(),
            greeting: String::new(),
            away_message: "明天".into(),
        }],
        ..settings_v1().into()
    })));
    all.push(Sample::Settings(SettingsRecord::V3(SettingsV3 {
        time_zone: "Europe/London".into(),
        ..SettingsV2::from(settings_v1()).into()
    })));
    all.push(Sample::Responder(ResponderRecord::V1(ResponderV1 {
        mode: 1,
        kind: 0,
        url: "http://127.0.0.1:11434/v1".into(),
        key: "sk-test".into(),
        model: "qwen2.5".into(),
        allow_private: true,
        ..ResponderV1::default()
    })));
    all.push(faq(Some(embeddings())));
    all.push(faq(None));
    for embeddings in [Some(embeddings()), None] {
        all.push(Sample::Faq(FaqRecord::V2(FaqV2 {
            questions: vec!["Open?".into()],
            answer: "9-5".into(),
            answers: vec![LocalAnswer {
                language: "zh".into(),
                text: "九点".into(),
            }],
            revision: 7,
            embeddings,
        })));
    }
    all.push(Sample::Canned(CannedRecord::V1 {
        shortcut: "hours".into(),
        text: "9-5".into(),
    }));
    all.push(Sample::Webhook(WebhookRecord::V1(WebhookV1 {
        url: "https://h.example/".into(),
        events: vec!["message.visitor".into()],
        description: "CRM".into(),
        secret: vec![1, 2, 3],
        created_ms: 1000,
        disabled: true,
        failing_since_ms: Some(2000),
        disabled_reason: Some("410".into()),
    })));
    all.push(Sample::PushSubscription(PushSubscriptionRecord::V1(
        PushSubscriptionV1 {
            agent: 2,
            endpoint: "https://push.example/x".into(),
            p256dh: vec![4, 1],
            auth: vec![9],
            created_ms: 1000,
            label: "Phone".into(),
        },
    )));
    all.push(Sample::PushTarget(PushTargetRecord::V1 { subscription: 3 }));
    all
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of `sample`, and whether they decode back to the same record.
fn encode_and_check(sample: &Sample) -> Vec<u8> {
    fn both<
        T: serde::Serialize + for<'de> serde::Deserialize<'de> + PartialEq + std::fmt::Debug,
    >(
        record: &T,
    ) -> Vec<u8> {
        let bytes = encode(record);
        let back: T = decode(&bytes, "golden").expect("decodes");
        assert_eq!(&back, record);
        bytes
    }
    match sample {
        Sample::Message(r) => both(r),
        Sample::Conversation(r) => both(r),
        Sample::Agent(r) => both(r),
        Sample::Session(r) => both(r),
        Sample::Visitor(r) => both(r),
        Sample::Settings(r) => both(r),
        Sample::Faq(r) => both(r),
        Sample::Canned(r) => both(r),
        Sample::Webhook(r) => both(r),
        Sample::PushSubscription(r) => both(r),
        Sample::PushTarget(r) => both(r),
        Sample::Responder(r) => both(r),
    }
}

#[test]
fn every_record_variant_encodes_to_its_golden_bytes() {
    let samples = samples();
    let mut seen = std::collections::HashSet::new();
    for sample in &samples {
        let want = golden(sample);
        assert!(seen.insert(want), "two samples share the vector {want}");
        assert_eq!(hex(&encode_and_check(sample)), want);
    }
    assert_eq!(seen.len(), 46, "one sample per golden vector");
}
