//! The sections of a report as the API answers them (JSON; `super::csv` for CSV).
//! Plain data: `super::tally` fills them.

use serde::Serialize;

use super::csat;

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
