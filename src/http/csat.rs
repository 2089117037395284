//! Whether the widget asks "How did we do?" after a close (`docs/API.md`,
//! "Satisfaction"): admins read and set it; a change is stored with its audit entry
//! (`settings.changed`), then applied, and the widget learns it from `GET /api/widget`.
//! The ratings themselves arrive over the WebSocket (`rate`, `hub/ratings.rs`).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::reply::{BODY_LIMIT, Body, json, read_json, store_error};
use super::session::require_admin;
use crate::app::App;
use crate::store::WriteOp;
use crate::store::key_records::StoredAuditAction;

/// The setting, both ways.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CsatBody {
    /// True: closed conversations ask for a rating.
    ask: bool,
}

/// `GET /api/csat`.
pub async fn get(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    let ask = app.csat_ask.load(Ordering::Relaxed);
    json(StatusCode::OK, &CsatBody { ask })
}

/// `PUT /api/csat`: stored durably, then applied.
pub async fn put(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: CsatBody = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let op = WriteOp::PutCsat { ask: body.ask };
    let audited = caller.audited(StoredAuditAction::SettingsChanged, op);
    if let Err(e) = app.writer.call(audited).await {
        return store_error(e);
    }
    app.csat_ask.store(body.ask, Ordering::Relaxed);
    json(StatusCode::OK, &body)
}
