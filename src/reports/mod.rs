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
pub mod sections;
mod tally;

use std::collections::HashMap;

use crate::store::report_scan::ScanRange;
use crate::store::{Store, StoreError};
pub use period::Period;
pub use sections::*;

/// The report for `period` (and `site`) from one read of `store`. Blocking: run it on
/// the read pool.
pub fn compute(store: &Store, period: &Period, site: Option<String>) -> Result<Report, StoreError> {
    let range = ScanRange {
        from_ms: period.from_ms,
        until_ms: period.until_ms,
        site: site.clone(),
    };
    let mut tally = tally::Tally::new(period);
    store.scan_conversations(&range, |_, c, messages, rating| {
        tally.add(c, messages, rating)
    })?;
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
