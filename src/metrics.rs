//! Process metrics: lock-free counters, gauges and histograms shared as
//! `Arc<Metrics>`, rendered in the Prometheus text exposition format 0.0.4.
//!
//! Updates are single relaxed atomic operations, cheap from any task or thread
//! (including the storage writer thread). Rendering reads each atomic once; a
//! scrape taken during updates may mix slightly different instants, which
//! Prometheus tolerates.

mod outbox;
mod primitives;
mod responder;

pub use outbox::OutboxMetrics;
pub use responder::ResponderMetrics;

pub use primitives::{Counter, Gauge, Histogram, Scale};

use primitives::{write_counter, write_gauges, write_histogram};
use std::fmt;

/// `Content-Type` of a [`Metrics::render`] response.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Bucket bounds for messages per group commit (plain numbers).
pub const BATCH_SIZE_BUCKETS: [u64; 11] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/// Bucket bounds for latencies, in microseconds: 0.25 ms to 1 s.
pub const LATENCY_BUCKETS_US: [u64; 12] = [
    250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
];

/// Every metric deskbell exports. Create one, wrap it in an `Arc`, and pass it on.
#[derive(Debug)]
pub struct Metrics {
    /// Open visitor connections (`deskbell_connections{role="visitor"}`).
    pub connections_visitor: Gauge,
    /// Open agent connections (`deskbell_connections{role="agent"}`).
    pub connections_agent: Gauge,
    /// Chat messages durably committed (`deskbell_messages_total`).
    pub messages_total: Counter,
    /// Sends recognised as retries and deduplicated (`deskbell_messages_duplicate_total`).
    pub messages_duplicate_total: Counter,
    /// Frames refused as malformed, oversized or not allowed (`deskbell_frames_rejected_total`).
    pub frames_rejected_total: Counter,
    /// Messages per group commit (`deskbell_commit_batch_size`, plain numbers).
    pub commit_batch_size: Histogram,
    /// Latency of one group commit in µs (`deskbell_commit_seconds`).
    pub commit_seconds: Histogram,
    /// One merge step of the recent parts (the search index's and the messages'), in µs
    /// (`deskbell_index_merge_seconds`; `store::writer_merge`).
    pub index_merge_seconds: Histogram,
    /// Merge steps refused for a reason other than the storage
    /// (`deskbell_merge_failures_total`): the recent parts stay as they were, and the
    /// step is tried again.
    pub merge_failures_total: Counter,
    /// Send frame received → ack queued to the client, in µs (`deskbell_ack_seconds`).
    pub ack_seconds: Histogram,
    /// Conversations waiting for an agent (`deskbell_queue_length`).
    pub queue_length: Gauge,
    /// Conversations not yet closed (`deskbell_open_conversations`).
    pub open_conversations: Gauge,
    /// Agents online to take new conversations (`deskbell_agents_online`).
    pub agents_online: Gauge,
    /// Failed login attempts (`deskbell_logins_failed_total`).
    pub logins_failed_total: Counter,
    /// 1 while the database accepts writes, 0 while the data directory is failing
    /// (full or read-only) and the writer is reopening it (`deskbell_storage_ok`).
    pub storage_ok: Gauge,
    /// FAQ answers the bot sent (`deskbell_bot_answers_total`).
    pub bot_answers_total: Counter,
    /// Greetings, thanks and goodbyes the bot answered (`deskbell_bot_small_talk_total`).
    pub bot_small_talk_total: Counter,
    /// Conversations the bot handed to the agents (`deskbell_bot_handoffs_total`).
    pub bot_handoffs_total: Counter,
    /// "That helped" presses (`deskbell_bot_helpful_total`).
    pub bot_helpful_total: Counter,
    /// Visitor messages the bot's worker reached only after the hub's deadline, so it
    /// skipped them and the agents got the conversation (`deskbell_bot_late_total`).
    pub bot_late_total: Counter,
    /// The outbox: deliveries, retries, failures (`deskbell_outbox_*`).
    pub outbox: OutboxMetrics,
    /// External responder calls by outcome (`deskbell_responder_calls_total`).
    pub responder: ResponderMetrics,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// All metrics at zero, with deskbell's bucket layouts.
    pub fn new() -> Self {
        Self {
            connections_visitor: Gauge::default(),
            connections_agent: Gauge::default(),
            messages_total: Counter::default(),
            messages_duplicate_total: Counter::default(),
            frames_rejected_total: Counter::default(),
            commit_batch_size: Histogram::new(&BATCH_SIZE_BUCKETS, Scale::Plain),
            commit_seconds: Histogram::new(&LATENCY_BUCKETS_US, Scale::Micros),
            index_merge_seconds: Histogram::new(&LATENCY_BUCKETS_US, Scale::Micros),
            merge_failures_total: Counter::default(),
            ack_seconds: Histogram::new(&LATENCY_BUCKETS_US, Scale::Micros),
            queue_length: Gauge::default(),
            open_conversations: Gauge::default(),
            agents_online: Gauge::default(),
            logins_failed_total: Counter::default(),
            storage_ok: Gauge::default(),
            bot_answers_total: Counter::default(),
            bot_small_talk_total: Counter::default(),
            bot_handoffs_total: Counter::default(),
            bot_helpful_total: Counter::default(),
            bot_late_total: Counter::default(),
            outbox: OutboxMetrics::default(),
            responder: ResponderMetrics::default(),
        }
    }

    /// The current values in Prometheus text format 0.0.4 (serve with [`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        // Writing into a String cannot fail.
        let _ = self.write_all(&mut out);
        out
    }

    /// Writes every family in a stable order.
    fn write_all(&self, out: &mut String) -> fmt::Result {
        write_gauges(
            out,
            "deskbell_connections",
            "Open WebSocket connections by role.",
            &[
                (r#"role="visitor""#, &self.connections_visitor),
                (r#"role="agent""#, &self.connections_agent),
            ],
        )?;
        write_counter(
            out,
            "deskbell_messages_total",
            "Chat messages durably committed.",
            &self.messages_total,
        )?;
        write_counter(
            out,
            "deskbell_messages_duplicate_total",
            "Sends recognised as retries and deduplicated.",
            &self.messages_duplicate_total,
        )?;
        write_counter(
            out,
            "deskbell_frames_rejected_total",
            "Frames rejected as malformed, oversized or not allowed.",
            &self.frames_rejected_total,
        )?;
        write_histogram(
            out,
            "deskbell_commit_batch_size",
            "Messages per group commit.",
            &self.commit_batch_size,
        )?;
        write_histogram(
            out,
            "deskbell_commit_seconds",
            "Latency of one group commit.",
            &self.commit_seconds,
        )?;
        write_histogram(
            out,
            "deskbell_index_merge_seconds",
            "One merge step of the recent parts (search index, messages) into their main tables.",
            &self.index_merge_seconds,
        )?;
        write_counter(
            out,
            "deskbell_merge_failures_total",
            "Merge steps refused for a reason other than the storage (tried again later).",
            &self.merge_failures_total,
        )?;
        write_histogram(
            out,
            "deskbell_ack_seconds",
            "Time from receiving a send frame to queueing its ack.",
            &self.ack_seconds,
        )?;
        write_gauges(
            out,
            "deskbell_queue_length",
            "Conversations waiting for an agent.",
            &[("", &self.queue_length)],
        )?;
        write_gauges(
            out,
            "deskbell_agents_online",
            "Agents online to take new conversations.",
            &[("", &self.agents_online)],
        )?;
        write_gauges(
            out,
            "deskbell_open_conversations",
            "Conversations not yet closed.",
            &[("", &self.open_conversations)],
        )?;
        write_counter(
            out,
            "deskbell_logins_failed_total",
            "Failed login attempts.",
            &self.logins_failed_total,
        )?;
        write_counter(
            out,
            "deskbell_bot_answers_total",
            "FAQ answers sent by the bot.",
            &self.bot_answers_total,
        )?;
        write_counter(
            out,
            "deskbell_bot_small_talk_total",
            "Greetings, thanks and goodbyes answered by the bot.",
            &self.bot_small_talk_total,
        )?;
        write_counter(
            out,
            "deskbell_bot_handoffs_total",
            "Conversations the bot handed to the agents.",
            &self.bot_handoffs_total,
        )?;
        write_counter(
            out,
            "deskbell_bot_helpful_total",
            "Bot answers the visitor marked as helpful.",
            &self.bot_helpful_total,
        )?;
        write_counter(
            out,
            "deskbell_bot_late_total",
            "Visitor messages the bot reached after its deadline and skipped (the agents got them).",
            &self.bot_late_total,
        )?;
        self.outbox.write(out)?;
        self.responder.write(out)?;
        write_gauges(
            out,
            "deskbell_storage_ok",
            "1 while the database accepts writes, 0 while the data directory is full or read-only.",
            &[("", &self.storage_ok)],
        )
    }
}

#[cfg(test)]
mod tests;
