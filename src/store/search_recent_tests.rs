//! The recent part of the search index (`search_recent.rs`): a message is found while
//! its terms are in a new row, in a segment or in the main postings, folds and merge
//! steps of any size change no result, a purge removes its conversation's recent
//! postings and documents, and the upgrade from schema 9 merges the old part. Driven
//! op by op in transactions of the test's own, so no merge runs behind its back.

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
    let (_, rows, segments) = super::search_recent::tiers_in(&tx).expect("counts");
    (rows + segments, main, documents)
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
    commit(&store, &mut state, WriteOp::Search(SearchOp::Fold));
    assert_eq!(tiers(&store), (0, 0, 7), "all in one segment");
    let folded: Vec<_> = queries.iter().map(|q| found(&store, q)).collect();
    assert_eq!(folded, before, "after the fold");
    for step in [2, 3, usize::MAX] {
        let merge = WriteOp::Search(SearchOp::Merge { postings: step });
        commit(&store, &mut state, merge);
        let after: Vec<_> = queries.iter().map(|q| found(&store, q)).collect();
        assert_eq!(after, before, "after a merge step of {step}");
    }
    assert_eq!(parts(&store), (0, 7, 3), "all merged");
}

/// Folds the rows into a segment and merges every segment.
fn fold_and_merge_all(store: &Store, state: &mut WriterState) {
    commit(store, state, WriteOp::Search(SearchOp::Fold));
    let merge_all = WriteOp::Search(SearchOp::Merge {
        postings: usize::MAX,
    });
    commit(store, state, merge_all);
}

/// (rows, postings in rows, postings in segments).
fn tiers(store: &Store) -> (u64, u64, u64) {
    let tx = store.db().begin_read().expect("reads");
    super::search_recent::tiers_in(&tx).expect("counts")
}

fn append(conversation: u64, body: &str, client: &str) -> WriteOp {
    WriteOp::Append {
        conversation,
        message: message(body, Some(client)),
    }
}

#[test]
fn a_message_is_found_wherever_its_terms_are_and_each_counts_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let mut state = WriterState::new(store.outbox_gate().clone(), store.db().files().clone());
    // Message 1 in the main postings, 2 and 3 in two segments, 4 in a new row.
    commit(&store, &mut state, open(1, 7, "teapot broken"));
    fold_and_merge_all(&store, &mut state);
    commit(&store, &mut state, append(1, "teapot lid", "b"));
    commit(&store, &mut state, WriteOp::Search(SearchOp::Fold));
    commit(&store, &mut state, append(1, "teacup", "c"));
    commit(&store, &mut state, open(2, 8, "teapot"));
    commit(&store, &mut state, WriteOp::Search(SearchOp::Fold));
    commit(&store, &mut state, append(1, "teapot spout", "d"));
    assert_eq!(tiers(&store), (1, 2, 4), "one row, two segments");
    assert_eq!(state.recent.segments(), 2);
    assert_eq!(state.recent.rows(), 1);
    assert_eq!(state.recent.segment_postings(), 4);
    let sizes = store.search_recent_sizes().expect("sizes");
    assert_eq!(
        (sizes.rows, sizes.segments, sizes.segment_postings),
        (1, 2, 4)
    );
    assert_eq!(parts(&store), (6, 2, 5));
    assert_eq!(found(&store, "teapot"), [(1, 3, Some(4)), (2, 1, Some(1))]);
    assert_eq!(found(&store, "spout"), [(1, 1, Some(4))]);
    assert_eq!(found(&store, "lid"), [(1, 1, Some(2))]);
    assert_eq!(found(&store, "broken"), [(1, 1, Some(1))]);
    assert_eq!(
        found(&store, "tea"),
        [(1, 4, Some(4)), (2, 1, Some(1))],
        "a prefix expands to terms of every place"
    );
    let tx = store.db().begin_read().expect("reads");
    let part = super::search_recent_read::RecentPart::open(&tx).expect("opens");
    let terms =
        super::search_recent_read::recent_terms_with_prefix(&part, "tea", 10).expect("reads");
    assert_eq!(
        terms,
        ["teacup", "teapot"],
        "each recent term once, in order"
    );
    let first =
        super::search_recent_read::recent_terms_with_prefix(&part, "tea", 1).expect("reads");
    assert_eq!(first, ["teacup"], "the first of them when limited");
    drop((part, tx));
    // An idle writer leaves the row alone: a step merges segments only.
    let idle = WriteOp::Search(SearchOp::Merge {
        postings: usize::MAX,
    });
    commit(&store, &mut state, idle);
    assert_eq!(tiers(&store), (1, 2, 0), "the row stays");
    assert_eq!(parts(&store), (2, 6, 5));
    // Folded, and merged step by step: nothing changes.
    commit(&store, &mut state, WriteOp::Search(SearchOp::Fold));
    let before: Vec<_> = ["teapot", "tea", "spout", "lid"]
        .iter()
        .map(|q| found(&store, q))
        .collect();
    while state.recent.segment_postings() > 0 {
        let step = WriteOp::Search(SearchOp::Merge { postings: 1 });
        commit(&store, &mut state, step);
        let after: Vec<_> = ["teapot", "tea", "spout", "lid"]
            .iter()
            .map(|q| found(&store, q))
            .collect();
        assert_eq!(after, before, "{:?} left", tiers(&store));
    }
    assert_eq!(parts(&store), (0, 8, 5));
}

#[test]
fn a_purge_takes_its_conversations_recent_postings_and_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let mut state = WriterState::new(store.outbox_gate().clone(), store.db().files().clone());
    commit(&store, &mut state, open(1, 7, "teapot broken"));
    fold_and_merge_all(&store, &mut state);
    commit(&store, &mut state, open(2, 8, "teapot fine"));
    let close = WriteOp::ChangeStatus {
        conversation: 1,
        status: StoredStatus::Closed,
        agent: None,
        message: message("closed", None),
    };
    commit(&store, &mut state, close);
    commit(&store, &mut state, WriteOp::Search(SearchOp::Fold));
    commit(&store, &mut state, append(1, "still broken", "b"));
    // 1's first message (teapot, broken) merged; 2's two terms and
    // the closing line's "closed" of 1 in a segment; 1's last message in a row.
    // Documents: 1's three messages and 2's one (the test's lines are a visitor's).
    assert_eq!(tiers(&store), (1, 2, 3));
    assert_eq!(parts(&store), (5, 2, 4));
    commit(&store, &mut state, WriteOp::PurgeConversation { id: 1 });
    assert_eq!(
        parts(&store),
        (2, 0, 1),
        "only conversation 2's words are left"
    );
    assert_eq!(tiers(&store), (0, 0, 2));
    assert_eq!(
        state.recent.segment_postings(),
        2,
        "the writer's count agrees"
    );
    assert_eq!(state.recent.rows(), 0, "and has no row left");
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
    assert_eq!(fresh.recent.segment_postings(), 0);
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
            let mut new = tx.open_table(SEARCH_NEW).expect("t");
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

/// Message `n`'s text: 30 distinct made-up words of a vocabulary of 5,000.
fn chat_text(n: u64) -> String {
    (0..30)
        .map(|w| format!("word{}", (n * 31 + w * 7919) % 5_000))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Pages written to the simulated disk since `before`.
fn pages_since(disk: &super::sim_disk::SimDisk, before: usize) -> usize {
    use super::sim_disk::DiskOp;
    disk.log()[before..]
        .iter()
        .map(|op| match op {
            DiskOp::Write { data, .. } => data.len() / 4096,
            _ => 0,
        })
        .sum()
}

/// Pages one commit of one chat-like message writes (30 distinct terms), on a store
/// already holding 1,500 conversations' messages: counted on the simulated disk.
fn pages_per_message_commit() -> f64 {
    use super::sim_disk::SimDisk;
    let dir = tempfile::tempdir().expect("tempdir");
    let disk = SimDisk::new();
    let store = Store::open_with_backend(dir.path(), disk.clone()).expect("opens");
    let (writer, thread) =
        super::power_loss_workload::start_writer(&store, Default::default()).expect("starts");
    let text = chat_text;
    // Past one fold (at 1,024 rows), and short of the next one while measuring.
    let conversations = 1_500;
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
    let pages = pages_since(&disk, before);
    writer.close();
    thread.join().expect("the writer exits");
    pages as f64 / commits as f64
}

/// A chat message's thirty terms go into one row at the end of the recent part, so its
/// commit writes a handful of pages; with a row per term (schema 9) it wrote 54.6.
#[test]
fn a_chat_message_commit_writes_a_few_pages_whatever_its_terms() {
    let pages = pages_per_message_commit();
    println!("{pages:.1} pages per one-message commit");
    assert!(pages <= 20.0, "{pages:.1} pages per one-message commit");
}

/// A fold writes its segment packed at the end of one table: folding 1,024 chat-like
/// messages (about 30,000 postings) writes well under a page per message. Inserting
/// the same postings into a table ordered by term, as schema 9 did, wrote 3.3 pages
/// per message at 1,024 messages per commit (docs/BENCHMARKS.md, issue #16).
#[test]
fn a_fold_writes_a_fraction_of_a_page_per_message() {
    use super::sim_disk::SimDisk;
    let dir = tempfile::tempdir().expect("tempdir");
    let disk = SimDisk::new();
    let store = Store::open_with_backend(dir.path(), disk.clone()).expect("opens");
    let mut state = WriterState::new(store.outbox_gate().clone(), store.db().files().clone());
    let conversations = 200;
    for c in 1..=conversations {
        commit(&store, &mut state, open(c, c, &chat_text(c)));
    }
    fold_and_merge_all(&store, &mut state);
    // Three rounds, so the segments table already holds earlier segments.
    let messages = 1_024;
    let mut per_message = Vec::new();
    for round in 0..3u64 {
        let tx = store.db().begin_write().expect("begins");
        for n in 0..messages {
            let op = append(
                1 + n % conversations,
                &chat_text(round * 10_000 + n),
                &format!("r{round}m{n}"),
            );
            apply(&tx, op, &mut state).expect("applies");
        }
        tx.commit().expect("commits");
        assert_eq!(state.recent.rows(), messages);
        let before = disk.ops();
        commit(&store, &mut state, WriteOp::Search(SearchOp::Fold));
        per_message.push(pages_since(&disk, before) as f64 / messages as f64);
    }
    println!("pages per message folded: {per_message:.2?}");
    assert_eq!(state.recent.segments(), 3);
    assert_eq!(tiers(&store), (0, 0, 3 * messages * 30));
    for pages in per_message {
        assert!(pages <= 0.2, "{pages:.2} pages per message folded");
    }
    // Every folded message holding a term is read back from the segments.
    let expected = (0..3u64)
        .flat_map(|round| (0..messages).map(move |n| chat_text(round * 10_000 + n)))
        .filter(|text| text.split(' ').any(|w| w == "word7"))
        .count() as u64;
    let tx = store.db().begin_read().expect("reads");
    let read =
        super::search_recent_read::RecentTerms::read(&tx, &[("word7".into(), 0)]).expect("reads");
    assert!(expected > 0);
    assert_eq!(read.documents("word7"), expected);
}
