//! Plumbing shared by the scenarios: the client executor, one-shot gates for "start" and
//! "stop", waiting with a deadline, and bringing agents online.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use smol::Executor;

use super::agents::{self, AgentReport};
use super::http;
use super::stats::Window;
use super::ws::Epoch;

/// Runs `make(executor)` to completion on `threads` executor threads.
pub fn block_on<T, F, Fut>(threads: usize, make: F) -> T
where
    F: FnOnce(Arc<Executor<'static>>) -> Fut,
    Fut: Future<Output = T>,
{
    let executor = Arc::new(Executor::new());
    let (stop, stopped) = async_channel::bounded::<()>(1);
    let helpers: Vec<_> = (1..threads.max(1))
        .map(|_| {
            let ex = executor.clone();
            let stopped = stopped.clone();
            std::thread::spawn(move || smol::block_on(ex.run(async { stopped.recv().await })))
        })
        .collect();
    let out = smol::block_on(executor.run(make(executor.clone())));
    stop.close();
    for helper in helpers {
        let _ = helper.join();
    }
    out
}

/// A one-shot signal many tasks can wait for (closing the channel wakes them all).
#[derive(Clone)]
pub struct Gate(
    /// Waiters wait on this; it never carries a message.
    async_channel::Receiver<()>,
    /// Closing it opens the gate.
    async_channel::Sender<()>,
);

impl Gate {
    /// A closed gate.
    pub fn new() -> Gate {
        let (tx, rx) = async_channel::bounded(1);
        Gate(rx, tx)
    }

    /// Opens the gate for every waiter, now and later.
    pub fn open(&self) {
        self.1.close();
    }

    /// Waits until the gate opens.
    pub async fn wait(&self) {
        let _ = self.0.recv().await;
    }
}

/// Polls `done` every 50 ms until it is true or `limit` passes; prints progress.
pub async fn wait_for(
    what: &str,
    limit: Duration,
    mut done: impl FnMut() -> (bool, String),
) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    let mut last_report = Instant::now();
    loop {
        let (finished, progress) = done();
        if finished {
            eprintln!("  {what}: {progress}");
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "{what}: gave up after {} s at {progress}",
                limit.as_secs()
            ));
        }
        if last_report.elapsed() >= Duration::from_secs(2) {
            eprintln!("  {what}: {progress}");
            last_report = Instant::now();
        }
        smol::Timer::after(Duration::from_millis(50)).await;
    }
}

/// Agents brought online for a scenario.
pub struct AgentTeam {
    /// One task per agent connection.
    pub tasks: Vec<smol::Task<Result<AgentReport, String>>>,
    /// Agent connections welcomed so far.
    pub online: Arc<AtomicUsize>,
    /// Conversations the agents have synced (and so receive live).
    pub synced: Arc<AtomicUsize>,
    /// Agent connections that ended with an error.
    pub failed: Arc<AtomicUsize>,
}

impl AgentTeam {
    /// Creates `count` agents sharing `conversations` between them (with room to spare),
    /// logs them in and connects them.
    #[allow(clippy::too_many_arguments)]
    pub async fn start(
        ex: &Arc<Executor<'static>>,
        addr: SocketAddr,
        data_dir: Option<&Path>,
        count: usize,
        conversations: usize,
        epoch: Epoch,
        window: Arc<Window>,
        stop: Gate,
    ) -> Result<AgentTeam, String> {
        let capacity = (conversations / count + 1) * 2;
        let data_dir = data_dir.map(Path::to_path_buf);
        let tokens = smol::unblock(move || -> Result<Vec<String>, String> {
            let admin = http::admin(addr, data_dir.as_deref())?;
            (0..count)
                .map(|i| http::agent(addr, &admin, &format!("bench-agent-{i}"), capacity as u32))
                .collect()
        })
        .await?;
        let synced = Arc::new(AtomicUsize::new(0));
        let online = Arc::new(AtomicUsize::new(0));
        let failed = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for token in tokens {
            let online = agents::Online {
                addr,
                token,
                epoch,
                window: window.clone(),
                online: online.clone(),
                synced: synced.clone(),
                failed: failed.clone(),
                stop: stop.clone(),
            };
            tasks.push(ex.spawn(agents::run(online)));
        }
        let team = AgentTeam {
            tasks,
            online,
            synced,
            failed,
        };
        wait_for("agents online", Duration::from_secs(30), || {
            let n = team.online.load(Ordering::Relaxed);
            (n >= count || team.failed() > 0, format!("{n}/{count}"))
        })
        .await?;
        if team.failed() > 0 {
            return Err("an agent connection failed".into());
        }
        Ok(team)
    }

    /// Conversations synced so far.
    pub fn synced(&self) -> usize {
        self.synced.load(Ordering::Relaxed)
    }

    /// Agent connections that failed so far.
    pub fn failed(&self) -> usize {
        self.failed.load(Ordering::Relaxed)
    }

    /// Waits for every agent task (after the stop gate opened) and merges their reports.
    pub async fn finish(self) -> Result<AgentReport, String> {
        let mut total = AgentReport::default();
        for task in self.tasks {
            total.merge(task.await?);
        }
        Ok(total)
    }
}
