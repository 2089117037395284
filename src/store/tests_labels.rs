//! Labels through the real writer: golden bytes, names unique in any case, the limits,
//! both indexes in step, automatic labels in the message's commit, and a purge or a
//! deletion leaving no pair behind.

use super::label_records::*;
use super::records::{decode, encode};
use super::values::{StoredAuthorKind, StoredEvent, StoredHandoffReason, StoredStatus};
use super::*;

fn label(name: &str) -> LabelV1 {
    LabelV1 {
        name: name.into(),
        colour: "#d9480f".into(),
        on_handoff: vec![StoredHandoffReason::Frustrated],
        on_faq: vec![7],
        created_ms: 1_795_338_445_376,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Golden bytes of every label record variant (no wildcard: a new version does not
/// compile until it has one).
#[test]
fn label_records_encode_to_their_golden_bytes() {
    let sample = LabelRecord::V1(label("vip"));
    let golden = match &sample {
        LabelRecord::V1(_) => "0003766970072364393438306601010107c0c48a94a034",
    };
    let bytes = encode(&sample);
    assert_eq!(hex(&bytes), golden);
    assert_eq!(
        decode::<LabelRecord>(&bytes, "labels").expect("decodes"),
        sample
    );
}

fn message(event: Option<StoredEvent>) -> NewMessage {
    NewMessage {
        attachments: Vec::new(),
        author_kind: StoredAuthorKind::System,
        author_id: 0,
        author_name: String::new(),
        body: "x".into(),
        client_id: None,
        event,
        at_ms: 1_000,
    }
}

fn put(id: Option<u64>, record: LabelV1) -> WriteOp {
    WriteOp::Labels(LabelOp::Put { id, record })
}

fn tag(conversation: u64, label: u64, on: bool) -> WriteOp {
    WriteOp::Labels(LabelOp::Tag {
        conversation,
        label,
        on,
    })
}

fn labels_now(outcome: Result<Outcome, StoreError>) -> Vec<u64> {
    match outcome {
        Ok(Outcome::Labels { labels, .. }) => labels,
        other => panic!("expected labels, got {other:?}"),
    }
}

#[test]
fn labels_are_unique_bounded_and_leave_every_conversation_when_deleted() {
    let dir = tempfile::tempdir().expect("tempdir");
    writer::with_offline_writer(dir.path(), |store, writer| {
        let write = |op| writer.call_blocking(op);
        for conversation in 1..=2 {
            write(WriteOp::OpenConversation {
                status: StoredStatus::Queued,
                conversation,
                visitor: conversation,
                site: "default".into(),
                message: message(None),
                visitor_details: None,
            })
            .expect("opens");
        }
        assert!(matches!(
            write(put(None, label("VIP"))),
            Ok(Outcome::LabelSaved(1))
        ));
        assert!(
            matches!(write(put(None, label("vip"))), Err(StoreError::Conflict(_))),
            "names are unique in any case"
        );
        assert!(matches!(
            write(put(Some(1), label("Vip"))),
            Ok(Outcome::LabelSaved(1))
        ));
        assert!(matches!(
            write(put(Some(9), label("x"))),
            Err(StoreError::NotFound(_))
        ));
        for n in 2..=MAX_LABELS {
            assert!(write(put(None, label(&format!("l{n}")))).is_ok());
        }
        assert!(
            matches!(
                write(put(None, label("one more"))),
                Err(StoreError::Conflict(_))
            ),
            "at most {MAX_LABELS} labels"
        );
        for l in 1..=MAX_PER_CONVERSATION as u64 {
            assert!(write(tag(1, l, true)).is_ok());
        }
        assert!(
            matches!(write(tag(1, 11, true)), Err(StoreError::Conflict(_))),
            "at most {MAX_PER_CONVERSATION} per conversation"
        );
        assert_eq!(
            labels_now(write(tag(1, 1, true))).len(),
            10,
            "re-adding is no change"
        );
        assert!(matches!(
            write(tag(3, 1, true)),
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            write(tag(1, 500, true)),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(labels_now(write(tag(2, 1, true))), vec![1]);
        assert_eq!(store.labelled(1, 0).expect("reads"), vec![2, 1]);
        match write(WriteOp::Labels(LabelOp::Delete { id: 1 })) {
            Ok(Outcome::LabelDeleted { changed }) => {
                assert_eq!(changed, vec![(2, vec![]), (1, (2..=10).collect())]);
            }
            other => panic!("expected a deletion, got {other:?}"),
        }
        assert!(store.labelled(1, 0).expect("reads").is_empty());
        let left = store.labels_of(&[1, 2]).expect("reads");
        assert_eq!(left.get(&1).map(Vec::len), Some(9));
        assert_eq!(left.get(&2), None);
        // A new label never takes a deleted one's id.
        write(WriteOp::Labels(LabelOp::Delete { id: 100 })).expect("deletes");
        assert!(matches!(
            write(put(None, label("new"))),
            Ok(Outcome::LabelSaved(101))
        ));
    })
    .expect("writer");
}

#[test]
fn automatic_labels_come_in_the_commit_of_their_message_and_go_with_a_purge() {
    let dir = tempfile::tempdir().expect("tempdir");
    writer::with_offline_writer(dir.path(), |store, writer| {
        let write = |op| writer.call_blocking(op);
        write(WriteOp::OpenConversation {
            status: StoredStatus::Bot,
            conversation: 1,
            visitor: 1,
            site: "default".into(),
            message: message(None),
            visitor_details: None,
        })
        .expect("opens");
        write(put(None, label("angry"))).expect("saves");
        let mut faq_only = label("faq");
        faq_only.on_handoff.clear();
        write(put(None, faq_only)).expect("saves");
        let appended = |event| match write(WriteOp::Append {
            conversation: 1,
            message: message(Some(event)),
        }) {
            Ok(Outcome::Appended(a)) => a.labels,
            other => panic!("expected a message, got {other:?}"),
        };
        let calm = StoredEvent::HandedOff {
            reason: StoredHandoffReason::HumanRequested,
        };
        assert_eq!(appended(calm), None, "no label for that reason");
        assert_eq!(
            appended(StoredEvent::BotAnswer { faq_id: 7 }),
            Some(vec![1, 2])
        );
        let angry = StoredEvent::HandedOff {
            reason: StoredHandoffReason::Frustrated,
        };
        assert_eq!(appended(angry), None, "it has them already");
        write(WriteOp::ChangeStatus {
            conversation: 1,
            status: StoredStatus::Closed,
            agent: None,
            message: message(None),
        })
        .expect("closes");
        write(WriteOp::PurgeConversation { id: 1 }).expect("purges");
        assert!(store.labelled(1, 0).expect("reads").is_empty());
        assert!(store.labels_of(&[1]).expect("reads").is_empty());
    })
    .expect("writer");
}
