//! The external responder's calls by outcome (`deskbell_responder_calls_total`).

use std::fmt::{self, Write};

use super::primitives::{Counter, write_header};

/// Outcome labels in order: a call answered, handed off, timed out, failed, or not
/// made because a limit was reached.
pub const OUTCOMES: [&str; 5] = ["answered", "handoff", "timeout", "error", "limited"];

/// Responder calls, counted by the hub when their outcome arrives.
#[derive(Debug, Default)]
pub struct ResponderMetrics {
    /// One counter per [`OUTCOMES`] label.
    calls: [Counter; 5],
}

impl ResponderMetrics {
    /// Counts one call with outcome `label` (one of [`OUTCOMES`]; others are ignored).
    pub fn count(&self, label: &str) {
        if let Some(i) = OUTCOMES.iter().position(|o| *o == label) {
            self.calls[i].inc();
        }
    }

    /// The count for `label` (tests).
    pub fn get(&self, label: &str) -> u64 {
        OUTCOMES
            .iter()
            .position(|o| *o == label)
            .map_or(0, |i| self.calls[i].get())
    }

    /// Writes the family.
    pub(super) fn write(&self, out: &mut String) -> fmt::Result {
        let name = "deskbell_responder_calls_total";
        write_header(
            out,
            name,
            "External responder calls by outcome (limited: not made, a limit was reached).",
            "counter",
        )?;
        for (label, counter) in OUTCOMES.iter().zip(&self.calls) {
            writeln!(out, "{name}{{outcome=\"{label}\"}} {}", counter.get())?;
        }
        Ok(())
    }
}
