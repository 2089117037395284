//! Scenario (b), throughput: many visitors each send a message and wait for its ack
//! (closed loop) while agents receive everything; reports durable messages per second.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_lite::future;
use smol::Executor;
use smol::lock::Semaphore;

use super::probe::Snapshot;
use super::run::{AgentTeam, Gate, wait_for};
use super::stats::{Samples, Window};
use super::text::Bodies;
use super::visitor::{self, Answer};
use super::ws::{self, Epoch};

/// Settings of a throughput run.
pub struct Throughput {
    /// Server address.
    pub addr: SocketAddr,
    /// The server's data directory (for the setup code), if it is fresh.
    pub data_dir: Option<PathBuf>,
    /// The server's pid, for its CPU use (optional).
    pub server_pid: Option<u32>,
    /// Visitor connections, one conversation each.
    pub connections: usize,
    /// Agent connections receiving the messages.
    pub agents: usize,
    /// Measured seconds.
    pub duration_secs: u64,
    /// Message body length in bytes.
    pub body_bytes: usize,
    /// Vocabulary of the message texts (0: the fixed phrase; `super::text`).
    pub words: usize,
    /// Handshakes in flight at once.
    pub concurrency: usize,
    /// Setup time limit.
    pub setup_limit: Duration,
}

/// Everything a visitor task shares with the others.
struct Shared {
    /// Server address.
    addr: SocketAddr,
    /// Time origin of the run.
    epoch: Epoch,
    /// Acks received inside it are counted.
    window: Arc<Window>,
    /// The message bodies the visitors send.
    bodies: Bodies,
    /// Bounds handshakes in flight.
    permits: Arc<Semaphore>,
    /// Visitors whose conversation is open.
    ready: AtomicUsize,
    /// Visitors that failed.
    failed: AtomicUsize,
    /// Opens when the measured phase starts.
    start: Gate,
    /// Opens when the run is over.
    stop: Gate,
}

/// What one visitor saw inside the window.
#[derive(Default)]
struct Tally {
    /// Acks received inside the window.
    acks: u64,
    /// Sends refused with an error frame.
    refused: u64,
    /// Send → ack times of the counted acks.
    latency: Samples,
}

async fn visitor(shared: Arc<Shared>, index: usize) -> Tally {
    let mut tally = Tally::default();
    let opened = visitor::open(
        shared.addr,
        &shared.permits,
        shared.epoch,
        index,
        shared.bodies.get(index, 0),
    );
    let mut socket = match opened.await {
        Ok(socket) => socket,
        Err(e) => {
            if shared.failed.fetch_add(1, Ordering::Relaxed) < 5 {
                eprintln!("  visitor {index} failed: {e}");
            }
            return tally;
        }
    };
    shared.ready.fetch_add(1, Ordering::Relaxed);
    shared.start.wait().await;
    let end = shared.window.end();
    for n in 1.. {
        let sent = shared.epoch.us();
        if sent >= end {
            break;
        }
        let id = ws::client_id(index, n, sent);
        let exchange = async {
            visitor::say(&mut socket, id.clone(), shared.bodies.get(index, n)).await?;
            visitor::answer(&mut socket, &id).await
        };
        let stopped = async {
            shared.stop.wait().await;
            Err("stopped while waiting for an ack".to_string())
        };
        let answer = future::or(exchange, stopped).await;
        let now = shared.epoch.us();
        match answer {
            Ok(Answer::Acked) if shared.window.contains(now) => {
                tally.acks += 1;
                tally.latency.record(now - sent);
            }
            Ok(Answer::Acked) => {}
            Ok(Answer::Refused(_)) => tally.refused += 1,
            Err(e) => {
                if now < end && shared.failed.fetch_add(1, Ordering::Relaxed) < 5 {
                    eprintln!("  visitor {index}: {e}");
                }
                break;
            }
        }
    }
    tally
}

/// Runs the scenario and prints its report.
pub async fn run(ex: Arc<Executor<'static>>, t: Throughput) -> Result<(), String> {
    let epoch = Epoch::now();
    let window = Arc::new(Window::default());
    let stop = Gate::new();
    eprintln!(
        "throughput: {} visitors, {} agents, {} s, {}-byte bodies",
        t.connections, t.agents, t.duration_secs, t.body_bytes
    );
    let team = AgentTeam::start(
        &ex,
        t.addr,
        t.data_dir.as_deref(),
        t.agents,
        t.connections,
        epoch,
        window.clone(),
        stop.clone(),
    )
    .await?;
    let shared = Arc::new(Shared {
        addr: t.addr,
        epoch,
        window: window.clone(),
        bodies: match t.words {
            0 => Bodies::phrase(t.body_bytes),
            words => Bodies::words(t.body_bytes, words),
        },
        permits: Arc::new(Semaphore::new(t.concurrency)),
        ready: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        start: Gate::new(),
        stop: stop.clone(),
    });
    let tasks: Vec<_> = (0..t.connections)
        .map(|i| ex.spawn(visitor(shared.clone(), i)))
        .collect();
    let n = t.connections;
    let warm = wait_for(
        "conversations open and synced by agents",
        t.setup_limit,
        || {
            let (r, f, s) = (
                shared.ready.load(Ordering::Relaxed),
                shared.failed.load(Ordering::Relaxed),
                team.synced(),
            );
            (
                (r + f >= n && s >= r) || f > 0 || team.failed() > 0,
                format!("{r}/{n} visitors ready, {f} failed, {s} synced"),
            )
        },
    )
    .await;
    let failed = shared.failed.load(Ordering::Relaxed) + team.failed();
    if warm.is_err() || failed > 0 {
        stop.open();
        shared.start.open();
        return Err(warm
            .err()
            .unwrap_or_else(|| format!("{failed} visitor or agent connections failed")));
    }
    let secs = t.duration_secs;
    let before = Snapshot::take(t.addr, t.server_pid)?;
    window.open(epoch.us(), secs * 1_000_000);
    shared.start.open();
    eprintln!("throughput: measuring for {secs} s");
    smol::Timer::after(Duration::from_secs(secs)).await;
    let after = Snapshot::take(t.addr, t.server_pid)?;
    // Let the last round trips finish, then stop whatever is still waiting.
    let mut tallies = Vec::new();
    let joined = async {
        for task in tasks {
            tallies.push(task.await);
        }
    };
    let give_up = async {
        smol::Timer::after(Duration::from_secs(10)).await;
    };
    future::or(joined, give_up).await;
    stop.open();
    let agents = team.finish().await?;
    let (mut acks, mut refused, mut latency) = (0, 0, Samples::default());
    for tally in tallies {
        acks += tally.acks;
        refused += tally.refused;
        latency.merge(tally.latency);
    }
    let rate = acks as f64 / secs as f64;
    println!(
        "scenario=throughput visitors={} agents={} duration={secs}s body={}B words={}",
        t.connections, t.agents, t.body_bytes, t.words
    );
    println!("  acks: {acks} in {secs} s = {rate:.0} durable messages/s; refused {refused}");
    println!("  ack latency (closed loop): {}", latency.summary());
    println!(
        "  delivered to agents: {} ({:.0}/s), delivery latency {}",
        agents.delivered,
        agents.delivered as f64 / secs as f64,
        agents.delivery.summary()
    );
    before.print_delta(&after, secs as f64);
    println!(
        "RESULT throughput msgs_per_sec={rate:.0} target=20000 {}",
        if rate >= 20_000.0 { "MET" } else { "MISSED" }
    );
    Ok(())
}
