//! Times a report (`deskbell::reports::compute`, what `GET /api/v1/reports` runs on the
//! read pool) over a data directory of many conversations spread over a year, written
//! offline through deskbell's own writer: each conversation a visitor question, then
//! a bot answer (closed), or a hand-off, an agent's assignment and reply and a close.
//!
//! Run: `cargo run --example report_bench -- [conversations] [runs]` (defaults 100,000
//! and 7). Writes only to a temporary directory; prints the fill time, then p50 and
//! p95 over the runs of a 366-day report and of a 30-day one.

use std::time::Instant;

use deskbell::reports::{Period, compute};
use deskbell::store::values::{StoredAuthorKind, StoredEvent, StoredHandoffReason, StoredStatus};
use deskbell::store::{NewMessage, Store, WriteOp, writer};
use jiff::civil::date;
use jiff::tz::TimeZone;

/// 2026-01-01T00:00:00Z.
const START: u64 = 1_767_225_600_000;
const YEAR: u64 = 365 * 86_400_000;

fn message(
    kind: StoredAuthorKind,
    author: u64,
    body: String,
    event: Option<StoredEvent>,
    at_ms: u64,
) -> NewMessage {
    NewMessage {
        attachments: Vec::new(),
        author_kind: kind,
        author_id: author,
        author_name: String::new(),
        body,
        client_id: None,
        event,
        at_ms,
    }
}

/// The ops of conversation `id` (1-based) out of `n`.
fn conversation(id: u64, n: u64) -> Vec<WriteOp> {
    use StoredAuthorKind::*;
    let at = START + (id - 1) * (YEAR / n);
    let question = format!("Do you have item {} in stock in size {}?", id % 500, id % 7);
    let open = WriteOp::OpenConversation {
        conversation: id,
        status: StoredStatus::Bot,
        visitor: id,
        site: if id.is_multiple_of(5) { "blog" } else { "shop" }.into(),
        message: message(Visitor, id, question, None, at),
        visitor_details: None,
    };
    let status = |status, agent, event, at_ms| WriteOp::ChangeStatus {
        conversation: id,
        status,
        agent,
        message: message(System, 0, String::new(), Some(event), at_ms),
    };
    let append = |m| WriteOp::Append {
        conversation: id,
        message: m,
    };
    let agent = 2 + id % 5;
    if id.is_multiple_of(3) {
        let answer = StoredEvent::BotAnswer {
            faq_id: 1 + id % 40,
        };
        vec![
            open,
            append(message(
                Bot,
                0,
                "We have it.".into(),
                Some(answer),
                at + 900,
            )),
            status(
                StoredStatus::Closed,
                None,
                StoredEvent::Closed { by: 0 },
                at + 3_600_000,
            ),
        ]
    } else {
        let reason = StoredHandoffReason::LowConfidence;
        vec![
            open,
            status(
                StoredStatus::Queued,
                None,
                StoredEvent::HandedOff { reason },
                at + 900,
            ),
            status(
                StoredStatus::Assigned,
                Some(agent),
                StoredEvent::Assigned { agent },
                at + 1_000,
            ),
            append(message(
                Agent,
                agent,
                "Let me check that for you.".into(),
                None,
                at + 60_000 + id % 600_000,
            )),
            append(message(Visitor, id, "Thanks!".into(), None, at + 700_000)),
            status(
                StoredStatus::Closed,
                Some(agent),
                StoredEvent::Closed { by: agent },
                at + 900_000,
            ),
        ]
    }
}

fn percentile(sorted: &[f64], pct: usize) -> f64 {
    let rank = (sorted.len() * pct).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn time_reports(store: &Store, period: &Period, runs: usize, what: &str) {
    let mut ms = Vec::new();
    let mut conversations = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let report = compute(store, period, None).expect("report");
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
        conversations = report.totals.conversations;
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "{what}: {conversations} conversations, p50 {:.0} ms, p95 {:.0} ms over {runs} runs",
        percentile(&ms, 50),
        percentile(&ms, 95)
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    let dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    writer::with_offline_writer(dir.path(), |_, writer| {
        smol::block_on(async {
            for id in 1..=n {
                for op in conversation(id, n) {
                    writer.submit(op, Box::new(|_| {})).await.expect("queued");
                }
            }
        })
    })
    .expect("writer");
    let store = Store::open(dir.path()).expect("opens");
    println!(
        "filled {n} conversations in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let size = std::fs::metadata(dir.path().join(deskbell::store::DB_FILE))
        .map(|m| m.len())
        .unwrap_or(0);
    println!("data file: {} MB", size / 1_000_000);

    let year = Period::new(date(2026, 1, 1), date(2026, 12, 31), TimeZone::UTC).expect("period");
    time_reports(&store, &year, runs, "whole-year report (365 days)");
    let month = Period::new(date(2026, 6, 1), date(2026, 6, 30), TimeZone::UTC).expect("period");
    time_reports(&store, &month, runs, "30-day report");
}
