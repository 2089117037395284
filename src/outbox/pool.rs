//! The delivery threads: a few per sink, so a slow webhook receiver cannot hold up an
//! email. Each thread takes one delivery at a time, calls the sink, and reports back to
//! the outbox thread; a panicking sink becomes a failed attempt, not a lost thread.
//! They run at a lower CPU priority than the chat ([`OUTBOX_NICE`]).

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::sink::{Attempt, Delivery, Sink, SinkId};

/// Deliveries one sink may have in flight (also its threads).
pub const THREADS_PER_SINK: usize = 2;

/// A finished attempt, reported to the outbox thread.
#[derive(Debug)]
pub struct Finished {
    /// The sink.
    pub sink: SinkId,
    /// The job.
    pub job: u64,
    /// How it went.
    pub attempt: Attempt,
}

/// The CPU priority (nice value) of the outbox's threads: deliveries are background
/// work and must not take the CPU from the hub and the writer (on 2 cores, a busy
/// outbox at equal priority tripled the chat's latency).
pub const OUTBOX_NICE: i32 = 10;

/// Lowers the calling thread's CPU priority to [`OUTBOX_NICE`] (Linux: a thread's
/// own nice value; elsewhere nothing). A failure only leaves it as it was.
pub fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let thread = rustix::thread::gettid();
        if let Err(e) = rustix::process::setpriority_process(Some(thread), OUTBOX_NICE) {
            tracing::debug!(error = %e, "could not lower an outbox thread's priority");
        }
    }
}

/// The delivery threads of every sink.
pub struct Pools {
    /// Work queue per sink.
    queues: HashMap<SinkId, async_channel::Sender<Delivery>>,
    /// Deliveries handed out and not yet reported, per sink.
    in_flight: HashMap<SinkId, usize>,
    /// Every delivery thread.
    threads: Vec<JoinHandle<()>>,
}

impl Pools {
    /// Starts [`THREADS_PER_SINK`] threads for each sink; results go to `report`.
    pub fn start(
        sinks: &[Arc<dyn Sink>],
        report: impl Fn(Finished) + Clone + Send + 'static,
    ) -> std::io::Result<Pools> {
        let mut pools = Pools {
            queues: HashMap::new(),
            in_flight: HashMap::new(),
            threads: Vec::new(),
        };
        for sink in sinks {
            let (queue, work) = async_channel::bounded::<Delivery>(THREADS_PER_SINK);
            for i in 0..THREADS_PER_SINK {
                let sink = sink.clone();
                let work = work.clone();
                let report = report.clone();
                let thread = std::thread::Builder::new()
                    .name(format!("deskbell-{}-{i}", sink.id().name()))
                    .spawn(move || {
                        lower_priority();
                        while let Ok(delivery) = work.recv_blocking() {
                            let job = delivery.job;
                            let attempt =
                                catch_unwind(AssertUnwindSafe(|| sink.deliver(&delivery)))
                                    .unwrap_or_else(|_| {
                                        Attempt::Retry {
                                error:
                                    "the delivery failed unexpectedly (a bug); it will be retried"
                                        .into(),
                                status: None,
                                latency_ms: 0,
                            }
                                    });
                            report(Finished {
                                sink: sink.id(),
                                job,
                                attempt,
                            });
                        }
                    });
                match thread {
                    Ok(thread) => pools.threads.push(thread),
                    Err(e) => {
                        pools.stop();
                        return Err(e);
                    }
                }
            }
            pools.queues.insert(sink.id(), queue);
            pools.in_flight.insert(sink.id(), 0);
        }
        Ok(pools)
    }

    /// How many more deliveries `sink` can take now.
    pub fn room(&self, sink: SinkId) -> usize {
        if !self.queues.contains_key(&sink) {
            return 0;
        }
        THREADS_PER_SINK.saturating_sub(self.in_flight.get(&sink).copied().unwrap_or(0))
    }

    /// Hands a delivery to its sink's threads; false when the sink has no room or is gone.
    pub fn send(&mut self, sink: SinkId, delivery: Delivery) -> bool {
        if self.room(sink) == 0 {
            return false;
        }
        let Some(queue) = self.queues.get(&sink) else {
            return false;
        };
        if queue.try_send(delivery).is_err() {
            return false;
        }
        *self.in_flight.entry(sink).or_default() += 1;
        true
    }

    /// A delivery of `sink` was reported back.
    pub fn finished(&mut self, sink: SinkId) {
        if let Some(n) = self.in_flight.get_mut(&sink) {
            *n = n.saturating_sub(1);
        }
    }

    /// Closes the queues and waits for the threads to finish their current delivery.
    pub fn stop(&mut self) {
        self.queues.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}
