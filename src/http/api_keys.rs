//! Admin endpoints for API keys (`docs/API.md`, "API keys"): create (the key is in
//! this one answer, never again), list (never the key), revoke. Each change is in
//! the audit log. What a key is and may do is `crate::keys`; the guard that checks
//! keys on requests is `key_guard`.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::reply::{BODY_LIMIT, Body, error_response, json, read_json, store_error};
use super::session::require_admin;
use crate::app::App;
use crate::keys::{key_digest, new_key, parse_scope, scope_name, shown_prefix};
use crate::protocol::ErrorCode;
use crate::store::key_records::{ApiKeyV1, KeyOp, StoredAuditAction};
use crate::store::{Outcome, WriteOp};
use crate::timer::unix_ms;
use crate::webhooks::payload::rfc3339_ms;
use crate::ws::valid_site;

/// A key as the API shows it (the key itself only in the answer that created it).
#[derive(Serialize)]
struct KeyView {
    /// Its id.
    id: u64,
    /// The admin's name for it.
    name: String,
    /// `read`, `write` or `admin`.
    scope: &'static str,
    /// The only site it sees (null: every site).
    site: Option<String>,
    /// `dk_` and its first 8 hex digits, to recognise it by.
    prefix: String,
    /// When it was created (RFC 3339).
    created_at: String,
    /// When it was last used (RFC 3339; recorded at most once a minute).
    last_used_at: Option<String>,
    /// When it was revoked (RFC 3339).
    revoked_at: Option<String>,
    /// The key: only in the answer to `POST /api/keys`.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
}

fn view(id: u64, k: &ApiKeyV1) -> KeyView {
    KeyView {
        id,
        name: k.name.clone(),
        scope: scope_name(k.scope),
        site: k.site.clone(),
        prefix: k.prefix.clone(),
        created_at: rfc3339_ms(k.created_ms),
        last_used_at: k.last_used_ms.map(rfc3339_ms),
        revoked_at: k.revoked_ms.map(rfc3339_ms),
        key: None,
    }
}

/// `GET /api/keys`: every key, newest first, without the keys themselves.
pub async fn list(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    let store = app.store.clone();
    match App::read(app, move || store.api_keys()).await {
        Ok(keys) => {
            let views: Vec<KeyView> = keys.iter().rev().map(|(id, k)| view(*id, k)).collect();
            json(StatusCode::OK, &views)
        }
        Err(e) => store_error(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    scope: String,
    #[serde(default)]
    site: Option<String>,
}

/// `POST /api/keys` `{"name","scope","site"?}`: 201 with the key, shown this once.
pub async fn create(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: CreateBody = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return error_response(
            ErrorCode::InvalidField,
            "the name must be 1-64 characters, without control characters",
        );
    }
    let Some(scope) = parse_scope(&body.scope) else {
        return error_response(
            ErrorCode::InvalidField,
            "the scope must be read, write or admin",
        );
    };
    let site = body
        .site
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if site.as_deref().is_some_and(|s| !valid_site(s)) {
        return error_response(
            ErrorCode::InvalidField,
            "the site must be 1-64 letters, digits, '.', '_' or '-' (as in the widget snippet)",
        );
    }
    let key = match new_key() {
        Ok(k) => k,
        Err(e) => return error_response(ErrorCode::Internal, &e.to_string()),
    };
    let record = ApiKeyV1 {
        name,
        scope,
        site,
        prefix: shown_prefix(&key),
        created_ms: unix_ms(),
        created_by: caller.actor(),
        last_used_ms: None,
        revoked_ms: None,
    };
    let op = WriteOp::Keys(KeyOp::Create {
        digest: key_digest(&key),
        record: record.clone(),
    });
    let action = StoredAuditAction::KeyCreated { key: 0 };
    match app.writer.call(caller.audited(action, op)).await {
        Ok(Outcome::KeyCreated(id)) => {
            tracing::info!(key = id, "API key created");
            let mut shown = view(id, &record);
            shown.key = Some(key);
            json(StatusCode::CREATED, &shown)
        }
        Ok(_) => error_response(ErrorCode::Internal, "unexpected store answer"),
        Err(e) => store_error(e),
    }
}

/// `DELETE /api/keys/ID`: revokes the key at once (its next request gets 401).
pub async fn revoke(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let op = WriteOp::Keys(KeyOp::Revoke {
        id,
        at_ms: unix_ms(),
    });
    let action = StoredAuditAction::KeyRevoked { key: id };
    match app.writer.call(caller.audited(action, op)).await {
        Ok(_) => {
            tracing::info!(key = id, "API key revoked");
            let mut response = Response::new(Body::default());
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
        }
        Err(e) => store_error(e),
    }
}
