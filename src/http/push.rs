//! Web Push endpoints for logged-in agents: the VAPID public key, and their own devices
//! ("Notify this device", the list, "stop notifying"). The checks of a posted
//! subscription are `crate::push::subscription`'s; the rules of who gets what are
//! `crate::push::rules`.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::reply::{BODY_LIMIT, Body, error_response, json, read_json, store_error};
use super::session::authenticate;
use crate::app::App;
use crate::protocol::ErrorCode;
use crate::push::MAX_DEVICES_PER_AGENT;
use crate::push::subscription::{SubscriptionBody, validate};
use crate::store::push_records::{PushOp, PushSubscriptionV1};
use crate::store::{Outcome, WriteOp};
use crate::timer::unix_ms;

/// One device as the API shows it: never the endpoint itself (a capability URL) nor
/// its keys, only the push service's host.
#[derive(Serialize)]
struct DeviceView {
    /// Subscription id.
    id: u64,
    /// The name the browser gave.
    label: String,
    /// Host of the push service (e.g. `fcm.googleapis.com`).
    service: String,
    /// When it was stored, ms since the Unix epoch.
    created_ms: u64,
}

fn device_view(id: u64, record: &PushSubscriptionV1) -> DeviceView {
    let service = record
        .endpoint
        .parse::<ureq::http::Uri>()
        .ok()
        .and_then(|u| u.host().map(str::to_string))
        .unwrap_or_default();
    DeviceView {
        id,
        label: record.label.clone(),
        service,
        created_ms: record.created_ms,
    }
}

/// `GET /api/push/key`: `{"public_key": base64url}` for `pushManager.subscribe`.
pub async fn key(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = authenticate(app, &req).await {
        return r;
    }
    json(
        StatusCode::OK,
        &serde_json::json!({ "public_key": app.push.public_key() }),
    )
}

/// `GET /api/push/subscriptions`: the caller's own devices.
pub async fn list(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let agent = match authenticate(app, &req).await {
        Ok((id, _)) => id,
        Err(r) => return r,
    };
    let store = app.store.clone();
    match App::read(app, move || store.push_subscriptions(Some(agent))).await {
        Ok(devices) => json(
            StatusCode::OK,
            &devices
                .iter()
                .map(|d| device_view(d.id, &d.record))
                .collect::<Vec<_>>(),
        ),
        Err(e) => store_error(e),
    }
}

/// `POST /api/push/subscriptions`: the browser's `PushSubscription` JSON (and an
/// optional `label`); 201 with the device. The same device again replaces itself.
pub async fn subscribe(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let agent = match authenticate(app, &req).await {
        Ok((id, _)) => id,
        Err(r) => return r,
    };
    let body: SubscriptionBody = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let record = match validate(body, agent, unix_ms(), app.push.rules()) {
        Ok(r) => r,
        Err(why) => return error_response(ErrorCode::InvalidField, &why),
    };
    let op = PushOp::Subscribe {
        record: record.clone(),
        limit: MAX_DEVICES_PER_AGENT,
    };
    match app.writer.call(WriteOp::Push(op)).await {
        Ok(Outcome::PushSubscribed(id)) => {
            app.push.subscribed();
            // The outbox records events only while a sink wants them: tell it now.
            app.outbox.wake();
            tracing::info!(agent, subscription = id, "push subscription stored");
            json(StatusCode::CREATED, &device_view(id, &record))
        }
        Ok(_) => error_response(ErrorCode::Internal, "unexpected storage answer"),
        Err(e) => store_error(e),
    }
}

/// `DELETE /api/push/subscriptions/ID`: stop notifying one of the caller's devices.
pub async fn unsubscribe(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let agent = match authenticate(app, &req).await {
        Ok((id, _)) => id,
        Err(r) => return r,
    };
    let op = PushOp::Unsubscribe {
        id,
        agent: Some(agent),
    };
    match app.writer.call(WriteOp::Push(op)).await {
        Ok(_) => {
            let push = app.push.clone();
            // A read of every subscription: on the reader pool, not the executor.
            App::read(app, move || push.unsubscribed()).await;
            json(StatusCode::OK, &serde_json::json!({"ok": true}))
        }
        Err(e) => store_error(e),
    }
}
