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
    let recent = tx.open_table(SEARCH_RECENT).expect("t").len().expect("len");
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
    // "broken" merged; teapot and the closing line's "closed" of 1, and 2's two terms
    // recent; documents: 1's two messages and 2's one (the test's lines are a visitor's).
    assert_eq!(parts(&store), (4, 1, 3), "one of 1's postings merged");
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
