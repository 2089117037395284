//! The single writer: one OS thread that owns every write to the database and
//! group-commits whatever is waiting (up to a batch limit) in one durable transaction.
//! A job's reply runs only after its batch is durably committed (or has failed), so an
//! acknowledgement built on it never covers data that could be lost.
//!
//! When the storage itself fails (disk full, read-only file system, I/O error) the
//! failed batch is reported as failed, the database is closed and reopened with backoff
//! ([`RETRY_FIRST`] doubling to [`RETRY_MAX`]); until then every job is refused at once
//! with [`StoreError::Unavailable`]. One error is logged when it starts, one line when it
//! ends.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use redb::Durability;

use super::apply::apply;
use super::ops::{Outcome, WriteOp, WriterState};
use super::outbox::OutboxGate;
use super::search_ops::SearchOp;
use super::writer_gather::{Waited, gather, wait_for_job};
use super::writer_merge::{Steps, busy_merge_due, merge_pending};
use super::{Handle, StoreError};
use crate::metrics::Metrics;
use crate::search::tokens::TermCounts;

/// The writer merges the search index's recent part after this long without work.
const IDLE_MERGE_AFTER: Duration = Duration::from_millis(200);

/// First wait before reopening the database after a storage failure.
pub const RETRY_FIRST: Duration = Duration::from_millis(100);
/// Longest wait between two reopening attempts.
pub const RETRY_MAX: Duration = Duration::from_secs(5);

/// Called with the op's result once its batch is committed (or failed). Runs on the
/// writer thread: it must only hand the result on (send on a channel), never block.
pub type Reply = Box<dyn FnOnce(Result<Outcome, StoreError>) + Send>;

struct Job {
    op: WriteOp,
    /// The terms of the op's message, counted by the sender (see [`prepare`]).
    terms: Option<TermCounts>,
    reply: Reply,
    /// When it was queued: a commit window counts from its batch's oldest job.
    queued: Instant,
}

/// Work on a job done by its sender, on the sender's thread, so that the one writer
/// thread spends its time on the transaction: a new message's search terms (unless the
/// sender brings them, [`WriterHandle::submit_counted`]).
fn prepare(op: &WriteOp) -> Option<TermCounts> {
    match op {
        WriteOp::Append { message, .. } | WriteOp::OpenConversation { message, .. } => {
            super::search_docs::new_message_terms(
                message.author_kind,
                message.event.as_ref(),
                &message.body,
                !message.attachments.is_empty(),
            )
        }
        _ => None,
    }
}

/// Tuning for the writer.
#[derive(Debug, Clone, Copy)]
pub struct WriterConfig {
    /// Most ops in one commit.
    pub batch_max: usize,
    /// Most ops waiting; senders wait beyond it (backpressure).
    pub queue_bound: usize,
    /// Use redb's quick-repair mode (faster reopen after a crash, slower commits).
    pub quick_repair: bool,
    /// How long a batch may wait for company after its oldest job was queued (zero:
    /// commit what waits at once). Fewer, larger commits for that much more latency
    /// (`super::writer_gather`).
    pub commit_window: Duration,
    /// Write the search index in each message's and visitor's commit (default). When
    /// off (tests, the search benchmark), the index is marked stale before the first
    /// job, so the next start with it on rebuilds it.
    pub search_index: bool,
    /// Test hook: commit with `Durability::None`, so replies go out before anything is
    /// synced, the bug the power-loss test must catch (`tests_power_loss.rs`).
    #[cfg(test)]
    pub ack_before_durable: bool,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            batch_max: 1024,
            queue_bound: 8192,
            quick_repair: false,
            commit_window: Duration::ZERO,
            search_index: true,
            #[cfg(test)]
            ack_before_durable: false,
        }
    }
}

/// Cloneable handle for submitting writes.
#[derive(Clone)]
pub struct WriterHandle {
    jobs: async_channel::Sender<Job>,
}

impl WriterHandle {
    /// Queues an op; `reply` gets its result after the commit. Waits while the queue is full.
    pub async fn submit(&self, op: WriteOp, reply: Reply) -> Result<(), StoreError> {
        let terms = prepare(&op);
        self.queue(op, terms, reply).await
    }

    /// [`WriterHandle::submit`] for a message whose search terms were counted already,
    /// where it arrived (`ws::frame_terms`, on the connection's own task), so that the
    /// caller (the hub, the one task every message passes) does not count them. They
    /// must be what [`prepare`] counts for `op`; debug builds check it.
    pub async fn submit_counted(
        &self,
        op: WriteOp,
        terms: TermCounts,
        reply: Reply,
    ) -> Result<(), StoreError> {
        debug_assert_eq!(
            prepare(&op).as_ref(),
            Some(&terms),
            "terms counted by the sender differ from the message's own"
        );
        self.queue(op, Some(terms), reply).await
    }

    async fn queue(
        &self,
        op: WriteOp,
        terms: Option<TermCounts>,
        reply: Reply,
    ) -> Result<(), StoreError> {
        self.jobs
            .send(Job {
                op,
                terms,
                reply,
                queued: Instant::now(),
            })
            .await
            .map_err(|_| StoreError::Closed)
    }

    /// Queues an op and waits for its committed result.
    pub async fn call(&self, op: WriteOp) -> Result<Outcome, StoreError> {
        let (tx, rx) = async_channel::bounded(1);
        self.submit(
            op,
            Box::new(move |result| {
                let _ = tx.try_send(result);
            }),
        )
        .await?;
        rx.recv().await.map_err(|_| StoreError::Closed)?
    }

    /// Blocking variant of [`WriterHandle::call`] for threads outside the executor.
    pub fn call_blocking(&self, op: WriteOp) -> Result<Outcome, StoreError> {
        smol::block_on(self.call(op))
    }

    /// Stops accepting jobs; the writer finishes what is queued and exits.
    pub fn close(&self) {
        self.jobs.close();
    }
}

/// Starts the writer thread.
pub fn spawn(
    db: Arc<Handle>,
    gate: Arc<OutboxGate>,
    config: WriterConfig,
    metrics: Arc<Metrics>,
) -> std::io::Result<(WriterHandle, JoinHandle<()>)> {
    let (jobs, queue) = async_channel::bounded(config.queue_bound.max(1));
    if !config.search_index {
        super::search_index::mark_stale(&db).map_err(std::io::Error::other)?;
    }
    metrics.storage_ok.set(1);
    let thread = std::thread::Builder::new()
        .name("deskbell-writer".into())
        .spawn(move || {
            let mut state = WriterState::new(gate, db.files().clone());
            state.search_index = config.search_index;
            run(&db, state, config, &metrics, &queue)
        })?;
    Ok((WriterHandle { jobs }, thread))
}

/// Runs `work` with a stopped data directory's store and a writer on it (the offline
/// commands, tests and benchmarks that fill a directory), then stops the writer.
pub fn with_offline_writer<T>(
    data_dir: &std::path::Path,
    work: impl FnOnce(&super::Store, &WriterHandle) -> T,
) -> Result<T, StoreError> {
    let store = super::Store::open(data_dir)?;
    let (writer, thread) = spawn(
        store.db().clone(),
        store.outbox_gate().clone(),
        WriterConfig::default(),
        Arc::new(Metrics::new()),
    )?;
    let result = work(&store, &writer);
    writer.close();
    let _ = thread.join();
    Ok(result)
}

/// Applies one change to a stopped data directory (the offline commands): opens the
/// store, runs a writer for this one change and stops it again.
pub fn write_offline(data_dir: &std::path::Path, op: WriteOp) -> Result<Outcome, StoreError> {
    with_offline_writer(data_dir, |_, writer| writer.call_blocking(op))?
}

/// Storage has failed and the writer is trying to reopen the database.
struct Outage {
    /// Why (shown by `/healthz` and in every refusal).
    reason: String,
    /// When it started.
    since: Instant,
    /// Next reopening attempt.
    next_attempt: Instant,
    /// Wait after the next failed attempt.
    backoff: Duration,
    /// Failed reopening attempts so far.
    attempts: u32,
}

fn run(
    db: &Handle,
    mut state: WriterState,
    config: WriterConfig,
    metrics: &Metrics,
    queue: &async_channel::Receiver<Job>,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(config.batch_max);
    let mut outage: Option<Outage> = None;
    loop {
        if let Some(failing) = &mut outage {
            match wait_for_job(queue, failing.next_attempt) {
                Waited::Job(job) => refuse_waiting(job, queue, &failing.reason),
                Waited::Closed => break,
                Waited::Deadline => {
                    if reopen(db, failing, metrics) {
                        outage = None;
                    }
                }
            }
            continue;
        }
        let first = match merge_pending(&state) {
            // Something to merge: wait a moment for work, merge if none comes.
            true => match wait_for_job(queue, Instant::now() + IDLE_MERGE_AFTER) {
                Waited::Job(job) => job,
                Waited::Closed => break,
                Waited::Deadline => {
                    outage = merge_step(db, config, metrics, &mut state, Steps::IDLE);
                    continue;
                }
            },
            false => match queue.recv_blocking() {
                Ok(job) => job,
                Err(_) => break,
            },
        };
        let window_ends =
            (!config.commit_window.is_zero()).then(|| first.queued + config.commit_window);
        batch.push(first);
        gather(queue, &mut batch, config.batch_max, window_ends);
        let started = Instant::now();
        let size = batch.len();
        let (ops, replies): (Vec<(WriteOp, _)>, Vec<Reply>) = batch
            .drain(..)
            .map(|job| ((job.op, job.terms), job.reply))
            .unzip();
        let (results, failure) =
            commit_batch(db, config, ops, &mut state, batch_durability(&config));
        metrics
            .commit_seconds
            .observe(started.elapsed().as_micros() as u64);
        metrics.commit_batch_size.observe(size as u64);
        if failure.is_none() {
            super::apply_files::remove_orphans(db, &mut state);
        }
        if let Some(reason) = failure {
            // Before the replies: whoever hears of the failure sees /healthz report it.
            outage = Some(start_outage(db, metrics, reason, size));
        }
        for (reply, result) in replies.into_iter().zip(results) {
            reply(result);
        }
        if outage.is_none() {
            let steps = busy_merge_due(&state, queue.len(), config.batch_max);
            if steps.any() {
                outage = merge_step(db, config, metrics, &mut state, steps);
            }
        }
    }
    tracing::debug!("writer stopped");
}

/// Logs a storage failure, closes the database and starts the outage (reopening with
/// backoff); `jobs` failed with it.
fn start_outage(db: &Handle, metrics: &Metrics, reason: String, jobs: usize) -> Outage {
    tracing::error!(
        jobs,
        "{reason}; nothing of this batch was acknowledged; refusing writes and \
         reopening the database until it works again"
    );
    db.close_after_failure(reason.clone());
    metrics.storage_ok.set(0);
    Outage {
        reason,
        since: Instant::now(),
        next_attempt: Instant::now() + RETRY_FIRST,
        backoff: RETRY_FIRST,
        attempts: 0,
    }
}

/// Merges one step of the recent parts (`super::search_recent`,
/// `super::messages_recent`): after [`IDLE_MERGE_AFTER`] without work, and after a
/// batch as [`busy_merge_due`] says. Its commit is not durable: it acknowledges
/// nothing, and the next batch's durable commit carries it (a power cut before that
/// leaves the recent parts as they were).
fn merge_step(
    db: &Handle,
    config: WriterConfig,
    metrics: &Metrics,
    state: &mut WriterState,
    steps: Steps,
) -> Option<Outage> {
    let started = Instant::now();
    let mut ops = Vec::with_capacity(3);
    if steps.fold && state.search_index {
        ops.push(WriteOp::Search(SearchOp::Fold));
    }
    if steps.postings > 0 && state.search_index {
        ops.push(WriteOp::Search(SearchOp::Merge {
            postings: steps.postings,
        }));
    }
    if steps.messages > 0 {
        ops.push(WriteOp::MergeMessages {
            messages: steps.messages,
        });
    }
    let ops = ops.into_iter().map(|op| (op, None)).collect();
    let (results, failure) = commit_batch(db, config, ops, state, Durability::None);
    metrics
        .index_merge_seconds
        .observe(started.elapsed().as_micros() as u64);
    for error in results.iter().filter_map(|result| result.as_ref().err()) {
        metrics.merge_failures_total.inc();
        let failures = metrics.merge_failures_total.get();
        // Retried after every batch or idle moment: logged at the 1st, 2nd, 4th, 8th…
        // failure, so a lasting one is seen without flooding the log.
        if failures.is_power_of_two() {
            tracing::error!(
                %error,
                failures,
                "a merge step of the recent parts failed; they stay as they were and the \
                 step is tried again (see deskbell_merge_failures_total)"
            );
        }
    }
    failure.map(|reason| start_outage(db, metrics, reason, 0))
}

/// Refuses `job` and every job already waiting, without touching the database.
fn refuse_waiting(job: Job, queue: &async_channel::Receiver<Job>, reason: &str) {
    (job.reply)(Err(StoreError::Unavailable(reason.to_string())));
    while let Ok(job) = queue.try_recv() {
        (job.reply)(Err(StoreError::Unavailable(reason.to_string())));
    }
}

/// One reopening attempt; true when storage works again.
fn reopen(db: &Handle, outage: &mut Outage, metrics: &Metrics) -> bool {
    match db.reopen() {
        Ok(()) => {
            metrics.storage_ok.set(1);
            tracing::info!(
                after = ?outage.since.elapsed(),
                attempts = outage.attempts + 1,
                "storage works again: the database is reopened and writes are accepted"
            );
            true
        }
        Err(e) => {
            outage.attempts += 1;
            outage.backoff = (outage.backoff * 2).min(RETRY_MAX);
            outage.next_attempt = Instant::now() + outage.backoff;
            tracing::debug!(error = %e, retry_in = ?outage.backoff, "reopening the database failed");
            false
        }
    }
}

/// Applies every job in one transaction. On a failure every job fails and the sequence
/// cache is dropped (the next batch reloads it from disk); the second value is set when
/// the storage itself failed, so the database must be reopened.
fn commit_batch(
    db: &Handle,
    config: WriterConfig,
    ops: Vec<(WriteOp, Option<TermCounts>)>,
    state: &mut WriterState,
    durability: Durability,
) -> (Vec<Result<Outcome, StoreError>>, Option<String>) {
    let count = ops.len();
    let fail_all = |e: StoreError, state: &mut WriterState| {
        state.forget();
        let failure = storage_failure(&e);
        if failure.is_none() {
            tracing::error!(error = %e, jobs = count, "commit failed; nothing of this batch was acknowledged");
        }
        // A storage failure is logged once by the caller, which also starts reopening.
        let text = e.to_string();
        let results = (0..count)
            .map(|_| {
                Err(match &failure {
                    Some(reason) => StoreError::Unavailable(reason.clone()),
                    None => StoreError::CommitFailed(text.clone()),
                })
            })
            .collect();
        (results, failure)
    };
    let mut tx = match db.begin_write() {
        Ok(tx) => tx,
        Err(e) => return fail_all(e, state),
    };
    if let Err(e) = tx.set_durability(durability) {
        return fail_all(StoreError::Db(e.into()), state);
    }
    tx.set_quick_repair(config.quick_repair);
    let mut results = Vec::with_capacity(count);
    for (op, terms) in ops {
        state.counted_terms = terms;
        let result = apply(&tx, op, state);
        state.counted_terms = None;
        match result {
            Err(StoreError::Db(e)) => return fail_all(StoreError::Db(e), state),
            other => results.push(other),
        }
    }
    match tx.commit() {
        Ok(()) => (results, None),
        Err(e) => fail_all(e.into(), state),
    }
}

/// A batch's commit is durable before its replies run, except under the test hook.
fn batch_durability(_config: &WriterConfig) -> Durability {
    #[cfg(test)]
    if _config.ack_before_durable {
        return Durability::None;
    }
    Durability::Immediate
}

/// What to tell people when `e` means the storage itself failed, else None. After any
/// I/O error redb refuses every later transaction until the database is reopened.
fn storage_failure(e: &StoreError) -> Option<String> {
    let prefix = "data directory full or read-only";
    match e {
        StoreError::Db(redb::Error::Io(io)) => Some(format!("{prefix}: {io}")),
        StoreError::Db(redb::Error::PreviousIo | redb::Error::DatabaseClosed) => {
            Some(format!("{prefix}: an earlier write failed"))
        }
        StoreError::Unavailable(reason) => Some(reason.clone()),
        _ => None,
    }
}
