//! Golden bytes of the API keys' and the audit log's records (schema 6): written once
//! from this build's encoding and never to change. A new record version, actor or
//! action does not compile until [`golden`] has a vector for it (no wildcard).

use super::key_records::*;
use super::records::{decode, encode};

/// Every record variant of these tables, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sample {
    Key(ApiKeyRecord),
    Audit(AuditRecord),
}

fn golden(sample: &Sample) -> &'static str {
    match sample {
        Sample::Key(ApiKeyRecord::V1(k)) => match k.scope {
            StoredKeyScope::Read => {
                "000363726d00000b646b5f3031323361626364c0c48a94a034000101a0998e94a03400"
            }
            StoredKeyScope::Write => {
                "000363726d01010473686f700b646b5f3031323361626364c0c48a94a034010201a0998e94a03400"
            }
            StoredKeyScope::Admin => {
                "000363726d02000b646b5f3031323361626364c0c48a94a034000101a0998e94a03400"
            }
        },
        Sample::Audit(AuditRecord::V1(a)) => match &a.action {
            StoredAuditAction::KeyCreated { .. } => "00c0c48a94a03400010003",
            StoredAuditAction::KeyRevoked { .. } => "00c0c48a94a03401020103",
            StoredAuditAction::AgentCreated { .. } => "00c0c48a94a03400010204",
            StoredAuditAction::AgentChanged { .. } => {
                "00c0c48a94a03400010304020864697361626c65640870617373776f7264"
            }
            StoredAuditAction::SettingsChanged => "00c0c48a94a034010204",
            StoredAuditAction::WebhookCreated { .. } => "00c0c48a94a03400010505",
            StoredAuditAction::WebhookChanged { .. } => "00c0c48a94a0340001060501",
            StoredAuditAction::WebhookDeleted { .. } => "00c0c48a94a03400010705",
            StoredAuditAction::IdentityChanged { .. } => "00c0c48a94a0340001080473686f700100",
            StoredAuditAction::VisitorChanged { .. } => {
                "00c0c48a94a03401020909010a61747472696275746573"
            }
            StoredAuditAction::VisitorErased { .. } => "00c0c48a94a03400010a09020701",
            StoredAuditAction::CannedCreated { .. } => "00c0c48a94a03400010b06",
            StoredAuditAction::CannedChanged { .. } => "00c0c48a94a03401020c06",
            StoredAuditAction::CannedDeleted { .. } => "00c0c48a94a03400010d06",
            StoredAuditAction::FaqCreated { .. } => "00c0c48a94a03400010e07",
            StoredAuditAction::FaqChanged { .. } => "00c0c48a94a03401020f07",
            StoredAuditAction::FaqDeleted { .. } => "00c0c48a94a03400011007",
            StoredAuditAction::LabelCreated { .. } => "00c0c48a94a03400011106",
            StoredAuditAction::LabelChanged { .. } => {
                "00c0c48a94a0340001120602046e616d6506636f6c6f7572"
            }
            StoredAuditAction::LabelDeleted { .. } => "00c0c48a94a03401021306",
        },
    }
}

fn key(scope: StoredKeyScope, created_by: StoredActor, site: Option<&str>) -> Sample {
    Sample::Key(ApiKeyRecord::V1(ApiKeyV1 {
        name: "crm".into(),
        scope,
        site: site.map(str::to_string),
        prefix: "dk_0123abcd".into(),
        created_ms: 1_795_338_445_376,
        created_by,
        last_used_ms: Some(1_795_338_505_376),
        revoked_ms: None,
    }))
}

fn audit(actor: StoredActor, action: StoredAuditAction) -> Sample {
    Sample::Audit(AuditRecord::V1(AuditV1 {
        at_ms: 1_795_338_445_376,
        actor,
        action,
    }))
}

fn samples() -> Vec<Sample> {
    use StoredAuditAction::*;
    let agent = StoredActor::Agent(1);
    let key_actor = StoredActor::Key(2);
    vec![
        key(StoredKeyScope::Read, agent, None),
        key(StoredKeyScope::Write, key_actor, Some("shop")),
        key(StoredKeyScope::Admin, agent, None),
        audit(agent, KeyCreated { key: 3 }),
        audit(key_actor, KeyRevoked { key: 3 }),
        audit(agent, AgentCreated { agent: 4 }),
        audit(
            agent,
            AgentChanged {
                agent: 4,
                fields: vec!["disabled".into(), "password".into()],
            },
        ),
        audit(key_actor, SettingsChanged),
        audit(agent, WebhookCreated { webhook: 5 }),
        audit(
            agent,
            WebhookChanged {
                webhook: 5,
                disabled: true,
            },
        ),
        audit(agent, WebhookDeleted { webhook: 5 }),
        audit(
            agent,
            IdentityChanged {
                site: "shop".into(),
                rotated: true,
                require: false,
            },
        ),
        audit(
            key_actor,
            VisitorChanged {
                visitor: 9,
                fields: vec!["attributes".into()],
            },
        ),
        audit(
            agent,
            VisitorErased {
                visitor: 9,
                conversations: 2,
                messages: 7,
                files: 1,
            },
        ),
        audit(agent, CannedCreated { canned: 6 }),
        audit(key_actor, CannedChanged { canned: 6 }),
        audit(agent, CannedDeleted { canned: 6 }),
        audit(agent, FaqCreated { faq: 7 }),
        audit(key_actor, FaqChanged { faq: 7 }),
        audit(agent, FaqDeleted { faq: 7 }),
        audit(agent, LabelCreated { label: 6 }),
        audit(
            agent,
            LabelChanged {
                label: 6,
                fields: vec!["name".into(), "colour".into()],
            },
        ),
        audit(key_actor, LabelDeleted { label: 6 }),
    ]
}

/// Every actor kind, so a new one does not compile until a sample has it.
fn actor_name(actor: StoredActor) -> &'static str {
    match actor {
        StoredActor::Agent(_) => "agent",
        StoredActor::Key(_) => "key",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn key_and_audit_records_encode_to_their_golden_bytes() {
    for sample in samples() {
        let (bytes, back) = match &sample {
            Sample::Key(r) => {
                let bytes = encode(r);
                let back = Sample::Key(decode(&bytes, "api keys").expect("decodes"));
                (bytes, back)
            }
            Sample::Audit(r) => {
                let bytes = encode(r);
                let back = Sample::Audit(decode(&bytes, "audit").expect("decodes"));
                (bytes, back)
            }
        };
        assert_eq!(hex(&bytes), golden(&sample), "{sample:?}");
        assert_eq!(back, sample);
    }
    let actors: std::collections::BTreeSet<&str> = samples()
        .iter()
        .map(|s| match s {
            Sample::Key(ApiKeyRecord::V1(k)) => actor_name(k.created_by),
            Sample::Audit(AuditRecord::V1(a)) => actor_name(a.actor),
        })
        .collect();
    assert_eq!(actors.len(), 2, "every actor kind has a sample");
}
