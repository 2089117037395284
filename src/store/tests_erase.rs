//! A visitor's erasure through the real writer thread: open conversations go too, a
//! token, a confirmation and the outbox's rows about them go, an unsubscribe goes only
//! when no other visitor has the address, and other visitors keep everything.

use redb::ReadableTableMetadata;

use super::outbox_records::{OUTBOX, OUTBOX_JOBS};
use super::values::{StoredAuthorKind, StoredStatus};
use super::*;

/// A store and its writer thread, recording outbox events.
fn start(dir: &std::path::Path) -> (Store, WriterHandle) {
    let (store, writer) = super::tests_files::start(dir);
    store.outbox_gate().set_on(true);
    (store, writer)
}

fn visitor(writer: &WriterHandle, id: u64, email: &str) {
    let op = WriteOp::UpsertVisitor {
        id,
        token_digest: Some([id as u8; 32]),
        update: VisitorUpdate {
            seen_ms: Some(1_000),
            name: Some(format!("Visitor {id}")),
            email: Some(email.into()),
            ..VisitorUpdate::default()
        },
    };
    writer.call_blocking(op).expect("stored");
}

fn open(writer: &WriterHandle, conversation: u64, visitor: u64) {
    let op = WriteOp::OpenConversation {
        conversation,
        status: StoredStatus::Queued,
        visitor,
        site: "default".into(),
        message: NewMessage {
            attachments: Vec::new(),
            author_kind: StoredAuthorKind::Visitor,
            author_id: visitor,
            author_name: String::new(),
            body: "hello".into(),
            client_id: Some("c1".into()),
            event: None,
            at_ms: 1_000,
        },
        visitor_details: None,
    };
    writer.call_blocking(op).expect("opened");
}

fn erase(writer: &WriterHandle, visitor: u64) -> Result<Outcome, StoreError> {
    writer.call_blocking(WriteOp::EraseVisitor {
        visitor,
        at_ms: 2_000,
    })
}

fn outbox_rows(store: &Store) -> u64 {
    let tx = store.db().begin_read().expect("reads");
    let events = tx.open_table(OUTBOX).expect("table").len().expect("len");
    events
        + tx.open_table(OUTBOX_JOBS)
            .expect("table")
            .len()
            .expect("len")
}

#[test]
fn an_erasure_takes_everything_of_one_visitor_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, writer) = start(dir.path());
    visitor(&writer, 1, "Shared@Example.com");
    visitor(&writer, 2, "shared@example.com");
    visitor(&writer, 3, "solo@example.com");
    open(&writer, 10, 1);
    open(&writer, 20, 2);
    for address in ["shared@example.com", "solo@example.com"] {
        let op = WriteOp::OptOutEmail {
            address: address.into(),
            at_ms: 1_500,
        };
        writer.call_blocking(op).expect("opted out");
    }
    let op = WriteOp::ConfirmVisitorEmail {
        visitor: 3,
        address: "solo@example.com".into(),
        at_ms: 1_500,
    };
    writer.call_blocking(op).expect("confirmed");
    let before = outbox_rows(&store);
    assert!(before >= 2, "both conversations recorded events: {before}");

    match erase(&writer, 1) {
        Ok(Outcome::VisitorErased(e)) => assert_eq!((e.conversations, e.messages), (1, 1)),
        other => panic!("erased, not {other:?}"),
    }
    assert!(store.visitor(1).expect("reads").is_none());
    assert!(
        store.conversation(10).expect("reads").is_none(),
        "open, and gone"
    );
    assert!(store.visitor_by_token(&[1; 32]).expect("reads").is_none());
    assert!(store.visitor_conversation_ids(1).expect("reads").is_empty());
    assert!(store.is_erased(1).expect("reads"));
    assert!(outbox_rows(&store) < before, "its events went");
    // Visitor 2 keeps everything, also the unsubscribe of the address they share.
    assert!(store.conversation(20).expect("reads").is_some());
    assert_eq!(store.visitor_by_token(&[2; 32]).expect("reads"), Some(2));
    assert!(store.email_opted_out("shared@example.com").expect("reads"));
    assert!(!store.is_erased(2).expect("reads"));

    // A visitor with no conversation: the record, the confirmation, their own
    // unsubscribe.
    assert!(matches!(erase(&writer, 3), Ok(Outcome::VisitorErased(_))));
    assert!(store.confirmed_email(3).expect("reads").is_none());
    assert!(!store.email_opted_out("solo@example.com").expect("reads"));
    assert!(matches!(
        erase(&writer, 3),
        Err(StoreError::NotFound("visitor"))
    ));
    assert!(matches!(
        erase(&writer, 99),
        Err(StoreError::NotFound("visitor"))
    ));
}
