//! Measures redb's `quick_repair` trade-off through deskbell's own writer: durable
//! message throughput with and without it, and how long reopening takes after the
//! process is killed with SIGKILL mid-write (redb repairs the file on the next open).
//!
//! Run: `cargo run --release --example repair_bench -- [messages]` (default 1,000,000
//! messages before the kill). Writes only to a temporary directory; bounded in time.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use deskbell::metrics::Metrics;
use deskbell::protocol::AuthorKind;
use deskbell::store::{NewMessage, Store, WriteOp, WriterConfig, writer};

const BODY: &str = "Hello! Do you ship to Norway, and how long does it usually take? I would like to order \
                    two pairs of the blue running shoes in size 42 before the end of the month.";

fn message(i: u64) -> NewMessage {
    NewMessage {
        attachments: Vec::new(),
        author_kind: AuthorKind::Visitor.into(),
        author_id: i % 1000,
        author_name: String::new(),
        body: BODY[..160].to_string(),
        client_id: Some(format!("c{i}")),
        event: None,
        at_ms: 1_795_000_000_000 + i,
    }
}

/// Writes messages through the writer with `producers` in flight for `duration` or until
/// `limit`; returns messages stored.
fn write_for(
    dir: &std::path::Path,
    quick_repair: bool,
    duration: Duration,
    first: u64,
    limit: u64,
) -> u64 {
    let store = Store::open(dir).expect("open");
    let config = WriterConfig {
        quick_repair,
        ..WriterConfig::default()
    };
    let (writer, thread) = writer::spawn(
        store.db().clone(),
        store.outbox_gate().clone(),
        config,
        Arc::new(Metrics::new()),
    )
    .expect("writer");
    for conversation in 1..=1000u64 {
        let op = WriteOp::OpenConversation {
            status: deskbell::protocol::ConversationStatus::Queued.into(),
            conversation,
            visitor: conversation,
            site: "default".into(),
            message: message(conversation),
            visitor_details: None,
        };
        let _ = writer.call_blocking(op);
    }
    let deadline = Instant::now() + duration;
    let next = Arc::new(std::sync::atomic::AtomicU64::new(first));
    let executor = smol::Executor::new();
    let done = smol::block_on(executor.run(async {
        let mut tasks = Vec::new();
        for _ in 0..512 {
            let writer = writer.clone();
            let next = next.clone();
            tasks.push(executor.spawn(async move {
                let mut stored = 0u64;
                while Instant::now() < deadline {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= limit {
                        break;
                    }
                    let op = WriteOp::Append {
                        conversation: 1 + i % 1000,
                        message: message(i + 1000),
                    };
                    if writer.call(op).await.is_ok() {
                        stored += 1;
                    }
                }
                stored
            }));
        }
        let mut total = 0;
        for task in tasks {
            total += task.await;
        }
        total
    }));
    writer.close();
    let _ = thread.join();
    done
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("victim") {
        // Child: write until killed.
        let dir = std::path::PathBuf::from(&args[2]);
        let quick = args[3] == "true";
        write_for(&dir, quick, Duration::from_secs(600), 1 << 40, u64::MAX);
        return;
    }
    let messages: u64 = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    for quick in [false, true] {
        let dir = tempfile::tempdir().expect("tempdir");
        let started = Instant::now();
        let stored = write_for(dir.path(), quick, Duration::from_secs(10), 0, u64::MAX);
        let rate = stored as f64 / started.elapsed().as_secs_f64();
        println!(
            "quick_repair={quick}: {rate:.0} durable msg/s (10 s, 512 producers, batches up to 256)"
        );

        // Fill to `messages`, then keep writing in a child and kill it mid-write.
        let dir = tempfile::tempdir().expect("tempdir");
        write_for(dir.path(), quick, Duration::from_secs(400), 0, messages);
        let exe = std::env::current_exe().expect("exe");
        let mut child = Command::new(exe)
            .args([
                "victim",
                &dir.path().display().to_string(),
                &quick.to_string(),
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("victim");
        std::thread::sleep(Duration::from_secs(3));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let reopen = Instant::now();
        let store = Store::open(dir.path()).expect("reopens after SIGKILL");
        let took = reopen.elapsed();
        let total: u64 = (1..=1000)
            .map(|c| store.last_message(c).map(|(seq, _)| seq).unwrap_or(0))
            .sum();
        println!(
            "quick_repair={quick}: reopen after SIGKILL took {:.1} ms ({total} messages in the file)",
            took.as_secs_f64() * 1000.0
        );
    }
}
