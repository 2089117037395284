//! Scenario (a), idle connections: opens N visitor connections (hello, welcome), holds
//! them idle, and reports how much the server's resident memory grew per connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_lite::{StreamExt, future};
use smol::Executor;
use smol::lock::Semaphore;

use super::probe::{self, Scrape};
use super::run::{Gate, wait_for};
use super::ws::{self, Incoming};

/// Settings of an idle run.
pub struct Idle {
    /// Server address.
    pub addr: SocketAddr,
    /// The server's process id (its memory is what is measured).
    pub server_pid: u32,
    /// Visitor connections to open.
    pub connections: usize,
    /// Seconds to hold them idle before measuring.
    pub hold_secs: u64,
    /// Handshakes in flight at once.
    pub concurrency: usize,
    /// Setup time limit.
    pub setup_limit: Duration,
}

/// A visitor that connects and then only answers pings until told to stop.
async fn hold(
    addr: SocketAddr,
    permits: Arc<Semaphore>,
    ready: Arc<AtomicUsize>,
    failed: Arc<AtomicUsize>,
    stop: Gate,
) {
    let permit = permits.acquire().await;
    let socket = match ws::visitor(addr, 1024).await {
        Ok((socket, _)) => socket,
        Err(e) => {
            if failed.fetch_add(1, Ordering::Relaxed) < 5 {
                eprintln!("  visitor failed: {e}");
            }
            return;
        }
    };
    drop(permit);
    ready.fetch_add(1, Ordering::Relaxed);
    let mut socket = socket;
    loop {
        let next = future::or(async { Some(socket.next().await) }, async {
            stop.wait().await;
            None
        })
        .await;
        match next.map(ws::interpret) {
            None => return,
            Some(Incoming::Closed(why)) => {
                if failed.fetch_add(1, Ordering::Relaxed) < 5 {
                    eprintln!("  idle visitor dropped: {why}");
                }
                return;
            }
            Some(_) => {}
        }
    }
}

/// Runs the scenario and prints its report.
pub async fn run(ex: Arc<Executor<'static>>, idle: Idle) -> Result<(), String> {
    let pid = idle.server_pid;
    let rss_before = probe::rss_kib(pid)?;
    let cpu_before = probe::cpu_secs(Some(pid));
    eprintln!(
        "idle: opening {} visitor connections (server pid {pid}, RSS {rss_before} KiB)",
        idle.connections
    );
    let permits = Arc::new(Semaphore::new(idle.concurrency));
    let ready = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let stop = Gate::new();
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..idle.connections)
        .map(|_| {
            ex.spawn(hold(
                idle.addr,
                permits.clone(),
                ready.clone(),
                failed.clone(),
                stop.clone(),
            ))
        })
        .collect();
    let n = idle.connections;
    let setup = wait_for("connected", idle.setup_limit, || {
        let (r, f) = (
            ready.load(Ordering::Relaxed),
            failed.load(Ordering::Relaxed),
        );
        (r + f >= n, format!("{r}/{n} ready, {f} failed"))
    })
    .await;
    let open_secs = started.elapsed().as_secs_f64();
    let result = match setup {
        Ok(()) if failed.load(Ordering::Relaxed) == 0 => {
            measure(&idle, rss_before, cpu_before, open_secs, &failed).await
        }
        Ok(()) => Err(format!(
            "{} of {n} connections failed",
            failed.load(Ordering::Relaxed)
        )),
        Err(e) => Err(e),
    };
    stop.open();
    for task in tasks {
        task.await;
    }
    result
}

async fn measure(
    idle: &Idle,
    rss_before: u64,
    cpu_before: Option<f64>,
    open_secs: f64,
    failed: &AtomicUsize,
) -> Result<(), String> {
    let pid = idle.server_pid;
    let rss_connected = probe::rss_kib(pid)?;
    eprintln!("idle: all connected; holding for {} s", idle.hold_secs);
    smol::Timer::after(Duration::from_secs(idle.hold_secs)).await;
    let rss_after = probe::rss_kib(pid)?;
    let peak = probe::peak_rss_kib(pid)?;
    let lost = failed.load(Ordering::Relaxed);
    let scrape = Scrape::fetch(idle.addr)?;
    let gauge = scrape.get("deskbell_connections{role=\"visitor\"}");
    let n = idle.connections as f64;
    let per_conn = (rss_after.saturating_sub(rss_before) * 1024) as f64 / n;
    let cpu = cpu_before
        .zip(probe::cpu_secs(Some(pid)))
        .map(|(a, b)| format!("{:.1} s", b - a))
        .unwrap_or_else(|| "?".into());
    println!("scenario=idle connections={}", idle.connections);
    println!(
        "  opened in {open_secs:.1} s ({:.0}/s), server CPU while opening and holding: {cpu}",
        n / open_secs
    );
    println!("  server visitor connections gauge: {gauge}, dropped while idle: {lost}");
    println!(
        "  server RSS: before {rss_before} KiB, connected {rss_connected} KiB, after {} s idle {rss_after} KiB, peak {peak} KiB",
        idle.hold_secs
    );
    println!(
        "RESULT idle connections={} rss_growth_kib={} bytes_per_connection={per_conn:.0} target_bytes=8192 {}",
        idle.connections,
        rss_after.saturating_sub(rss_before),
        if per_conn <= 8192.0 { "MET" } else { "MISSED" }
    );
    if lost > 0 {
        return Err(format!("{lost} connections dropped while idle"));
    }
    Ok(())
}
