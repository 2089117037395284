//! One call to the responder, blocking, on a responder thread (never the executor):
//! the request of the chosen form, sent by ureq with the webhooks' checking resolver,
//! and what came of it ([`Outcome`]).
//!
//! Rules: the admin's time limit covers the whole call (resolution to the last body
//! byte, so a slowly trickling answer times out too); redirects are never followed; no
//! proxy from the environment; at most [`BODY_LIMIT`] bytes of the answer are read
//! (more is an error); only addresses the resolver checked are connected to
//! (public ones, or any with the admin's `allow_private` or `--allow-private-webhooks`).
//! The key travels only in its header and never appears in an [`Outcome`] or a log.

use std::time::{Duration, Instant};

use ureq::Agent;
use ureq::config::Config as UreqConfig;
use ureq::unversioned::transport::DefaultConnector;

use super::settings::{Kind, Settings};
use super::wire::{self, Asked, Verdict};
use crate::webhooks::resolver::CheckingResolver;
use crate::webhooks::signing;

/// Bytes of an answer read at most.
pub const BODY_LIMIT: u64 = 64 * 1024;

/// What one call came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An answer to post as the bot.
    Answered(String),
    /// The responder (or its answer) says a person should take over.
    Handoff(String),
    /// No complete answer within the time limit.
    Timeout,
    /// Refused address, connection, HTTP status, oversized or malformed answer.
    Error(String),
}

impl Outcome {
    /// The `outcome` label of `deskbell_responder_calls_total`.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Answered(_) => "answered",
            Outcome::Handoff(_) => "handoff",
            Outcome::Timeout => "timeout",
            Outcome::Error(_) => "error",
        }
    }
}

/// The two clients: one checking addresses, one allowing private ones.
#[derive(Debug, Clone)]
pub struct Clients {
    /// Public addresses only.
    public: Agent,
    /// Any address (the admin's opt-in or the server's flag).
    private: Agent,
    /// `--allow-private-webhooks`.
    allow_private_webhooks: bool,
}

fn agent(allow_private: bool) -> Agent {
    let config = UreqConfig::builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .user_agent(concat!("deskbell-responder/", env!("CARGO_PKG_VERSION")))
        .max_idle_connections_per_host(2)
        .build();
    Agent::with_parts(
        config,
        DefaultConnector::default(),
        CheckingResolver::new(allow_private),
    )
}

impl Clients {
    /// The clients; `allow_private_webhooks` is the server's flag.
    pub fn new(allow_private_webhooks: bool) -> Clients {
        Clients {
            public: agent(false),
            private: agent(true),
            allow_private_webhooks,
        }
    }

    /// Asks the responder `settings` describe; `max_answer` is the chat's message limit.
    pub fn call(&self, settings: &Settings, asked: &Asked, max_answer: usize) -> Outcome {
        let started = Instant::now();
        let private = settings.allow_private || self.allow_private_webhooks;
        let agent = if private { &self.private } else { &self.public };
        let (url, body, headers) = match settings.kind {
            Kind::Openai => {
                let url = format!("{}/chat/completions", settings.url);
                let body = wire::openai_body(asked, &settings.model).to_string();
                let mut headers = Vec::new();
                if !settings.key.is_empty() {
                    headers.push(("authorization", format!("Bearer {}", settings.key)));
                }
                (url, body, headers)
            }
            Kind::Signed => {
                let body = wire::signed_body(asked).to_string();
                let id = format!("ask_{}_{}", asked.conversation, asked.seq);
                let timestamp = crate::timer::unix_ms() / 1000;
                let key = signing::parse_secret(&settings.key).unwrap_or_default();
                let signature = signing::sign(&key, &id, timestamp, body.as_bytes());
                let headers = vec![
                    ("webhook-id", id),
                    ("webhook-timestamp", timestamp.to_string()),
                    ("webhook-signature", signature),
                ];
                (settings.url.clone(), body, headers)
            }
        };
        let mut request = agent
            .post(&url)
            .config()
            .timeout_global(Some(settings.timeout))
            .build()
            .header("content-type", "application/json");
        for (name, value) in &headers {
            request = request.header(*name, value.as_str());
        }
        let timed_out = |e: &ureq::Error| {
            matches!(e, ureq::Error::Timeout(_)) || started.elapsed() >= settings.timeout
        };
        let mut response = match request.send(body.as_bytes()) {
            Ok(r) => r,
            Err(e) if timed_out(&e) => return Outcome::Timeout,
            Err(e) => return Outcome::Error(describe(&e)),
        };
        let status = response.status().as_u16();
        let read = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec();
        let bytes = match read {
            Ok(b) => b,
            Err(e) if timed_out(&e) => return Outcome::Timeout,
            Err(ureq::Error::BodyExceedsLimit(_)) => {
                return Outcome::Error(format!("answer larger than {BODY_LIMIT} bytes"));
            }
            Err(e) => return Outcome::Error(describe(&e)),
        };
        if !(200..300).contains(&status) {
            return Outcome::Error(format!("HTTP status {status}"));
        }
        let verdict = match settings.kind {
            Kind::Openai => wire::openai_verdict(&bytes, max_answer),
            Kind::Signed => wire::signed_verdict(&bytes, max_answer),
        };
        match verdict {
            Ok(Verdict::Answer(text)) => Outcome::Answered(text),
            Ok(Verdict::Handoff(reason)) => Outcome::Handoff(reason),
            Err(why) => Outcome::Error(why),
        }
    }
}

/// A short, secret-free description of a failed call.
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::HostNotFound => "the host name does not resolve".into(),
        ureq::Error::Io(io) => format!("connection failed: {io}"),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        other => other.to_string(),
    }
}

/// How long the hub waits beyond the time limit before it hands off by itself (a call
/// queued behind others, or a worker stuck).
pub const GRACE: Duration = Duration::from_secs(2);
