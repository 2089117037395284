//! One push over HTTP (RFC 8030 §5): encrypt the payload for the device (RFC 8291,
//! `aes128gcm`, by `web-push-native`), sign with VAPID, POST it with a blocking `ureq`
//! client (rustls, a 10 s overall timeout, no redirects, no proxy, public addresses
//! only) and say what the push service answered. Runs on an outbox delivery thread.

use std::time::{Duration, Instant};

use base64ct::{Base64UrlUnpadded, Encoding};
use ureq::unversioned::transport::DefaultConnector;

use super::address::{PublicOnly, REFUSED};
use super::subscription::audience;
use super::vapid::VapidKey;
use crate::store::push_records::PushSubscriptionV1;

/// How long one push may take, connection and answer included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// RFC 8030 §5.3 `Urgency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// Deliver now, wake the device: a visitor is waiting.
    High,
    /// Ordinary.
    Normal,
}

impl Urgency {
    fn header(self) -> &'static str {
        match self {
            Urgency::High => "high",
            Urgency::Normal => "normal",
        }
    }
}

/// What to send, besides the device.
#[derive(Debug, Clone)]
pub struct PushMessage {
    /// The plain payload (JSON), encrypted before it leaves.
    pub payload: Vec<u8>,
    /// RFC 8030 §5.2 `TTL`: seconds the push service keeps it for an offline device.
    pub ttl_s: u32,
    /// RFC 8030 §5.3 `Urgency`.
    pub urgency: Urgency,
    /// RFC 8030 §5.4 `Topic`: a newer push with the same topic replaces one still
    /// waiting at the push service (base64url characters, at most 32).
    pub topic: Option<String>,
}

/// What the push service said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// 2xx: accepted.
    Accepted {
        /// The status.
        status: u16,
        /// How long it took.
        latency_ms: u32,
    },
    /// 404 or 410: the subscription no longer exists (RFC 8030 §7.3).
    Gone {
        /// The status.
        status: u16,
    },
    /// Worth trying again later (a network error, 429, 5xx).
    Retry {
        /// What happened.
        error: String,
        /// The status, if one came back.
        status: Option<u16>,
        /// How long it took.
        latency_ms: u32,
    },
    /// Will not work later either (a refused address, 400, 401, 403, 413…).
    Refused {
        /// What happened.
        error: String,
        /// The status, if one came back.
        status: Option<u16>,
    },
}

/// The blocking HTTP client for pushes, shared by the delivery threads.
#[derive(Debug)]
pub struct Sender {
    /// ureq's agent (connection pool, resolver with the address rule).
    agent: ureq::Agent,
}

impl Sender {
    /// A client; `allow_any_address` turns the address rule off (`--allow-insecure-push`).
    pub fn new(allow_any_address: bool) -> Sender {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .user_agent(concat!("deskbell/", env!("CARGO_PKG_VERSION")))
            .build();
        let resolver = PublicOnly {
            allow_any: allow_any_address,
        };
        Sender {
            agent: ureq::Agent::with_parts(config, DefaultConnector::default(), resolver),
        }
    }

    /// Encrypts, signs and posts `message` to `device`; `now_s` is Unix time.
    pub fn send(
        &self,
        device: &PushSubscriptionV1,
        message: &PushMessage,
        vapid: &VapidKey,
        contact: &str,
        now_s: u64,
    ) -> Sent {
        let refused = |error: &str| Sent::Refused {
            error: error.to_string(),
            status: None,
        };
        let Ok(public) = p256::PublicKey::from_sec1_bytes(&device.p256dh) else {
            return refused("the stored device key is not a P-256 point");
        };
        let Ok(auth) = <[u8; 16]>::try_from(device.auth.as_slice()) else {
            return refused("the stored device secret is not 16 bytes");
        };
        let body = match web_push_native::encrypt(message.payload.clone(), &public, &auth.into()) {
            Ok(body) => body,
            Err(e) => return refused(&format!("encrypting the payload: {e}")),
        };
        let Some(aud) = audience(&device.endpoint) else {
            return refused("the endpoint is not a URL");
        };
        let mut request = self
            .agent
            .post(&device.endpoint)
            .header("TTL", message.ttl_s.to_string())
            .header("Urgency", message.urgency.header())
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Authorization", vapid.authorization(&aud, contact, now_s));
        if let Some(topic) = &message.topic {
            request = request.header("Topic", topic);
        }
        let started = Instant::now();
        let result = request.send(&body[..]);
        let latency_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
        match result {
            Ok(response) => classify(response.status().as_u16(), latency_ms),
            Err(ureq::Error::Io(e)) if e.to_string().contains(REFUSED) => refused(REFUSED),
            Err(e) => Sent::Retry {
                error: e.to_string(),
                status: None,
                latency_ms,
            },
        }
    }
}

/// What a push service's status means.
pub fn classify(status: u16, latency_ms: u32) -> Sent {
    match status {
        200..=299 => Sent::Accepted { status, latency_ms },
        404 | 410 => Sent::Gone { status },
        408 | 429 | 500..=599 => Sent::Retry {
            error: format!("the push service answered {status}"),
            status: Some(status),
            latency_ms,
        },
        _ => Sent::Refused {
            error: format!("the push service answered {status}"),
            status: Some(status),
        },
    }
}

/// A `Topic` for everything about one conversation (RFC 8030 §5.4 allows 32 base64url
/// characters).
pub fn topic(conversation: u64) -> String {
    format!(
        "c{}",
        Base64UrlUnpadded::encode_string(&conversation.to_be_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        assert!(matches!(
            classify(201, 3),
            Sent::Accepted { status: 201, .. }
        ));
        assert_eq!(classify(410, 3), Sent::Gone { status: 410 });
        assert_eq!(classify(404, 3), Sent::Gone { status: 404 });
        assert!(matches!(classify(429, 3), Sent::Retry { .. }));
        assert!(matches!(classify(503, 3), Sent::Retry { .. }));
        assert!(matches!(classify(413, 3), Sent::Refused { .. }));
        assert!(matches!(classify(403, 3), Sent::Refused { .. }));
    }

    #[test]
    fn topics_are_short_base64url() {
        let t = topic(u64::MAX);
        assert!(t.len() <= 32, "{t}");
        assert!(
            t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(topic(1), topic(2));
    }
}
