//! The recent part of the search index (`search_recent.rs`): a message is found while
//! its terms are only there, merge steps of any size change no result, and a purge
//! removes its conversation's recent postings and documents. Driven op by op in
//! transactions of the test's own, so no merge runs behind its back.

use redb::ReadableTableMetadata;

use super::apply::apply;
use super::ops::WriterState;
use super::search_ops::SearchOp;
use super::search_read::SearchRequest;
use super::tables::*;
use super::tests::message;
use super::values::StoredStatus;
use super::*;
use crate::search::query::parse;

fn commit(store: &Store, state: &mut WriterState, op: WriteOp) {
    let tx = store.db().begin_write().expect("begins");
    apply(&tx, op, state).expect("applies");
    tx.commit().expect("commits");
}

/// Each hit's (conversation, messages matched, best message's seq).
fn found(store: &Store, q: &str) -> Vec<(u64, u64, Option<u64>)> {
    let request = SearchRequest {
        terms: parse(q).expect("query"),
        filter: Default::default(),
        offset: 0,
        limit: 10,
    };
    let mut hits: Vec<_> = store
        .search(&request)
        .expect("searches")
        .hits
        .iter()
        .map(|h| (h.id, h.matched_messages, h.message.as_ref().map(|m| m.0)))
        .collect();
    hits.sort_unstable();
    hits
}

/// (postings in the recent part, in the main postings, documents).
fn parts(store: &Store) -> (u64, u64, u64) {
    let tx = store.db().begin_read().expect("reads");
    let main = tx
        .open_table(SEARCH_POSTINGS)
        .expect("t")
        .len()
        .expect("len");
    let documents = super::search_tests::documents(&tx);
    let recent = super::search_recent::postings_in(&tx).expect("counts");
    (recent, main, documents)
}

fn open(conversation: u64, visitor: u64, body: &str) -> WriteOp {
    WriteOp::OpenConversation {
        status: StoredStatus::Queued,
        conversation,
        visitor,
        site: "shop".into(),
        message: message(body, Some(&format!("c{conversation}"))),
        visitor_details: None,
    }
}

#[test]
fn messages_are_found_in_the_recent_part_and_after_every_merge_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let mut state = WriterState::new(store.outbox_gate().clone(), store.db().files().clone());
    commit(&store, &mut state, open(1, 7, "teapot broken"));
    let again = WriteOp::Append {
        conversation: 1,
        message: message("kettle and teapot", Some("b")),
    };
    commit(&store, &mut state, again);
    commit(&store, &mut state, open(2, 8, "kettle only"));
    // teapot, broken | and, kettle, teapot | kettle, only: 7 postings, 3 documents.
    assert_eq!(parts(&store), (7, 0, 3), "all in the recent part");
    let queries = [
        "teapot",
        "kettle",
        "teapot kettle",
        "kett",
        "broken kettle",
        "only",
    ];
    let before: Vec<_> = queries.iter().map(|q| found(&store, q)).collect();
    assert_eq!(before[0], [(1, 2, Some(2))]);
    assert_eq!(before[1], [(1, 1, Some(2)), (2, 1, Some(1))]);
    assert_eq!(before[2], [(1, 2, Some(2))]);
    assert_eq!(before[3], before[1], "a prefix finds recent terms");
    assert_eq!(before[4], [(1, 2, Some(2))]);
    for step in [2, 3, usize::MAX] {
        let merge = WriteOp::Search(SearchOp::Merge { postings: step });
        commit(&store, &mut state, merge);
        let after: Vec<_> = queries.iter().map(|q| found(&store, q)).collect();
        assert_eq!(after, before, "after a merge step of {step}");
    }
    assert_eq!(parts(&store), (0, 7, 3), "all merged");
}

#[test]
fn a_purge_takes_its_conversations_recent_postings_and_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let mut state = WriterState::new(store.outbox_gate().clone(), store.db().files().clone());
    commit(&store, &mut state, open(1, 7, "teapot broken"));
    commit(
        &store,
        &mut state,
        WriteOp::Search(SearchOp::Merge { postings: 1 }),
    );
    commit(&store, &mut state, open(2, 8, "teapot fine"));
    let close = WriteOp::ChangeStatus {
        conversation: 1,
        status: StoredStatus::Closed,
        agent: None,
        message: message("closed", None),
    };
    commit(&store, &mut state, close);
    // 1's first message (teapot, broken) merged, a whole message at least; the closing
    // line's "closed" of 1 and 2's two terms recent; documents: 1's two messages and
    // 2's one (the test's lines are a visitor's).
    assert_eq!(parts(&store), (3, 2, 3), "1's first message merged");
    commit(&store, &mut state, WriteOp::PurgeConversation { id: 1 });
    assert_eq!(
        parts(&store),
        (2, 0, 1),
        "only conversation 2's words are left"
    );
    assert_eq!(found(&store, "teapot"), [(2, 1, Some(1))]);
    assert!(found(&store, "broken").is_empty());
    // A writer that starts again counts what the table holds, and merges it.
    let mut fresh = WriterState::new(store.outbox_gate().clone(), store.db().files().clone());
    commit(
        &store,
        &mut fresh,
        WriteOp::Search(SearchOp::Merge { postings: 100 }),
    );
    assert_eq!(parts(&store), (0, 2, 1));
    assert_eq!(fresh.recent.postings(), 0);
}

/// A directory of schema 9 keeps its recent postings one row per term: the upgrade
/// moves them into the main postings, deletes the old table, and finds them after.
#[test]
fn the_upgrade_from_schema_9_merges_the_old_recent_part() {
    use redb::TableHandle;
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path()).expect("opens");
        let mut state = WriterState::new(store.outbox_gate().clone(), store.db().files().clone());
        commit(&store, &mut state, open(1, 7, "teapot broken"));
        commit(&store, &mut state, open(2, 8, "kettle only"));
        // As a build of schema 9 left it: the new rows moved into the old layout.
        let tx = store.db().begin_write().expect("begins");
        {
            let mut new = tx.open_table(SEARCH_RECENT).expect("t");
            let mut old = tx.open_table(SEARCH_RECENT_V9).expect("t");
            type Row = (u64, u64, u64, Vec<(String, u32)>);
            let rows: Vec<Row> = new
                .iter()
                .expect("iter")
                .map(|row| {
                    let (arrival, value) = row.expect("row");
                    let (conversation, seq, terms) = value.value();
                    let terms = terms.iter().map(|(t, n)| (t.to_string(), *n)).collect();
                    (arrival.value(), conversation, seq, terms)
                })
                .collect();
            for (arrival, conversation, seq, terms) in rows {
                new.remove(arrival).expect("removes");
                for (term, n) in terms {
                    old.insert((term.as_str(), arrival), (conversation, seq, n))
                        .expect("inserts");
                }
            }
            tx.open_table(META)
                .expect("meta")
                .insert("schema_version", 9u64.to_le_bytes().as_slice())
                .expect("inserts");
        }
        tx.commit().expect("commits");
    }
    let store = Store::open(dir.path()).expect("opens and upgrades");
    assert_eq!(parts(&store), (0, 4, 2), "all four postings merged");
    assert_eq!(found(&store, "kettle"), [(2, 1, Some(1))]);
    assert_eq!(found(&store, "teapot broken"), [(1, 1, Some(1))]);
    let tx = store.db().begin_read().expect("reads");
    let names: Vec<String> = tx
        .list_tables()
        .expect("tables")
        .map(|t| t.name().to_string())
        .collect();
    assert!(
        !names.contains(&SEARCH_RECENT_V9.name().to_string()),
        "{names:?}"
    );
    let version = tx
        .open_table(META)
        .expect("meta")
        .get("schema_version")
        .expect("get")
        .map(|v| u64::from_le_bytes(v.value().try_into().expect("8 bytes")));
    assert_eq!(version, Some(SCHEMA_VERSION));
    let kettle = tx
        .open_table(SEARCH_TERMS)
        .expect("t")
        .get("kettle")
        .expect("get");
    assert_eq!(kettle.map(|v| v.value()), Some(1));
}

/// Pages one commit of one chat-like message writes (30 distinct terms), on a store
/// already holding 2,000 conversations' messages: counted on the simulated disk.
fn pages_per_message_commit() -> f64 {
    use super::sim_disk::{DiskOp, SimDisk};
    let dir = tempfile::tempdir().expect("tempdir");
    let disk = SimDisk::new();
    let store = Store::open_with_backend(dir.path(), disk.clone()).expect("opens");
    let (writer, thread) =
        super::power_loss_workload::start_writer(&store, Default::default()).expect("starts");
    let text = |n: u64| -> String {
        (0..30)
            .map(|w| format!("word{}", (n * 31 + w * 7919) % 5_000))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let conversations = 2_000;
    for c in 1..=conversations {
        let op = WriteOp::OpenConversation {
            status: StoredStatus::Queued,
            conversation: c,
            visitor: c,
            site: "shop".into(),
            message: message(&text(c), Some(&format!("c{c}"))),
            visitor_details: None,
        };
        writer.call_blocking(op).expect("opens");
    }
    let before = disk.ops();
    let commits = 50;
    for n in 0..commits {
        let op = WriteOp::Append {
            conversation: 1 + n * 37 % conversations,
            message: message(&text(10_000 + n), Some(&format!("m{n}"))),
        };
        writer.call_blocking(op).expect("appends");
    }
    let pages: usize = disk.log()[before..]
        .iter()
        .map(|op| match op {
            DiskOp::Write { data, .. } => data.len() / 4096,
            _ => 0,
        })
        .sum();
    writer.close();
    thread.join().expect("the writer exits");
    pages as f64 / commits as f64
}

/// A chat message's thirty terms go into one row at the end of the recent part, so its
/// commit writes a handful of pages; with a row per term (schema 9) it wrote about 80.
#[test]
fn a_chat_message_commit_writes_a_few_pages_whatever_its_terms() {
    let pages = pages_per_message_commit();
    println!("{pages:.1} pages per one-message commit");
    assert!(pages <= 20.0, "{pages:.1} pages per one-message commit");
}
