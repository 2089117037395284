//! [`Outbox`]: the handle the server and the sinks' API use: start and stop the outbox
//! thread, wake it, enqueue deliveries that no recorded event caused, read the attempt
//! log and the given-up deliveries, redeliver, and forget a deleted endpoint's jobs.
//!
//! Reads here are blocking (one read transaction each): from the executor, call them
//! through the reader pool.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::metrics::Metrics;
use crate::store::outbox_records::{JobV1, StoredAttemptOutcome};
use crate::store::{Outcome, Store, StoreError, WriteOp, WriterHandle};
use crate::timer::Clock;

use super::Planned;
use super::event::OutboxEvent;
use super::sink::{Sink, SinkId};
use super::worker::{self, Msg, Parts, Wall, new_job, to_job};

/// One logged attempt, newest first in [`Outbox::attempts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptLog {
    /// Its number in the log (for [`Outbox::redeliver`]).
    pub n: u64,
    /// The job.
    pub job: u64,
    /// The event.
    pub event: OutboxEvent,
    /// When it ended, ms since the epoch.
    pub at_ms: u64,
    /// 0 for the first attempt of the job.
    pub attempt: u32,
    /// `delivered`, `retry`, `gave_up` or `skipped`.
    pub outcome: &'static str,
    /// HTTP status, if any.
    pub status: Option<u16>,
    /// How long it took.
    pub latency_ms: u32,
    /// What went wrong.
    pub error: Option<String>,
}

/// A delivery given up, for the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedDelivery {
    /// The job.
    pub job: u64,
    /// Its sink.
    pub sink: SinkId,
    /// The event.
    pub event: OutboxEvent,
    /// Attempts made.
    pub attempts: u32,
    /// When it was given up.
    pub failed_ms: u64,
    /// The last error.
    pub error: Option<String>,
    /// The last HTTP status.
    pub status: Option<u16>,
}

/// The running outbox (cheap to clone).
#[derive(Clone)]
pub struct Outbox {
    /// Shared parts.
    inner: Arc<Inner>,
}

struct Inner {
    /// To the outbox thread.
    tx: async_channel::Sender<Msg>,
    /// Writes.
    writer: WriterHandle,
    /// Reads.
    store: Store,
    /// Time for due times.
    wall: Wall,
    /// The thread, until stopped.
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Outbox {
    /// Starts the outbox thread and the sinks' delivery threads.
    pub fn start(
        store: Store,
        writer: WriterHandle,
        sinks: Vec<Arc<dyn Sink>>,
        metrics: Arc<Metrics>,
        clock: Arc<dyn Clock>,
    ) -> std::io::Result<Outbox> {
        let (tx, rx) = async_channel::unbounded();
        let wall = Wall::new(clock);
        let parts = Parts {
            store: store.clone(),
            writer: writer.clone(),
            sinks,
            metrics,
            wall: wall.clone(),
        };
        let thread = worker::spawn(parts, rx, tx.clone())?;
        Ok(Outbox {
            inner: Arc::new(Inner {
                tx,
                writer,
                store,
                wall,
                thread: Mutex::new(Some(thread)),
            }),
        })
    }

    /// Asks the outbox thread to look at once (a sink's configuration changed).
    pub fn wake(&self) {
        let _ = self.inner.tx.try_send(Msg::Wake);
    }

    /// The outbox's time: ms since the Unix epoch, moving with the server's clock.
    pub fn now_ms(&self) -> u64 {
        self.inner.wall.now_ms()
    }

    /// Stores a delivery that no recorded event caused (a confirmation email, say)
    /// and schedules it; `event` says what it is about (id 0 when it is no recorded
    /// event). Returns the job id once committed.
    pub async fn enqueue(
        &self,
        sink: SinkId,
        event: &OutboxEvent,
        planned: Planned,
    ) -> Result<u64, StoreError> {
        let job = new_job(sink, event, planned, self.now_ms());
        self.store_jobs(vec![job]).await
    }

    /// Makes a new delivery of the event of logged attempt `n` under (`sink`, `key`),
    /// to the same target, with the same event id (receivers deduplicate on it, so
    /// a receiver that wants it again must not have kept it). Blocking read first.
    pub async fn redeliver(&self, sink: SinkId, key: u64, n: u64) -> Result<u64, StoreError> {
        let entry = self
            .inner
            .store
            .outbox_attempts(sink.code(), key, usize::MAX)?
            .into_iter()
            .find(|(m, _)| *m == n)
            .map(|(_, a)| a)
            .ok_or(StoreError::NotFound("delivery attempt"))?;
        let event = OutboxEvent::from(entry.event);
        let planned = Planned {
            target: entry.target,
            not_before_ms: 0,
            log_key: Some(key),
        };
        self.enqueue(sink, &event, planned).await
    }

    /// Tries a given-up delivery again from now, with a fresh ~24 h of retries; false
    /// when `job` is not a given-up delivery.
    pub async fn retry_failed(&self, job: u64) -> Result<bool, StoreError> {
        let op = WriteOp::OutboxRevive {
            job,
            due_ms: self.now_ms(),
        };
        match self.inner.writer.call(op).await? {
            Outcome::JobRevived(Some(stored)) => {
                if let Some(job) = to_job(job, stored) {
                    let _ = self.inner.tx.try_send(Msg::Revived(job));
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Deletes the jobs and the log under (`sink`, `key`) (its endpoint is gone).
    pub async fn forget_key(&self, sink: SinkId, key: u64) -> Result<(), StoreError> {
        self.inner
            .writer
            .call(WriteOp::OutboxForgetKey {
                sink: sink.code(),
                key,
            })
            .await?;
        let _ = self.inner.tx.try_send(Msg::Forget(sink, key));
        Ok(())
    }

    /// The last `limit` attempts under (`sink`, `key`), newest first. Blocking.
    pub fn attempts(
        &self,
        sink: SinkId,
        key: u64,
        limit: usize,
    ) -> Result<Vec<AttemptLog>, StoreError> {
        Ok(self
            .inner
            .store
            .outbox_attempts(sink.code(), key, limit)?
            .into_iter()
            .map(|(n, a)| AttemptLog {
                n,
                job: a.job,
                event: OutboxEvent::from(a.event),
                at_ms: a.at_ms,
                attempt: a.attempt,
                outcome: outcome_name(a.outcome),
                status: a.status,
                latency_ms: a.latency_ms,
                error: a.error,
            })
            .collect())
    }

    /// The last `limit` given-up deliveries, newest first. Blocking.
    pub fn failures(&self, limit: usize) -> Result<Vec<FailedDelivery>, StoreError> {
        Ok(self
            .inner
            .store
            .outbox_failed(limit)?
            .into_iter()
            .filter_map(|(id, job)| {
                Some(FailedDelivery {
                    job: id,
                    sink: SinkId::from_code(job.sink)?,
                    event: OutboxEvent::from(job.event),
                    attempts: job.attempts,
                    failed_ms: job.failed_ms?,
                    error: job.last_error,
                    status: job.last_status,
                })
            })
            .collect())
    }

    /// Stops the outbox thread after the attempts in flight are settled. Jobs not yet
    /// delivered stay stored and are resumed at the next start.
    pub fn stop(&self) {
        let _ = self.inner.tx.try_send(Msg::Stop);
        let thread = self
            .inner
            .thread
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }

    /// Stores jobs and hands them to the outbox thread; returns the first id.
    async fn store_jobs(&self, jobs: Vec<JobV1>) -> Result<u64, StoreError> {
        let made = jobs.clone();
        let ids = match self
            .inner
            .writer
            .call(WriteOp::OutboxEnqueue { jobs })
            .await?
        {
            Outcome::JobsCreated(ids) => ids,
            _ => return Err(StoreError::NotFound("created job")),
        };
        let first = ids
            .first()
            .copied()
            .ok_or(StoreError::NotFound("created job"))?;
        let scheduled = ids
            .into_iter()
            .zip(made)
            .filter_map(|(id, job)| to_job(id, job))
            .collect();
        let _ = self.inner.tx.try_send(Msg::Added(scheduled));
        Ok(first)
    }
}

/// The API name of a logged outcome.
fn outcome_name(outcome: StoredAttemptOutcome) -> &'static str {
    match outcome {
        StoredAttemptOutcome::Delivered => "delivered",
        StoredAttemptOutcome::Retry => "retry",
        StoredAttemptOutcome::GaveUp => "gave_up",
        StoredAttemptOutcome::Skipped => "skipped",
    }
}
