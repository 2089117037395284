//! `deskbell-load`: a bounded load generator for a deskbell server on this machine.
//!
//! It speaks the binary (`deskbell.v1.postcard`) protocol to `deskbell serve` over
//! loopback only, and every run stops by itself: counts and durations have hard caps and
//! a watchdog ends the process if a run overstays. `scripts/bench.sh` runs all three
//! scenarios; `docs/BENCHMARKS.md` has the figures.
//!
//! # Layout
//!
//! - `guard`: loopback-only targets, caps, the open-file budget, the watchdog.
//! - `run`: the client executor, start/stop gates, waiting with deadlines, agent teams.
//! - `ws`: WebSocket connections, hellos, client ids that carry their send time.
//! - `visitor`: opening a visitor's conversation, send and wait for the ack.
//! - `agents`: an online agent that syncs its conversations and times deliveries.
//! - `http`: the JSON API (setup, login, agents) over plain blocking HTTP/1.1.
//! - `probe`: server RSS and CPU from `/proc`, and deltas of `/metrics`.
//! - `stats`: latency samples, percentiles, the measurement window.
//! - `text`: the message bodies: one fixed phrase, or chat-like texts drawn from a
//!   vocabulary with Zipf frequencies (`--words`, issue #16).
//! - `idle`, `throughput`, `latency`: the three scenarios of the first benchmark.
//! - `burst`: open and close many connections; does memory go back to idle?
//! - `receiver`, `webhook`: a loopback webhook receiver, and registering it with the
//!   server, for the outbox benchmark.
//! - `bot`: send → bot reply through the visitor path, after saving an FAQ (issue #12).

#[path = "deskbell_load/agents.rs"]
mod agents;
#[path = "deskbell_load/bot.rs"]
mod bot;
#[path = "deskbell_load/burst.rs"]
mod burst;
#[path = "deskbell_load/guard.rs"]
mod guard;
#[path = "deskbell_load/http.rs"]
mod http;
#[path = "deskbell_load/idle.rs"]
mod idle;
#[path = "deskbell_load/latency.rs"]
mod latency;
#[path = "deskbell_load/probe.rs"]
mod probe;
#[path = "deskbell_load/receiver.rs"]
mod receiver;
#[path = "deskbell_load/run.rs"]
mod run;
#[path = "deskbell_load/stats.rs"]
mod stats;
#[path = "deskbell_load/text.rs"]
mod text;
#[path = "deskbell_load/throughput.rs"]
mod throughput;
#[path = "deskbell_load/visitor.rs"]
mod visitor;
#[path = "deskbell_load/ws.rs"]
mod ws;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use argh::FromArgs;

/// deskbell-load: drive a deskbell server on loopback with idle connections,
/// closed-loop throughput or open-loop latency traffic (bounded runs only).
#[derive(FromArgs)]
struct Cli {
    /// server address; must be loopback (default 127.0.0.1:8080)
    #[argh(option, default = "SocketAddr::from(([127, 0, 0, 1], 8080))")]
    addr: SocketAddr,
    /// the server's data directory: on a fresh server the admin is created with the
    /// setup code found there
    #[argh(option)]
    data: Option<PathBuf>,
    /// the server's process id (memory and CPU figures); required for `idle`
    #[argh(option)]
    server_pid: Option<u32>,
    /// load generator executor threads (default 1)
    #[argh(option, default = "1")]
    threads: usize,
    /// handshakes (WebSocket upgrade plus hello) in flight at once (default 64)
    #[argh(option, default = "64")]
    concurrency: usize,
    /// the scenario
    #[argh(subcommand)]
    scenario: Scenario,
}

#[derive(FromArgs)]
#[argh(subcommand)]
enum Scenario {
    Idle(IdleArgs),
    Burst(BurstArgs),
    Throughput(ThroughputArgs),
    Latency(LatencyArgs),
    Receiver(ReceiverArgs),
    Webhook(WebhookArgs),
    Bot(BotArgs),
}

/// save an FAQ, then send messages one at a time, each from a fresh visitor, and report
/// send → bot reply latency (one message in flight: the bot's own latency)
#[derive(FromArgs)]
#[argh(subcommand, name = "bot")]
struct BotArgs {
    /// FAQ file, e.g. tests/fixtures/bot_eval/bakery-en-faq.json
    #[argh(option)]
    faq: PathBuf,
    /// save only its first N entries (default 14)
    #[argh(option, default = "14")]
    entries: usize,
    /// message file, e.g. tests/fixtures/bot_eval/bakery-en-calibration.json
    #[argh(option)]
    messages: PathBuf,
    /// passes over the messages (default 1, at most 10)
    #[argh(option, default = "1")]
    rounds: usize,
}

/// run a webhook receiver on loopback that answers 204 and counts what it gets
#[derive(FromArgs)]
#[argh(subcommand, name = "receiver")]
struct ReceiverArgs {
    /// address to listen on (loopback only)
    #[argh(option)]
    listen: SocketAddr,
    /// seconds to run (at most 600)
    #[argh(option)]
    secs: u64,
}

/// register a webhook endpoint for every event (as the admin; sets the server up first
/// when --data names a fresh one)
#[derive(FromArgs)]
#[argh(subcommand, name = "webhook")]
struct WebhookArgs {
    /// the receiver's URL
    #[argh(option)]
    url: String,
}

/// hold N idle visitor connections and report the server's RSS growth per connection
#[derive(FromArgs)]
#[argh(subcommand, name = "idle")]
struct IdleArgs {
    /// visitor connections (at most 19,500)
    #[argh(option)]
    connections: usize,
    /// seconds to hold them before measuring (default 10, at most 120)
    #[argh(option, default = "10")]
    hold_secs: u64,
}

/// open N visitor connections at once, close them, wait, and report whether the
/// server's RSS and thread count went back to idle
#[derive(FromArgs)]
#[argh(subcommand, name = "burst")]
struct BurstArgs {
    /// visitor connections per burst (at most 19,500)
    #[argh(option)]
    connections: usize,
    /// bursts in a row (default 1, at most 10)
    #[argh(option, default = "1")]
    rounds: usize,
    /// seconds to wait after closing before measuring (default 10, at most 120)
    #[argh(option, default = "10")]
    settle_secs: u64,
}

/// closed loop: visitors send and wait for each ack; reports durable messages/s
#[derive(FromArgs)]
#[argh(subcommand, name = "throughput")]
struct ThroughputArgs {
    /// visitor connections, one conversation each (default 512)
    #[argh(option, default = "512")]
    connections: usize,
    /// agent connections receiving the messages (default 2)
    #[argh(option, default = "2")]
    agents: usize,
    /// measured seconds (default 20, at most 120)
    #[argh(option, default = "20")]
    duration_secs: u64,
    /// message body in bytes (default 180; above 8 KiB the server needs a larger
    /// --max-body-bytes)
    #[argh(option, default = "180")]
    body_bytes: usize,
    /// draw message texts from a vocabulary of this many words with Zipf frequencies
    /// (default 0: every message the same five-word phrase)
    #[argh(option, default = "0")]
    words: usize,
}

/// open loop: a fixed offered rate over many conversations; reports ack and delivery
/// latency percentiles
#[derive(FromArgs)]
#[argh(subcommand, name = "latency")]
struct LatencyArgs {
    /// offered messages per second over all conversations (default 5000)
    #[argh(option, default = "5000")]
    rate: u32,
    /// conversations, one visitor connection each (default 5000)
    #[argh(option, default = "5000")]
    conversations: usize,
    /// agent connections (default 2)
    #[argh(option, default = "2")]
    agents: usize,
    /// measured seconds (default 30, at most 120)
    #[argh(option, default = "30")]
    duration_secs: u64,
    /// message body in bytes (default 180; above 8 KiB the server needs a larger
    /// --max-body-bytes)
    #[argh(option, default = "180")]
    body_bytes: usize,
    /// draw message texts from a vocabulary of this many words with Zipf frequencies
    /// (default 0: every message the same five-word phrase)
    #[argh(option, default = "0")]
    words: usize,
}

/// The longest body `--body-bytes` takes: the server's `--max-body-bytes` ceiling.
const MAX_BODY_BYTES: u64 = 1 << 20;

/// The largest vocabulary `--words` takes.
const MAX_WORDS: u64 = 1_000_000;

/// `--words`: 0 (the fixed phrase) or a vocabulary of 1 to [`MAX_WORDS`] words.
fn check_words(words: usize) -> Result<(), String> {
    match words {
        0 => Ok(()),
        n => guard::check_range("--words", n as u64, MAX_WORDS),
    }
}

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deskbell-load: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    guard::check_target(cli.addr)?;
    guard::check_range("--threads", cli.threads as u64, 8)?;
    guard::check_range("--concurrency", cli.concurrency as u64, 1024)?;
    let setup_limit = Duration::from_secs(guard::SETUP_SECS);
    match &cli.scenario {
        Scenario::Receiver(a) => {
            guard::check_range("--secs", a.secs, 600)?;
            guard::watchdog(Duration::from_secs(a.secs + 30));
            return receiver::run(a.listen, a.secs);
        }
        Scenario::Webhook(a) => {
            guard::watchdog(setup_limit);
            let admin = http::admin(cli.addr, cli.data.as_deref())?;
            return http::webhook(cli.addr, &admin, &a.url);
        }
        _ => {}
    }
    let (connections, secs) = match &cli.scenario {
        Scenario::Idle(a) => (a.connections, a.hold_secs),
        Scenario::Burst(a) => (a.connections, (a.settle_secs + 30) * a.rounds as u64),
        Scenario::Throughput(a) => (a.connections + a.agents, a.duration_secs),
        Scenario::Latency(a) => (a.conversations + a.agents, a.duration_secs),
        Scenario::Receiver(_) | Scenario::Webhook(_) => (1, 1),
        // One connection at a time, for as long as the watchdog allows any run.
        Scenario::Bot(_) => (1, guard::MAX_SECS),
    };
    guard::check_range(
        "connections",
        connections as u64,
        guard::MAX_CONNECTIONS as u64,
    )?;
    guard::check_range("the duration", secs, guard::MAX_SECS)?;
    guard::check_fd_budget(connections)?;
    // Setup, the measured phase, draining and reporting, with room to spare.
    guard::watchdog(setup_limit + Duration::from_secs(secs + 60));
    let (addr, data, pid, threads) = (cli.addr, cli.data, cli.server_pid, cli.threads);
    let concurrency = cli.concurrency;
    match cli.scenario {
        Scenario::Idle(a) => {
            let server_pid = pid.ok_or("idle needs --server-pid (whose memory to measure)")?;
            let idle = idle::Idle {
                addr,
                server_pid,
                connections: a.connections,
                hold_secs: a.hold_secs,
                concurrency,
                setup_limit,
            };
            run::block_on(threads, |ex| idle::run(ex, idle))
        }
        Scenario::Burst(a) => {
            guard::check_range("--rounds", a.rounds as u64, 10)?;
            let server_pid = pid.ok_or("burst needs --server-pid (whose memory to measure)")?;
            let burst = burst::Burst {
                addr,
                server_pid,
                connections: a.connections,
                rounds: a.rounds.max(1),
                settle_secs: a.settle_secs,
                concurrency,
            };
            run::block_on(threads, |ex| burst::run(ex, burst))
        }
        Scenario::Throughput(a) => {
            guard::check_range("--agents", a.agents as u64, guard::MAX_AGENTS as u64)?;
            guard::check_range("--body-bytes", a.body_bytes as u64, MAX_BODY_BYTES)?;
            check_words(a.words)?;
            let t = throughput::Throughput {
                addr,
                data_dir: data,
                server_pid: pid,
                connections: a.connections,
                agents: a.agents,
                duration_secs: a.duration_secs,
                body_bytes: a.body_bytes,
                words: a.words,
                concurrency,
                setup_limit,
            };
            run::block_on(threads, |ex| throughput::run(ex, t))
        }
        Scenario::Latency(a) => {
            guard::check_range("--agents", a.agents as u64, guard::MAX_AGENTS as u64)?;
            guard::check_range("--rate", u64::from(a.rate), u64::from(guard::MAX_RATE))?;
            guard::check_range("--body-bytes", a.body_bytes as u64, MAX_BODY_BYTES)?;
            check_words(a.words)?;
            let l = latency::Latency {
                addr,
                data_dir: data,
                server_pid: pid,
                rate: a.rate,
                conversations: a.conversations,
                agents: a.agents,
                duration_secs: a.duration_secs,
                body_bytes: a.body_bytes,
                words: a.words,
                concurrency,
                setup_limit,
            };
            run::block_on(threads, |ex| latency::run(ex, l))
        }
        Scenario::Bot(a) => {
            guard::check_range("--rounds", a.rounds as u64, 10)?;
            let b = bot::Bot {
                addr,
                data_dir: data,
                faq: a.faq,
                entries: a.entries,
                messages: a.messages,
                rounds: a.rounds.max(1),
            };
            smol::block_on(bot::run(b))
        }
        Scenario::Receiver(_) | Scenario::Webhook(_) => Ok(()),
    }
}
