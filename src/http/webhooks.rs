//! Admin endpoints for webhook endpoints (`docs/API.md`, "Webhooks"): create (the secret
//! is shown in this one answer), list, enable or disable, delete, a test ping sent at
//! once on a blocking thread (never on the executor), and each endpoint's delivery log
//! (the outbox's attempt log) with "redeliver".

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::reply::{BODY_LIMIT, Body, error_response, json, read_json, store_error};
use super::session::require_admin;
use crate::app::App;
use crate::outbox::{AttemptLog, SinkId};
use crate::protocol::ErrorCode;
use crate::store::key_records::StoredAuditAction;
use crate::store::webhooks::{WebhookChange, WebhookV1};
use crate::store::{Outcome, WriteOp};
use crate::timer::unix_ms;
use crate::webhooks::address::resolve;
use crate::webhooks::client::Sent;
use crate::webhooks::input::{EndpointBody, MAX_ENDPOINTS};
use crate::webhooks::payload::rfc3339_ms;
use crate::webhooks::signing::{format_secret, new_secret};

/// An endpoint as the API shows it (never its secret, except once at creation).
#[derive(Serialize)]
struct WebhookView {
    /// Its id.
    id: u64,
    /// Where deliveries go.
    url: String,
    /// The events it receives.
    events: Vec<String>,
    /// What it is for.
    description: String,
    /// When it was created (RFC 3339).
    created_at: String,
    /// True while nothing is delivered to it.
    disabled: bool,
    /// Why it was disabled.
    disabled_reason: Option<String>,
    /// Since when every attempt has failed (RFC 3339), if it is failing.
    failing_since: Option<String>,
    /// `whsec_…`: only in the answer to `POST /api/webhooks`.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

fn view(id: u64, w: &WebhookV1) -> WebhookView {
    WebhookView {
        id,
        url: w.url.clone(),
        events: w.events.clone(),
        description: w.description.clone(),
        created_at: rfc3339_ms(w.created_ms),
        disabled: w.disabled,
        disabled_reason: w.disabled_reason.clone(),
        failing_since: w.failing_since_ms.map(rfc3339_ms),
        secret: None,
    }
}

/// Refreshes the sink's cache of enabled endpoints after a change (a storage read: on
/// the reader pool) and wakes the outbox, which records events only while a sink is
/// active.
async fn reload(app: &Arc<App>) {
    let sink = app.webhooks.clone();
    if let Err(e) = App::read(app, move || sink.reload()).await {
        e.log_refusal("reloading webhook endpoints");
    }
    app.outbox.wake();
}

/// Attempts shown per endpoint (the outbox keeps the last 50).
const LOG_LIMIT: usize = 50;

/// `GET /api/webhooks`.
pub async fn list(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    let store = app.store.clone();
    match App::read(app, move || store.webhooks()).await {
        Ok(all) => {
            let views: Vec<WebhookView> = all.iter().map(|(id, w)| view(*id, w)).collect();
            json(StatusCode::OK, &views)
        }
        Err(e) => store_error(e),
    }
}

/// `POST /api/webhooks`: checked (form, then where the host resolves to), stored, and
/// answered with the secret, this once.
pub async fn create(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: EndpointBody = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let allow_private = app.config.allow_private_webhooks;
    let checked = match body.check(allow_private) {
        Ok(c) => c,
        Err(why) => return error_response(ErrorCode::InvalidField, &why),
    };
    let target = checked.target.clone();
    if let Err(why) = smol::unblock(move || resolve(&target, allow_private)).await {
        return error_response(ErrorCode::InvalidField, &why);
    }
    let Ok(secret) = new_secret() else {
        return error_response(ErrorCode::Internal, "no random numbers available");
    };
    let record = WebhookV1 {
        url: checked.url,
        events: checked.events,
        description: checked.description,
        secret,
        created_ms: unix_ms(),
        disabled: false,
        failing_since_ms: None,
        disabled_reason: None,
    };
    let op = WriteOp::CreateWebhook {
        record: record.clone(),
        max: MAX_ENDPOINTS,
    };
    let action = StoredAuditAction::WebhookCreated { webhook: 0 };
    match app.writer.call(caller.audited(action, op)).await {
        Ok(Outcome::WebhookSaved(id)) => {
            reload(app).await;
            tracing::info!(endpoint = id, "webhook endpoint created");
            let mut shown = view(id, &record);
            shown.secret = Some(format_secret(&record.secret));
            json(StatusCode::CREATED, &shown)
        }
        Ok(_) => error_response(ErrorCode::Internal, "unexpected storage answer"),
        Err(e) => store_error(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    /// True to stop deliveries, false to resume them (and forget past failures).
    disabled: bool,
}

/// `PATCH /api/webhooks/ID` with `{"disabled": bool}`.
pub async fn patch(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: PatchBody = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let change = if body.disabled {
        WebhookChange::Disable {
            reason: "disabled by an admin".into(),
        }
    } else {
        WebhookChange::Enable
    };
    let action = StoredAuditAction::WebhookChanged {
        webhook: id,
        disabled: body.disabled,
    };
    let op = WriteOp::UpdateWebhook { id, change };
    if let Err(e) = app.writer.call(caller.audited(action, op)).await {
        return store_error(e);
    }
    reload(app).await;
    let store = app.store.clone();
    match App::read(app, move || store.webhook(id)).await {
        Ok(Some(w)) => json(StatusCode::OK, &view(id, &w)),
        Ok(None) => error_response(ErrorCode::NotFound, "webhook endpoint not found"),
        Err(e) => store_error(e),
    }
}

/// `DELETE /api/webhooks/ID`: deliveries still queued for it are dropped when due.
pub async fn delete(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let action = StoredAuditAction::WebhookDeleted { webhook: id };
    let op = WriteOp::DeleteWebhook { id };
    match app.writer.call(caller.audited(action, op)).await {
        Ok(_) => {
            // Its queued deliveries and its log go with it.
            if let Err(e) = app.outbox.forget_key(SinkId::Webhook, id).await {
                e.log_refusal("forgetting a deleted webhook endpoint's deliveries");
            }
            reload(app).await;
            tracing::info!(endpoint = id, "webhook endpoint deleted");
            json(StatusCode::OK, &serde_json::json!({"ok": true}))
        }
        Err(e) => store_error(e),
    }
}

/// What a test ping came to.
#[derive(Serialize)]
struct TestView {
    /// True for a 2xx answer.
    ok: bool,
    /// The HTTP status, if one came back.
    status: Option<u16>,
    /// How long it took.
    latency_ms: u32,
    /// What went wrong, if anything.
    error: Option<String>,
}

/// `POST /api/webhooks/ID/test`: sends a `webhook.test` ping now and tells how it went.
pub async fn test(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    let sink = app.webhooks.clone();
    let Some(_slot) = sink.ping_slot() else {
        return error_response(
            ErrorCode::RateLimited,
            "other test pings are still running; try again in a few seconds",
        );
    };
    let sent = match smol::unblock(move || sink.ping(id)).await {
        Ok(Some(sent)) => sent,
        Ok(None) => return error_response(ErrorCode::NotFound, "webhook endpoint not found"),
        Err(e) => return store_error(e),
    };
    let shown = match sent {
        Sent::Answered { status, latency_ms } => TestView {
            ok: (200..300).contains(&status),
            status: Some(status),
            latency_ms,
            error: (!(200..300).contains(&status)).then(|| format!("HTTP {status}")),
        },
        Sent::NoAnswer {
            error, latency_ms, ..
        } => TestView {
            ok: false,
            status: None,
            latency_ms,
            error: Some(error),
        },
    };
    json(StatusCode::OK, &shown)
}

/// One attempt in an endpoint's delivery log.
#[derive(Serialize)]
struct AttemptView {
    /// Its number in the log: what `redeliver` takes.
    n: u64,
    /// The `webhook-id` it was sent with.
    event_id: String,
    /// The event's type.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The conversation it is about (0 for none).
    conversation: u64,
    /// When the attempt ended (RFC 3339).
    at: String,
    /// 0 for a delivery's first attempt.
    attempt: u32,
    /// `delivered`, `retry`, `gave_up` or `skipped`.
    outcome: &'static str,
    /// The HTTP status, if one came back.
    status: Option<u16>,
    /// How long it took.
    latency_ms: u32,
    /// What went wrong.
    error: Option<String>,
}

impl From<AttemptLog> for AttemptView {
    fn from(a: AttemptLog) -> Self {
        AttemptView {
            n: a.n,
            event_id: a.event.public_id(),
            kind: a.event.kind.name(),
            conversation: a.event.conversation,
            at: rfc3339_ms(a.at_ms),
            attempt: a.attempt,
            outcome: a.outcome,
            status: a.status,
            latency_ms: a.latency_ms,
            error: a.error,
        }
    }
}

/// 404 unless endpoint `id` exists (a storage read, on the reader pool).
async fn require_endpoint(app: &Arc<App>, id: u64) -> Result<(), Response<Body>> {
    let store = app.store.clone();
    match App::read(app, move || store.webhook(id)).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(error_response(
            ErrorCode::NotFound,
            "webhook endpoint not found",
        )),
        Err(e) => Err(store_error(e)),
    }
}

/// `GET /api/webhooks/ID/deliveries`: the endpoint's last attempts, newest first.
pub async fn deliveries(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    if let Err(r) = require_endpoint(app, id).await {
        return r;
    }
    let outbox = app.outbox.clone();
    match App::read(app, move || outbox.attempts(SinkId::Webhook, id, LOG_LIMIT)).await {
        Ok(log) => {
            let views: Vec<AttemptView> = log.into_iter().map(AttemptView::from).collect();
            json(StatusCode::OK, &views)
        }
        Err(e) => store_error(e),
    }
}

/// `POST /api/webhooks/ID/deliveries/N/redeliver`: sends the event of logged attempt N
/// again (same `webhook-id`), as a new delivery with its own retries.
pub async fn redeliver(app: &Arc<App>, req: Request<Incoming>, id: u64, n: u64) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    if let Err(r) = require_endpoint(app, id).await {
        return r;
    }
    let outbox = app.outbox.clone();
    // redeliver reads the log before it writes: on the reader pool, not the executor.
    let job = App::read(app, move || {
        smol::block_on(outbox.redeliver(SinkId::Webhook, id, n))
    });
    match job.await {
        Ok(job) => json(StatusCode::ACCEPTED, &serde_json::json!({ "job": job })),
        Err(e) => store_error(e),
    }
}
