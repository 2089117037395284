//! The responder's settings: the live form ([`Settings`]), what the admin API accepts
//! ([`SettingsBody`], checked once here) and shows ([`SettingsView`]: the key never,
//! only whether one is set), and which bot decisions the chosen mode hands to it. Pure.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::bot::{Decision, HandoffReason};
use crate::store::responder_records::ResponderV1;

/// When the responder runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Never (the default).
    Never,
    /// When the built-in bot is not confident (it would suggest or hand off for low
    /// confidence).
    WhenUnsure,
    /// For every visitor message the built-in bot would answer or not understand.
    Always,
}

/// The responder's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `POST {url}/chat/completions` with a bearer key and a model.
    Openai,
    /// A POST to the shop's own service, signed like the webhooks.
    Signed,
}

/// The live settings, shared as an `Arc` by the hub, the workers and the API. Its
/// `Debug` leaves the key out.
#[derive(Clone, PartialEq, Eq)]
pub struct Settings {
    /// When it runs.
    pub mode: Mode,
    /// Its form.
    pub kind: Kind,
    /// The base URL or the endpoint.
    pub url: String,
    /// The API key or the `whsec_` secret (empty: none). Never logged or shown.
    pub key: String,
    /// The model (chat completions).
    pub model: String,
    /// One call's time limit.
    pub timeout: Duration,
    /// Calls at most per conversation.
    pub per_conversation: u32,
    /// Calls at most per UTC day.
    pub per_day: u32,
    /// The admin's opt-in to private and loopback addresses.
    pub allow_private: bool,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("mode", &self.mode)
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("key_set", &!self.key.is_empty())
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("per_conversation", &self.per_conversation)
            .field("per_day", &self.per_day)
            .field("allow_private", &self.allow_private)
            .finish()
    }
}

/// Time limits an admin may choose, in ms.
pub const TIMEOUT_MS: std::ops::RangeInclusive<u32> = 1_000..=60_000;
/// The highest per-conversation limit.
pub const PER_CONVERSATION_MAX: u32 = 1_000;
/// The highest per-day limit.
pub const PER_DAY_MAX: u32 = 1_000_000;
/// Longest URL, key and model name.
const TEXT_MAX: usize = 2_048;

impl Settings {
    /// Whether the mode hands this decision of the built-in bot to the responder. A
    /// request for a person or a complaint is never handed to it.
    pub fn takes(&self, decision: &Decision) -> bool {
        let unsure = matches!(
            decision,
            Decision::Suggest { .. }
                | Decision::Handoff {
                    reason: HandoffReason::LowConfidence
                }
        );
        match self.mode {
            Mode::Never => false,
            Mode::WhenUnsure => unsure,
            Mode::Always => {
                unsure
                    || matches!(
                        decision,
                        Decision::Answer { .. } | Decision::SmallTalk { .. }
                    )
            }
        }
    }
}

impl From<ResponderV1> for Settings {
    fn from(r: ResponderV1) -> Settings {
        Settings {
            mode: match r.mode {
                1 => Mode::WhenUnsure,
                2 => Mode::Always,
                _ => Mode::Never,
            },
            kind: if r.kind == 1 {
                Kind::Signed
            } else {
                Kind::Openai
            },
            url: r.url,
            key: r.key,
            model: r.model,
            timeout: Duration::from_millis(u64::from(r.timeout_ms)),
            per_conversation: r.per_conversation,
            per_day: r.per_day,
            allow_private: r.allow_private,
        }
    }
}

impl From<&Settings> for ResponderV1 {
    fn from(s: &Settings) -> ResponderV1 {
        ResponderV1 {
            mode: match s.mode {
                Mode::Never => 0,
                Mode::WhenUnsure => 1,
                Mode::Always => 2,
            },
            kind: match s.kind {
                Kind::Openai => 0,
                Kind::Signed => 1,
            },
            url: s.url.clone(),
            key: s.key.clone(),
            model: s.model.clone(),
            timeout_ms: u32::try_from(s.timeout.as_millis()).unwrap_or(u32::MAX),
            per_conversation: s.per_conversation,
            per_day: s.per_day,
            allow_private: s.allow_private,
        }
    }
}

/// `PUT /api/responder`: every field but the key; `key` absent keeps the stored one,
/// `""` removes it. No `Debug`: it may hold the key.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// `never`, `when_unsure` or `always`.
    pub mode: Mode,
    /// `openai` or `signed`.
    pub kind: Kind,
    /// The base URL (`https://api.openai.com/v1`) or the shop's endpoint.
    #[serde(default)]
    pub url: String,
    /// Write-only: the API key or the `whsec_` secret.
    #[serde(default)]
    pub key: Option<String>,
    /// The model (chat completions).
    #[serde(default)]
    pub model: String,
    /// One call's time limit in ms.
    pub timeout_ms: u32,
    /// Calls at most per conversation.
    pub per_conversation: u32,
    /// Calls at most per UTC day.
    pub per_day: u32,
    /// Allow private and loopback addresses (a local model).
    #[serde(default)]
    pub allow_private: bool,
}

/// What `GET /api/responder` shows: the settings without the key.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsView {
    /// When it runs.
    pub mode: Mode,
    /// Its form.
    pub kind: Kind,
    /// The URL.
    pub url: String,
    /// Whether a key is stored (the key itself is never shown).
    pub key_set: bool,
    /// The model.
    pub model: String,
    /// One call's time limit in ms.
    pub timeout_ms: u32,
    /// Calls at most per conversation.
    pub per_conversation: u32,
    /// Calls at most per UTC day.
    pub per_day: u32,
    /// Private addresses allowed.
    pub allow_private: bool,
}

impl From<&Settings> for SettingsView {
    fn from(s: &Settings) -> SettingsView {
        let r = ResponderV1::from(s);
        SettingsView {
            mode: s.mode,
            kind: s.kind,
            url: r.url,
            key_set: !r.key.is_empty(),
            model: r.model,
            timeout_ms: r.timeout_ms,
            per_conversation: r.per_conversation,
            per_day: r.per_day,
            allow_private: r.allow_private,
        }
    }
}

impl SettingsBody {
    /// The checked settings, keeping `stored_key` when no key is given;
    /// `allow_private_webhooks` (the server's flag) also allows private addresses.
    /// Errors name the field.
    pub fn validate(
        self,
        stored_key: &str,
        allow_private_webhooks: bool,
    ) -> Result<Settings, String> {
        let key = self.key.unwrap_or_else(|| stored_key.to_owned());
        for (field, value) in [("url", &self.url), ("key", &key), ("model", &self.model)] {
            if value.len() > TEXT_MAX || value.chars().any(char::is_control) {
                return Err(format!(
                    "{field}: at most {TEXT_MAX} bytes, no control characters"
                ));
            }
        }
        if !TIMEOUT_MS.contains(&self.timeout_ms) {
            return Err("timeout_ms: from 1000 to 60000".into());
        }
        if self.per_conversation == 0 || self.per_conversation > PER_CONVERSATION_MAX {
            return Err(format!(
                "per_conversation: from 1 to {PER_CONVERSATION_MAX}"
            ));
        }
        if self.per_day == 0 || self.per_day > PER_DAY_MAX {
            return Err(format!("per_day: from 1 to {PER_DAY_MAX}"));
        }
        let on = self.mode != Mode::Never;
        if on || !self.url.is_empty() {
            let private = self.allow_private || allow_private_webhooks;
            crate::webhooks::address::check_url(&self.url, private)
                .map_err(|why| format!("url: {why}"))?;
        }
        if on && self.kind == Kind::Openai && self.model.trim().is_empty() {
            return Err("model: required for chat completions".into());
        }
        if on && self.kind == Kind::Signed && crate::webhooks::signing::parse_secret(&key).is_none()
        {
            return Err("key: a whsec_ secret (base64) is required for a signed call".into());
        }
        Ok(Settings {
            mode: self.mode,
            kind: self.kind,
            url: self.url.trim_end_matches('/').to_owned(),
            key,
            model: self.model.trim().to_owned(),
            timeout: Duration::from_millis(u64::from(self.timeout_ms)),
            per_conversation: self.per_conversation,
            per_day: self.per_day,
            allow_private: self.allow_private,
        })
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
