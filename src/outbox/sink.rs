//! The contract between the outbox and a sink (webhooks, email, Web Push).
//!
//! A sink decides which deliveries an event needs ([`Sink::plan`], on the outbox thread,
//! no network I/O) and sends one delivery at a time ([`Sink::deliver`], on a delivery
//! thread, blocking I/O allowed, bounded by its own timeout). The outbox stores a
//! delivery's target as bytes the sink chose: each sink encodes its own versioned target
//! type with postcard, so the outbox never needs to know what a webhook endpoint or an
//! email address is.

use super::event::OutboxEvent;

/// Which sink a job belongs to; stored in every job, so values never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SinkId {
    /// Signed HTTP webhooks (Standard Webhooks).
    Webhook,
    /// Email over SMTP.
    Email,
    /// Web Push to agents' devices.
    Push,
}

impl SinkId {
    /// The stored byte.
    pub fn code(self) -> u8 {
        match self {
            SinkId::Webhook => 1,
            SinkId::Email => 2,
            SinkId::Push => 3,
        }
    }

    /// The sink with this stored byte.
    pub fn from_code(code: u8) -> Option<SinkId> {
        match code {
            1 => Some(SinkId::Webhook),
            2 => Some(SinkId::Email),
            3 => Some(SinkId::Push),
            _ => None,
        }
    }

    /// Lower-case name for logs, metrics and the API.
    pub fn name(self) -> &'static str {
        match self {
            SinkId::Webhook => "webhook",
            SinkId::Email => "email",
            SinkId::Push => "push",
        }
    }
}

/// One delivery a sink asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The sink's own encoding of where it goes (an endpoint id, an address…).
    pub target: Vec<u8>,
    /// Not before this time (ms since the Unix epoch): lets a sink wait, e.g. to batch
    /// an email or to see whether the visitor comes back first. 0 = at once.
    pub not_before_ms: u64,
    /// A number the delivery log groups attempts under (a webhook endpoint's id), if the
    /// sink shows a log.
    pub log_key: Option<u64>,
}

/// One delivery to make now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The job's id (unique per delivery; retries keep it).
    pub job: u64,
    /// The event.
    pub event: OutboxEvent,
    /// The target bytes from [`Planned::target`].
    pub target: Vec<u8>,
    /// 0 for the first attempt.
    pub attempt: u32,
}

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Sent and accepted.
    Delivered {
        /// HTTP status, when the sink speaks HTTP.
        status: Option<u16>,
        /// How long it took.
        latency_ms: u32,
    },
    /// Failed in a way that may pass: try again later with backoff.
    Retry {
        /// What went wrong, for the log and the console (never a secret).
        error: String,
        /// HTTP status, if one came back.
        status: Option<u16>,
        /// How long it took.
        latency_ms: u32,
    },
    /// Nothing to send any more (the endpoint was deleted, the visitor read the reply,
    /// the subscription is gone): done, not a failure.
    Skipped {
        /// Why, for the log.
        reason: String,
    },
    /// Failed for good (a refused address, a 410 Gone): give up now.
    Failed {
        /// What went wrong.
        error: String,
        /// HTTP status, if one came back.
        status: Option<u16>,
    },
}

/// A place events are delivered to.
pub trait Sink: Send + Sync + 'static {
    /// Which sink this is.
    fn id(&self) -> SinkId;

    /// Whether this sink may want any event right now (configured, or has endpoints or
    /// subscriptions). While no sink is active, nothing is recorded at all.
    fn active(&self) -> bool;

    /// The deliveries `event` needs, appended to `out`. Runs on the outbox thread; may
    /// read the store; must not block on the network.
    fn plan(&self, event: &OutboxEvent, now_ms: u64, out: &mut Vec<Planned>);

    /// Makes one delivery. Runs on a delivery thread; blocking I/O is fine but must be
    /// bounded by a timeout.
    fn deliver(&self, delivery: &Delivery) -> Attempt;
}
