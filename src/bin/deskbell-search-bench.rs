//! `deskbell-search-bench`: the search benchmark of issue #15, offline (no network at
//! all). It fills a fresh data directory through the real writer (group commits,
//! `Durability::Immediate`, the same ops the hub sends) with a bounded number of
//! messages, reports the durable messages per second with the search index written in
//! each commit or not (`--no-index`: then it also times the start-up pass that indexes
//! them afterwards), and times a fixed set of queries through `Store::search`, the call
//! `GET /api/v1/search` makes on the reader pool (p50/p95/max per query and overall):
//! right after writing, with the index's recent part as full as the burst left it, or
//! with `--settle` once the idle writer has merged it into the main postings.
//! `docs/BENCHMARKS.md` ("Issue #15: search") has the command and the figures.

#[path = "deskbell_search_bench/corpus.rs"]
mod corpus;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argh::FromArgs;
use deskbell::store::search_read::SearchRequest;
use deskbell::store::values::{StoredAuthorKind, StoredStatus};
use deskbell::store::{NewMessage, Store, StoreError, WriteOp, WriterConfig, writer};

/// Most messages a run may write.
const MAX_MESSAGES: u64 = 5_000_000;
/// Ops in flight to the writer (the hub keeps many more while busy).
const IN_FLIGHT: usize = 4096;
/// Longest `--settle` waits for the idle writer's merges.
const SETTLE_LIMIT: Duration = Duration::from_secs(600);

/// Fill a data directory with chat messages and time search queries over it.
#[derive(FromArgs)]
struct Args {
    /// the data directory: must not exist yet, unless --queries-only
    #[argh(option)]
    data: PathBuf,
    /// messages to write (at most 5,000,000; default 1,000,000)
    #[argh(option, default = "1_000_000")]
    messages: u64,
    /// messages per conversation (default 20)
    #[argh(option, default = "20")]
    per_conversation: u64,
    /// write without the search index, then time the start-up pass that builds it
    #[argh(switch)]
    no_index: bool,
    /// after writing, leave the writer idle until it has merged the index's segments
    /// into the main postings (as a server does between bursts), then time the queries
    #[argh(switch)]
    settle: bool,
    /// only time the queries over an existing directory
    #[argh(switch)]
    queries_only: bool,
    /// runs of each query (default 20)
    #[argh(option, default = "20")]
    runs: usize,
    /// redb's page cache in MB (default 16, as `serve --cache-mb`)
    #[argh(option, default = "16")]
    cache_mb: usize,
}

fn text_message(body: String, at_ms: u64, visitor: bool, id: u64) -> NewMessage {
    NewMessage {
        attachments: Vec::new(),
        author_kind: if visitor {
            StoredAuthorKind::Visitor
        } else {
            StoredAuthorKind::Agent
        },
        author_id: if visitor { id } else { 1 },
        author_name: String::new(),
        body,
        client_id: None,
        event: None,
        at_ms,
    }
}

/// Writes the messages; returns the seconds it took.
fn fill(store: &Store, args: &Args) -> Result<f64, StoreError> {
    let metrics = Arc::new(deskbell::metrics::Metrics::new());
    let config = WriterConfig {
        search_index: !args.no_index,
        ..WriterConfig::default()
    };
    let (handle, thread) = writer::spawn(
        store.db().clone(),
        store.outbox_gate().clone(),
        config,
        metrics,
    )?;
    let per = args.per_conversation.max(1);
    let conversations = args.messages.div_ceil(per);
    let (done_tx, done_rx) = async_channel::bounded::<Result<(), StoreError>>(IN_FLIGHT);
    let started = Instant::now();
    let mut rng = corpus::Rng::new(15);
    let mut sent = 0u64;
    let mut answered = 0u64;
    let mut last_report = Instant::now();
    smol::block_on(async {
        // Message n of every conversation, round by round: each conversation exists
        // before its second message is sent.
        for n in 0..per {
            for c in 1..=conversations {
                if sent >= args.messages {
                    break;
                }
                let at_ms = 1_790_000_000_000 + sent;
                let body = corpus::message(&mut rng, c, n == 0);
                let message = text_message(body, at_ms, n % 2 == 0, c);
                let op = match n {
                    0 => WriteOp::OpenConversation {
                        conversation: c,
                        status: StoredStatus::Closed,
                        visitor: c,
                        site: "shop".into(),
                        message,
                        visitor_details: None,
                    },
                    _ => WriteOp::Append {
                        conversation: c,
                        message,
                    },
                };
                while sent - answered >= IN_FLIGHT as u64 {
                    done_rx.recv().await.map_err(|_| StoreError::Closed)??;
                    answered += 1;
                }
                let tx = done_tx.clone();
                handle
                    .submit(
                        op,
                        Box::new(move |r| {
                            let _ = tx.try_send(r.map(|_| ()));
                        }),
                    )
                    .await?;
                sent += 1;
                if last_report.elapsed() > Duration::from_secs(10) {
                    last_report = Instant::now();
                    let secs = started.elapsed().as_secs_f64();
                    println!(
                        "  {answered} messages durable, {:.0} msg/s",
                        answered as f64 / secs
                    );
                }
            }
        }
        while answered < sent {
            done_rx.recv().await.map_err(|_| StoreError::Closed)??;
            answered += 1;
        }
        Ok::<(), StoreError>(())
    })?;
    let secs = started.elapsed().as_secs_f64();
    if args.settle {
        settle(store)?;
    }
    handle.close();
    let _ = thread.join();
    Ok(secs)
}

/// Waits (at most [`SETTLE_LIMIT`]) while the idle writer merges the index's segments
/// into the main postings, and reports how long that took.
fn settle(store: &Store) -> Result<(), StoreError> {
    let started = Instant::now();
    while store.search_recent_sizes()?.segments > 0 && started.elapsed() < SETTLE_LIMIT {
        std::thread::sleep(Duration::from_millis(250));
    }
    println!(
        "the idle writer merged the segments in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs the start-up pass to the end; returns (messages indexed, seconds).
fn index_pass(store: &Store) -> Result<(u64, f64), StoreError> {
    let metrics = Arc::new(deskbell::metrics::Metrics::new());
    let (handle, thread) = writer::spawn(
        store.db().clone(),
        store.outbox_gate().clone(),
        WriterConfig::default(),
        metrics,
    )?;
    let started = Instant::now();
    let (_stop_tx, stop_rx) = async_channel::bounded::<()>(1);
    let totals = smol::block_on(deskbell::indexing::run(handle.clone(), stop_rx));
    let secs = started.elapsed().as_secs_f64();
    handle.close();
    let _ = thread.join();
    Ok((totals.messages, secs))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn queries(store: &Store, runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    println!("| query | what | results | p50 ms | p95 ms | max ms |");
    println!("|---|---|---|---|---|---|");
    let mut all = Vec::new();
    for (q, what) in corpus::queries() {
        let request = SearchRequest {
            terms: deskbell::search::query::parse(&q)?,
            filter: Default::default(),
            offset: 0,
            limit: 20,
        };
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..runs.max(1) {
            let started = Instant::now();
            let found = store.search(&request)?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            hits = found.hits.len();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| `{q}` | {what} | {hits} | {:.1} | {:.1} | {:.1} |",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            times.last().copied().unwrap_or(0.0)
        );
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    println!(
        "all {} queries: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        all.last().copied().unwrap_or(0.0)
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Args = argh::from_env();
    if args.messages > MAX_MESSAGES {
        return Err(format!("--messages is at most {MAX_MESSAGES}").into());
    }
    if !args.queries_only && args.data.exists() {
        return Err(format!("{} exists: give a new directory", args.data.display()).into());
    }
    let cache = args.cache_mb.clamp(1, 65_536) * 1024 * 1024;
    let store = Store::open_with_faults(&args.data, None, cache)?;
    if !args.queries_only {
        println!(
            "writing {} messages, search index {}",
            args.messages,
            if args.no_index { "off" } else { "on" }
        );
        let secs = fill(&store, &args)?;
        println!(
            "wrote {} messages in {secs:.1} s: {:.0} durable msg/s",
            args.messages,
            args.messages as f64 / secs
        );
        if args.no_index {
            let (messages, secs) = index_pass(&store)?;
            println!(
                "start-up pass indexed {messages} messages in {secs:.1} s: {:.0} msg/s",
                messages as f64 / secs
            );
        }
        let size = std::fs::metadata(store.path())?.len();
        println!("data file: {:.0} MB", size as f64 / 1e6);
    }
    let recent = store.search_recent_sizes()?;
    println!(
        "search index's recent part: {} rows, {} segments holding {} postings",
        recent.rows, recent.segments, recent.segment_postings
    );
    queries(&store, args.runs)?;
    Ok(())
}
