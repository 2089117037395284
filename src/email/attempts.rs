//! How one email send ends, as an outbox [`Attempt`]: shared by the agents' sink
//! ([`super::sink`]) and the visitors' ([`super::visitor_sink`]).

use std::time::Instant;

use super::{Mailer, SendError};
use crate::outbox::Attempt;

/// Sends and reports how it went.
pub(super) fn send(mailer: &Mailer, message: &lettre::Message) -> Attempt {
    let started = Instant::now();
    let result = mailer.send(message);
    let latency_ms = started.elapsed().as_millis().min(u32::MAX as u128) as u32;
    match result {
        Ok(()) => Attempt::Delivered {
            status: None,
            latency_ms,
        },
        Err(SendError::Transient(error)) => Attempt::Retry {
            error,
            status: None,
            latency_ms,
        },
        Err(SendError::Permanent(error)) => Attempt::Failed {
            error,
            status: None,
        },
    }
}

/// Nothing to send any more, and why.
pub(super) fn skipped(reason: &str) -> Attempt {
    Attempt::Skipped {
        reason: reason.to_string(),
    }
}

/// A failure that may pass (storage, say): try again later.
pub(super) fn retry(error: String) -> Attempt {
    Attempt::Retry {
        error,
        status: None,
        latency_ms: 0,
    }
}
