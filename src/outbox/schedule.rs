//! The outbox thread's in-memory schedule of waiting jobs: which are due, which are in
//! flight. Pure: no clock, no I/O; the stored jobs are the truth and this is rebuilt
//! from them at start.
//!
//! Invariants: every job is either waiting (one live heap entry at its `due_ms`) or in
//! flight (in `in_flight`, no live heap entry), never both; heap entries whose time no
//! longer matches their job are stale and skipped.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

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
    /// (due, id), earliest first; may hold stale entries.
    due: BinaryHeap<Reverse<(u64, u64)>>,
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
        self.due.push(Reverse((job.due_ms, job.id)));
        self.jobs.insert(job.id, job);
    }

    /// The earliest due time of a waiting job.
    pub fn next_due(&mut self) -> Option<u64> {
        self.drop_stale();
        self.due.peek().map(|Reverse((due, _))| *due)
    }

    /// Up to `limit` jobs due at `now_ms` whose sink `has_room` says yes to, marked in
    /// flight. A due job of a sink without room stays waiting.
    pub fn take_due(
        &mut self,
        now_ms: u64,
        limit: usize,
        mut has_room: impl FnMut(SinkId) -> bool,
    ) -> Vec<Job> {
        let mut taken = Vec::new();
        let mut held = Vec::new();
        while taken.len() < limit {
            self.drop_stale();
            let Some(Reverse((due, id))) = self.due.peek().copied() else {
                break;
            };
            if due > now_ms {
                break;
            }
            self.due.pop();
            let Some(job) = self.jobs.get(&id) else {
                continue;
            };
            if has_room(job.sink) {
                self.in_flight.insert(id);
                taken.push(job.clone());
            } else {
                held.push(Reverse((due, id)));
            }
        }
        self.due.extend(held);
        taken
    }

    /// An in-flight job is finished for good (delivered, skipped, given up).
    pub fn remove(&mut self, id: u64) -> Option<Job> {
        self.in_flight.remove(&id);
        self.jobs.remove(&id)
    }

    /// An in-flight job failed and waits again until `due_ms`.
    pub fn retry(&mut self, id: u64, due_ms: u64) {
        if let Some(job) = self.jobs.get_mut(&id) {
            job.attempts += 1;
            job.due_ms = due_ms;
            self.in_flight.remove(&id);
            self.due.push(Reverse((due_ms, id)));
        }
    }

    /// Drops every job `matches` picks (a deleted endpoint's), waiting or not.
    pub fn forget(&mut self, mut matches: impl FnMut(&Job) -> bool) {
        self.jobs.retain(|_, job| !matches(job));
        let jobs = &self.jobs;
        self.in_flight.retain(|id| jobs.contains_key(id));
    }

    /// Pops heap entries that no longer match a waiting job.
    fn drop_stale(&mut self) {
        while let Some(Reverse((due, id))) = self.due.peek().copied() {
            let live = !self.in_flight.contains(&id)
                && self.jobs.get(&id).is_some_and(|job| job.due_ms == due);
            if live {
                break;
            }
            self.due.pop();
        }
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
        s.retry(1, 100);
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
