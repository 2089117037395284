//! Web Push to agents' phones and desktops: the outbox's push sink.
//!
//! An agent's console asks the browser for a push subscription with the server's VAPID
//! public key (`GET /api/push/key`) and posts it (`POST /api/push/subscriptions`). When
//! a visitor waits or writes and the agent is not looking ([`rules`]), the outbox asks
//! this sink to plan one job per device and then to deliver it: a small JSON payload
//! encrypted for the device (RFC 8291), signed with VAPID (RFC 8292) and posted to the
//! device's push service (RFC 8030), from an outbox delivery thread. The console's
//! service worker (`web/console/sw.js`) shows it and opens the conversation on a tap.
//!
//! # Layout
//! - [`vapid`]: the key pair and the signed `Authorization` header.
//! - [`subscription`]: the one check of a posted subscription.
//! - [`address`]: the rule against pushing into private networks.
//! - [`rules`]: who gets a push and what it says (pure).
//! - [`send`]: one encrypted, signed HTTP push and what the service answered.
//! - [`sink`]: the [`crate::outbox::Sink`] implementation.

pub mod address;
pub mod rules;
pub mod send;
pub mod sink;
pub mod subscription;
pub mod vapid;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::config::Config;
use crate::presence::Presence;
use crate::store::{Store, StoreError, WriterHandle};
use subscription::EndpointRules;
use vapid::VapidKey;

/// Devices one agent may have notified at once.
pub const MAX_DEVICES_PER_AGENT: usize = 10;

/// The push sink and what the push API needs: shared as `Arc<Push>`.
pub struct Push {
    /// Reads subscriptions, conversations, messages.
    store: Store,
    /// Removes subscriptions a push service says are gone.
    writer: WriterHandle,
    /// Whether an agent's console is visible.
    presence: Arc<Presence>,
    /// The server's VAPID key pair.
    vapid: VapidKey,
    /// The VAPID `sub` claim: how a push service can reach the operator.
    contact: String,
    /// What endpoints are accepted.
    rules: EndpointRules,
    /// The HTTP client.
    sender: send::Sender,
    /// Whether any subscription may exist (outbox events are recorded only then).
    active: AtomicBool,
}

impl Push {
    /// Loads the VAPID key from the store and prepares the client.
    pub fn new(
        config: &Config,
        store: Store,
        writer: WriterHandle,
        presence: Arc<Presence>,
    ) -> Result<Push, StoreError> {
        let vapid = VapidKey::from_bytes(&store.vapid_key()?)
            .map_err(|e| StoreError::Corrupt(format!("meta: {e}")))?;
        let active = !store.push_subscriptions(None)?.is_empty();
        if active {
            // Record from the first commit on, before the outbox thread's first round.
            store.outbox_gate().set_on(true);
        }
        Ok(Push {
            contact: contact(config),
            rules: EndpointRules {
                allow_insecure: config.push_allow_insecure,
            },
            sender: send::Sender::new(config.push_allow_insecure),
            store,
            writer,
            presence,
            vapid,
            active: AtomicBool::new(active),
        })
    }

    /// The VAPID public key, base64url (the browser's `applicationServerKey`).
    pub fn public_key(&self) -> &str {
        self.vapid.public_b64()
    }

    /// What endpoints are accepted.
    pub fn rules(&self) -> EndpointRules {
        self.rules
    }

    /// A subscription was stored: events are worth recording from now on. The gate is
    /// opened here at once (the outbox thread would open it on its next round, and an
    /// event committed before that would not be recorded); the caller then wakes the
    /// outbox.
    pub fn subscribed(&self) {
        self.active.store(true, Ordering::Relaxed);
        self.store.outbox_gate().set_on(true);
    }

    /// A subscription was removed: recount (a blocking read; call off the executor).
    pub fn unsubscribed(&self) {
        if let Ok(all) = self.store.push_subscriptions(None) {
            self.active.store(!all.is_empty(), Ordering::Relaxed);
        }
    }
}

/// The VAPID `sub`: `--push-contact`, else the public URL, else a placeholder that
/// push services accept.
fn contact(config: &Config) -> String {
    if let Some(contact) = &config.push_contact {
        return contact.clone();
    }
    match &config.public_url {
        // RFC 8292 §2.1: a `mailto:` or an `https:` URI.
        Some(origin) if origin.https => origin.to_string(),
        _ => "mailto:deskbell@localhost".into(),
    }
}
