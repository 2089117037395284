//! The single writer: one OS thread that owns every write to the database and
//! group-commits whatever is waiting (up to a batch limit) in one durable transaction.
//! A job's reply runs only after its batch is durably committed (or has failed), so an
//! acknowledgement built on it never covers data that could be lost.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use redb::{Database, Durability};

use super::StoreError;
use super::ops::{Outcome, SeqCache, WriteOp, apply};
use crate::metrics::Metrics;

/// Called with the op's result once its batch is committed (or failed). Runs on the
/// writer thread: it must only hand the result on (send on a channel), never block.
pub type Reply = Box<dyn FnOnce(Result<Outcome, StoreError>) + Send>;

struct Job {
    op: WriteOp,
    reply: Reply,
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
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            batch_max: 1024,
            queue_bound: 8192,
            quick_repair: false,
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
        self.jobs
            .send(Job { op, reply })
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
    db: Arc<Database>,
    config: WriterConfig,
    metrics: Arc<Metrics>,
) -> std::io::Result<(WriterHandle, JoinHandle<()>)> {
    let (jobs, queue) = async_channel::bounded(config.queue_bound.max(1));
    let thread = std::thread::Builder::new()
        .name("deskbell-writer".into())
        .spawn(move || run(&db, config, &metrics, &queue))?;
    Ok((WriterHandle { jobs }, thread))
}

fn run(
    db: &Database,
    config: WriterConfig,
    metrics: &Metrics,
    queue: &async_channel::Receiver<Job>,
) {
    let mut seqs = SeqCache::new();
    let mut batch: Vec<Job> = Vec::with_capacity(config.batch_max);
    while let Ok(first) = queue.recv_blocking() {
        batch.push(first);
        while batch.len() < config.batch_max {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let started = Instant::now();
        let size = batch.len();
        let (ops, replies): (Vec<WriteOp>, Vec<Reply>) =
            batch.drain(..).map(|job| (job.op, job.reply)).unzip();
        let results = commit_batch(db, config, ops, &mut seqs);
        metrics
            .commit_seconds
            .observe(started.elapsed().as_micros() as u64);
        metrics.commit_batch_size.observe(size as u64);
        for (reply, result) in replies.into_iter().zip(results) {
            reply(result);
        }
    }
    tracing::debug!("writer stopped");
}

/// Applies every job in one transaction; on a commit failure every job fails and the
/// sequence cache is dropped (the next batch reloads it from disk).
fn commit_batch(
    db: &Database,
    config: WriterConfig,
    ops: Vec<WriteOp>,
    seqs: &mut SeqCache,
) -> Vec<Result<Outcome, StoreError>> {
    let count = ops.len();
    let fail_all = |e: &dyn std::fmt::Display, seqs: &mut SeqCache| {
        seqs.clear();
        tracing::error!(error = %e, jobs = count, "commit failed; nothing of this batch was acknowledged");
        (0..count)
            .map(|_| Err(StoreError::CommitFailed(e.to_string())))
            .collect()
    };
    let mut tx = match db.begin_write() {
        Ok(tx) => tx,
        Err(e) => return fail_all(&e, seqs),
    };
    if let Err(e) = tx.set_durability(Durability::Immediate) {
        return fail_all(&e, seqs);
    }
    tx.set_quick_repair(config.quick_repair);
    let mut results = Vec::with_capacity(count);
    for op in ops {
        match apply(&tx, op, seqs) {
            Err(StoreError::Db(e)) => return fail_all(&e, seqs),
            other => results.push(other),
        }
    }
    match tx.commit() {
        Ok(()) => results,
        Err(e) => fail_all(&e, seqs),
    }
}
