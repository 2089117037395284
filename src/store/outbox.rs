//! The writer's side of the outbox: recording events in the transaction of their cause,
//! and the ops of the outbox thread (plan events into jobs, settle attempts, enqueue).
//!
//! Event ids come from a counter the writer keeps in memory: loaded once from the
//! `meta` key [`NEXT_EVENT_ID`] and the highest unplanned id, written back only by the
//! plan op (which deletes the events it planned), so recording a message costs one
//! small insert and ids are never reused, also across restarts.
//!
//! The outbox has a bound: while more than [`OutboxGate::max_unplanned`] events wait to
//! be planned (the outbox thread is stopped or far behind), new events are refused:
//! counted (`deskbell_outbox_refused_total`) and logged, never silently dropped, and the
//! chat itself goes on.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use redb::{ReadableTable, WriteTransaction};

use super::StoreError;
use super::outbox_records::*;
use super::records::{MessageV1, decode, encode};
use super::tables::META;
use super::values::{StoredAuthorKind, StoredEvent};

/// Default bound on events waiting to be planned.
pub const DEFAULT_MAX_UNPLANNED: u64 = 200_000;

/// Logged attempts kept per (sink, log key).
pub const LOG_KEEP: u64 = 50;

/// Whether events are recorded, shared by the writer and the outbox thread.
#[derive(Debug)]
pub struct OutboxGate {
    /// On while some sink is active (configured, with endpoints or subscriptions).
    on: AtomicBool,
    /// Most events waiting to be planned before new ones are refused.
    pub max_unplanned: u64,
    /// Events refused because the outbox was full.
    pub refused: AtomicU64,
}

impl Default for OutboxGate {
    fn default() -> Self {
        OutboxGate {
            on: AtomicBool::new(false),
            max_unplanned: DEFAULT_MAX_UNPLANNED,
            refused: AtomicU64::new(0),
        }
    }
}

impl OutboxGate {
    /// A gate, off, refusing events beyond `max_unplanned` waiting.
    pub fn with_bound(max_unplanned: u64) -> OutboxGate {
        OutboxGate {
            max_unplanned,
            ..OutboxGate::default()
        }
    }

    /// Switches recording on or off.
    pub fn set_on(&self, on: bool) {
        self.on.store(on, Ordering::Relaxed);
    }

    /// Whether events are recorded.
    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }
}

/// The writer thread's outbox bookkeeping (lives with its sequence cache).
#[derive(Debug, Default)]
pub struct OutboxRecorder {
    /// The next event id, once loaded.
    next_event: Option<u64>,
    /// Events below this id have been planned (as the writer last saw).
    planned_below: u64,
    /// When a refusal was last logged (ms since the epoch), to log once a minute.
    last_refusal_log_ms: u64,
}

/// The event a stored message means, if any: visitor, agent and bot messages, and the
/// system messages for hand-off, assignment, transfer and closing. Notes, suggestions,
/// feedback, queueing and reopening are not events.
pub fn event_of(message: &MessageV1) -> Option<(StoredOutboxKind, Option<u64>)> {
    use StoredOutboxKind as K;
    match (message.author_kind, &message.event) {
        (StoredAuthorKind::Visitor, None | Some(StoredEvent::Attachments { .. })) => {
            Some((K::MessageVisitor, None))
        }
        (StoredAuthorKind::Agent, None | Some(StoredEvent::Attachments { .. })) => {
            Some((K::MessageAgent, Some(message.author_id)))
        }
        (StoredAuthorKind::Bot, None | Some(StoredEvent::BotAnswer { .. })) => {
            Some((K::MessageBot, None))
        }
        (_, Some(StoredEvent::HandedOff { .. })) => Some((K::HandedOff, None)),
        (_, Some(StoredEvent::Assigned { agent })) => Some((K::Assigned, Some(*agent))),
        (_, Some(StoredEvent::Transferred { to, .. })) => Some((K::Assigned, Some(*to))),
        (_, Some(StoredEvent::Closed { by })) => Some((K::Closed, (*by != 0).then_some(*by))),
        _ => None,
    }
}

impl OutboxRecorder {
    /// Records `event` in `tx` (under the next id; its own `id` is ignored) if the gate
    /// is on and the outbox has room.
    pub fn record(
        &mut self,
        tx: &WriteTransaction,
        gate: &OutboxGate,
        mut event: StoredOutboxEvent,
    ) -> Result<(), StoreError> {
        if !gate.is_on() {
            return Ok(());
        }
        let id = match self.next_event {
            Some(id) => id,
            None => self.load(tx)?,
        };
        if id.saturating_sub(self.planned_below) >= gate.max_unplanned {
            gate.refused.fetch_add(1, Ordering::Relaxed);
            if event.at_ms >= self.last_refusal_log_ms + 60_000 {
                self.last_refusal_log_ms = event.at_ms;
                tracing::error!(
                    waiting = gate.max_unplanned,
                    "the outbox is full: events are not recorded for delivery until the \
                     outbox thread catches up (see deskbell_outbox_refused_total)"
                );
            }
            return Ok(());
        }
        event.id = id;
        let record = OutboxRecord::V1(event);
        tx.open_table(OUTBOX)?
            .insert(id, encode(&record).as_slice())?;
        self.next_event = Some(id + 1);
        Ok(())
    }

    /// Reads the next event id: above both the `meta` counter and every waiting event.
    fn load(&mut self, tx: &WriteTransaction) -> Result<u64, StoreError> {
        let counter = read_counter(tx, NEXT_EVENT_ID)?;
        let table = tx.open_table(OUTBOX)?;
        let first = table.first()?.map(|(k, _)| k.value());
        let last = table.last()?.map(|(k, _)| k.value());
        let next = counter.max(last.map_or(0, |l| l + 1)).max(1);
        self.planned_below = first.unwrap_or(next);
        self.next_event = Some(next);
        Ok(next)
    }

    /// After a failed commit nothing recorded in it exists: forget the counter (ids of
    /// the failed batch are simply never used).
    pub fn forget(&mut self) {
        self.next_event = None;
    }

    /// The plan op deleted every event below `below`.
    fn planned(&mut self, below: u64) {
        self.planned_below = self.planned_below.max(below);
    }
}

/// Reads a little-endian u64 counter from `meta` (0 when absent).
fn read_counter(tx: &WriteTransaction, key: &str) -> Result<u64, StoreError> {
    Ok(tx
        .open_table(META)?
        .get(key)?
        .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
        .map_or(0, u64::from_le_bytes))
}

/// Raises a `meta` counter to at least `value`.
fn raise_counter(tx: &WriteTransaction, key: &str, value: u64) -> Result<(), StoreError> {
    if read_counter(tx, key)? < value {
        tx.open_table(META)?
            .insert(key, value.to_le_bytes().as_slice())?;
    }
    Ok(())
}

/// Deletes the events below `below` and stores `jobs` under fresh ids, returned in order.
pub(super) fn plan(
    tx: &WriteTransaction,
    recorder: &mut OutboxRecorder,
    below: u64,
    jobs: Vec<JobV1>,
) -> Result<Vec<u64>, StoreError> {
    let mut events = tx.open_table(OUTBOX)?;
    events.retain_in(..below, |_, _| false)?;
    raise_counter(tx, NEXT_EVENT_ID, below)?;
    recorder.planned(below);
    insert_jobs(tx, jobs)
}

/// Stores `jobs` under fresh ids.
pub(super) fn insert_jobs(tx: &WriteTransaction, jobs: Vec<JobV1>) -> Result<Vec<u64>, StoreError> {
    let mut table = tx.open_table(OUTBOX_JOBS)?;
    let last = table.last()?.map_or(0, |(k, _)| k.value() + 1);
    let mut next = read_counter(tx, NEXT_JOB_ID)?.max(last).max(1);
    let mut ids = Vec::with_capacity(jobs.len());
    for job in jobs {
        table.insert(next, encode(&JobRecord::V1(job)).as_slice())?;
        ids.push(next);
        next += 1;
    }
    drop(table);
    if !ids.is_empty() {
        raise_counter(tx, NEXT_JOB_ID, next)?;
    }
    Ok(ids)
}

/// The result of one attempt, to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The job.
    pub job: u64,
    /// How it ended (`Retry` keeps the job with `due_ms`; `GaveUp` keeps it as failed;
    /// `Delivered` and `Skipped` delete it).
    pub outcome: StoredAttemptOutcome,
    /// When it ended.
    pub at_ms: u64,
    /// Next attempt (for `Retry`).
    pub due_ms: u64,
    /// HTTP status, if any.
    pub status: Option<u16>,
    /// How long it took.
    pub latency_ms: u32,
    /// What went wrong.
    pub error: Option<String>,
}

/// Stores attempt results: updates or deletes the jobs and appends to the attempt log.
/// A job that no longer exists (deleted meanwhile) is skipped.
pub(super) fn settle(tx: &WriteTransaction, results: Vec<Settled>) -> Result<(), StoreError> {
    let mut jobs = tx.open_table(OUTBOX_JOBS)?;
    let mut log = tx.open_table(OUTBOX_LOG)?;
    for result in results {
        let Some(stored) = jobs.get(result.job)? else {
            continue;
        };
        let JobRecord::V1(mut job) = decode::<JobRecord>(stored.value(), "outbox jobs")?;
        drop(stored);
        let attempt = job.attempts;
        job.attempts += 1;
        job.last_status = result.status;
        job.last_error = result.error.clone();
        match result.outcome {
            StoredAttemptOutcome::Delivered | StoredAttemptOutcome::Skipped => {
                jobs.remove(result.job)?;
            }
            StoredAttemptOutcome::Retry => {
                job.due_ms = result.due_ms;
                jobs.insert(result.job, encode(&JobRecord::V1(job.clone())).as_slice())?;
            }
            StoredAttemptOutcome::GaveUp => {
                job.failed_ms = Some(result.at_ms);
                jobs.insert(result.job, encode(&JobRecord::V1(job.clone())).as_slice())?;
            }
        }
        if let Some(key) = job.log_key {
            let range = (job.sink, key, 0)..=(job.sink, key, u64::MAX);
            let n = log
                .range(range)?
                .next_back()
                .transpose()?
                .map_or(0, |(k, _)| k.value().2 + 1);
            let entry = AttemptRecord::V1(AttemptV1 {
                job: result.job,
                event: job.event,
                target: job.target,
                at_ms: result.at_ms,
                attempt,
                outcome: result.outcome,
                status: result.status,
                latency_ms: result.latency_ms,
                error: result.error,
            });
            log.insert((job.sink, key, n), encode(&entry).as_slice())?;
            if n >= LOG_KEEP {
                let sink = job.sink;
                log.retain_in((sink, key, 0)..(sink, key, n + 1 - LOG_KEEP), |_, _| false)?;
            }
        }
    }
    Ok(())
}

/// Deletes given-up jobs that failed before `before_ms`; returns how many.
pub(super) fn prune_failed(tx: &WriteTransaction, before_ms: u64) -> Result<u64, StoreError> {
    let mut jobs = tx.open_table(OUTBOX_JOBS)?;
    let mut pruned = 0;
    jobs.retain(|_, bytes| {
        let old = matches!(
            decode::<JobRecord>(bytes, "outbox jobs"),
            Ok(JobRecord::V1(JobV1 { failed_ms: Some(at), .. })) if at < before_ms
        );
        pruned += u64::from(old);
        !old
    })?;
    Ok(pruned)
}

/// Deletes the jobs and log entries of one log key (a deleted webhook endpoint).
pub(super) fn forget_key(tx: &WriteTransaction, sink: u8, key: u64) -> Result<(), StoreError> {
    tx.open_table(OUTBOX_LOG)?
        .retain_in((sink, key, 0)..=(sink, key, u64::MAX), |_, _| false)?;
    tx.open_table(OUTBOX_JOBS)?.retain(|_, bytes| {
        !matches!(
            decode::<JobRecord>(bytes, "outbox jobs"),
            Ok(JobRecord::V1(JobV1 { sink: s, log_key: Some(k), .. })) if s == sink && k == key
        )
    })?;
    Ok(())
}

/// Takes a given-up job back: waiting again from `due_ms`, attempts counted from 0.
/// Returns the job as stored, or None when it is not (or no longer) given up.
pub(super) fn revive(
    tx: &WriteTransaction,
    id: u64,
    due_ms: u64,
) -> Result<Option<JobV1>, StoreError> {
    let mut jobs = tx.open_table(OUTBOX_JOBS)?;
    let Some(stored) = jobs.get(id)? else {
        return Ok(None);
    };
    let JobRecord::V1(mut job) = decode::<JobRecord>(stored.value(), "outbox jobs")?;
    drop(stored);
    if job.failed_ms.is_none() {
        return Ok(None);
    }
    job.failed_ms = None;
    job.attempts = 0;
    job.due_ms = due_ms;
    jobs.insert(id, encode(&JobRecord::V1(job.clone())).as_slice())?;
    Ok(Some(job))
}
