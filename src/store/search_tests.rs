//! The search index kept in step by the writer: rows and counts after messages,
//! visitor changes, a purge, and a rebuild by the start-up pass (idempotent).

use redb::ReadableTableMetadata;

use super::search_ops::{IndexProgress, SearchOp};
use super::search_read::SearchRequest;
use super::tables::*;
use super::tests::{message, start};
use super::values::StoredStatus;
use super::*;
use crate::search::query::parse;

/// (postings, visitor postings, terms, documents) as stored, once the recent part is
/// folded and merged into the main postings (the writer does so in its own time; this
/// asks it to now).
fn sizes(store: &Store, writer: &WriterHandle) -> (u64, u64, u64, u64) {
    writer
        .call_blocking(WriteOp::Search(SearchOp::Fold))
        .expect("folds");
    writer
        .call_blocking(WriteOp::Search(SearchOp::Merge {
            postings: usize::MAX,
        }))
        .expect("merges");
    let tx = store.db().begin_read().expect("reads");
    let documents = documents(&tx);
    (
        tx.open_table(SEARCH_POSTINGS)
            .expect("t")
            .len()
            .expect("len"),
        tx.open_table(SEARCH_VISITOR_POSTINGS)
            .expect("t")
            .len()
            .expect("len"),
        tx.open_table(SEARCH_TERMS).expect("t").len().expect("len"),
        documents,
    )
}

/// The index's document count as stored in `meta`.
pub(super) fn documents(tx: &redb::ReadTransaction) -> u64 {
    tx.open_table(META)
        .expect("meta")
        .get(SEARCH_DOCUMENTS)
        .expect("reads")
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes)
}

fn ids(store: &Store, q: &str) -> Vec<u64> {
    let request = SearchRequest {
        terms: parse(q).expect("query"),
        filter: Default::default(),
        offset: 0,
        limit: 10,
    };
    store
        .search(&request)
        .expect("searches")
        .hits
        .iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn the_index_follows_messages_visitors_purges_and_rebuilds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, writer, _thread) = start(dir.path());
    let update = VisitorUpdate {
        name: Some("Maria".into()),
        ..VisitorUpdate::default()
    };
    writer
        .call_blocking(WriteOp::OpenConversation {
            status: StoredStatus::Queued,
            conversation: 1,
            visitor: 7,
            site: "shop".into(),
            message: message("teapot broken 茶壶", Some("a")),
            visitor_details: Some(update),
        })
        .expect("opens");
    writer
        .call_blocking(WriteOp::Append {
            conversation: 1,
            message: message("teapot again", Some("b")),
        })
        .expect("appends");
    // teapot×2 rows, broken, again, 茶, 茶壶, 壶 = 7 message rows; maria = 1.
    assert_eq!(sizes(&store, &writer), (7, 1, 7, 3));
    assert_eq!(ids(&store, "maria teapot"), [1]);

    // A rebuild gives the same rows and counts; a second pass changes nothing.
    writer
        .call_blocking(WriteOp::Search(SearchOp::Reset))
        .expect("resets");
    assert_eq!(sizes(&store, &writer), (0, 0, 0, 0));
    let step = writer
        .call_blocking(WriteOp::Search(SearchOp::Backfill { messages: 100 }))
        .expect("steps");
    let Outcome::Indexed(progress) = step else {
        panic!("{step:?}")
    };
    assert_eq!(
        progress,
        IndexProgress {
            conversations: 1,
            messages: 2,
            visitors: 1,
            conversation_mark: 1,
            done: true
        }
    );
    assert_eq!(sizes(&store, &writer), (7, 1, 7, 3));

    // A new name replaces the old one's rows.
    let rename = VisitorUpdate {
        name: Some("Lena".into()),
        ..VisitorUpdate::default()
    };
    writer
        .call_blocking(WriteOp::UpsertVisitor {
            id: 7,
            token_digest: None,
            update: rename,
        })
        .expect("renames");
    assert!(ids(&store, "maria").is_empty());
    assert_eq!(ids(&store, "lena"), [1]);

    // A purge removes every row of its messages in its own commit.
    writer
        .call_blocking(WriteOp::ChangeStatus {
            conversation: 1,
            status: StoredStatus::Closed,
            agent: None,
            message: message("closed", None),
        })
        .expect("closes");
    writer
        .call_blocking(WriteOp::PurgeConversation { id: 1 })
        .expect("purges");
    let (postings, visitors, terms, documents) = sizes(&store, &writer);
    assert_eq!(
        (postings, visitors, terms, documents),
        (0, 1, 1, 1),
        "only Lena's profile"
    );
}

/// (id, matched messages) of each hit of query `q`, best first.
fn hits(store: &Store, q: &str) -> Vec<(u64, u64)> {
    let request = SearchRequest {
        terms: parse(q).expect("query"),
        filter: Default::default(),
        offset: 0,
        limit: 10,
    };
    let found = store.search(&request).expect("searches").hits;
    found.iter().map(|h| (h.id, h.matched_messages)).collect()
}

/// Over 5,000 documents (`search_read::COMMON`) a word no longer supplies candidates:
/// alone it shows the newest matching conversations; beside a rare word it only checks.
/// The same answers come from the recent part (where a common word's postings are
/// collected only for the conversations looked at) and from the main postings.
#[test]
fn common_words_page_newest_first_and_rare_words_still_rank() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, writer, _thread) = start(dir.path());
    let (done, results) = async_channel::unbounded();
    smol::block_on(async {
        for c in 1..=340u64 {
            for n in 0..20 {
                let text = match (c, n) {
                    (100, 3) => "bread crust with rye".to_string(),
                    // Ranked by counts, the oldest would come first.
                    (..=10, _) => format!("bread bread bread crust number {n}"),
                    // The 80 newest have no crust: past the first run looked at.
                    (..=260, _) => format!("bread crust number {n}"),
                    _ => format!("bread number {n}"),
                };
                let op = match n {
                    0 => WriteOp::OpenConversation {
                        status: StoredStatus::Queued,
                        conversation: c,
                        visitor: c,
                        site: "shop".into(),
                        message: message(&text, None),
                        visitor_details: None,
                    },
                    _ => WriteOp::Append {
                        conversation: c,
                        message: message(&text, None),
                    },
                };
                let done = done.clone();
                let reply = Box::new(move |r: Result<Outcome, StoreError>| {
                    let _ = done.try_send(r.is_ok());
                });
                writer.submit(op, reply).await.expect("queued");
            }
            // Each conversation is opened before its next messages are sent.
            for _ in 0..20 {
                assert!(results.recv().await.expect("answer"), "stored");
            }
        }
    });
    let check = |part: &str| {
        let all_twenty = |ids: std::ops::RangeInclusive<u64>| -> Vec<(u64, u64)> {
            ids.rev().map(|id| (id, 20)).collect()
        };
        assert_eq!(
            hits(&store, "bread"),
            all_twenty(331..=340),
            "{part}: 6,800 documents, newest first"
        );
        assert_eq!(
            hits(&store, "crust bread"),
            all_twenty(251..=260),
            "{part}: both common, the newest holding both"
        );
        assert_eq!(
            hits(&store, "rye bread"),
            [(100, 20)],
            "{part}: the rare word gives the candidates"
        );
        assert!(hits(&store, "bread missing").is_empty(), "{part}");
    };
    let tx = store.db().begin_read().expect("reads");
    let (_, _, in_segments) = super::search_recent::tiers_in(&tx).expect("counts");
    drop(tx);
    assert!(in_segments > 0, "the writer folded while writing");
    check("from the recent part");
    sizes(&store, &writer);
    check("from the main postings");
}
