//! A measurement, not a check (ignored in the suite): what the search index's recent
//! part (`search_recent.rs`, ordered by term) writes per message when a batch of chat-like
//! messages' postings goes in one commit, for batch sizes from 1 (today: each message's
//! terms in its own commit) to 4,096. It is the evidence for the two-tier recent part
//! proposed in docs/BENCHMARKS.md (issue #16, fourth sitting):
//!
//! ```sh
//! cargo test --lib recent_part_pages_by_batch -- --ignored --nocapture
//! ```

use redb::Durability;

use super::Store;
use super::sim_disk::{DiskOp, SimDisk};
use super::tables::SEARCH_RECENT;

/// `n` messages' distinct terms: 35 words each from a vocabulary of 5,000 with Zipf
/// frequencies, as `deskbell-load --words 5000` sends.
fn chat_terms(n: usize, seed: u64) -> Vec<Vec<String>> {
    let cumulative: Vec<f64> = (1..=5_000)
        .scan(0.0, |sum, rank| {
            *sum += 1.0 / f64::from(rank);
            Some(*sum)
        })
        .collect();
    let total = cumulative.last().copied().unwrap_or(1.0);
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..n)
        .map(|_| {
            let mut terms: Vec<String> = (0..35)
                .map(|_| {
                    let drawn = rng.f64() * total;
                    format!("w{}", cumulative.partition_point(|c| *c < drawn))
                })
                .collect();
            terms.sort_unstable();
            terms.dedup();
            terms
        })
        .collect()
}

/// Commits `messages` into the recent part, `batch` messages per durable commit, from
/// arrival `first`; returns the pages written.
fn commit_in_batches(
    store: &Store,
    disk: &SimDisk,
    messages: &[Vec<String>],
    first: u64,
    batch: usize,
) -> usize {
    let before = disk.ops();
    let mut arrival = first;
    for chunk in messages.chunks(batch) {
        let mut tx = store.db().begin_write().expect("begins");
        tx.set_durability(Durability::Immediate).expect("durable");
        {
            let mut table = tx.open_table(SEARCH_RECENT).expect("opens");
            let mut rows: Vec<(&str, u64)> = Vec::new();
            for terms in chunk {
                arrival += 1;
                rows.extend(terms.iter().map(|t| (t.as_str(), arrival)));
            }
            rows.sort_unstable();
            for (term, at) in rows {
                table.insert((term, at), (at, 1, 1)).expect("inserts");
            }
        }
        tx.commit().expect("commits");
    }
    disk.log()[before..]
        .iter()
        .map(|op| match op {
            DiskOp::Write { data, .. } => data.len() / 4096,
            _ => 0,
        })
        .sum()
}

#[test]
#[ignore = "a measurement: cargo test --lib recent_part_pages_by_batch -- --ignored --nocapture"]
fn recent_part_pages_by_batch() {
    let (warm, measured) = (8_192, 4_096);
    for batch in [1, 64, 1_024, 4_096] {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = SimDisk::new();
        let store = Store::open_with_backend(dir.path(), disk.clone()).expect("opens");
        commit_in_batches(&store, &disk, &chat_terms(warm, 1), 0, 1_024);
        let pages = commit_in_batches(&store, &disk, &chat_terms(measured, 2), warm as u64, batch);
        let per = pages as f64 / measured as f64;
        println!(
            "{batch} messages per commit: {per:.1} pages, {:.1} KiB per message",
            per * 4.0
        );
    }
}
