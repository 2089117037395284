//! Storage behaviour through the real writer thread on a temporary directory.

use std::sync::Arc;

use super::values::{StoredAuthorKind, StoredStatus};
use super::*;
use crate::metrics::Metrics;

pub(super) fn message(body: &str, client_id: Option<&str>) -> NewMessage {
    NewMessage {
        attachments: Vec::new(),
        author_kind: StoredAuthorKind::Visitor,
        author_id: 1,
        author_name: String::new(),
        body: body.into(),
        client_id: client_id.map(str::to_string),
        event: None,
        at_ms: 1_000,
    }
}

pub(super) fn start(dir: &std::path::Path) -> (Store, WriterHandle, std::thread::JoinHandle<()>) {
    start_with(dir, WriterConfig::default(), Arc::new(Metrics::new()))
}

/// [`start`] with a writer configuration and metrics of the test's own.
fn start_with(
    dir: &std::path::Path,
    config: WriterConfig,
    metrics: Arc<Metrics>,
) -> (Store, WriterHandle, std::thread::JoinHandle<()>) {
    let store = Store::open(dir).expect("opens");
    let (writer, thread) = writer::spawn(
        store.db().clone(),
        store.outbox_gate().clone(),
        config,
        metrics,
    )
    .expect("spawns");
    (store, writer, thread)
}

/// Opens conversation 1 of visitor 1 with a first message.
fn open_one(body: &str, client_id: Option<&str>) -> WriteOp {
    WriteOp::OpenConversation {
        status: StoredStatus::Queued,
        conversation: 1,
        visitor: 1,
        site: "default".into(),
        message: message(body, client_id),
        visitor_details: None,
    }
}

fn appended(outcome: Result<Outcome, StoreError>) -> Appended {
    match outcome {
        Ok(Outcome::Appended(a)) => a,
        other => panic!("expected an appended message, got {other:?}"),
    }
}

#[test]
fn sequences_are_monotonic_and_retries_are_deduplicated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, writer, thread) = start(dir.path());
    let first = appended(writer.call_blocking(open_one("hello", Some("a"))));
    assert_eq!((first.seq, first.duplicate), (1, false));
    let second = appended(writer.call_blocking(WriteOp::Append {
        conversation: 1,
        message: message("more", Some("b")),
    }));
    assert_eq!(second.seq, 2);
    let retry = appended(writer.call_blocking(WriteOp::Append {
        conversation: 1,
        message: message("more", Some("b")),
    }));
    assert_eq!((retry.seq, retry.duplicate), (2, true));
    assert_eq!(store.seq_of_client_id(1, "b").expect("reads"), Some(2));
    assert_eq!(store.seq_of_client_id(1, "c").expect("reads"), None);
    assert_eq!(store.seq_of_client_id(2, "b").expect("reads"), None);
    let rows = store.messages_between(1, 0, 10).expect("reads");
    assert_eq!(
        rows.iter()
            .map(|(s, m)| (*s, m.body.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "hello"), (2, "more")]
    );
    writer.close();
    thread.join().expect("writer exits");
}

#[test]
fn appending_to_a_missing_conversation_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, writer, _thread) = start(dir.path());
    let result = writer.call_blocking(WriteOp::Append {
        conversation: 9,
        message: message("x", None),
    });
    assert!(matches!(result, Err(StoreError::NotFound(_))), "{result:?}");
}

#[test]
fn data_survives_reopening_and_closing_frees_the_visitor() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (_store, writer, thread) = start(dir.path());
        appended(writer.call_blocking(WriteOp::OpenConversation {
            status: StoredStatus::Queued,
            conversation: 5,
            visitor: 3,
            site: "shop".into(),
            message: message("hi", Some("c1")),
            visitor_details: None,
        }));
        let again = writer.call_blocking(WriteOp::OpenConversation {
            status: StoredStatus::Queued,
            conversation: 6,
            visitor: 3,
            site: "shop".into(),
            message: message("hi", None),
            visitor_details: None,
        });
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "one open conversation per site"
        );
        writer.close();
        thread.join().expect("writer exits");
    }
    let (store, writer, _thread) = start(dir.path());
    assert_eq!(store.open_conversations().expect("reads").len(), 1);
    assert_eq!(store.last_message(5).expect("reads").0, 1);
    // The sequence continues after a restart (the writer's cache starts empty).
    let next = appended(writer.call_blocking(WriteOp::Append {
        conversation: 5,
        message: message("back", None),
    }));
    assert_eq!(next.seq, 2);
    let closed = appended(writer.call_blocking(WriteOp::ChangeStatus {
        conversation: 5,
        status: StoredStatus::Closed,
        agent: None,
        message: message("closed", None),
    }));
    assert_eq!(closed.seq, 3);
    assert!(store.open_conversations().expect("reads").is_empty());
    let (id, record, seq, _) = store
        .current_conversation_of(3, "shop")
        .expect("reads")
        .expect("latest");
    assert_eq!((id, record.status, seq), (5, StoredStatus::Closed, 3));
}

#[test]
fn paging_back_returns_older_messages_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, writer, _thread) = start(dir.path());
    appended(writer.call_blocking(open_one("m1", None)));
    for i in 2..=10 {
        appended(writer.call_blocking(WriteOp::Append {
            conversation: 1,
            message: message(&format!("m{i}"), None),
        }));
    }
    let (page, more) = store.messages_before(1, 0, 3).expect("reads");
    assert_eq!(
        page.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![8, 9, 10]
    );
    assert!(more);
    let (page, more) = store.messages_before(1, 3, 5).expect("reads");
    assert_eq!(page.iter().map(|(s, _)| *s).collect::<Vec<_>>(), vec![1, 2]);
    assert!(!more);
}

#[test]
fn a_newer_schema_is_refused_without_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path()).expect("opens");
        let tx = store.db().begin_write().expect("tx");
        tx.open_table(tables::META)
            .expect("meta")
            .insert("schema_version", 99u64.to_le_bytes().as_slice())
            .expect("insert");
        tx.commit().expect("commit");
    }
    match Store::open(dir.path()) {
        Err(StoreError::NewerSchema {
            found: 99,
            supported,
        }) => assert_eq!(supported, SCHEMA_VERSION),
        Err(other) => panic!("wrong error {other}"),
        Ok(_) => panic!("newer schema must be refused"),
    }
}

#[test]
fn the_server_key_is_made_once_and_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = *Store::open(dir.path()).expect("open").server_key();
    assert_ne!(first, [0u8; 32]);
    let again = *Store::open(dir.path()).expect("reopen").server_key();
    assert_eq!(first, again, "a reopened directory keeps its key");
    let other = tempfile::tempdir().expect("tempdir");
    assert_ne!(
        first,
        *Store::open(other.path()).expect("open").server_key()
    );
}

#[test]
fn a_password_change_ends_the_agents_sessions_but_the_kept_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, writer, thread) = start(dir.path());
    let agent = records::AgentV4::new("bob".into(), records::AgentRole::Agent, String::new(), 0);
    let mut ids = Vec::new();
    for name in ["bob", "carol"] {
        let created = writer.call_blocking(WriteOp::CreateAgent {
            agent: records::AgentV4 {
                name: name.into(),
                ..agent.clone()
            },
            only_if_no_admin: false,
        });
        match created {
            Ok(Outcome::AgentCreated(id)) => ids.push(id),
            other => panic!("expected a new agent, got {other:?}"),
        }
    }
    let (bob, carol) = (ids[0], ids[1]);
    let sessions = [(1u8, bob), (2, bob), (3, bob), (4, carol)];
    for (digest, owner) in sessions {
        let record = records::SessionRecord::V1 {
            agent: owner,
            created_ms: 0,
            expires_ms: u64::MAX,
        };
        writer
            .call_blocking(WriteOp::PutSession {
                digest: [digest; 32],
                record,
            })
            .expect("session stored");
    }
    let update = |end_sessions| WriteOp::UpdateAgent {
        id: bob,
        agent: agent.clone(),
        end_sessions,
    };
    writer
        .call_blocking(update(None))
        .expect("no password change");
    assert!(store.session(&[1; 32]).expect("read").is_some());
    writer
        .call_blocking(update(Some(Some([2; 32]))))
        .expect("own password changed");
    let alive = |d: u8| store.session(&[d; 32]).expect("read").is_some();
    assert_eq!(
        [alive(1), alive(2), alive(3), alive(4)],
        [false, true, false, true]
    );
    writer
        .call_blocking(update(Some(None)))
        .expect("password reset");
    assert_eq!(
        [alive(2), alive(4)],
        [false, true],
        "other agents keep theirs"
    );
    writer.close();
    thread.join().expect("writer exits");
}

#[test]
fn reserved_visitor_ids_count_as_used_and_first_messages_create_the_visitor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, writer, _thread) = start(dir.path());
    assert_eq!(store.max_ids().expect("ids").0, 0);
    writer
        .call_blocking(WriteOp::ReserveVisitorIds { up_to: 64 })
        .expect("reserve");
    // Never lowered.
    writer
        .call_blocking(WriteOp::ReserveVisitorIds { up_to: 10 })
        .expect("reserve");
    assert_eq!(store.max_ids().expect("ids").0, 64);
    assert!(store.visitor(7).expect("read").is_none());
    appended(writer.call_blocking(WriteOp::OpenConversation {
        status: StoredStatus::Queued,
        conversation: 1,
        visitor: 7,
        site: "s".into(),
        message: message("first", None),
        visitor_details: Some(VisitorUpdate {
            seen_ms: Some(5),
            page: Some("https://shop.example/a".into()),
            ..VisitorUpdate::default()
        }),
    }));
    let record = store
        .visitor(7)
        .expect("read")
        .expect("created with the message");
    assert_eq!(record.page.as_deref(), Some("https://shop.example/a"));
    assert_eq!(record.created_ms, 5);
    assert_eq!(store.max_ids().expect("ids").0, 64);
}

#[test]
fn the_store_imports_nothing_from_the_wire_the_bot_or_the_transports() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    let mut checked = 0;
    for file in std::fs::read_dir(&dir).expect("src/store") {
        let path = file.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        // Code only: the docs may say where the conversions are.
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect();
        for module in ["protocol", "bot", "hub", "http", "ws", "stored"] {
            for pattern in [format!("crate::{module}"), format!("deskbell::{module}")] {
                assert!(
                    !code.contains(&pattern),
                    "{} uses {pattern}: store owns its types (docs/STORAGE.md)",
                    path.display()
                );
            }
        }
        checked += 1;
    }
    assert!(checked > 10, "only {checked} files under {}", dir.display());
}

#[test]
fn a_first_start_cut_short_leaves_no_file_that_refuses_the_next() {
    let dir = tempfile::tempdir().expect("tempdir");
    // What a power cut during an earlier first start left: a part of a file.
    let leftover = dir.path().join(DB_FILE).with_extension("redb.creating");
    std::fs::write(&leftover, [0u8; 100]).expect("writes");
    let store = Store::open(dir.path()).expect("opens despite the leftover");
    assert_eq!(store.last_message(1).expect("reads"), (0, 0));
    drop(store);
    assert!(
        !leftover.exists(),
        "the leftover is replaced and renamed away"
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("lists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("redb"))
        .collect();
    names.sort();
    assert_eq!(names, [DB_FILE]);
    Store::open(dir.path()).expect("opens again");
}

/// Opens conversation 1, then sends two appends 100 ms apart through a writer with
/// `window`; returns how many commits carried the two and whether the first one's
/// reply came after the second was sent.
fn two_appends_100_ms_apart(window: std::time::Duration) -> (u64, bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let metrics = Arc::new(Metrics::new());
    let config = WriterConfig {
        commit_window: window,
        ..WriterConfig::default()
    };
    let (store, writer, thread) = start_with(dir.path(), config, metrics.clone());
    writer
        .call_blocking(open_one("hello", Some("a")))
        .expect("opens");
    let commits_before = metrics.commit_batch_size.count();
    let (tx, rx) = std::sync::mpsc::channel();
    let send = |body: &str| {
        let tx = tx.clone();
        let op = WriteOp::Append {
            conversation: 1,
            message: message(body, Some(body)),
        };
        let reply: writer::Reply = Box::new(move |result| {
            let _ = tx.send((result.is_ok(), std::time::Instant::now()));
        });
        smol::block_on(writer.submit(op, reply)).expect("queued");
    };
    send("first");
    std::thread::sleep(std::time::Duration::from_millis(100));
    let second_sent = std::time::Instant::now();
    send("second");
    let (first_ok, first_at) = rx.recv().expect("first reply");
    let (second_ok, _) = rx.recv().expect("second reply");
    assert!(first_ok && second_ok);
    let commits = metrics.commit_batch_size.count() - commits_before;
    assert_eq!(store.messages_between(1, 0, 10).expect("reads").len(), 3);
    writer.close();
    thread.join().expect("writer exits");
    (commits, first_at >= second_sent)
}

#[test]
fn a_commit_window_lets_a_message_wait_for_company() {
    let (commits, first_waited) = two_appends_100_ms_apart(std::time::Duration::from_millis(400));
    assert_eq!((commits, first_waited), (1, true));
    // Without a window each goes in its own commit at once.
    let (commits, first_waited) = two_appends_100_ms_apart(std::time::Duration::ZERO);
    assert_eq!((commits, first_waited), (2, false));
}

/// A merge step refused for a reason other than the storage is counted (and logged),
/// and the writer keeps committing (the step is tried again on the log as it is).
#[test]
fn a_failing_merge_step_is_counted_and_writes_go_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let metrics = Arc::new(Metrics::new());
    let (store, writer, thread) = start_with(dir.path(), WriterConfig::default(), metrics.clone());
    appended(writer.call_blocking(open_one("hello", Some("a"))));
    // Behind the writer's back, the log loses the newest entry the writer counts as
    // unmoved (if an idle merge moved everything first, send another and try again).
    let mut seq = 1;
    loop {
        seq += 1;
        let client_id = format!("c{seq}");
        appended(writer.call_blocking(WriteOp::Append {
            conversation: 1,
            message: message("more", Some(&client_id)),
        }));
        let tx = store.db().begin_write().expect("begins");
        let removed = {
            let mut log = tx.open_table(tables::RECENT_MESSAGES).expect("opens");
            let last = log
                .last()
                .expect("reads")
                .map(|(arrival, _)| arrival.value());
            last.map(|arrival| log.remove(arrival).expect("removes"))
                .is_some()
        };
        tx.commit().expect("commits");
        if removed {
            break;
        }
        assert!(seq < 10, "the idle merge always came first");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while metrics.merge_failures_total.get() < 1 {
        assert!(std::time::Instant::now() < deadline, "no merge step failed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let next = appended(writer.call_blocking(WriteOp::Append {
        conversation: 1,
        message: message("still here", Some("z")),
    }));
    assert_eq!((next.seq, next.duplicate), (seq + 1, false));
    writer.close();
    thread.join().expect("writer exits");
}
