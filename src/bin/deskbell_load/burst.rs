//! Scenario (d), a burst: opens N visitor connections (hello, welcome) at once, closes
//! them all, waits, and reports whether the server's resident memory and thread count
//! went back to where they were before (issue #9: they used to stay up).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use smol::Executor;
use smol::lock::Semaphore;

use super::probe::{self, Scrape};
use super::ws::{self, Socket};

/// RSS growth after a burst that still counts as "back to idle" (10 MiB).
const RSS_SLACK_KIB: u64 = 10 * 1024;

/// Settings of a burst run.
pub struct Burst {
    /// Server address.
    pub addr: SocketAddr,
    /// The server's process id (its memory and threads are what is measured).
    pub server_pid: u32,
    /// Visitor connections opened together.
    pub connections: usize,
    /// Bursts in a row (each opens and closes all connections).
    pub rounds: usize,
    /// Seconds to wait after closing before measuring.
    pub settle_secs: u64,
    /// Handshakes in flight at once.
    pub concurrency: usize,
}

/// What `/proc/<pid>/status` says at one moment.
struct Sample {
    rss_kib: u64,
    threads: u64,
}

fn sample(pid: u32) -> Result<Sample, String> {
    Ok(Sample {
        rss_kib: probe::rss_kib(pid)?,
        threads: probe::threads(pid)?,
    })
}

/// Opens one visitor connection and hands it back, open.
async fn open(
    addr: SocketAddr,
    permits: Arc<Semaphore>,
    failed: Arc<AtomicUsize>,
) -> Option<Socket> {
    let _permit = permits.acquire().await;
    match ws::visitor(addr, 1024).await {
        Ok((socket, _)) => Some(socket),
        Err(e) => {
            if failed.fetch_add(1, Ordering::Relaxed) < 5 {
                eprintln!("  visitor failed: {e}");
            }
            None
        }
    }
}

/// Waits until the server's visitor gauge reads zero (all closes seen), at most `limit`.
async fn wait_closed(addr: SocketAddr, limit: Duration) -> f64 {
    let started = std::time::Instant::now();
    loop {
        let open = Scrape::fetch(addr)
            .map(|s| s.get("deskbell_connections{role=\"visitor\"}"))
            .unwrap_or(f64::NAN);
        if open == 0.0 || started.elapsed() > limit {
            return open;
        }
        smol::Timer::after(Duration::from_millis(200)).await;
    }
}

/// Runs the scenario and prints its report.
pub async fn run(ex: Arc<Executor<'static>>, burst: Burst) -> Result<(), String> {
    let pid = burst.server_pid;
    let idle = sample(pid)?;
    let n = burst.connections;
    println!("scenario=burst connections={n} rounds={}", burst.rounds);
    println!("  idle: RSS {} KiB, threads {}", idle.rss_kib, idle.threads);
    let mut last = None;
    for round in 1..=burst.rounds {
        let permits = Arc::new(Semaphore::new(burst.concurrency));
        let failed = Arc::new(AtomicUsize::new(0));
        let started = std::time::Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|_| ex.spawn(open(burst.addr, permits.clone(), failed.clone())))
            .collect();
        let mut sockets = Vec::with_capacity(n);
        for task in tasks {
            sockets.extend(task.await);
        }
        let open_secs = started.elapsed().as_secs_f64();
        let connected = sample(pid)?;
        let lost = failed.load(Ordering::Relaxed);
        // Closing the sockets is dropping them: what a closed browser tab does.
        drop(sockets);
        let still_open = wait_closed(burst.addr, Duration::from_secs(30)).await;
        smol::Timer::after(Duration::from_secs(burst.settle_secs)).await;
        let after = sample(pid)?;
        println!(
            "  round {round}: {} opened in {open_secs:.1} s ({lost} failed); connected: RSS {} KiB, \
             threads {}; {} s after closing (server still counts {still_open} open): RSS {} KiB, threads {}",
            n - lost,
            connected.rss_kib,
            connected.threads,
            burst.settle_secs,
            after.rss_kib,
            after.threads
        );
        if lost > 0 {
            return Err(format!("{lost} of {n} connections failed"));
        }
        last = Some((connected, after));
    }
    let (connected, after) = last.ok_or("no rounds")?;
    let peak = probe::peak_rss_kib(pid)?;
    let growth = after.rss_kib.saturating_sub(idle.rss_kib);
    let met = growth <= RSS_SLACK_KIB && after.threads <= idle.threads;
    println!(
        "RESULT burst connections={n} rounds={} rss_idle_kib={} rss_connected_kib={} rss_after_kib={} \
         rss_growth_kib={growth} peak_kib={peak} threads_idle={} threads_connected={} threads_after={} \
         target=rss+{RSS_SLACK_KIB}KiB,threads+0 {}",
        burst.rounds,
        idle.rss_kib,
        connected.rss_kib,
        after.rss_kib,
        idle.threads,
        connected.threads,
        after.threads,
        if met { "MET" } else { "MISSED" }
    );
    Ok(())
}
