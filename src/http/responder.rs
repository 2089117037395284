//! The external responder's settings, for admins: `GET /api/responder` (the key never
//! shown, only `key_set`) and `PUT /api/responder` (checked once by
//! `responder::settings`, stored durably with an audit entry, then applied to the
//! questions asked after it).

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};

use super::reply::{BODY_LIMIT, Body, error_response, json, read_json, store_error};
use super::session::require_admin;
use crate::app::App;
use crate::protocol::ErrorCode;
use crate::responder::settings::{SettingsBody, SettingsView};
use crate::store::WriteOp;
use crate::store::key_records::StoredAuditAction;

/// `GET /api/responder`.
pub async fn get_responder(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    let settings = app.responder.settings();
    json(StatusCode::OK, &SettingsView::from(settings.as_ref()))
}

/// `PUT /api/responder`: checked, stored durably, then applied.
pub async fn put_responder(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: SettingsBody = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let stored_key = app.responder.settings().key.clone();
    let settings = match body.validate(&stored_key, app.config.allow_private_webhooks) {
        Ok(s) => s,
        Err(why) => return error_response(ErrorCode::InvalidField, &why),
    };
    let op = WriteOp::PutResponder {
        settings: (&settings).into(),
    };
    if let Err(e) = app
        .writer
        .call(caller.audited(StoredAuditAction::SettingsChanged, op))
        .await
    {
        return store_error(e);
    }
    let shown = SettingsView::from(&settings);
    app.responder.replace(settings);
    json(StatusCode::OK, &shown)
}
