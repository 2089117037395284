//! The outbox end to end inside one process: a real store and writer, the outbox
//! thread, and a recording sink whose answers the test chooses. Time is a manual clock.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::metrics::Metrics;
use crate::store::values::{StoredAuthorKind, StoredStatus};
use crate::store::{NewMessage, Store, WriteOp, WriterConfig, WriterHandle, writer};
use crate::timer::ManualClock;

use super::*;

/// A sink that records deliveries and answers from a script (then `Delivered`).
struct Recorder {
    /// Whether it wants events.
    active: bool,
    /// Answers to give, in order.
    script: Mutex<VecDeque<Attempt>>,
    /// Deliveries seen: (event id, kind, attempt).
    seen: Mutex<Vec<(u64, EventKind, u32)>>,
    /// While set, deliveries wait (a receiver that has stalled).
    hold: std::sync::atomic::AtomicBool,
}

impl Recorder {
    fn new(script: Vec<Attempt>) -> Arc<Recorder> {
        Arc::new(Recorder {
            active: true,
            script: Mutex::new(script.into()),
            seen: Mutex::new(Vec::new()),
            hold: std::sync::atomic::AtomicBool::new(false),
        })
    }

    fn seen(&self) -> Vec<(u64, EventKind, u32)> {
        self.seen.lock().expect("lock").clone()
    }
}

impl Sink for Recorder {
    fn id(&self) -> SinkId {
        SinkId::Webhook
    }
    fn active(&self) -> bool {
        self.active
    }
    fn plan(&self, event: &OutboxEvent, _now: u64, out: &mut Vec<Planned>) {
        out.push(Planned {
            target: vec![7],
            not_before_ms: 0,
            log_key: Some(1),
        });
        assert_ne!(event.visitor, 0, "the visitor is filled in before planning");
    }
    fn deliver(&self, delivery: &Delivery) -> Attempt {
        assert_eq!(delivery.target, vec![7]);
        while self.hold.load(std::sync::atomic::Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(2));
        }
        self.seen.lock().expect("lock").push((
            delivery.event.id,
            delivery.event.kind,
            delivery.attempt,
        ));
        self.script
            .lock()
            .expect("lock")
            .pop_front()
            .unwrap_or(Attempt::Delivered {
                status: Some(200),
                latency_ms: 1,
            })
    }
}

fn retry() -> Attempt {
    Attempt::Retry {
        error: "receiver down".into(),
        status: Some(503),
        latency_ms: 2,
    }
}

struct Rig {
    store: Store,
    writer: WriterHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    outbox: Outbox,
    clock: Arc<ManualClock>,
    metrics: Arc<Metrics>,
}

impl Rig {
    fn start(dir: &std::path::Path, sink: Arc<Recorder>) -> Rig {
        let store = Store::open(dir).expect("opens");
        let metrics = Arc::new(Metrics::new());
        let (writer, thread) = writer::spawn(
            store.db().clone(),
            store.outbox_gate().clone(),
            WriterConfig::default(),
            metrics.clone(),
        )
        .expect("writer");
        let clock = Arc::new(ManualClock::new(1_000));
        let sinks: Vec<Arc<dyn Sink>> = vec![sink];
        let outbox = Outbox::start(
            store.clone(),
            writer.clone(),
            sinks,
            metrics.clone(),
            clock.clone(),
        )
        .expect("outbox");
        wait_for("the gate to open", || store.outbox_gate().is_on());
        Rig {
            store,
            writer,
            thread: Some(thread),
            outbox,
            clock,
            metrics,
        }
    }

    fn open(&self, conversation: u64, body: &str) {
        self.writer
            .call_blocking(WriteOp::OpenConversation {
                conversation,
                status: StoredStatus::Queued,
                visitor: 40 + conversation,
                site: "default".into(),
                message: message(StoredAuthorKind::Visitor, body),
                visitor_details: None,
            })
            .expect("opens");
    }

    fn stop(mut self) {
        self.outbox.stop();
        self.writer.close();
        if let Some(thread) = self.thread.take() {
            thread.join().expect("writer exits");
        }
    }
}

fn message(author_kind: StoredAuthorKind, body: &str) -> NewMessage {
    NewMessage {
        attachments: Vec::new(),
        author_kind,
        author_id: 3,
        author_name: "someone".into(),
        body: body.into(),
        client_id: None,
        event: None,
        at_ms: 5,
    }
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    // Generous: other test binaries may be compiling on the same two cores.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until `count` stored jobs have made `attempts` attempts: the outbox has heard
/// the results and set their next times, so moving the clock now reaches them (moved
/// earlier, a retry would be scheduled from the moved clock and wait a whole delay).
fn wait_settled(rig: &Rig, attempts: u32, count: usize) {
    wait_for("the attempts to be settled", || {
        let jobs = rig.store.outbox_jobs().expect("reads");
        jobs.iter()
            .filter(|(_, job)| job.attempts == attempts)
            .count()
            == count
    });
}

#[test]
fn events_are_recorded_with_their_cause_and_delivered_once_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = Recorder::new(vec![]);
    let rig = Rig::start(dir.path(), sink.clone());
    rig.open(1, "hello");
    rig.writer
        .call_blocking(WriteOp::Append {
            conversation: 1,
            message: message(StoredAuthorKind::Agent, "hi, how can I help?"),
        })
        .expect("appends");
    wait_for("three deliveries", || sink.seen().len() == 3);
    // Two delivery threads may finish in either order; the event ids give
    // the order of the causes.
    let mut seen = sink.seen();
    seen.sort_by_key(|s| s.0);
    let kinds: Vec<EventKind> = seen.iter().map(|s| s.1).collect();
    assert_eq!(
        kinds,
        vec![
            EventKind::ConversationCreated,
            EventKind::MessageVisitor,
            EventKind::MessageAgent
        ]
    );
    let ids: std::collections::HashSet<u64> = seen.iter().map(|s| s.0).collect();
    assert_eq!(ids.len(), 3, "every event has its own id");
    wait_for("the jobs to be settled", || {
        rig.store.outbox_jobs().expect("reads").is_empty()
    });
    assert!(rig.store.outbox_unplanned(10).expect("reads").is_empty());
    assert_eq!(rig.metrics.outbox.delivered[0].get(), 3);
    let log = rig.outbox.attempts(SinkId::Webhook, 1, 10).expect("reads");
    assert_eq!(log.len(), 3);
    assert!(
        log.iter()
            .all(|a| a.outcome == "delivered" && a.status == Some(200))
    );
    rig.stop();
}

#[test]
fn nothing_is_recorded_while_no_sink_is_active() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = Arc::new(Recorder {
        active: false,
        script: Mutex::new(VecDeque::new()),
        seen: Mutex::new(Vec::new()),
        hold: std::sync::atomic::AtomicBool::new(false),
    });
    let store = Store::open(dir.path()).expect("opens");
    let (writer, thread) = writer::spawn(
        store.db().clone(),
        store.outbox_gate().clone(),
        WriterConfig::default(),
        Arc::new(Metrics::new()),
    )
    .expect("writer");
    let sinks: Vec<Arc<dyn Sink>> = vec![sink.clone()];
    let outbox = Outbox::start(
        store.clone(),
        writer.clone(),
        sinks,
        Arc::new(Metrics::new()),
        Arc::new(ManualClock::new(0)),
    )
    .expect("outbox");
    std::thread::sleep(super::worker::POLL * 2);
    writer
        .call_blocking(WriteOp::OpenConversation {
            conversation: 1,
            status: StoredStatus::Queued,
            visitor: 1,
            site: "default".into(),
            message: message(StoredAuthorKind::Visitor, "hi"),
            visitor_details: None,
        })
        .expect("opens");
    assert!(store.outbox_unplanned(10).expect("reads").is_empty());
    outbox.stop();
    writer.close();
    thread.join().expect("exits");
    assert!(sink.seen().is_empty());
}

#[test]
fn failures_are_retried_with_backoff_and_logged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = Recorder::new(vec![retry(), retry()]);
    let rig = Rig::start(dir.path(), sink.clone());
    rig.open(1, "hello");
    // conversation.created and message.visitor: both fail once at once.
    wait_for("two first attempts", || sink.seen().len() == 2);
    wait_settled(&rig, 1, 2);
    std::thread::sleep(super::worker::POLL * 3);
    assert_eq!(sink.seen().len(), 2, "no retry before the backoff");
    rig.clock.advance(backoff::DELAYS_MS[0] * 11 / 10);
    wait_for("the retries", || sink.seen().len() == 4);
    assert!(sink.seen()[2..].iter().all(|s| s.2 == 1), "second attempts");
    assert_eq!(rig.metrics.outbox.retried[0].get(), 2);
    wait_for("the jobs to be settled", || {
        rig.store.outbox_jobs().expect("reads").is_empty()
    });
    let log = rig.outbox.attempts(SinkId::Webhook, 1, 10).expect("reads");
    let outcomes: Vec<&str> = log.iter().map(|a| a.outcome).collect();
    assert_eq!(outcomes, vec!["delivered", "delivered", "retry", "retry"]);
    assert_eq!(log[3].error.as_deref(), Some("receiver down"));
    rig.stop();
}

/// Records one event whose deliveries all fail (the sink's script holds 11 retries), and
/// moves time along until it is given up.
fn give_up_one(rig: &Rig, sink: &Recorder) -> FailedDelivery {
    rig.writer
        .call_blocking(WriteOp::UpsertVisitor {
            id: 9,
            token_digest: None,
            update: crate::store::VisitorUpdate {
                email: Some("v@example.com".into()),
                seen_ms: Some(5),
                ..Default::default()
            },
        })
        .expect("stores");
    for n in 1..=11 {
        wait_for("the next attempt", || sink.seen().len() == n);
        wait_settled(rig, n as u32, 1);
        rig.clock
            .advance(backoff::DELAYS_MS[(n - 1).min(9)] * 11 / 10);
    }
    wait_for("the failure to be stored", || {
        rig.outbox.failures(10).expect("reads").len() == 1
    });
    rig.outbox.failures(10).expect("reads").remove(0)
}

#[test]
fn a_delivery_failing_for_a_day_is_given_up_shown_and_can_be_retried() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = Recorder::new((0..11).map(|_| retry()).collect());
    let rig = Rig::start(dir.path(), sink.clone());
    let failed = give_up_one(&rig, &sink);
    std::thread::sleep(super::worker::POLL * 2);
    assert_eq!(sink.seen().len(), 11, "eleven attempts, then no more");
    assert_eq!(failed.event.kind, EventKind::VisitorEmailLeft);
    assert_eq!((failed.attempts, failed.status), (11, Some(503)));
    assert_eq!(rig.metrics.outbox.given_up[0].get(), 1);
    assert_eq!(rig.metrics.outbox.failed.get(), 1);
    assert!(
        rig.metrics
            .render()
            .contains("deskbell_outbox_given_up_total{sink=\"webhook\"} 1")
    );
    // An admin tries it again: it is delivered (the script is used up) and gone.
    assert!(smol::block_on(rig.outbox.retry_failed(failed.job)).expect("stores"));
    assert!(!smol::block_on(rig.outbox.retry_failed(failed.job)).expect("stores"));
    wait_for("the retried delivery", || sink.seen().len() == 12);
    assert_eq!(sink.seen()[11].2, 0, "attempts count from 0 again");
    wait_for("the job to be settled", || {
        rig.store.outbox_jobs().expect("reads").is_empty()
    });
    assert_eq!(rig.metrics.outbox.failed.get(), 0);
    rig.stop();
}

#[test]
fn given_up_deliveries_are_kept_a_week_then_pruned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = Recorder::new((0..11).map(|_| retry()).collect());
    let rig = Rig::start(dir.path(), sink.clone());
    let failed = give_up_one(&rig, &sink);
    // To an hour before the week is over (the test may have moved the clock past the
    // moment it was given up).
    let hour_before = failed.failed_ms + KEEP_FAILED_MS - 3_600_000;
    rig.clock.advance(hour_before - rig.outbox.now_ms());
    std::thread::sleep(super::worker::POLL * 3);
    assert_eq!(
        rig.outbox.failures(10).expect("reads").len(),
        1,
        "kept for a week"
    );
    rig.clock.advance(3_600_000 + 120_000);
    wait_for("the failure to be pruned", || {
        rig.outbox.failures(10).expect("reads").is_empty()
    });
    rig.stop();
}

#[test]
fn more_due_deliveries_than_threads_each_wait_one_backoff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = Recorder::new((0..6).map(|_| retry()).collect());
    let rig = Rig::start(dir.path(), sink.clone());
    rig.open(1, "hello");
    for i in 0..4 {
        rig.writer
            .call_blocking(WriteOp::Append {
                conversation: 1,
                message: message(StoredAuthorKind::Visitor, &format!("more {i}")),
            })
            .expect("appends");
    }
    wait_for("six first attempts", || sink.seen().len() == 6);
    wait_settled(&rig, 1, 6);
    std::thread::sleep(super::worker::POLL * 3);
    assert_eq!(
        sink.seen().len(),
        6,
        "waiting for their threads is no attempt"
    );
    rig.clock.advance(backoff::DELAYS_MS[0] * 11 / 10);
    wait_for("six second attempts", || sink.seen().len() == 12);
    assert!(
        sink.seen()[6..].iter().all(|s| s.2 == 1),
        "{:?}",
        sink.seen()
    );
    rig.stop();
}

#[test]
fn waiting_deliveries_survive_a_restart_with_their_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = Recorder::new(vec![retry(), retry()]);
    let rig = Rig::start(dir.path(), first.clone());
    rig.open(1, "hello");
    wait_for("the first attempts", || first.seen().len() == 2);
    wait_for("the retries to be stored", || {
        rig.store
            .outbox_jobs()
            .expect("reads")
            .iter()
            .all(|(_, job)| job.attempts == 1)
    });
    // Two delivery threads: the first attempts may be seen in either order.
    let mut ids: Vec<u64> = first.seen().iter().map(|s| s.0).collect();
    ids.sort_unstable();
    rig.stop();

    let second = Recorder::new(vec![]);
    let rig = Rig::start(dir.path(), second.clone());
    rig.clock.advance(backoff::DELAYS_MS[0] * 2);
    wait_for("redelivery after the restart", || second.seen().len() == 2);
    let mut again: Vec<u64> = second.seen().iter().map(|s| s.0).collect();
    again.sort_unstable();
    assert_eq!(again, ids, "the same event ids");
    // New events after the restart get new ids.
    rig.open(2, "second visitor");
    wait_for("the new events", || second.seen().len() == 4);
    assert!(second.seen()[2..].iter().all(|s| s.0 > ids[1]));
    rig.stop();
}

#[test]
fn a_full_outbox_refuses_events_loudly_and_chat_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let gate = Arc::new(crate::store::OutboxGate::with_bound(2));
    gate.set_on(true);
    let (writer, thread) = writer::spawn(
        store.db().clone(),
        gate.clone(),
        WriterConfig::default(),
        Arc::new(Metrics::new()),
    )
    .expect("writer");
    for conversation in 1..=3 {
        writer
            .call_blocking(WriteOp::OpenConversation {
                conversation,
                status: StoredStatus::Queued,
                visitor: conversation,
                site: "default".into(),
                message: message(StoredAuthorKind::Visitor, "hi"),
                visitor_details: None,
            })
            .expect("the chat is not refused");
    }
    assert_eq!(store.outbox_unplanned(10).expect("reads").len(), 2);
    assert_eq!(gate.refused.load(std::sync::atomic::Ordering::Relaxed), 4);
    writer.close();
    thread.join().expect("exits");
}

#[test]
fn a_stalled_receiver_leaves_its_backlog_as_events_not_jobs() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = Recorder::new(vec![]);
    sink.hold.store(true, Ordering::Relaxed);
    let rig = Rig::start(dir.path(), sink.clone());
    for conversation in 1..=200 {
        rig.open(conversation, "hello"); // two events each
    }
    std::thread::sleep(super::worker::POLL * 3);
    let jobs = rig.store.outbox_jobs().expect("reads").len();
    let waiting = rig.store.outbox_unplanned_len().expect("reads");
    assert!(
        jobs <= super::worker::PLAN_BATCH,
        "planned ahead: {jobs} jobs"
    );
    assert_eq!(jobs as u64 + waiting, 400, "every event is a job or waits");
    sink.hold.store(false, Ordering::Relaxed);
    wait_for("every delivery", || sink.seen().len() >= 400);
    wait_for("the jobs to be settled", || {
        rig.store.outbox_jobs().expect("reads").is_empty()
    });
    let ids: std::collections::HashSet<u64> = sink.seen().iter().map(|s| s.0).collect();
    assert_eq!((ids.len(), sink.seen().len()), (400, 400), "each once");
    assert_eq!(rig.store.outbox_unplanned_len().expect("reads"), 0);
    rig.stop();
}
