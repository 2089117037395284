//! Signed webhooks for integrators, following the Standard Webhooks specification
//! (`docs/WEBHOOKS.md`): the outbox's [`crate::outbox::Sink`] for HTTP endpoints that
//! admins register through `/api/webhooks`.
//!
//! # Layout
//!
//! - [`signing`]: `whsec_` secrets and the `v1,` HMAC-SHA256 signature (pure).
//! - [`address`]: which URLs and resolved addresses a webhook may go to (SSRF rules).
//! - [`client`]: the blocking ureq client (rustls, 10 s, no redirects) whose resolver
//!   connects only to checked addresses.
//! - [`payload`]: the JSON body of every event, read from the store at delivery time.
//! - [`target`]: the versioned bytes the outbox stores per delivery (the endpoint id).
//! - [`input`]: the admin's new-endpoint body and its one check.
//! - [`sink`]: [`WebhookSink`]: planning, delivering, and each endpoint's health
//!   (failing for 3 days or a `410 Gone` disables it).
//!
//! Endpoints are stored by `store::webhooks` (table `webhookid_webhook`).

pub mod address;
pub mod client;
pub mod input;
pub mod payload;
pub mod resolver;
pub mod signing;
pub mod sink;
pub mod target;

pub use sink::WebhookSink;
