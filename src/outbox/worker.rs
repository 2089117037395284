//! The outbox thread: plans recorded events into jobs, hands due jobs to the delivery
//! threads, decides retries, and writes results back through the writer in batches.
//! It never runs on the executor; nothing on the message path waits for it.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use futures_lite::future;

use crate::metrics::Metrics;
use crate::store::outbox_records::StoredAttemptOutcome;
use crate::store::{Settled, Store, StoreError, WriteOp, WriterHandle};
use crate::timer::{Clock, unix_ms};

use super::backoff::next_delay_ms;
use super::pool::{Finished, Pools};
use super::schedule::{Job, Schedule};
use super::sink::{Attempt, Delivery, Sink, SinkId};

mod planning;

pub use planning::MAX_JOBS;
#[cfg(test)]
pub(super) use planning::PLAN_BATCH;
pub(super) use planning::{new_job, to_job};

/// The longest the thread sleeps before looking for new events and due jobs.
pub const POLL: Duration = Duration::from_millis(100);
/// Given-up jobs are kept this long for the console, then pruned.
pub const KEEP_FAILED_MS: u64 = 7 * 24 * 3_600_000;
/// How often old given-up jobs are pruned.
const PRUNE_EVERY_MS: u64 = 60_000;

/// What the outbox thread hears.
pub(super) enum Msg {
    /// Look for new events now.
    Wake,
    /// A delivery thread finished an attempt.
    Finished(Finished),
    /// Jobs were stored by someone else (enqueue, redeliver).
    Added(Vec<Job>),
    /// A given-up job was taken back to try again.
    Revived(Job),
    /// Drop the jobs under this log key (a deleted endpoint).
    Forget(SinkId, u64),
    /// Stop after settling what is in flight.
    Stop,
}

/// What the outbox thread works with.
pub(super) struct Parts {
    /// Reads.
    pub store: Store,
    /// Writes.
    pub writer: WriterHandle,
    /// The sinks.
    pub sinks: Vec<Arc<dyn Sink>>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Wall-clock time for due times.
    pub wall: Wall,
}

/// Wall-clock milliseconds that move with the server's clock, so tests that move a
/// manual clock move the outbox's time too.
#[derive(Clone)]
pub struct Wall {
    /// The server's monotonic clock.
    clock: Arc<dyn Clock>,
    /// Unix ms when `base_clock` was read.
    base_unix: u64,
    /// The clock's reading at start.
    base_clock: u64,
}

impl Wall {
    /// Wall time driven by `clock` from now on.
    pub fn new(clock: Arc<dyn Clock>) -> Wall {
        let base_clock = clock.now_ms();
        Wall {
            clock,
            base_unix: unix_ms(),
            base_clock,
        }
    }

    /// Now, ms since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        self.base_unix + self.clock.now_ms().saturating_sub(self.base_clock)
    }
}

/// Starts the outbox thread.
pub(super) fn spawn(
    parts: Parts,
    inbox: async_channel::Receiver<Msg>,
    reports: async_channel::Sender<Msg>,
) -> std::io::Result<JoinHandle<()>> {
    let pools = Pools::start(&parts.sinks, move |finished| {
        let _ = reports.try_send(Msg::Finished(finished));
    })?;
    std::thread::Builder::new()
        .name("deskbell-outbox".into())
        .spawn(move || {
            super::pool::lower_priority();
            Worker::new(parts, pools).run(&inbox)
        })
}

/// The outbox thread's state.
struct Worker {
    /// What it works with.
    parts: Parts,
    /// Delivery threads.
    pools: Pools,
    /// Waiting and in-flight jobs.
    schedule: Schedule,
    /// Results not yet written (kept while storage fails).
    unsettled: Vec<Settled>,
    /// When old failures were last pruned.
    last_prune_ms: u64,
    /// Whether the last storage error was logged (once per outage).
    storage_warned: bool,
    /// Refusals already added to the metric.
    refused_seen: u64,
    /// When the events waiting to be planned were last counted.
    waiting_counted_ms: u64,
}

impl Worker {
    fn new(parts: Parts, pools: Pools) -> Worker {
        Worker {
            parts,
            pools,
            schedule: Schedule::new(),
            unsettled: Vec::new(),
            last_prune_ms: 0,
            storage_warned: false,
            refused_seen: 0,
            waiting_counted_ms: 0,
        }
    }

    fn run(mut self, inbox: &async_channel::Receiver<Msg>) {
        self.load();
        loop {
            let active = self.parts.sinks.iter().any(|s| s.active());
            self.parts.store.outbox_gate().set_on(active);
            let planned_full_batch = self.plan();
            self.dispatch();
            let wait = if planned_full_batch {
                Duration::ZERO
            } else {
                self.wait_time()
            };
            let mut stop = false;
            if let Some(first) = receive(inbox, wait) {
                stop |= self.handle(first);
                while let Ok(msg) = inbox.try_recv() {
                    stop |= self.handle(msg);
                }
            }
            self.settle();
            self.housekeeping();
            if stop {
                break;
            }
        }
        self.pools.stop();
        while let Ok(msg) = inbox.try_recv() {
            self.handle(msg);
        }
        self.settle();
        tracing::debug!(waiting = self.schedule.len(), "outbox stopped");
    }

    /// Loads the stored jobs: waiting ones into the schedule.
    fn load(&mut self) {
        match self.parts.store.outbox_jobs() {
            Ok(jobs) => {
                let mut failed = 0;
                for (id, job) in jobs {
                    if job.failed_ms.is_some() {
                        failed += 1;
                    } else if let Some(job) = to_job(id, job) {
                        self.schedule.insert(job);
                    }
                }
                self.parts.metrics.outbox.failed.set(failed);
                if !self.schedule.is_empty() {
                    tracing::info!(waiting = self.schedule.len(), "outbox: resuming deliveries");
                }
            }
            Err(e) => tracing::error!(error = %e, "outbox: could not read the waiting deliveries"),
        }
    }

    /// Hands due jobs to delivery threads with room.
    fn dispatch(&mut self) {
        let now = self.parts.wall.now_ms();
        let mut room: std::collections::HashMap<SinkId, usize> = self
            .parts
            .sinks
            .iter()
            .map(|s| (s.id(), self.pools.room(s.id())))
            .collect();
        let due = self
            .schedule
            .take_due(now, 64, |sink| match room.get_mut(&sink) {
                Some(left) if *left > 0 => {
                    *left -= 1;
                    true
                }
                _ => false,
            });
        for job in due {
            let delivery = Delivery {
                job: job.id,
                event: job.event.clone(),
                target: job.target.clone(),
                attempt: job.attempts,
            };
            if !self.pools.send(job.sink, delivery) {
                // No room after all (cannot happen: room was counted above): wait again,
                // without counting an attempt.
                self.schedule.release(job.id);
            }
        }
        self.parts
            .metrics
            .outbox
            .pending
            .set(self.schedule.len() as i64);
    }

    /// How long to wait for news.
    fn wait_time(&mut self) -> Duration {
        let now = self.parts.wall.now_ms();
        match self.schedule.next_due() {
            Some(due) if due <= now => Duration::from_millis(5),
            Some(due) => POLL.min(Duration::from_millis(due - now)),
            None => POLL,
        }
    }

    /// Acts on one message; true on Stop.
    fn handle(&mut self, msg: Msg) -> bool {
        match msg {
            Msg::Wake => {}
            Msg::Finished(finished) => self.finished(finished),
            Msg::Added(jobs) => jobs.into_iter().for_each(|job| self.schedule.insert(job)),
            Msg::Revived(job) => {
                self.parts.metrics.outbox.failed.dec();
                self.schedule.insert(job);
            }
            Msg::Forget(sink, key) => self
                .schedule
                .forget(|job| job.sink == sink && job.log_key == Some(key)),
            Msg::Stop => return true,
        }
        false
    }

    /// Decides what a finished attempt means for its job.
    fn finished(&mut self, finished: Finished) {
        self.pools.finished(finished.sink);
        let now = self.parts.wall.now_ms();
        let index = usize::from(finished.sink.code() - 1);
        let metrics = &self.parts.metrics.outbox;
        let Some(job) = self.schedule.remove(finished.job) else {
            return; // forgotten meanwhile (its endpoint was deleted)
        };
        let mut settled = Settled {
            job: job.id,
            outcome: StoredAttemptOutcome::Delivered,
            at_ms: now,
            due_ms: 0,
            status: None,
            latency_ms: 0,
            error: None,
        };
        match finished.attempt {
            Attempt::Delivered { status, latency_ms } => {
                metrics.delivered[index].inc();
                settled.status = status;
                settled.latency_ms = latency_ms;
            }
            Attempt::Skipped { reason } => {
                settled.outcome = StoredAttemptOutcome::Skipped;
                settled.error = Some(reason);
            }
            Attempt::Retry {
                error,
                status,
                latency_ms,
            } => {
                settled.status = status;
                settled.latency_ms = latency_ms;
                match next_delay_ms(job.attempts + 1, job.id) {
                    Some(delay) => {
                        metrics.retried[index].inc();
                        settled.outcome = StoredAttemptOutcome::Retry;
                        settled.due_ms = now + delay;
                        tracing::debug!(sink = job.sink.name(), event = %job.event.public_id(), %error, retry_in_ms = delay, "outbox: delivery failed, will retry");
                        let mut again = job;
                        again.attempts += 1;
                        again.due_ms = settled.due_ms;
                        self.schedule.insert(again);
                    }
                    None => {
                        self.gave_up(&job, &error, index);
                        settled.outcome = StoredAttemptOutcome::GaveUp;
                    }
                }
                settled.error = Some(error);
            }
            Attempt::Failed { error, status } => {
                self.gave_up(&job, &error, index);
                settled.outcome = StoredAttemptOutcome::GaveUp;
                settled.status = status;
                settled.error = Some(error);
            }
        }
        self.unsettled.push(settled);
    }

    /// Counts and logs a given-up delivery.
    fn gave_up(&self, job: &Job, error: &str, index: usize) {
        let metrics = &self.parts.metrics.outbox;
        metrics.given_up[index].inc();
        metrics.failed.inc();
        tracing::warn!(
            sink = job.sink.name(),
            event = %job.event.public_id(),
            attempts = job.attempts + 1,
            %error,
            "outbox: gave up a delivery (shown in the console and /metrics)"
        );
    }

    /// Writes the results gathered so far.
    fn settle(&mut self) {
        if self.unsettled.is_empty() {
            return;
        }
        let results = std::mem::take(&mut self.unsettled);
        let kept = results.clone();
        match self
            .parts
            .writer
            .call_blocking(WriteOp::OutboxSettle { results })
        {
            Ok(_) => self.storage_warned = false,
            Err(e) => {
                self.storage_error("recording delivery results", &e);
                self.unsettled = kept;
            }
        }
    }

    /// Prunes old given-up jobs now and then; keeps the refused metric current.
    fn housekeeping(&mut self) {
        let refused = self
            .parts
            .store
            .outbox_gate()
            .refused
            .load(std::sync::atomic::Ordering::Relaxed);
        self.parts
            .metrics
            .outbox
            .refused
            .add(refused - self.refused_seen.min(refused));
        self.refused_seen = refused;
        let now = self.parts.wall.now_ms();
        if now < self.last_prune_ms + PRUNE_EVERY_MS {
            return;
        }
        self.last_prune_ms = now;
        let cut = now.saturating_sub(KEEP_FAILED_MS);
        if let Err(e) = self.parts.writer.call_blocking(WriteOp::OutboxPrune {
            failed_before_ms: cut,
        }) {
            self.storage_error("pruning old failures", &e);
        } else if let Ok(failed) = self.parts.store.outbox_failed(usize::MAX) {
            self.parts.metrics.outbox.failed.set(failed.len() as i64);
        }
    }

    /// Logs a storage problem once per outage (the writer logs the outage itself).
    fn storage_error(&mut self, doing: &str, e: &StoreError) {
        if !self.storage_warned {
            self.storage_warned = true;
            tracing::warn!(error = %e, "outbox: {doing} failed; retrying (nothing is lost)");
        }
    }
}

/// Waits up to `wait` for a message.
fn receive(inbox: &async_channel::Receiver<Msg>, wait: Duration) -> Option<Msg> {
    if wait.is_zero() {
        return inbox.try_recv().ok();
    }
    smol::block_on(future::or(async { inbox.recv().await.ok() }, async {
        smol::Timer::after(wait).await;
        None
    }))
}
