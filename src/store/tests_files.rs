//! The attachments' records and files through the real writer thread: reference
//! counts, the quota, a file removed only after the commit that drops its last record
//! and never while a backup holds a pin, refused sends that leave nothing behind.

use std::sync::Arc;

use super::file_records::UploadV1;
use super::values::{StoredAuthorKind, StoredEvent, StoredStatus};
use super::*;
use crate::metrics::Metrics;

/// A store and its writer thread (also for `tests_erase`).
pub(super) fn start(dir: &std::path::Path) -> (Store, WriterHandle) {
    let store = Store::open(dir).expect("opens");
    let (writer, _thread) = writer::spawn(
        store.db().clone(),
        store.outbox_gate().clone(),
        WriterConfig::default(),
        Arc::new(Metrics::new()),
    )
    .expect("spawns");
    (store, writer)
}

fn upload(owner: u64, digest: [u8; 32], size: u64) -> UploadV1 {
    UploadV1 {
        owner_kind: StoredAuthorKind::Visitor,
        owner_id: owner,
        digest,
        name: "a.txt".into(),
        content_type: "text/plain; charset=utf-8".into(),
        size,
        created_ms: 1_000,
    }
}

/// Stores `bytes` as a file and an upload of visitor `owner` with id `[id; 16]`.
fn put(
    store: &Store,
    writer: &WriterHandle,
    id: u8,
    owner: u64,
    bytes: &[u8],
    quota: u64,
) -> Result<Outcome, StoreError> {
    let digest = [bytes[0]; 32];
    store.db().files().store(&digest, bytes).expect("file");
    writer.call_blocking(WriteOp::PutUpload {
        id: [id; 16],
        record: upload(owner, digest, bytes.len() as u64),
        quota_bytes: quota,
    })
}

fn with_files(uploads: &[u8], client_id: &str) -> NewMessage {
    NewMessage {
        attachments: uploads
            .iter()
            .map(|&u| NewAttachment {
                upload: [u; 16],
                token: [u + 100; 16],
            })
            .collect(),
        author_kind: StoredAuthorKind::Visitor,
        author_id: 1,
        author_name: String::new(),
        body: String::new(),
        client_id: Some(client_id.into()),
        event: None,
        at_ms: 1_000,
    }
}

fn open(writer: &WriterHandle, message: NewMessage) -> Result<Outcome, StoreError> {
    writer.call_blocking(WriteOp::OpenConversation {
        conversation: 1,
        status: StoredStatus::Queued,
        visitor: 1,
        site: "default".into(),
        message,
        visitor_details: None,
    })
}

#[test]
fn files_live_as_long_as_something_names_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, writer) = start(dir.path());
    put(&store, &writer, 1, 1, b"aaaa", 100).expect("first");
    put(&store, &writer, 2, 1, b"aaaa", 100).expect("same bytes");
    put(&store, &writer, 3, 2, b"bbbb", 100).expect("another visitor's");
    assert_eq!(store.files_bytes().expect("bytes"), 8);

    // Someone else's upload: refused, and nothing of the conversation is written.
    assert!(matches!(
        open(&writer, with_files(&[1, 3], "c1")),
        Err(StoreError::NotFound("upload"))
    ));
    assert!(store.conversation(1).expect("read").is_none());

    let sent = open(&writer, with_files(&[1, 2], "c1")).expect("sent");
    let Outcome::Appended(appended) = sent else {
        panic!("appended")
    };
    let Some(StoredEvent::Attachments { files }) = &appended.message.event else {
        panic!("attachments")
    };
    assert_eq!(files.len(), 2);
    assert!(store.attachment(&[101; 16]).expect("read").is_some());
    // A retry of the same client id is the same message, though its uploads are gone.
    let retry = writer.call_blocking(WriteOp::Append {
        conversation: 1,
        message: with_files(&[1, 2], "c1"),
    });
    assert!(matches!(retry, Ok(Outcome::Appended(a)) if a.duplicate && a.seq == 1));

    // Expiring uploads drops visitor 2's unsent one and its file.
    writer
        .call_blocking(WriteOp::ExpireUploads { before_ms: 2_000 })
        .expect("expired");
    assert!(!store.db().files().contains(&[b'b'; 32]));
    assert!(store.db().files().contains(&[b'a'; 32]));

    // Purging the conversation removes the file, after the commit, unless pinned.
    let close = NewMessage {
        event: Some(StoredEvent::Closed { by: 0 }),
        ..with_files(&[], "close")
    };
    writer
        .call_blocking(WriteOp::ChangeStatus {
            conversation: 1,
            status: StoredStatus::Closed,
            agent: None,
            message: close,
        })
        .expect("closed");
    let pin = store.db().files().pin();
    writer
        .call_blocking(WriteOp::PurgeConversation { id: 1 })
        .expect("purged");
    assert!(store.attachment(&[101; 16]).expect("read").is_none());
    assert!(
        store.db().files().contains(&[b'a'; 32]),
        "kept while a backup holds it"
    );
    drop(pin);
    writer
        .call_blocking(WriteOp::ExpireUploads { before_ms: 0 })
        .expect("a commit");
    assert!(!store.db().files().contains(&[b'a'; 32]));
    assert_eq!(store.files_bytes().expect("bytes"), 0);
}

#[test]
fn the_quota_and_a_missing_file_refuse_an_upload() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, writer) = start(dir.path());
    put(&store, &writer, 1, 1, b"aaaa", 6).expect("fits");
    assert!(matches!(
        put(&store, &writer, 2, 1, b"bbbb", 6),
        Err(StoreError::QuotaFull)
    ));
    assert!(
        !store.db().files().contains(&[b'b'; 32]),
        "the refused file is removed"
    );
    let missing = writer.call_blocking(WriteOp::PutUpload {
        id: [3; 16],
        record: upload(1, [b'c'; 32], 4),
        quota_bytes: 100,
    });
    assert!(matches!(missing, Err(StoreError::FileMissing)));
    // A leftover file nothing names is swept.
    store
        .db()
        .files()
        .store(&[b'd'; 32], b"dddd")
        .expect("file");
    let unnamed = store
        .unnamed_files(std::time::SystemTime::now() + std::time::Duration::from_secs(1))
        .expect("listed");
    assert_eq!(unnamed, vec![[b'd'; 32]]);
    writer
        .call_blocking(WriteOp::SweepFiles { digests: unnamed })
        .expect("swept");
    assert!(!store.db().files().contains(&[b'd'; 32]));
    assert!(store.db().files().contains(&[b'a'; 32]));
}
