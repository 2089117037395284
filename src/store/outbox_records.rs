//! The outbox's stored records: recorded events, delivery jobs and the attempt log.
//! Same rules as `records.rs`: enums of versions, variants only appended, golden bytes
//! pinned in `golden.rs`. The delivery target is bytes a sink chose (each sink versions
//! its own target type), so the store never learns what a webhook or an address is.

use redb::{TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// Event id → [`OutboxRecord`]: recorded, not yet planned (since schema 3).
pub const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("eventid_outbox");
/// Job id → [`JobRecord`]: deliveries waiting, being retried, or given up (since schema 3).
pub const OUTBOX_JOBS: TableDefinition<u64, &[u8]> = TableDefinition::new("jobid_outboxjob");
/// (sink, log key, n) → [`AttemptRecord`]: the last attempts per webhook endpoint and the
/// like, oldest trimmed (since schema 3).
pub const OUTBOX_LOG: TableDefinition<(u8, u64, u64), &[u8]> =
    TableDefinition::new("sinkkeyn_outboxattempt");
/// `meta` key: every event id below this has been used (ids are never reused).
pub const NEXT_EVENT_ID: &str = "outbox_next_event";
/// `meta` key: every job id below this has been used.
pub const NEXT_JOB_ID: &str = "outbox_next_job";

/// Creates the outbox tables (at open).
pub(super) fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(OUTBOX)?;
    tx.open_table(OUTBOX_JOBS)?;
    tx.open_table(OUTBOX_LOG)?;
    Ok(())
}

/// What kind of event; mirrors `crate::outbox::EventKind` (converted there).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredOutboxKind {
    /// A conversation was opened.
    ConversationCreated,
    /// A visitor message.
    MessageVisitor,
    /// An agent message.
    MessageAgent,
    /// A bot answer.
    MessageBot,
    /// Handed from the bot to the agents.
    HandedOff,
    /// Assigned or transferred to an agent.
    Assigned,
    /// Closed.
    Closed,
    /// The visitor left an email address.
    VisitorEmailLeft,
    /// The visitor rated the closed conversation (schema 7).
    Rated,
}

/// One recorded event (also copied into each job made from it).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct StoredOutboxEvent {
    /// Stable id, never reused.
    pub id: u64,
    /// What happened.
    pub kind: StoredOutboxKind,
    /// Commit time, ms since the Unix epoch.
    pub at_ms: u64,
    /// The conversation (0: none).
    pub conversation: u64,
    /// The message recording it.
    pub seq: Option<u64>,
    /// The visitor (0: not known when recorded; read from the conversation later).
    pub visitor: u64,
    /// The agent concerned.
    pub agent: Option<u64>,
}

/// A recorded event as stored in [`OUTBOX`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum OutboxRecord {
    /// Version 1.
    V1(StoredOutboxEvent),
}

/// A delivery job as stored in [`OUTBOX_JOBS`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum JobRecord {
    /// Version 1.
    V1(JobV1),
}

/// Version 1 of a delivery job.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct JobV1 {
    /// The sink's stored byte (`crate::outbox::SinkId::code`).
    pub sink: u8,
    /// Where it goes, in the sink's own encoding.
    pub target: Vec<u8>,
    /// Groups attempts in the log (a webhook endpoint's id).
    pub log_key: Option<u64>,
    /// The event delivered.
    pub event: StoredOutboxEvent,
    /// When the job was made, ms since the Unix epoch.
    pub created_ms: u64,
    /// Next attempt not before this time.
    pub due_ms: u64,
    /// Attempts made so far.
    pub attempts: u32,
    /// The last failure.
    pub last_error: Option<String>,
    /// The last HTTP status.
    pub last_status: Option<u16>,
    /// Set when the job was given up: kept for the console until pruned.
    pub failed_ms: Option<u64>,
}

/// How one attempt ended, as logged.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredAttemptOutcome {
    /// Accepted by the receiver.
    Delivered,
    /// Failed; retried later.
    Retry,
    /// Failed for good, or retried for too long: given up.
    GaveUp,
    /// Nothing to send any more.
    Skipped,
}

/// One logged attempt in [`OUTBOX_LOG`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum AttemptRecord {
    /// Version 1.
    V1(AttemptV1),
}

/// Version 1 of a logged attempt.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AttemptV1 {
    /// The job.
    pub job: u64,
    /// The event (kept so "redeliver" can make a new job from it).
    pub event: StoredOutboxEvent,
    /// The target bytes.
    pub target: Vec<u8>,
    /// When the attempt ended, ms since the Unix epoch.
    pub at_ms: u64,
    /// 0 for the first attempt.
    pub attempt: u32,
    /// How it ended.
    pub outcome: StoredAttemptOutcome,
    /// HTTP status, if any.
    pub status: Option<u16>,
    /// How long it took.
    pub latency_ms: u32,
    /// What went wrong.
    pub error: Option<String>,
}
