//! Admin endpoints: widget settings, canned replies, and changes to agent accounts.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Deserialize;

use super::agent_write::{self, email_field};
use super::reply::{BODY_LIMIT, Body, error_response, json, read_json, store_error};
use super::session::require_admin;
use super::views::CannedView;
use crate::app::App;
use crate::auth::session::bearer_or_cookie;
use crate::auth::{check_new_password, hash_password, token_digest};
use crate::protocol::ErrorCode;
use crate::settings::SettingsBody;
use crate::store::key_records::StoredAuditAction;
use crate::store::records::{AgentRole, CannedRecord};
use crate::store::{Outcome, WriteOp};

/// `GET /api/settings`.
pub async fn get_settings(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    match app.settings.read() {
        Ok(s) => json(StatusCode::OK, &SettingsBody::from_stored(&s)),
        Err(_) => error_response(ErrorCode::Internal, "settings unavailable"),
    }
}

/// `PUT /api/settings`: checked, stored durably, then applied.
pub async fn put_settings(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: SettingsBody = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let kept = app
        .settings
        .read()
        .map(|s| s.texts.clone())
        .unwrap_or_default();
    let settings = match body.validate(&kept) {
        Ok(s) => s,
        Err(why) => return error_response(ErrorCode::InvalidField, &why),
    };
    let op = WriteOp::PutSettings {
        settings: settings.clone(),
    };
    if let Err(e) = app
        .writer
        .call(caller.audited(StoredAuditAction::SettingsChanged, op))
        .await
    {
        return store_error(e);
    }
    let shown = SettingsBody::from_stored(&settings);
    if let Ok(mut current) = app.settings.write() {
        *current = settings;
    }
    json(StatusCode::OK, &shown)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CannedBody {
    shortcut: String,
    text: String,
}

/// `POST /api/canned` (id None) and `PUT /api/canned/ID`.
pub async fn save_canned(
    app: &Arc<App>,
    req: Request<Incoming>,
    asked: Option<u64>,
) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: CannedBody = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let shortcut = body.shortcut.trim().trim_start_matches('/').to_lowercase();
    let shortcut_ok = (1..=32).contains(&shortcut.len())
        && shortcut
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if !shortcut_ok {
        return error_response(
            ErrorCode::InvalidField,
            "the shortcut must be 1-32 letters, digits, - or _",
        );
    }
    let text = body.text.trim().to_string();
    if text.is_empty() || text.len() > app.config.max_body_bytes {
        return error_response(
            ErrorCode::InvalidField,
            "the text must not be empty or longer than a message",
        );
    }
    let record = CannedRecord::V1 {
        shortcut: shortcut.clone(),
        text: text.clone(),
    };
    let action = match asked {
        None => StoredAuditAction::CannedCreated { canned: 0 },
        Some(canned) => StoredAuditAction::CannedChanged { canned },
    };
    let op = caller.audited(action, WriteOp::PutCanned { id: asked, record });
    match app.writer.call(op).await {
        Ok(Outcome::CannedSaved(id)) => {
            let status = if asked.is_none() {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            json(status, &CannedView { id, shortcut, text })
        }
        Ok(_) => error_response(ErrorCode::Internal, "unexpected storage answer"),
        Err(e) => store_error(e),
    }
}

/// `DELETE /api/canned/ID`.
pub async fn delete_canned(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let action = StoredAuditAction::CannedDeleted { canned: id };
    let op = caller.audited(action, WriteOp::DeleteCanned { id });
    match app.writer.call(op).await {
        Ok(_) => json(StatusCode::OK, &serde_json::json!({"ok": true})),
        Err(e) => store_error(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentPatch {
    admin: Option<bool>,
    capacity: Option<Option<u32>>,
    disabled: Option<bool>,
    password: Option<String>,
    #[serde(default, deserialize_with = "agent_write::present")]
    email: Option<Option<String>>,
}

/// The names of the fields a patch sets, for the audit log (never their values).
fn changed_fields(fields: &[(&str, bool)]) -> Vec<String> {
    fields
        .iter()
        .filter(|(_, set)| *set)
        .map(|(name, _)| name.to_string())
        .collect()
}

/// `PATCH /api/agents/ID`: role, capacity, disabled, password, email. A new password ends
/// the agent's sessions (and closes their sockets): all of them when an admin resets
/// someone else's, all but the current one when admins change their own.
pub async fn patch_agent(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let me = match require_admin(app, &req).await {
        Ok(me) => me,
        Err(r) => return r,
    };
    let current = bearer_or_cookie(req.headers()).map(|t| token_digest(&t));
    let patch: AgentPatch = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let patch_fields = [
        ("role", patch.admin.is_some()),
        ("capacity", patch.capacity.is_some()),
        ("disabled", patch.disabled == Some(true)),
        ("enabled", patch.disabled == Some(false)),
        ("password", patch.password.is_some()),
        ("email", patch.email.is_some()),
    ];
    if me.agent() == Some(id) && (patch.disabled == Some(true) || patch.admin == Some(false)) {
        return error_response(
            ErrorCode::Conflict,
            "you cannot disable yourself or remove your own admin role",
        );
    }
    let store = app.store.clone();
    let mut agent = match App::read(app, move || store.agents()).await {
        Ok(list) => match list.into_iter().find(|(a, _)| *a == id) {
            Some((_, agent)) => agent,
            None => return error_response(ErrorCode::NotFound, "no such agent"),
        },
        Err(e) => return store_error(e),
    };
    if let Some(admin) = patch.admin {
        agent.role = if admin {
            AgentRole::Admin
        } else {
            AgentRole::Agent
        };
    }
    if let Some(capacity) = patch.capacity {
        if capacity == Some(0) || capacity.is_some_and(|c| c > 1000) {
            return error_response(
                ErrorCode::InvalidField,
                "capacity must be 1-1000 (or null for the default)",
            );
        }
        agent.capacity = capacity;
    }
    if let Some(disabled) = patch.disabled {
        agent.disabled = disabled;
    }
    if let Some(email) = patch.email {
        agent.email = match email_field(email.as_deref()) {
            Ok(email) => email,
            Err(why) => return error_response(ErrorCode::InvalidField, why),
        };
    }
    let end_sessions = patch
        .password
        .is_some()
        .then_some(if me.agent() == Some(id) {
            current
        } else {
            None
        });
    if let Some(password) = patch.password {
        if let Err(e) = check_new_password(&password) {
            return error_response(ErrorCode::InvalidField, &e.to_string());
        }
        match App::hash(app, move || hash_password(&password)).await {
            Ok(hash) => agent.password_hash = hash,
            Err(e) => return error_response(ErrorCode::Internal, &e.to_string()),
        }
    }
    let fields = changed_fields(&patch_fields);
    agent_write::save(app, id, agent, end_sessions, Some((me, fields))).await
}
