//! Planning: turning recorded events into delivery jobs, only as fast as the delivery
//! threads need them, and the conversions between stored jobs and scheduled ones.

use crate::store::outbox_records::{JobV1, StoredOutboxEvent};
use crate::store::{Outcome, WriteOp};

use super::super::event::OutboxEvent;
use super::super::schedule::Job;
use super::super::sink::{Planned, SinkId};
use super::Worker;

/// Events planned per commit.
pub const PLAN_BATCH: usize = 256;
/// Jobs kept waiting at most; beyond it planning pauses (events wait, recorded).
pub const MAX_JOBS: usize = 100_000;
/// Planning waits while this many jobs are in flight or due now: events are planned
/// as the delivery threads need them, so a slow receiver leaves its backlog as recorded
/// events (one small row each) instead of costing the writer a job per event at the
/// rate the chat records them.
pub const PLAN_WHEN_READY_BELOW: usize = 64;
/// How often the gauge of recorded events waiting to be planned is refreshed.
const COUNT_WAITING_EVERY_MS: u64 = 1_000;

impl Worker {
    /// Plans one batch of recorded events; true when the batch was full (more wait).
    pub(super) fn plan(&mut self) -> bool {
        let now = self.parts.wall.now_ms();
        self.count_waiting(now);
        if self.schedule.len() >= MAX_JOBS
            || self.schedule.ready(now, PLAN_WHEN_READY_BELOW) >= PLAN_WHEN_READY_BELOW
        {
            return false;
        }
        let events = match self.parts.store.outbox_unplanned(PLAN_BATCH) {
            Ok(events) => events,
            Err(e) => {
                self.storage_error("reading recorded events", &e);
                return false;
            }
        };
        let Some(last) = events.last() else {
            return false;
        };
        let below = last.id + 1;
        let full = events.len() == PLAN_BATCH;
        let mut jobs = Vec::new();
        let mut planned = Vec::new();
        for stored in events {
            let event = self.complete(OutboxEvent::from(stored));
            for sink in self.parts.sinks.iter().filter(|s| s.active()) {
                planned.clear();
                sink.plan(&event, now, &mut planned);
                for p in planned.drain(..) {
                    jobs.push(new_job(sink.id(), &event, p, now));
                }
            }
        }
        let made = jobs.clone();
        match self
            .parts
            .writer
            .call_blocking(WriteOp::OutboxPlan { below, jobs })
        {
            Ok(Outcome::JobsCreated(ids)) => {
                self.storage_warned = false;
                for (id, job) in ids.into_iter().zip(made) {
                    if let Some(job) = to_job(id, job) {
                        self.schedule.insert(job);
                    }
                }
                full
            }
            Ok(_) => false,
            Err(e) => {
                self.storage_error("planning deliveries", &e);
                false
            }
        }
    }

    /// Refreshes the gauge of recorded events not yet planned, once a second.
    fn count_waiting(&mut self, now: u64) {
        if now < self.waiting_counted_ms + COUNT_WAITING_EVERY_MS {
            return;
        }
        self.waiting_counted_ms = now;
        if let Ok(n) = self.parts.store.outbox_unplanned_len() {
            self.parts.metrics.outbox.events_waiting.set(n as i64);
        }
    }

    /// Fills in the visitor of an event recorded without one.
    fn complete(&self, mut event: OutboxEvent) -> OutboxEvent {
        if event.visitor == 0
            && event.conversation != 0
            && let Ok(Some(conversation)) = self.parts.store.conversation(event.conversation)
        {
            event.visitor = conversation.visitor;
        }
        event
    }
}

/// A stored job for a planned delivery.
pub(in crate::outbox) fn new_job(
    sink: SinkId,
    event: &OutboxEvent,
    planned: Planned,
    now: u64,
) -> JobV1 {
    JobV1 {
        sink: sink.code(),
        target: planned.target,
        log_key: planned.log_key,
        event: StoredOutboxEvent::from(event),
        created_ms: now,
        due_ms: planned.not_before_ms.max(now),
        attempts: 0,
        last_error: None,
        last_status: None,
        failed_ms: None,
    }
}

/// The schedule's view of a stored job (None for an unknown sink byte: a newer build's).
pub(in crate::outbox) fn to_job(id: u64, job: JobV1) -> Option<Job> {
    Some(Job {
        id,
        sink: SinkId::from_code(job.sink)?,
        target: job.target,
        log_key: job.log_key,
        event: OutboxEvent::from(job.event),
        attempts: job.attempts,
        due_ms: job.due_ms,
        created_ms: job.created_ms,
    })
}
