//! Reports (issue #15): how the shop is doing over a period of whole days in its time
//! zone, computed when asked from the stored conversations and messages through one
//! read ([`crate::store::Store::scan_conversations`]): nothing is precomputed, so a
//! report is exact for the snapshot it read. One pass over the conversations created
//! in the period feeds [`tally::Tally`]; [`compute`] adds agent names and FAQ
//! questions. Runs on a read-pool thread (`GET /api/v1/reports`, `crate::http`).
//!
//! What each figure means (also `docs/API.md`, "Reports"):
//! - A conversation belongs to the period when it was *created* in it.
//! - **agent**: an agent took part (was assigned, took a transfer, or replied).
//!   **bot_only**: no agent took part, the bot wrote in it, it was never handed off and
//!   is not waiting in the queue. **handed_off**: the rest (went to the agents, none
//!   took part yet or ever).
//! - **First response**: the visitor's first message → the first agent reply after it
//!   (notes do not count). **Resolution**: creation → the last close, for closed ones.
//!   Medians and p90s are nearest-rank (the smallest value with at least that share
//!   of values at or below it), in milliseconds.
//! - **Deflection**: bot-only conversations that are closed, over all conversations.
//! - **Unanswered questions**: the visitor message before each low-confidence hand-off
//!   (the bot's suggestions to the agents come with it), grouped by normalized text
//!   ([`questions`]).
//! - **Busiest hours**: visitor messages sent in the period, by local weekday and hour.
//! - **CSAT**: [`csat`] (no ratings exist yet: an empty distribution).

pub mod csat;
pub mod csv;
pub mod period;
pub mod questions;
mod tally;

use std::collections::HashMap;

use serde::Serialize;

use crate::store::report_scan::ScanRange;
use crate::store::{Store, StoreError};
pub use period::Period;

/// A whole report: every section.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// What it covers.
    pub period: PeriodView,
    /// Conversations created in the period, by kind.
    pub totals: Counts,
    /// The same per local day, one row for every day of the period.
    pub per_day: Vec<DayRow>,
    /// The visitor's first message → the first agent reply.
    pub first_response: Durations,
    /// Creation → close.
    pub resolution: Durations,
    /// The share the bot resolved without a person.
    pub deflection: Deflection,
    /// Agents who took part, most conversations first.
    pub agents: Vec<AgentRow>,
    /// FAQ entries the bot answered with, most answers first.
    pub faq: Vec<FaqRow>,
    /// Questions the bot could not answer, grouped, most asked first.
    pub unanswered: Vec<QuestionRow>,
    /// Visitors' ratings.
    pub csat: csat::Csat,
    /// Visitor messages by local weekday (rows, Monday first) and hour (columns).
    pub busiest_hours: Vec<[u64; 24]>,
}

/// The period as the report states it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeriodView {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day (inclusive).
    pub until: String,
    /// The shop's time zone (an IANA name, or a fixed offset like `+08:00`).
    pub time_zone: String,
    /// The site it is limited to (None: every site).
    pub site: Option<String>,
}

/// Conversations by kind.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// All of them.
    pub conversations: u64,
    /// Only the bot answered.
    pub bot_only: u64,
    /// Went to the agents; none took part.
    pub handed_off: u64,
    /// An agent took part.
    pub agent: u64,
}

/// One day's conversations.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DayRow {
    /// The local day, `YYYY-MM-DD`.
    pub day: String,
    /// Its counts.
    #[serde(flatten)]
    pub counts: Counts,
}

/// Median and p90 of some durations.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Durations {
    /// How many were measured.
    pub count: u64,
    /// Median (nearest rank), ms; None when none were measured.
    pub median_ms: Option<u64>,
    /// 90th percentile (nearest rank), ms.
    pub p90_ms: Option<u64>,
}

/// Bot deflection.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Deflection {
    /// Closed conversations only the bot answered.
    pub resolved_by_bot: u64,
    /// All conversations of the period.
    pub conversations: u64,
    /// `resolved_by_bot / conversations` (0 when there are none).
    pub share: f64,
}

/// One agent's part.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AgentRow {
    /// The agent's id.
    pub agent: u64,
    /// Their name now (empty when the account is gone).
    pub name: String,
    /// Conversations they took part in.
    pub conversations: u64,
    /// Replies they wrote (not notes).
    pub replies: u64,
}

/// One FAQ entry's answers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FaqRow {
    /// The entry's id.
    pub faq_id: u64,
    /// Its first question now (empty when the entry was deleted).
    pub question: String,
    /// Bot answers with it.
    pub answers: u64,
}

/// A group of questions the bot could not answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct QuestionRow {
    /// The latest wording asked.
    pub question: String,
    /// Times asked.
    pub count: u64,
}

/// Most rows of the FAQ and unanswered tables.
pub const MAX_ROWS: usize = 100;

/// The report for `period` (and `site`) from one read of `store`. Blocking: run it on
/// the read pool.
pub fn compute(store: &Store, period: &Period, site: Option<String>) -> Result<Report, StoreError> {
    let range = ScanRange {
        from_ms: period.from_ms,
        until_ms: period.until_ms,
        site: site.clone(),
    };
    let mut tally = tally::Tally::new(period);
    store.scan_conversations(&range, |_, c, messages| tally.add(c, messages))?;
    let names: HashMap<u64, String> = store
        .agents()?
        .into_iter()
        .map(|(id, a)| (id, a.name))
        .collect();
    let questions: HashMap<u64, String> = store
        .faq_records()?
        .into_iter()
        .map(|f| (f.id, f.questions.into_iter().next().unwrap_or_default()))
        .collect();
    let view = PeriodView {
        from: period.from.to_string(),
        until: period.until.to_string(),
        time_zone: zone_name(&period.zone),
        site,
    };
    Ok(tally.finish(view, &names, &questions))
}

/// An IANA name, or the fixed offset (`+08:00`) of a zone without one.
fn zone_name(zone: &jiff::tz::TimeZone) -> String {
    match zone.iana_name() {
        Some(name) => name.to_string(),
        None => zone.to_offset(jiff::Timestamp::UNIX_EPOCH).to_string(),
    }
}
