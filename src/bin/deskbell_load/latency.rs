//! Scenario (c), latency under a fixed offered load: every visitor sends on a schedule
//! (open loop: send times are fixed in advance, whether or not earlier acks came back),
//! and each message is timed from its scheduled send time to its ack at the visitor and
//! to its arrival at the agent.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use deskbell::protocol::{ClientFrame, Send, ServerFrame};
use futures_lite::{StreamExt, future};
use smol::Executor;
use smol::lock::Semaphore;

use super::probe::Snapshot;
use super::run::{AgentTeam, Gate, wait_for};
use super::stats::{Samples, Window};
use super::text::Bodies;
use super::visitor;
use super::ws::{self, Epoch, Incoming};

/// Settings of a latency run.
pub struct Latency {
    /// Server address.
    pub addr: SocketAddr,
    /// The server's data directory (for the setup code), if it is fresh.
    pub data_dir: Option<PathBuf>,
    /// The server's pid, for its CPU use (optional).
    pub server_pid: Option<u32>,
    /// Offered messages per second, over all conversations.
    pub rate: u32,
    /// Conversations (one visitor connection each).
    pub conversations: usize,
    /// Agent connections.
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

/// Everything the visitor tasks share.
struct Shared {
    /// Server address.
    addr: SocketAddr,
    /// Time origin of the run.
    epoch: Epoch,
    /// The measured phase: every scheduled send falls inside it.
    window: Arc<Window>,
    /// The message bodies the visitors send.
    bodies: Bodies,
    /// Bounds handshakes in flight.
    permits: Arc<Semaphore>,
    /// Microseconds between two sends of one visitor.
    period_us: u64,
    /// Microseconds between the first sends of visitors `i` and `i + 1`.
    offset_us: u64,
    /// Visitors whose conversation is open.
    ready: AtomicUsize,
    /// Visitors that failed.
    failed: AtomicUsize,
    /// Messages sent in the measured phase.
    sent: AtomicU64,
    /// Their acks received so far.
    acked: AtomicU64,
    /// Largest delay between a scheduled send time and the actual send, in µs.
    late_us: AtomicU64,
    /// Opens when the measured phase starts.
    start: Gate,
    /// Opens when the run is over.
    stop: Gate,
}

async fn visitor(shared: Arc<Shared>, index: usize) -> (Samples, u64) {
    let mut latency = Samples::default();
    let opened = visitor::open(
        shared.addr,
        &shared.permits,
        shared.epoch,
        index,
        shared.bodies.get(index, 0),
    );
    let socket = match opened.await {
        Ok(socket) => socket,
        Err(e) => {
            if shared.failed.fetch_add(1, Ordering::Relaxed) < 5 {
                eprintln!("  visitor {index} failed: {e}");
            }
            return (latency, 0);
        }
    };
    shared.ready.fetch_add(1, Ordering::Relaxed);
    shared.start.wait().await;
    let (mut tx, mut rx) = socket.split();
    let sender = async {
        let first = shared.window.start() + index as u64 * shared.offset_us;
        let end = shared.window.end();
        let mut n = 0;
        let mut at = first;
        while at < end {
            smol::Timer::at(shared.epoch.at(at)).await;
            n += 1;
            let late = shared.epoch.us().saturating_sub(at);
            shared.late_us.fetch_max(late, Ordering::Relaxed);
            let frame = ClientFrame::Send(Send {
                conversation: None,
                client_id: ws::client_id(index, n, at),
                body: shared.bodies.get(index, n).to_string(),
            });
            if tx.send(ws::message(&frame)).await.is_err() {
                break;
            }
            shared.sent.fetch_add(1, Ordering::Relaxed);
            at += shared.period_us;
        }
    };
    let mut refused = 0;
    let receiver = async {
        loop {
            let next = future::or(async { Some(rx.next().await) }, async {
                shared.stop.wait().await;
                None
            })
            .await;
            let Some(next) = next else { return };
            let frame = match ws::interpret(next) {
                Incoming::Frame(frame) => frame,
                Incoming::Control => continue,
                Incoming::Closed(why) => {
                    if shared.failed.fetch_add(1, Ordering::Relaxed) < 5 {
                        eprintln!("  visitor {index}: {why}");
                    }
                    return;
                }
            };
            match *frame {
                ServerFrame::Ack(a) => {
                    let Some(sent) = ws::sent_us(&a.client_id) else {
                        continue;
                    };
                    shared.acked.fetch_add(1, Ordering::Relaxed);
                    latency.record(shared.epoch.us().saturating_sub(sent));
                }
                ServerFrame::Error(e) if e.client_id.is_some() => refused += 1,
                _ => {}
            }
        }
    };
    future::zip(sender, receiver).await;
    (latency, refused)
}

/// Runs the scenario and prints its report.
pub async fn run(ex: Arc<Executor<'static>>, l: Latency) -> Result<(), String> {
    let epoch = Epoch::now();
    let window = Arc::new(Window::default());
    let stop = Gate::new();
    eprintln!(
        "latency: {} msg/s over {} conversations, {} agents, {} s",
        l.rate, l.conversations, l.agents, l.duration_secs
    );
    let team = AgentTeam::start(
        &ex,
        l.addr,
        l.data_dir.as_deref(),
        l.agents,
        l.conversations,
        epoch,
        window.clone(),
        stop.clone(),
    )
    .await?;
    let n = l.conversations;
    let shared = Arc::new(Shared {
        addr: l.addr,
        epoch,
        window: window.clone(),
        bodies: match l.words {
            0 => Bodies::phrase(l.body_bytes),
            words => Bodies::words(l.body_bytes, words),
        },
        permits: Arc::new(Semaphore::new(l.concurrency)),
        period_us: n as u64 * 1_000_000 / u64::from(l.rate),
        offset_us: 1_000_000 / u64::from(l.rate),
        ready: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        sent: AtomicU64::new(0),
        acked: AtomicU64::new(0),
        late_us: AtomicU64::new(0),
        start: Gate::new(),
        stop: stop.clone(),
    });
    let tasks: Vec<_> = (0..n)
        .map(|i| ex.spawn(visitor(shared.clone(), i)))
        .collect();
    let warm = wait_for(
        "conversations open and synced by agents",
        l.setup_limit,
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
    let secs = l.duration_secs;
    // Start on a clean boundary a moment from now so every sender sees the window.
    let start = epoch.us() + 200_000;
    window.open(start, secs * 1_000_000);
    let before = Snapshot::take(l.addr, l.server_pid)?;
    shared.start.open();
    eprintln!("latency: measuring for {secs} s");
    smol::Timer::at(epoch.at(start + secs * 1_000_000)).await;
    let after = Snapshot::take(l.addr, l.server_pid)?;
    let _ = wait_for("drain", Duration::from_secs(10), || {
        let (s, a) = (
            shared.sent.load(Ordering::Relaxed),
            shared.acked.load(Ordering::Relaxed),
        );
        (a >= s, format!("{a}/{s} acked"))
    })
    .await;
    // Give the agents a moment to receive the last messages too.
    smol::Timer::after(Duration::from_millis(500)).await;
    stop.open();
    let (mut acks, mut refused) = (Samples::default(), 0);
    for task in tasks {
        let (samples, r) = task.await;
        acks.merge(samples);
        refused += r;
    }
    let agents = team.finish().await?;
    let sent = shared.sent.load(Ordering::Relaxed);
    let offered = sent as f64 / secs as f64;
    let acked = acks.len();
    let delivered = agents.delivered;
    let ack = acks.summary();
    let delivery = agents.delivery.summary();
    println!(
        "scenario=latency rate={} conversations={n} agents={} duration={secs}s body={}B words={}",
        l.rate, l.agents, l.body_bytes, l.words
    );
    println!(
        "  sent {sent} ({offered:.0}/s offered), acked {acked}, delivered to agents {delivered}, refused {refused}, \
         largest send lateness {:.1} ms",
        shared.late_us.load(Ordering::Relaxed) as f64 / 1000.0
    );
    println!("  ack latency (scheduled send -> ack at visitor):      {ack}");
    println!("  delivery latency (scheduled send -> agent receives): {delivery}");
    before.print_delta(&after, secs as f64);
    println!(
        "RESULT latency rate={} ack_p50_ms={:.2} ack_p99_ms={:.2} delivery_p50_ms={:.2} delivery_p99_ms={:.2} lost_acks={} lost_deliveries={}",
        l.rate,
        ack.p50_ms,
        ack.p99_ms,
        delivery.p50_ms,
        delivery.p99_ms,
        sent.saturating_sub(acked as u64),
        sent.saturating_sub(delivered),
    );
    Ok(())
}
