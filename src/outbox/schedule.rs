//! The outbox thread's in-memory schedule of waiting jobs: which are due, which are in
//! flight. Pure: no clock, no I/O; the stored jobs are the truth and this is rebuilt
//! from them at start.
//!
//! Invariants: every job is either waiting (exactly one entry `(due_ms, id)` in `due`)
//! or in flight (in `in_flight`, no entry in `due`), never both; `due` holds nothing
//! else.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::event::OutboxEvent;
use super::sink::SinkId;

/// A waiting delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Stored id.
    pub id: u64,
    /// Its sink.
    pub sink: SinkId,
    /// The sink's target bytes.
    pub target: Vec<u8>,
    /// Log grouping.
    pub log_key: Option<u64>,
    /// The event.
    pub event: OutboxEvent,
    /// Attempts already made.
    pub attempts: u32,
    /// Next attempt not before (ms since the epoch).
    pub due_ms: u64,
    /// When the job was made.
    pub created_ms: u64,
}

/// Waiting and in-flight jobs.
#[derive(Debug, Default)]
pub struct Schedule {
    /// Every job not yet settled, by id.
    jobs: HashMap<u64, Job>,
    /// (due, id) of every waiting job, earliest first.
    due: BTreeSet<(u64, u64)>,
    /// Jobs handed to a delivery thread.
    in_flight: HashSet<u64>,
}

impl Schedule {
    /// Nothing scheduled.
    pub fn new() -> Schedule {
        Schedule::default()
    }

    /// Jobs waiting or in flight.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Whether nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// Adds (or replaces) a waiting job.
    pub fn insert(&mut self, job: Job) {
        self.in_flight.remove(&job.id);
        if let Some(old) = self.jobs.get(&job.id) {
            self.due.remove(&(old.due_ms, job.id));
        }
        self.due.insert((job.due_ms, job.id));
        self.jobs.insert(job.id, job);
    }

    /// The earliest due time of a waiting job.
    pub fn next_due(&self) -> Option<u64> {
        self.due.first().map(|(due, _)| *due)
    }

    /// Jobs in flight plus waiting jobs due at `now_ms`, counted up to `cap`: the work
    /// already at hand, so the outbox plans more only when it runs low.
    pub fn ready(&self, now_ms: u64, cap: usize) -> usize {
        let due_now = self
            .due
            .range(..=(now_ms, u64::MAX))
            .take(cap.saturating_sub(self.in_flight.len()))
            .count();
        (self.in_flight.len() + due_now).min(cap)
    }

    /// Up to `limit` jobs due at `now_ms` whose sink `has_room` says yes to, marked in
    /// flight. A due job of a sink without room stays waiting.
    pub fn take_due(
        &mut self,
        now_ms: u64,
        limit: usize,
        mut has_room: impl FnMut(SinkId) -> bool,
    ) -> Vec<Job> {
        let mut picked = Vec::new();
        for &(due, id) in self.due.range(..=(now_ms, u64::MAX)) {
            if picked.len() >= limit {
                break;
            }
            if self.jobs.get(&id).is_some_and(|job| has_room(job.sink)) {
                picked.push((due, id));
            }
        }
        let mut taken = Vec::with_capacity(picked.len());
        for (due, id) in picked {
            self.due.remove(&(due, id));
            self.in_flight.insert(id);
            if let Some(job) = self.jobs.get(&id) {
                taken.push(job.clone());
            }
        }
        taken
    }

    /// An in-flight job is finished for good (delivered, skipped, given up).
    pub fn remove(&mut self, id: u64) -> Option<Job> {
        self.in_flight.remove(&id);
        let job = self.jobs.remove(&id)?;
        self.due.remove(&(job.due_ms, id));
        Some(job)
    }

    /// An in-flight job that was not sent after all waits again at its due time (no
    /// attempt is counted).
    pub fn release(&mut self, id: u64) {
        if let Some(job) = self.jobs.get(&id)
            && self.in_flight.remove(&id)
        {
            self.due.insert((job.due_ms, id));
        }
    }

    /// Drops every job `matches` picks (a deleted endpoint's), waiting or not.
    pub fn forget(&mut self, mut matches: impl FnMut(&Job) -> bool) {
        self.jobs.retain(|_, job| !matches(job));
        let jobs = &self.jobs;
        self.in_flight.retain(|id| jobs.contains_key(id));
        self.due.retain(|(_, id)| jobs.contains_key(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::EventKind;

    fn job(id: u64, sink: SinkId, due_ms: u64) -> Job {
        Job {
            id,
            sink,
            target: vec![],
            log_key: None,
            event: OutboxEvent {
                id,
                kind: EventKind::MessageVisitor,
                at_ms: 0,
                conversation: 1,
                seq: Some(1),
                visitor: 1,
                agent: None,
            },
            attempts: 0,
            due_ms,
            created_ms: 0,
        }
    }

    #[test]
    fn due_jobs_come_out_in_time_order_once() {
        let mut s = Schedule::new();
        s.insert(job(1, SinkId::Webhook, 30));
        s.insert(job(2, SinkId::Webhook, 10));
        s.insert(job(3, SinkId::Webhook, 50));
        assert_eq!(s.next_due(), Some(10));
        let ids: Vec<u64> = s.take_due(30, 10, |_| true).iter().map(|j| j.id).collect();
        assert_eq!(ids, vec![2, 1]);
        assert!(
            s.take_due(30, 10, |_| true).is_empty(),
            "in flight, not taken twice"
        );
        assert_eq!(s.next_due(), Some(50));
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn a_retry_waits_and_a_removal_ends_it() {
        let mut s = Schedule::new();
        s.insert(job(1, SinkId::Email, 0));
        assert_eq!(s.take_due(0, 10, |_| true).len(), 1);
        let mut again = s.remove(1).expect("in flight");
        again.attempts += 1;
        again.due_ms = 100;
        s.insert(again);
        assert!(s.take_due(99, 10, |_| true).is_empty());
        let again = s.take_due(100, 10, |_| true);
        assert_eq!(again[0].attempts, 1);
        assert!(s.remove(1).is_some());
        assert!(s.is_empty());
        assert_eq!(s.next_due(), None);
    }

    #[test]
    fn a_sink_without_room_does_not_hold_up_the_others() {
        let mut s = Schedule::new();
        s.insert(job(1, SinkId::Webhook, 0));
        s.insert(job(2, SinkId::Email, 1));
        let taken = s.take_due(5, 10, |sink| sink == SinkId::Email);
        assert_eq!(taken.iter().map(|j| j.id).collect::<Vec<_>>(), vec![2]);
        assert_eq!(s.take_due(5, 10, |_| true)[0].id, 1, "still waiting");
    }

    #[test]
    fn a_released_job_waits_again_without_an_attempt() {
        let mut s = Schedule::new();
        s.insert(job(1, SinkId::Webhook, 7));
        let _ = s.take_due(7, 10, |_| true);
        s.release(1);
        let again = s.take_due(7, 10, |_| true);
        assert_eq!((again.len(), again[0].attempts, again[0].due_ms), (1, 0, 7));
    }

    #[test]
    fn ready_counts_in_flight_and_due_jobs_only() {
        let mut s = Schedule::new();
        s.insert(job(1, SinkId::Webhook, 0));
        s.insert(job(2, SinkId::Webhook, 5));
        s.insert(job(3, SinkId::Webhook, 1_000));
        assert_eq!(s.ready(5, 10), 2, "the job due later is not at hand");
        let _ = s.take_due(0, 10, |_| true);
        assert_eq!(s.ready(5, 10), 2, "in flight counts");
        assert_eq!(s.ready(5, 1), 1, "capped");
        let mut retry = s.remove(1).expect("in flight");
        retry.attempts = 1;
        retry.due_ms = 900;
        s.insert(retry);
        assert_eq!(s.ready(5, 10), 1, "a job backing off is not at hand");
        assert_eq!(s.ready(1_000, 10), 3);
    }

    #[test]
    fn forgotten_jobs_are_gone_even_in_flight() {
        let mut s = Schedule::new();
        s.insert(job(1, SinkId::Webhook, 0));
        s.insert(job(2, SinkId::Push, 0));
        let _ = s.take_due(0, 1, |_| true);
        s.forget(|j| j.sink == SinkId::Webhook);
        assert_eq!(s.len(), 1);
        assert_eq!(s.take_due(0, 10, |_| true)[0].id, 2);
    }
}
