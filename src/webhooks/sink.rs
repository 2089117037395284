//! The webhook sink: which endpoints want an event ([`WebhookSink::plan`], from a cache
//! of the enabled endpoints), and one signed delivery ([`WebhookSink::deliver`]) with
//! what its outcome means for the endpoint (see [`classify`]).
//!
//! Outcomes: a 2xx is delivered. A `410 Gone` gives up and disables the endpoint.
//! Everything else is retried by the outbox with backoff: 3xx (redirects are never
//! followed), 408, 429, 5xx, timeouts, connection errors, and the other 4xx too (the
//! Standard Webhooks convention: any non-2xx is a failed attempt; a receiver that is
//! being fixed should not lose events). A host that now resolves to a refused address
//! gives up at once. An endpoint whose attempts have failed for
//! [`DISABLE_AFTER_MS`] without a success in between is disabled, with the reason in
//! `disabled_reason`, a warning in the log and an email to every admin with an address
//! (`crate::email::admin_notice`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use super::address::check_url;
use super::client::{Client, Sent};
use super::payload;
use super::signing::sign;
use super::target::WebhookTarget;
use crate::outbox::{
    Attempt, Delivery, EventKind, Outbox, OutboxEvent, Planned, Sink, SinkId, Wall,
};
use crate::store::webhooks::{WebhookChange, WebhookV1};
use crate::store::{Outcome, Store, StoreError, WriteOp, WriterHandle, iso_time};
use crate::timer::unix_ms;

/// An endpoint failing continuously for this long is disabled (3 days).
pub const DISABLE_AFTER_MS: u64 = 3 * 24 * 3_600_000;

/// What an attempt says about the endpoint's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// It answered 2xx.
    Ok,
    /// It failed; counts towards [`DISABLE_AFTER_MS`].
    Failing,
    /// It answered `410 Gone`: disable it now.
    Gone,
}

/// The outbox's verdict and the endpoint's health for one attempt's result.
pub fn classify(sent: &Sent) -> (Attempt, Health) {
    match sent {
        Sent::Answered { status, latency_ms } => {
            let (status, latency_ms) = (*status, *latency_ms);
            match status {
                200..=299 => (
                    Attempt::Delivered {
                        status: Some(status),
                        latency_ms,
                    },
                    Health::Ok,
                ),
                410 => (
                    Attempt::Failed {
                        error: "the receiver answered 410 Gone: endpoint disabled".into(),
                        status: Some(status),
                    },
                    Health::Gone,
                ),
                300..=399 => retry(
                    format!("HTTP {status}: redirects are not followed; update the URL"),
                    Some(status),
                    latency_ms,
                ),
                _ => retry(format!("HTTP {status}"), Some(status), latency_ms),
            }
        }
        Sent::NoAnswer {
            error,
            refused: true,
            ..
        } => (
            Attempt::Failed {
                error: error.clone(),
                status: None,
            },
            Health::Failing,
        ),
        Sent::NoAnswer {
            error, latency_ms, ..
        } => retry(error.clone(), None, *latency_ms),
    }
}

fn retry(error: String, status: Option<u16>, latency_ms: u32) -> (Attempt, Health) {
    (
        Attempt::Retry {
            error,
            status,
            latency_ms,
        },
        Health::Failing,
    )
}

/// The state change an attempt's health calls for, if any: writes happen only when
/// the state changes (a first failure, a recovery, a disable), not per attempt.
pub fn health_change(endpoint: &WebhookV1, health: Health, now_ms: u64) -> Option<WebhookChange> {
    match health {
        Health::Ok => endpoint
            .failing_since_ms
            .is_some()
            .then_some(WebhookChange::Delivered),
        Health::Gone => Some(WebhookChange::Disable {
            reason: "the receiver answered 410 Gone".into(),
        }),
        Health::Failing => {
            let since = endpoint.failing_since_ms.unwrap_or(now_ms);
            let due = now_ms.saturating_sub(since) >= DISABLE_AFTER_MS;
            (endpoint.failing_since_ms.is_none() || due).then(|| WebhookChange::Failed {
                at_ms: now_ms,
                disable_after_ms: DISABLE_AFTER_MS,
                reason: format!("every delivery failed since {} (3 days)", iso_time(since)),
            })
        }
    }
}

/// The enabled endpoints and the kinds each receives, for planning without I/O.
type Routes = Vec<(u64, Vec<EventKind>)>;

/// The webhook sink of one server.
pub struct WebhookSink {
    /// Reads endpoints and what events name.
    store: Store,
    /// Writes endpoint state changes.
    writer: WriterHandle,
    /// The HTTP client.
    client: Client,
    /// `--allow-private-webhooks`.
    allow_private: bool,
    /// The outbox's time (moves with the server's clock): when endpoints fail.
    wall: Wall,
    /// Enabled endpoints, refreshed by [`WebhookSink::reload`] after every change.
    routes: RwLock<Arc<Routes>>,
    /// True while any endpoint is enabled.
    active: AtomicBool,
    /// Test pings running now (at most [`MAX_PINGS`]).
    pings: Arc<AtomicUsize>,
    /// The outbox, once started (the sink is made before it): where the email to the
    /// admins goes when an endpoint is disabled.
    outbox: OnceLock<Outbox>,
}

/// Test pings that may run at once (each may take up to 10 s on a blocking thread).
pub const MAX_PINGS: usize = 4;

/// A running test ping's place; frees it when dropped.
pub struct PingSlot(Arc<AtomicUsize>);

impl Drop for PingSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl WebhookSink {
    /// The sink, with its cache loaded from the store.
    pub fn new(
        store: Store,
        writer: WriterHandle,
        allow_private: bool,
        wall: Wall,
    ) -> Result<WebhookSink, StoreError> {
        let sink = WebhookSink {
            store,
            writer,
            client: Client::new(allow_private),
            allow_private,
            wall,
            routes: RwLock::new(Arc::new(Vec::new())),
            active: AtomicBool::new(false),
            pings: Arc::new(AtomicUsize::new(0)),
            outbox: OnceLock::new(),
        };
        sink.reload()?;
        Ok(sink)
    }

    /// Gives the sink the outbox it delivers for (to email the admins about a disabled
    /// endpoint). Called once, right after the outbox starts.
    pub fn set_outbox(&self, outbox: Outbox) {
        let _ = self.outbox.set(outbox);
    }

    /// `--allow-private-webhooks`.
    pub fn allow_private(&self) -> bool {
        self.allow_private
    }

    /// Re-reads the enabled endpoints (after a create, delete, disable or enable).
    pub fn reload(&self) -> Result<(), StoreError> {
        let routes: Routes = self
            .store
            .webhooks()?
            .into_iter()
            .filter(|(_, w)| !w.disabled)
            .map(|(id, w)| {
                let kinds = w.events.iter().filter_map(|n| EventKind::from_name(n));
                (id, kinds.collect())
            })
            .collect();
        self.active.store(!routes.is_empty(), Ordering::Relaxed);
        if !routes.is_empty() {
            // Record from the next commit on, not from the outbox thread's next look:
            // an event caused right after the endpoint's creation is not missed.
            self.store.outbox_gate().set_on(true);
        }
        if let Ok(mut current) = self.routes.write() {
            *current = Arc::new(routes);
        }
        Ok(())
    }

    /// Signs and POSTs `body` to `endpoint` as delivery `id` (blocking).
    pub fn send(&self, endpoint: &WebhookV1, id: &str, body: &[u8]) -> Sent {
        if let Err(why) = check_url(&endpoint.url, self.allow_private) {
            return Sent::NoAnswer {
                error: format!("refused: {why}"),
                refused: true,
                latency_ms: 0,
            };
        }
        let timestamp = unix_ms() / 1000;
        let headers = [
            ("webhook-id", id.to_string()),
            ("webhook-timestamp", timestamp.to_string()),
            (
                "webhook-signature",
                sign(&endpoint.secret, id, timestamp, body),
            ),
        ];
        self.client.post(&endpoint.url, &headers, body)
    }

    /// A place for one test ping, or None while [`MAX_PINGS`] run.
    pub fn ping_slot(&self) -> Option<PingSlot> {
        let taken = self.pings.fetch_add(1, Ordering::AcqRel);
        let slot = PingSlot(self.pings.clone());
        (taken < MAX_PINGS).then_some(slot)
    }

    /// Sends a `webhook.test` ping to endpoint `id` now (blocking; changes nothing).
    pub fn ping(&self, id: u64) -> Result<Option<Sent>, StoreError> {
        let Some(endpoint) = self.store.webhook(id)? else {
            return Ok(None);
        };
        let now = unix_ms();
        let body = payload::test_payload(id, now).to_string();
        Ok(Some(self.send(
            &endpoint,
            &format!("evt_test_{now}"),
            body.as_bytes(),
        )))
    }

    /// Records what an attempt says about the endpoint's health.
    fn record(&self, id: u64, endpoint: &WebhookV1, health: Health, event: &OutboxEvent) {
        let Some(change) = health_change(endpoint, health, self.wall.now_ms()) else {
            return;
        };
        match self
            .writer
            .call_blocking(WriteOp::UpdateWebhook { id, change })
        {
            Ok(Outcome::WebhookChanged { disabled_now: true }) => {
                // The hook for telling the admins (the email sink): this line and the
                // endpoint's `disabled_reason`, shown in the console.
                let reason = self.store.webhook(id).ok().flatten();
                let reason = reason.and_then(|w| w.disabled_reason).unwrap_or_default();
                tracing::warn!(endpoint = id, %reason, "webhook endpoint disabled");
                self.tell_admins(id, event);
                if let Err(e) = self.reload() {
                    e.log_refusal("reloading webhook endpoints");
                }
            }
            Ok(_) => {}
            Err(e) => e.log_refusal("recording a webhook endpoint's health"),
        }
    }
}

impl WebhookSink {
    /// Records an email to every admin with an address about disabled endpoint `id`
    /// (durable: the outbox delivers it like any other; email off: skipped there).
    fn tell_admins(&self, id: u64, event: &OutboxEvent) {
        let Some(outbox) = self.outbox.get() else {
            return;
        };
        for planned in crate::email::admin_notice::jobs(&self.store, id) {
            if let Err(e) = smol::block_on(outbox.enqueue(SinkId::Email, event, planned)) {
                e.log_refusal("recording the email about a disabled webhook endpoint");
            }
        }
    }
}

impl Sink for WebhookSink {
    fn id(&self) -> SinkId {
        SinkId::Webhook
    }

    fn active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    fn plan(&self, event: &OutboxEvent, _now_ms: u64, out: &mut Vec<Planned>) {
        let routes = match self.routes.read() {
            Ok(routes) => routes.clone(),
            Err(_) => return,
        };
        for (id, kinds) in routes.iter() {
            if kinds.contains(&event.kind) {
                out.push(Planned {
                    target: WebhookTarget::V1 { endpoint: *id }.encode(),
                    not_before_ms: 0,
                    log_key: Some(*id),
                });
            }
        }
    }

    fn deliver(&self, delivery: &Delivery) -> Attempt {
        let Some(target) = WebhookTarget::decode(&delivery.target) else {
            return Attempt::Failed {
                error: "unreadable delivery target".into(),
                status: None,
            };
        };
        let id = target.endpoint();
        let endpoint = match self.store.webhook(id) {
            Ok(Some(endpoint)) => endpoint,
            Ok(None) => {
                return Attempt::Skipped {
                    reason: "the endpoint was deleted".into(),
                };
            }
            Err(e) => return storage_retry(e),
        };
        if endpoint.disabled {
            return Attempt::Failed {
                error: "the endpoint is disabled".into(),
                status: None,
            };
        }
        let body = match payload::render(&self.store, &delivery.event) {
            Ok(Some(body)) => serde_json::to_vec(&body).unwrap_or_default(),
            Ok(None) => {
                return Attempt::Skipped {
                    reason: "the conversation no longer exists".into(),
                };
            }
            Err(e) => return storage_retry(e),
        };
        let sent = self.send(&endpoint, &delivery.event.public_id(), &body);
        let (attempt, health) = classify(&sent);
        self.record(id, &endpoint, health, &delivery.event);
        attempt
    }
}

fn storage_retry(e: StoreError) -> Attempt {
    Attempt::Retry {
        error: format!("storage: {e}"),
        status: None,
        latency_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(status: u16) -> Sent {
        Sent::Answered {
            status,
            latency_ms: 5,
        }
    }

    #[test]
    fn answers_are_classified() {
        for status in [200, 201, 204, 299] {
            assert!(matches!(
                classify(&answered(status)),
                (Attempt::Delivered { .. }, Health::Ok)
            ));
        }
        for status in [301, 302, 400, 401, 404, 408, 429, 500, 502, 503, 504] {
            assert!(
                matches!(
                    classify(&answered(status)),
                    (Attempt::Retry { .. }, Health::Failing)
                ),
                "{status}"
            );
        }
        assert!(matches!(
            classify(&answered(410)),
            (Attempt::Failed { .. }, Health::Gone)
        ));
        let refused = Sent::NoAnswer {
            error: "refused: x".into(),
            refused: true,
            latency_ms: 0,
        };
        assert!(matches!(
            classify(&refused),
            (Attempt::Failed { .. }, Health::Failing)
        ));
        let down = Sent::NoAnswer {
            error: "connection failed".into(),
            refused: false,
            latency_ms: 1,
        };
        assert!(matches!(
            classify(&down),
            (Attempt::Retry { .. }, Health::Failing)
        ));
    }

    fn endpoint(failing_since_ms: Option<u64>) -> WebhookV1 {
        WebhookV1 {
            url: "https://e.example/".into(),
            events: vec!["message.visitor".into()],
            description: String::new(),
            secret: vec![1; 32],
            created_ms: 0,
            disabled: false,
            failing_since_ms,
            disabled_reason: None,
        }
    }

    #[test]
    fn health_is_written_only_when_it_changes() {
        let now = 10 * DISABLE_AFTER_MS;
        assert_eq!(health_change(&endpoint(None), Health::Ok, now), None);
        assert_eq!(
            health_change(&endpoint(Some(1)), Health::Ok, now),
            Some(WebhookChange::Delivered)
        );
        // A first failure opens the run; later ones inside 3 days write nothing.
        assert!(matches!(
            health_change(&endpoint(None), Health::Failing, now),
            Some(WebhookChange::Failed { at_ms, .. }) if at_ms == now
        ));
        let recent = endpoint(Some(now - DISABLE_AFTER_MS + 1));
        assert_eq!(health_change(&recent, Health::Failing, now), None);
        // Three days of failures: the write that disables it.
        let old = endpoint(Some(now - DISABLE_AFTER_MS));
        assert!(matches!(
            health_change(&old, Health::Failing, now),
            Some(WebhookChange::Failed { .. })
        ));
        assert!(matches!(
            health_change(&endpoint(None), Health::Gone, now),
            Some(WebhookChange::Disable { .. })
        ));
    }
}
