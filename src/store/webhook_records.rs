//! The webhook endpoint record (since schema 3) and the change the writer merges into
//! one ([`WebhookChange`]). Records only; reads and the writer's ops are in
//! `webhooks.rs`. The secret is stored as it is (deliveries need it to sign); it is
//! never logged (`Debug` leaves it out).

use serde::{Deserialize, Serialize};

/// A webhook endpoint as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum WebhookRecord {
    /// Version 1.
    V1(WebhookV1),
}

/// Version 1 of a webhook endpoint. Its `Debug` leaves the secret out.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct WebhookV1 {
    /// Where deliveries are POSTed (checked when it was created).
    pub url: String,
    /// The public names of the event kinds it receives (`message.visitor`, …).
    pub events: Vec<String>,
    /// The admin's note on what it is for.
    pub description: String,
    /// The HMAC key (the bytes behind `whsec_…`).
    pub secret: Vec<u8>,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// No more deliveries are planned or made while true.
    pub disabled: bool,
    /// Start of the current run of failed attempts (None after a success).
    pub failing_since_ms: Option<u64>,
    /// Why it was disabled (shown in the console).
    pub disabled_reason: Option<String>,
}

impl std::fmt::Debug for WebhookV1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookV1")
            .field("url", &self.url)
            .field("events", &self.events)
            .field("description", &self.description)
            .field("secret", &format_args!("<{} bytes>", self.secret.len()))
            .field("created_ms", &self.created_ms)
            .field("disabled", &self.disabled)
            .field("failing_since_ms", &self.failing_since_ms)
            .field("disabled_reason", &self.disabled_reason)
            .finish()
    }
}

impl WebhookRecord {
    /// The current version's fields.
    pub fn latest(&self) -> &WebhookV1 {
        match self {
            WebhookRecord::V1(w) => w,
        }
    }

    /// The current version, owned.
    pub fn into_latest(self) -> WebhookV1 {
        match self {
            WebhookRecord::V1(w) => w,
        }
    }
}

/// A change to an endpoint's state, merged inside the transaction so a delivery thread
/// and an admin never undo each other's changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookChange {
    /// A delivery succeeded: the endpoint is no longer failing.
    Delivered,
    /// A delivery failed at `at_ms`. Starts the failing run if none is open; when the
    /// run has lasted `disable_after_ms`, the endpoint is disabled with `reason`.
    Failed {
        /// When, ms since the Unix epoch.
        at_ms: u64,
        /// How long a run of failures may last before the endpoint is disabled.
        disable_after_ms: u64,
        /// The reason recorded if it is disabled now.
        reason: String,
    },
    /// Disable now (a `410 Gone`, or an admin).
    Disable {
        /// Why.
        reason: String,
    },
    /// Enable again, forgetting the failures (an admin).
    Enable,
}
