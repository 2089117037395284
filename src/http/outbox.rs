//! Admin endpoints of the outbox: what waits and what was given up
//! (`GET /api/outbox`), and trying a given-up delivery again
//! (`POST /api/outbox/failures/ID/retry`).

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::reply::{Body, error_response, json, store_error};
use super::session::require_admin;
use crate::app::App;
use crate::outbox::FailedDelivery;
use crate::protocol::ErrorCode;
use crate::store::iso_time;

/// Given-up deliveries listed at most.
const FAILURES_SHOWN: usize = 50;

/// One given-up delivery as the API shows it.
#[derive(Serialize)]
struct FailureView {
    /// The job (for retry).
    id: u64,
    /// `webhook`, `email` or `push`.
    sink: &'static str,
    /// `evt_<n>` (empty for a delivery no recorded event caused).
    event_id: String,
    /// The event's public name.
    event_type: &'static str,
    /// The conversation it is about (0: none).
    conversation: u64,
    /// Attempts made.
    attempts: u32,
    /// When it was given up (RFC 3339).
    failed_at: String,
    /// The last error.
    error: Option<String>,
    /// The last HTTP status.
    status: Option<u16>,
}

impl From<FailedDelivery> for FailureView {
    fn from(f: FailedDelivery) -> FailureView {
        FailureView {
            id: f.job,
            sink: f.sink.name(),
            event_id: if f.event.id == 0 {
                String::new()
            } else {
                f.event.public_id()
            },
            event_type: f.event.kind.name(),
            conversation: f.event.conversation,
            attempts: f.attempts,
            failed_at: iso_time(f.failed_ms),
            error: f.error,
            status: f.status,
        }
    }
}

/// The outbox's state.
#[derive(Serialize)]
struct OutboxView {
    /// Deliveries waiting or in flight.
    pending: i64,
    /// Recorded events not yet planned into deliveries.
    events_waiting: i64,
    /// Given-up deliveries kept (the newest are listed in `failures`).
    failed: i64,
    /// Events not recorded because the outbox was full, since the start.
    refused: u64,
    /// The newest given-up deliveries.
    failures: Vec<FailureView>,
}

/// `GET /api/outbox` (admins).
pub async fn status(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    let outbox = app.outbox.clone();
    let failures = match app.read(move || outbox.failures(FAILURES_SHOWN)).await {
        Ok(f) => f,
        Err(e) => return store_error(e),
    };
    let m = &app.metrics.outbox;
    json(
        StatusCode::OK,
        &OutboxView {
            pending: m.pending.get(),
            events_waiting: m.events_waiting.get(),
            failed: m.failed.get(),
            refused: m.refused.get(),
            failures: failures.into_iter().map(FailureView::from).collect(),
        },
    )
}

/// `POST /api/outbox/failures/ID/retry` (admins): 202 once it waits again.
pub async fn retry(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    match app.outbox.retry_failed(id).await {
        Ok(true) => json(
            StatusCode::ACCEPTED,
            &serde_json::json!({ "id": id, "retrying": true }),
        ),
        Ok(false) => error_response(ErrorCode::NotFound, "no given-up delivery with that id"),
        Err(e) => store_error(e),
    }
}
