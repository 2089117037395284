//! The outbox's metrics: deliveries by sink and outcome, jobs waiting and given up, and
//! events refused because the outbox was full.

use std::fmt::{self, Write};

use super::primitives::{Counter, Gauge, write_gauges, write_header};

/// Sink names in label order (index = `SinkId::code() - 1`).
pub const SINK_LABELS: [&str; 3] = ["webhook", "email", "push"];

/// Outbox metrics, updated by the outbox thread.
#[derive(Debug, Default)]
pub struct OutboxMetrics {
    /// Deliveries accepted by the receiver, per sink (`deskbell_outbox_delivered_total`).
    pub delivered: [Counter; 3],
    /// Failed attempts that will be retried, per sink (`deskbell_outbox_retries_total`).
    pub retried: [Counter; 3],
    /// Deliveries given up, per sink (`deskbell_outbox_given_up_total`).
    pub given_up: [Counter; 3],
    /// Deliveries waiting or in flight (`deskbell_outbox_pending`).
    pub pending: Gauge,
    /// Recorded events not yet planned into deliveries, counted about once a second
    /// (`deskbell_outbox_events_waiting`).
    pub events_waiting: Gauge,
    /// Given-up deliveries kept for the console (`deskbell_outbox_failed`).
    pub failed: Gauge,
    /// Events not recorded because the outbox was full (`deskbell_outbox_refused_total`).
    pub refused: Counter,
}

impl OutboxMetrics {
    /// Writes the outbox families.
    pub(super) fn write(&self, out: &mut String) -> fmt::Result {
        write_per_sink(
            out,
            "deskbell_outbox_delivered_total",
            "Outbox deliveries accepted by their receiver.",
            &self.delivered,
        )?;
        write_per_sink(
            out,
            "deskbell_outbox_retries_total",
            "Outbox delivery attempts that failed and will be retried.",
            &self.retried,
        )?;
        write_per_sink(
            out,
            "deskbell_outbox_given_up_total",
            "Outbox deliveries given up after failing for good or for about 24 hours.",
            &self.given_up,
        )?;
        write_gauges(
            out,
            "deskbell_outbox_pending",
            "Outbox deliveries waiting or in flight.",
            &[("", &self.pending)],
        )?;
        write_gauges(
            out,
            "deskbell_outbox_events_waiting",
            "Recorded events not yet planned into deliveries (planned as deliveries go out).",
            &[("", &self.events_waiting)],
        )?;
        write_gauges(
            out,
            "deskbell_outbox_failed",
            "Given-up outbox deliveries kept for the console.",
            &[("", &self.failed)],
        )?;
        write_header(
            out,
            "deskbell_outbox_refused_total",
            "Events not recorded because the outbox was full.",
            "counter",
        )?;
        writeln!(out, "deskbell_outbox_refused_total {}", self.refused.get())
    }
}

/// Writes a counter family with one sample per sink.
fn write_per_sink(
    out: &mut String,
    name: &str,
    help: &str,
    counters: &[Counter; 3],
) -> fmt::Result {
    write_header(out, name, help, "counter")?;
    for (label, counter) in SINK_LABELS.iter().zip(counters) {
        writeln!(out, "{name}{{sink=\"{label}\"}} {}", counter.get())?;
    }
    Ok(())
}
