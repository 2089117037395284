//! Golden bytes of the outbox's records (schema 3): written once from this build's
//! encoding and never to change. A new event kind or attempt outcome does not compile
//! until [`golden`] has a vector for it (the matches have no wildcard).

use super::outbox_records::*;
use super::records::encode;

fn event(kind: StoredOutboxKind) -> StoredOutboxEvent {
    StoredOutboxEvent {
        id: 300,
        kind,
        at_ms: 1_795_338_445_376,
        conversation: 12,
        seq: Some(3),
        visitor: 7,
        agent: Some(2),
    }
}

/// The golden hex of a recorded event of `kind`.
fn golden(kind: StoredOutboxKind) -> &'static str {
    match kind {
        StoredOutboxKind::ConversationCreated => "00ac0200c0c48a94a0340c0103070102",
        StoredOutboxKind::MessageVisitor => "00ac0201c0c48a94a0340c0103070102",
        StoredOutboxKind::MessageAgent => "00ac0202c0c48a94a0340c0103070102",
        StoredOutboxKind::MessageBot => "00ac0203c0c48a94a0340c0103070102",
        StoredOutboxKind::HandedOff => "00ac0204c0c48a94a0340c0103070102",
        StoredOutboxKind::Assigned => "00ac0205c0c48a94a0340c0103070102",
        StoredOutboxKind::Closed => "00ac0206c0c48a94a0340c0103070102",
        StoredOutboxKind::VisitorEmailLeft => "00ac0207c0c48a94a0340c0103070102",
        StoredOutboxKind::Rated => "00ac0208c0c48a94a0340c0103070102",
    }
}

/// The golden hex of a logged attempt with `outcome`.
fn golden_attempt(outcome: StoredAttemptOutcome) -> &'static str {
    match outcome {
        StoredAttemptOutcome::Delivered => {
            "0009ac0206c0c48a94a0340c01030701020105b817010001c8010c00"
        }
        StoredAttemptOutcome::Retry => "0009ac0206c0c48a94a0340c01030701020105b817010101c8010c00",
        StoredAttemptOutcome::GaveUp => "0009ac0206c0c48a94a0340c01030701020105b817010201c8010c00",
        StoredAttemptOutcome::Skipped => "0009ac0206c0c48a94a0340c01030701020105b817010301c8010c00",
    }
}

const JOB: &str = "00010201020104ac0202c0c48a94a0340c0103070102e807d00f030104646f776e01f70300";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn outbox_records_encode_to_their_golden_bytes() {
    let kinds = [
        StoredOutboxKind::ConversationCreated,
        StoredOutboxKind::MessageVisitor,
        StoredOutboxKind::MessageAgent,
        StoredOutboxKind::MessageBot,
        StoredOutboxKind::HandedOff,
        StoredOutboxKind::Assigned,
        StoredOutboxKind::Closed,
        StoredOutboxKind::VisitorEmailLeft,
        StoredOutboxKind::Rated,
    ];
    for kind in kinds {
        let bytes = encode(&OutboxRecord::V1(event(kind)));
        assert_eq!(hex(&bytes), golden(kind), "{kind:?}");
        let back: OutboxRecord = super::records::decode(&bytes, "outbox").expect("decodes");
        assert_eq!(back, OutboxRecord::V1(event(kind)));
    }
    let job = JobRecord::V1(JobV1 {
        sink: 1,
        target: vec![1, 2],
        log_key: Some(4),
        event: event(StoredOutboxKind::MessageAgent),
        created_ms: 1000,
        due_ms: 2000,
        attempts: 3,
        last_error: Some("down".into()),
        last_status: Some(503),
        failed_ms: None,
    });
    assert_eq!(hex(&encode(&job)), JOB, "job");
    let outcomes = [
        StoredAttemptOutcome::Delivered,
        StoredAttemptOutcome::Retry,
        StoredAttemptOutcome::GaveUp,
        StoredAttemptOutcome::Skipped,
    ];
    for outcome in outcomes {
        let attempt = AttemptRecord::V1(AttemptV1 {
            job: 9,
            event: event(StoredOutboxKind::Closed),
            target: vec![5],
            at_ms: 3000,
            attempt: 1,
            outcome,
            status: Some(200),
            latency_ms: 12,
            error: None,
        });
        assert_eq!(
            hex(&encode(&attempt)),
            golden_attempt(outcome),
            "{outcome:?}"
        );
    }
}
