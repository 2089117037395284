//! Small pools of named threads for the blocking work that must stay off the executor
//! threads: storage reads (history replay, hello look-ups, HTTP lists) and password
//! hashing. A fixed number of threads and a bounded job queue: a burst of connections
//! waits in the queue (the caller's `.await` holds it back) instead of spawning a thread
//! per job, so threads and their per-thread allocator arenas stay few and fixed.
//! `App` owns the pools ([`crate::app::App::readers`], [`crate::app::App::hashers`]);
//! the server shuts them down last.
//!
//! Rules a caller keeps: a job never waits on another job of the same pool (with every
//! thread waiting, nothing would run), and [`Readers::shutdown`] is not called from a
//! pool thread. A job that panics does not take its thread down: the panic is caught
//! there and resumed in the task that awaited [`Readers::run`], as `smol::unblock` did.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Jobs a pool's queue holds before [`Readers::run`] waits for room.
pub const QUEUE: usize = 64;

/// One unit of work for a pool thread.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// What a job sends back: its value, or the payload of its panic.
type Outcome<T> = Result<T, Box<dyn Any + Send + 'static>>;

/// A pool of threads running blocking jobs; clones share the pool.
#[derive(Clone)]
pub struct Readers {
    inner: Arc<Inner>,
}

struct Inner {
    /// The job queue (bounded: [`QUEUE`]); closing it stops the threads once it is empty.
    jobs: async_channel::Sender<Job>,
    /// The pool's threads, taken by [`Readers::shutdown`] to join them.
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The last handle is gone: let the threads finish the queue and end.
        self.jobs.close();
    }
}

impl Readers {
    /// Starts `threads` (at least one) threads named `name-0`, `name-1`… sharing a queue of
    /// `queue` jobs (at least one).
    pub fn start(name: &str, threads: usize, queue: usize) -> std::io::Result<Readers> {
        let (jobs, queued) = async_channel::bounded::<Job>(queue.max(1));
        let mut handles = Vec::new();
        for i in 0..threads.max(1) {
            let queued = queued.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || {
                    while let Ok(job) = queued.recv_blocking() {
                        job();
                    }
                });
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    jobs.close();
                    for handle in handles {
                        let _ = handle.join();
                    }
                    return Err(e);
                }
            }
        }
        Ok(Readers {
            inner: Arc::new(Inner {
                jobs,
                threads: Mutex::new(handles),
            }),
        })
    }

    /// Runs `job` on a pool thread and returns its result. Waits while the queue is full.
    /// A panic in `job` is resumed here. After [`Readers::shutdown`] the job runs on the
    /// calling thread (only late stragglers of a stopping server get there).
    pub async fn run<T, F>(&self, job: F) -> T
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (done, result) = async_channel::bounded::<Outcome<T>>(1);
        let boxed: Job = Box::new(move || {
            let outcome = catch_unwind(AssertUnwindSafe(job));
            let _ = done.try_send(outcome);
        });
        if let Err(async_channel::SendError(boxed)) = self.inner.jobs.send(boxed).await {
            boxed();
        }
        match result.recv().await {
            Ok(Ok(value)) => value,
            Ok(Err(panic)) => resume_unwind(panic),
            // Every queued job runs (the threads drain the queue even when it is closed,
            // and a job's panic is caught), so its sender is never dropped unused.
            Err(_) => unreachable!("a reader job was dropped without running"),
        }
    }

    /// Queues `job` without waiting for its end (its result travels by its own means,
    /// e.g. a channel it holds). Waits only while the queue is full.
    pub async fn spawn<F>(&self, job: F)
    where
        F: FnOnce() + Send + 'static,
    {
        let boxed: Job = Box::new(move || {
            // Caught so the thread lives on; the job had nobody to report to.
            if catch_unwind(AssertUnwindSafe(job)).is_err() {
                tracing::error!("a background read panicked");
            }
        });
        if let Err(async_channel::SendError(boxed)) = self.inner.jobs.send(boxed).await {
            boxed();
        }
    }

    /// Number of live threads in the pool (0 after [`Readers::shutdown`]).
    pub fn threads(&self) -> usize {
        self.lock_threads().len()
    }

    /// Stops taking jobs, lets the threads finish the queue, and joins them.
    pub fn shutdown(&self) {
        self.inner.jobs.close();
        let threads = std::mem::take(&mut *self.lock_threads());
        for thread in threads {
            let _ = thread.join();
        }
    }

    fn lock_threads(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        // Only this file locks it, and never across a panic point: keep going regardless.
        self.inner.threads.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_lite::future;

    #[test]
    fn results_come_back() {
        let pool = Readers::start("test-read", 2, 4).expect("starts");
        let sum = future::block_on(pool.run(|| (1..=10).sum::<u32>()));
        assert_eq!(sum, 55);
        let names = future::block_on(pool.run(|| {
            std::thread::current()
                .name()
                .map(str::to_owned)
                .unwrap_or_default()
        }));
        assert!(names.starts_with("test-read-"), "{names}");
        pool.shutdown();
    }

    #[test]
    fn a_panicking_job_neither_kills_the_pool_nor_hangs_the_caller() {
        let pool = Readers::start("test-panic", 1, 4).expect("starts");
        let caught = catch_unwind(AssertUnwindSafe(|| {
            future::block_on(pool.run(|| -> u32 { panic!("a job that fails") }))
        }));
        let payload = caught.expect_err("the panic reaches the caller");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"a job that fails"));
        future::block_on(pool.spawn(|| panic!("a background job that fails")));
        // The one thread is still there and still works.
        assert_eq!(future::block_on(pool.run(|| 7)), 7);
        assert_eq!(pool.threads(), 1);
        pool.shutdown();
    }

    #[test]
    fn a_full_queue_makes_the_caller_wait() {
        let pool = Readers::start("test-full", 1, 1).expect("starts");
        let (release, gate) = async_channel::bounded::<()>(1);
        let (started, running) = async_channel::bounded::<()>(1);
        // Job 1 holds the only thread until released.
        let blocker = {
            let pool = pool.clone();
            std::thread::spawn(move || {
                future::block_on(pool.run(move || {
                    let _ = started.send_blocking(());
                    let _ = gate.recv_blocking();
                    1
                }))
            })
        };
        future::block_on(running.recv()).expect("job 1 runs");
        // Job 2 fills the queue; job 3 finds it full and waits, unsent.
        let mut second = Box::pin(pool.run(|| 2));
        assert!(future::block_on(future::poll_once(&mut second)).is_none());
        let mut third = Box::pin(pool.run(|| 3));
        assert!(future::block_on(future::poll_once(&mut third)).is_none());
        assert_eq!(pool.inner.jobs.len(), 1, "only job 2 is queued");
        let _ = release.send_blocking(());
        assert_eq!(blocker.join().expect("joins"), 1);
        assert_eq!(future::block_on(second), 2);
        assert_eq!(future::block_on(third), 3);
        pool.shutdown();
    }

    #[test]
    fn shutdown_finishes_the_queue_and_joins_the_threads() {
        let pool = Readers::start("test-stop", 3, 8).expect("starts");
        assert_eq!(pool.threads(), 3);
        let (tx, rx) = async_channel::unbounded();
        for i in 0..5 {
            let tx = tx.clone();
            future::block_on(pool.spawn(move || {
                let _ = tx.send_blocking(i);
            }));
        }
        pool.shutdown();
        assert_eq!(pool.threads(), 0);
        drop(tx);
        let mut got: Vec<i32> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        got.sort_unstable();
        assert_eq!(got, vec![0, 1, 2, 3, 4]);
        // Late jobs still get an answer, on the caller's thread.
        assert_eq!(future::block_on(pool.run(|| 9)), 9);
    }
}
