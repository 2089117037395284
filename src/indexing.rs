//! The search index's start-up pass (issue #15): data written before the index
//! existed (or by an older build, or before a rebuild) is indexed in the background, a
//! batch per writer commit, so chat traffic is never held up for long. The writer does
//! the work (`store::search_index`, `SearchOp::Backfill`) and moves a marker in the
//! same commit, so a restart resumes where it stopped. Progress goes to the log. New
//! messages do not wait for it: the writer indexes them in their own commit.
//!
//! `deskbell reindex --data DIR` ([`rebuild`]) forgets the index of a stopped data
//! directory and runs the same pass to the end.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::store::search_ops::{IndexProgress, SearchOp};
use crate::store::{Outcome, StoreError, WriteOp, WriterHandle};

/// Documents indexed per commit.
pub const BATCH: usize = 2000;
/// Least time between two progress lines.
const REPORT_EVERY: Duration = Duration::from_secs(5);

/// Totals of a pass.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Conversations indexed.
    pub conversations: u64,
    /// Messages indexed.
    pub messages: u64,
    /// Visitors indexed.
    pub visitors: u64,
}

impl Totals {
    fn add(&mut self, step: &IndexProgress) {
        self.conversations += step.conversations;
        self.messages += step.messages;
        self.visitors += step.visitors;
    }
}

/// One step: the writer's answer, or why there is none.
async fn step(writer: &WriterHandle) -> Result<IndexProgress, StoreError> {
    match writer
        .call(WriteOp::Search(SearchOp::Backfill { messages: BATCH }))
        .await?
    {
        Outcome::Indexed(progress) => Ok(progress),
        _ => Ok(IndexProgress {
            done: true,
            ..IndexProgress::default()
        }),
    }
}

/// Runs the pass until the index is complete, `stop` closes or the writer stops.
pub async fn run(writer: WriterHandle, stop: async_channel::Receiver<()>) -> Totals {
    let started = Instant::now();
    let mut last_report = started;
    let mut totals = Totals::default();
    let mut first = true;
    loop {
        if stop.is_closed() {
            return totals;
        }
        let progress = match step(&writer).await {
            Ok(p) => p,
            Err(StoreError::Closed) => return totals,
            Err(e) => {
                tracing::warn!(error = %e, "search index: a step failed; trying again in 5 s");
                if crate::periodic::stopped_during(REPORT_EVERY, &stop).await {
                    return totals;
                }
                continue;
            }
        };
        if first && progress.done && progress.conversations == 0 {
            return totals; // Already complete: nothing to say.
        }
        if first {
            tracing::info!(
                from_conversation = progress.conversation_mark,
                "search index: indexing stored conversations in the background"
            );
            first = false;
        }
        totals.add(&progress);
        if progress.done {
            tracing::info!(
                conversations = totals.conversations,
                messages = totals.messages,
                visitors = totals.visitors,
                seconds = started.elapsed().as_secs(),
                "search index: complete"
            );
            return totals;
        }
        if last_report.elapsed() >= REPORT_EVERY {
            last_report = Instant::now();
            tracing::info!(
                up_to_conversation = progress.conversation_mark,
                conversations = totals.conversations,
                messages = totals.messages,
                "search index: indexing"
            );
        }
        // Let other writes in between the batches.
        smol::future::yield_now().await;
    }
}

/// `deskbell reindex`: forgets the index of the stopped data directory `data_dir` and
/// builds it again, printing progress on stdout.
pub fn rebuild(data_dir: &Path) -> Result<Totals, StoreError> {
    let store = crate::store::Store::open(data_dir)?;
    let metrics = std::sync::Arc::new(crate::metrics::Metrics::new());
    let (writer, thread) = crate::store::writer::spawn(
        store.db().clone(),
        store.outbox_gate().clone(),
        crate::store::WriterConfig::default(),
        metrics,
    )?;
    let result = smol::block_on(async {
        writer.call(WriteOp::Search(SearchOp::Reset)).await?;
        let mut totals = Totals::default();
        let mut last_report = Instant::now();
        loop {
            let progress = step(&writer).await?;
            totals.add(&progress);
            if progress.done {
                return Ok(totals);
            }
            if last_report.elapsed() >= REPORT_EVERY {
                last_report = Instant::now();
                println!(
                    "indexed {} conversations, {} messages so far",
                    totals.conversations, totals.messages
                );
            }
        }
    });
    writer.close();
    let _ = thread.join();
    result
}
