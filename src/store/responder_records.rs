//! The external responder's settings as stored (`name_settings`, key `"responder"`,
//! beside the widget's `"widget"`): a record of versions like every other, read as the
//! latest version (`responder.rs` reads and writes it). The key (an API key or a
//! `whsec_` secret) is stored as given: it must be sent, so it cannot be hashed; it is
//! never logged and never shown again by the API.

use serde::{Deserialize, Serialize};

/// The responder's settings as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum ResponderRecord {
    /// Version 1 (issue #14).
    V1(ResponderV1),
}

impl ResponderRecord {
    /// The current version's fields.
    pub fn into_latest(self) -> ResponderV1 {
        match self {
            ResponderRecord::V1(r) => r,
        }
    }
}

/// Version 1 of the responder's settings.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ResponderV1 {
    /// When it runs: 0 never, 1 when the built-in bot is not confident, 2 always.
    pub mode: u8,
    /// Its form: 0 OpenAI-compatible chat completions, 1 a signed HTTP call.
    pub kind: u8,
    /// The base URL (chat completions: `{url}/chat/completions`) or the endpoint.
    pub url: String,
    /// The API key (chat completions) or the `whsec_` signing secret; empty: none.
    pub key: String,
    /// The model name (chat completions).
    pub model: String,
    /// How long one call may take, in ms.
    pub timeout_ms: u32,
    /// Calls at most per conversation.
    pub per_conversation: u32,
    /// Calls at most per day (UTC).
    pub per_day: u32,
    /// The admin's opt-in to private addresses (a model on 127.0.0.1 or the LAN).
    pub allow_private: bool,
}

impl Default for ResponderV1 {
    fn default() -> Self {
        ResponderV1 {
            mode: 0,
            kind: 0,
            url: String::new(),
            key: String::new(),
            model: String::new(),
            timeout_ms: 8_000,
            per_conversation: 10,
            per_day: 500,
            allow_private: false,
        }
    }
}
