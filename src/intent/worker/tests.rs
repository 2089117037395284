//! Worker tests with a fake embedder: results reach the right caller in order, waiting
//! requests are batched up to the cap, a full queue is `Busy`, a panic fails one batch only,
//! a request no longer wanted is never embedded.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use super::*;
use crate::intent::model::DIM;

/// Embeds a text as a vector whose first value is the number the text spells, and
/// records the size of every batch it is given. `gate` holds the first batch back (after
/// saying so) until the test releases it, so requests pile up behind it.
struct Fake {
    batches: Arc<Mutex<Vec<usize>>>,
    gate: Mutex<Option<Gate>>,
}

/// The fake's side of the gate: it reports arriving, then waits to be let through.
struct Gate {
    arrived: mpsc::Sender<()>,
    open: mpsc::Receiver<()>,
}

/// The test's side of the gate.
struct Door {
    arrived: mpsc::Receiver<()>,
    open: mpsc::Sender<()>,
}

impl Fake {
    fn new() -> (Fake, Arc<Mutex<Vec<usize>>>) {
        let batches = Arc::new(Mutex::new(Vec::new()));
        let fake = Fake {
            batches: batches.clone(),
            gate: Mutex::new(None),
        };
        (fake, batches)
    }

    fn gated() -> (Fake, Arc<Mutex<Vec<usize>>>, Door) {
        let (fake, batches) = Fake::new();
        let (open_tx, open_rx) = mpsc::channel();
        let (arrived_tx, arrived_rx) = mpsc::channel();
        let gate = Gate {
            arrived: arrived_tx,
            open: open_rx,
        };
        *fake.gate.lock().expect("gate") = Some(gate);
        let door = Door {
            arrived: arrived_rx,
            open: open_tx,
        };
        (fake, batches, door)
    }
}

impl Embed for Fake {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Embedding>, IntentError> {
        let gate = self.gate.lock().expect("gate").take();
        if let Some(gate) = gate {
            gate.arrived.send(()).expect("test watches the gate");
            gate.open.recv().expect("test opens the gate");
        }
        self.batches.lock().expect("batches").push(texts.len());
        texts
            .iter()
            .map(|t| {
                assert_ne!(*t, "boom", "the fake model panics on boom");
                let mut v = [0.0; DIM];
                v[0] = t
                    .parse::<f32>()
                    .map_err(|e| IntentError::Inference(e.to_string()))?;
                Ok(v)
            })
            .collect()
    }
}

fn texts(numbers: &[u32]) -> Vec<String> {
    numbers.iter().map(u32::to_string).collect()
}

#[test]
fn callers_on_several_threads_get_their_own_results() {
    let (fake, _) = Fake::new();
    let (handle, thread) = EmbedHandle::spawn(fake, WorkerConfig::default()).expect("spawn");
    let callers: Vec<_> = (0..4u32)
        .map(|caller| {
            let handle = handle.clone();
            std::thread::spawn(move || {
                for i in 0..50u32 {
                    let n = caller * 1000 + i;
                    let got = handle.embed_blocking(texts(&[n, n + 1])).expect("embeds");
                    let firsts: Vec<f32> = got.iter().map(|v| v[0]).collect();
                    assert_eq!(firsts, [n as f32, (n + 1) as f32]);
                }
            })
        })
        .collect();
    for caller in callers {
        caller.join().expect("caller thread");
    }
    handle.close();
    thread.join().expect("worker exits after close");
}

#[test]
fn waiting_requests_share_one_pass_and_replies_keep_their_order() {
    let (fake, batches, door) = Fake::gated();
    let config = WorkerConfig {
        queue_bound: 64,
        batch_max: 16,
    };
    let (handle, thread) = EmbedHandle::spawn(fake, config).expect("spawn");
    let (tx, rx) = mpsc::channel();
    for n in 0..40u32 {
        let tx = tx.clone();
        let reply: Reply = Box::new(move |r| tx.send((n, r)).expect("test listens"));
        handle
            .try_submit(texts(&[n]), Box::new(|| true), reply)
            .expect("room in the queue");
        if n == 0 {
            door.arrived
                .recv()
                .expect("the first request reaches the model");
        }
    }
    door.open.send(()).expect("worker waits at the gate");
    for n in 0..40u32 {
        let (got, result) = rx.recv().expect("a reply");
        assert_eq!(got, n, "replies arrive in submission order");
        assert_eq!(result.expect("embeds")[0][0], n as f32);
    }
    handle.close();
    thread.join().expect("worker exits");
    let batches = batches.lock().expect("batches").clone();
    // The first request ran alone (it was taken before the gate); the 39 waiting ones
    // went in batches of at most 16 texts.
    assert_eq!(batches, [1, 16, 16, 7]);
}

#[test]
fn a_full_queue_is_busy_and_a_closed_worker_is_closed() {
    let (fake, _, door) = Fake::gated();
    let config = WorkerConfig {
        queue_bound: 2,
        batch_max: 16,
    };
    let (handle, thread) = EmbedHandle::spawn(fake, config).expect("spawn");
    let noop = || -> Reply { Box::new(|_| {}) };
    handle
        .try_submit(texts(&[1]), Box::new(|| true), noop())
        .expect("taken by the worker");
    door.arrived
        .recv()
        .expect("the first request reaches the model");
    handle
        .try_submit(texts(&[2]), Box::new(|| true), noop())
        .expect("queued");
    handle
        .try_submit(texts(&[3]), Box::new(|| true), noop())
        .expect("queued");
    assert_eq!(
        handle.try_submit(texts(&[4]), Box::new(|| true), noop()),
        Err(IntentError::Busy)
    );
    door.open.send(()).expect("gate");
    handle.close();
    assert_eq!(
        handle.try_submit(texts(&[5]), Box::new(|| true), noop()),
        Err(IntentError::Closed)
    );
    thread.join().expect("worker exits");
}

#[test]
fn a_failing_or_panicking_batch_fails_only_its_requests() {
    let (fake, _) = Fake::new();
    let (handle, thread) = EmbedHandle::spawn(fake, WorkerConfig::default()).expect("spawn");
    let panicked = handle.embed_blocking(vec!["boom".into()]);
    assert!(
        matches!(panicked, Err(IntentError::Inference(_))),
        "{panicked:?}"
    );
    let failed = handle.embed_blocking(vec!["not a number".into()]);
    assert!(
        matches!(failed, Err(IntentError::Inference(_))),
        "{failed:?}"
    );
    let fine = handle
        .embed_blocking(texts(&[7]))
        .expect("worker still alive");
    assert_eq!(fine[0][0], 7.0);
    assert_eq!(handle.embed_blocking(Vec::new()), Ok(Vec::new()));
    handle.close();
    thread.join().expect("worker exits");
}

#[test]
fn a_request_no_longer_wanted_when_reached_is_dropped_unembedded() {
    let (fake, batches, door) = Fake::gated();
    let (handle, thread) = EmbedHandle::spawn(fake, WorkerConfig::default()).expect("spawn");
    let (tx, rx) = mpsc::channel();
    let reply = |n: u32| -> Reply {
        let tx = tx.clone();
        Box::new(move |r| tx.send((n, r)).expect("test listens"))
    };
    handle
        .try_submit(texts(&[1]), Box::new(|| true), reply(1))
        .expect("queued");
    door.arrived
        .recv()
        .expect("the first request reaches the model");
    // Wanted when queued, given up on while it waits behind the first.
    let wanted = Arc::new(AtomicBool::new(true));
    let still = wanted.clone();
    let until: StillWanted = Box::new(move || still.load(Ordering::SeqCst));
    handle
        .try_submit(texts(&[2]), until, reply(2))
        .expect("queued");
    handle
        .try_submit(texts(&[3]), Box::new(|| true), reply(3))
        .expect("queued");
    wanted.store(false, Ordering::SeqCst);
    drop(tx);
    door.open.send(()).expect("worker waits at the gate");
    let replies: Vec<u32> = rx
        .iter()
        .map(|(n, r)| {
            assert!(r.is_ok(), "{r:?}");
            n
        })
        .collect();
    assert_eq!(
        replies,
        [1, 3],
        "the unwanted request's reply is never called"
    );
    handle.close();
    thread.join().expect("worker exits");
    assert_eq!(
        *batches.lock().expect("batches"),
        [1, 1],
        "only the wanted requests reach the model"
    );
}
