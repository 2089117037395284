//! How the writer waits for its jobs ([`wait_for_job`]: until a deadline, for idle
//! merges and reopening) and gathers one group commit (issue #16's "group commit by time
//! and by size"): every job already waiting, then, with a commit window, the jobs that arrive
//! until the window has passed since the oldest of them was queued, or the batch is
//! full. Pure waiting on the queue; `super::writer` commits what it gathers.
//!
//! The window counts from the moment the oldest job was *queued*, not from when the
//! writer took it: a writer whose last commit took longer than the window waits no
//! more, so under load batches grow by themselves and the window adds nothing, and
//! only a writer with time to spare waits for company. With no window (the default)
//! a batch is whatever waits when the writer takes the first job.

use std::time::Instant;

use async_channel::Receiver;

/// Moves into `batch` every job already waiting, then, when `until` is set, every job
/// that arrives before `until`, until `batch` holds `max` jobs. Returns early when the
/// queue is closed (the writer's next wait sees that and stops).
pub(super) fn gather<J>(
    queue: &Receiver<J>,
    batch: &mut Vec<J>,
    max: usize,
    until: Option<Instant>,
) {
    take_waiting(queue, batch, max);
    let Some(until) = until else { return };
    while batch.len() < max {
        match next_before(queue, until) {
            Some(job) => {
                batch.push(job);
                take_waiting(queue, batch, max);
            }
            None => return,
        }
    }
}

/// Moves the jobs waiting now, up to `max` in `batch`.
fn take_waiting<J>(queue: &Receiver<J>, batch: &mut Vec<J>, max: usize) {
    while batch.len() < max {
        match queue.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => return,
        }
    }
}

/// What a wait for the next job ended with.
pub(super) enum Waited<J> {
    /// A job arrived.
    Job(J),
    /// The deadline came first.
    Deadline,
    /// The queue is closed and empty.
    Closed,
}

/// The next job, or `Deadline` at `until`, or `Closed` once the queue is closed and empty.
pub(super) fn wait_for_job<J>(queue: &Receiver<J>, until: Instant) -> Waited<J> {
    smol::block_on(futures_lite::future::or(
        async {
            match queue.recv().await {
                Ok(job) => Waited::Job(job),
                Err(_) => Waited::Closed,
            }
        },
        async {
            smol::Timer::at(until).await;
            Waited::Deadline
        },
    ))
}

/// The next job if one arrives before `until` (None at `until` or when closed).
fn next_before<J>(queue: &Receiver<J>, until: Instant) -> Option<J> {
    if Instant::now() >= until {
        return None;
    }
    match wait_for_job(queue, until) {
        Waited::Job(job) => Some(job),
        Waited::Deadline | Waited::Closed => None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn without_a_window_only_what_waits_is_taken() {
        let (tx, rx) = async_channel::unbounded();
        for i in 0..5 {
            tx.try_send(i).expect("sends");
        }
        let mut batch = Vec::new();
        gather(&rx, &mut batch, 3, None);
        assert_eq!(batch, vec![0, 1, 2]);
        batch.clear();
        gather(&rx, &mut batch, 10, None);
        assert_eq!(batch, vec![3, 4]);
    }

    #[test]
    fn a_window_takes_what_arrives_in_it_and_stops_at_its_end_or_when_full() {
        let (tx, rx) = async_channel::unbounded();
        let sender = std::thread::spawn(move || {
            for i in 0..4 {
                tx.try_send(i).expect("sends");
                std::thread::sleep(Duration::from_millis(30));
            }
            // Arrives long after the window below has closed.
            std::thread::sleep(Duration::from_millis(600));
            let _ = tx.try_send(99);
        });
        let mut batch = Vec::new();
        let started = Instant::now();
        gather(
            &rx,
            &mut batch,
            10,
            Some(started + Duration::from_millis(400)),
        );
        assert_eq!(batch, vec![0, 1, 2, 3]);
        assert!(started.elapsed() >= Duration::from_millis(400));
        batch.clear();
        gather(
            &rx,
            &mut batch,
            1,
            Some(Instant::now() + Duration::from_secs(60)),
        );
        assert_eq!(batch, vec![99], "a full batch ends the window");
        sender.join().expect("sender ends");
    }

    #[test]
    fn a_window_already_past_waits_for_nothing() {
        let (_tx, rx) = async_channel::unbounded::<u32>();
        let mut batch = Vec::new();
        let started = Instant::now();
        gather(&rx, &mut batch, 10, Some(started));
        assert!(batch.is_empty());
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
