//! `GET /api/audit` (admins): the audit log, newest first, a page at a time (the
//! cursor is an entry id). Entries name ids and field names only.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::reply::{Body, json, query, store_error};
use super::session::require_admin;
use crate::app::App;
use crate::store::key_records::{AuditV1, StoredActor, StoredAuditAction};
use crate::webhooks::payload::rfc3339_ms;

/// Entries per page unless `limit` says otherwise (at most [`MAX_LIMIT`]).
const DEFAULT_LIMIT: usize = 50;
/// Most entries per page.
const MAX_LIMIT: usize = 200;

/// Who did it, as the API shows it.
#[derive(Serialize)]
struct ActorView {
    /// `agent` or `key`.
    kind: &'static str,
    /// The agent's or key's id.
    id: u64,
}

/// One entry as the API shows it.
#[derive(Serialize)]
struct EntryView {
    /// Its id (the cursor).
    id: u64,
    /// When (RFC 3339).
    at: String,
    /// Who.
    actor: ActorView,
    /// What: `key.created`, `agent.changed`, ….
    action: &'static str,
    /// What it was done to: `{"key": 3}`, `{"agent": 2, "fields": ["disabled"]}`, ….
    target: serde_json::Value,
}

/// The public name and target of an action.
fn describe(action: &StoredAuditAction) -> (&'static str, serde_json::Value) {
    use serde_json::json;
    match action {
        StoredAuditAction::KeyCreated { key } => ("key.created", json!({ "key": key })),
        StoredAuditAction::KeyRevoked { key } => ("key.revoked", json!({ "key": key })),
        StoredAuditAction::AgentCreated { agent } => ("agent.created", json!({ "agent": agent })),
        StoredAuditAction::AgentChanged { agent, fields } => {
            ("agent.changed", json!({ "agent": agent, "fields": fields }))
        }
        StoredAuditAction::SettingsChanged => ("settings.changed", json!({})),
        StoredAuditAction::WebhookCreated { webhook } => {
            ("webhook.created", json!({ "webhook": webhook }))
        }
        StoredAuditAction::WebhookChanged { webhook, disabled } => (
            "webhook.changed",
            json!({ "webhook": webhook, "disabled": disabled }),
        ),
        StoredAuditAction::WebhookDeleted { webhook } => {
            ("webhook.deleted", json!({ "webhook": webhook }))
        }
        StoredAuditAction::IdentityChanged {
            site,
            rotated,
            require,
        } => (
            "identity.changed",
            json!({ "site": site, "rotated": rotated, "require": require }),
        ),
        StoredAuditAction::VisitorChanged { visitor, fields } => (
            "visitor.changed",
            json!({ "visitor": visitor, "fields": fields }),
        ),
        StoredAuditAction::VisitorErased {
            visitor,
            conversations,
            messages,
            files,
        } => (
            "visitor.erased",
            json!({ "visitor": visitor, "conversations": conversations,
                    "messages": messages, "files": files }),
        ),
        StoredAuditAction::CannedCreated { canned } => {
            ("canned.created", json!({ "canned": canned }))
        }
        StoredAuditAction::CannedChanged { canned } => {
            ("canned.changed", json!({ "canned": canned }))
        }
        StoredAuditAction::CannedDeleted { canned } => {
            ("canned.deleted", json!({ "canned": canned }))
        }
        StoredAuditAction::FaqCreated { faq } => ("faq.created", json!({ "faq": faq })),
        StoredAuditAction::FaqChanged { faq } => ("faq.changed", json!({ "faq": faq })),
        StoredAuditAction::FaqDeleted { faq } => ("faq.deleted", json!({ "faq": faq })),
        StoredAuditAction::LabelCreated { label } => ("label.created", json!({ "label": label })),
        StoredAuditAction::LabelChanged { label, fields } => {
            ("label.changed", json!({ "label": label, "fields": fields }))
        }
        StoredAuditAction::LabelDeleted { label } => ("label.deleted", json!({ "label": label })),
    }
}

fn view(id: u64, entry: &AuditV1) -> EntryView {
    let (action, target) = describe(&entry.action);
    let actor = match entry.actor {
        StoredActor::Agent(id) => ActorView { kind: "agent", id },
        StoredActor::Key(id) => ActorView { kind: "key", id },
    };
    EntryView {
        id,
        at: rfc3339_ms(entry.at_ms),
        actor,
        action,
        target,
    }
}

/// A page and its cursor.
#[derive(Serialize)]
struct Page {
    /// Newest first.
    entries: Vec<EntryView>,
    /// Pass as `before` for older entries; null: there are none.
    next_before: Option<u64>,
}

/// `GET /api/audit?before=ID&limit=N`.
pub async fn list(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    let before = query(&req, "before")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0u64);
    let limit = query(&req, "limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_LIMIT)
        .clamp(1, MAX_LIMIT);
    let store = app.store.clone();
    // One more than asked: whether an older page exists.
    match App::read(app, move || store.audit(before, limit + 1)).await {
        Ok(mut rows) => {
            let more = rows.len() > limit;
            rows.truncate(limit);
            let next_before = if more { rows.last().map(|r| r.0) } else { None };
            let entries = rows.iter().map(|(id, e)| view(*id, e)).collect();
            json(
                StatusCode::OK,
                &Page {
                    entries,
                    next_before,
                },
            )
        }
        Err(e) => store_error(e),
    }
}
