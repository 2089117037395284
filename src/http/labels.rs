//! Labels over HTTP (`docs/API.md`, "Labels"): every agent and every API key may list
//! them; admins (and admin keys for every site) create, rename, recolour, change the
//! automatic rules and delete them, each in one commit with its audit entry. A deletion
//! takes the label off every conversation in the same commit, and the hub tells the
//! agents. Adding a label to a conversation is the agents' `label` WebSocket frame.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::reply::{BODY_LIMIT, Body, error_response, json, read_json, store_error};
use super::session::{authenticate, key_of, require_admin};
use crate::app::App;
use crate::hub::Event;
use crate::protocol::ErrorCode;
use crate::store::key_records::StoredAuditAction;
use crate::store::label_records::{LabelOp, LabelV1};
use crate::store::values::StoredHandoffReason;
use crate::store::{Outcome, WriteOp};
use crate::timer::unix_ms;

/// Longest label name, in characters.
pub const MAX_NAME_CHARS: usize = 32;
/// Most FAQ entries one label may be attached to.
pub const MAX_FAQ_RULES: usize = 50;

/// A label as the API shows it.
#[derive(Serialize)]
pub struct LabelView {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Hand-off reasons that add it.
    pub on_handoff: Vec<StoredHandoffReason>,
    /// FAQ entries whose bot answer adds it.
    pub on_faq: Vec<u64>,
}

/// The view of a stored label.
pub fn view(id: u64, l: LabelV1) -> LabelView {
    LabelView {
        id,
        name: l.name,
        colour: l.colour,
        on_handoff: l.on_handoff,
        on_faq: l.on_faq,
    }
}

/// What an admin sends to create or replace a label.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct LabelBody {
    name: String,
    colour: String,
    #[serde(default)]
    on_handoff: Vec<StoredHandoffReason>,
    #[serde(default)]
    on_faq: Vec<u64>,
}

/// Checks a label body once, at the edge: a trimmed name of 1–32 printable
/// characters, a `#rrggbb` colour (stored in lower case), each rule once.
pub fn check(body: LabelBody, created_ms: u64) -> Result<LabelV1, String> {
    let name = body.name.trim().to_string();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!(
            "the name must be 1-{MAX_NAME_CHARS} printable characters"
        ));
    }
    let colour = body.colour.trim().to_ascii_lowercase();
    let hex = colour.strip_prefix('#').unwrap_or("");
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err("the colour must be #rrggbb".into());
    }
    let mut seen = Vec::new();
    for reason in body.on_handoff {
        if !seen.contains(&reason) {
            seen.push(reason);
        }
    }
    let mut on_faq = body.on_faq;
    on_faq.sort_unstable();
    on_faq.dedup();
    if on_faq.len() > MAX_FAQ_RULES {
        return Err(format!(
            "a label is attached to at most {MAX_FAQ_RULES} FAQ entries"
        ));
    }
    Ok(LabelV1 {
        name,
        colour,
        on_handoff: seen,
        on_faq,
        created_ms,
    })
}

/// `GET /api/labels`: every label (any agent, any API key).
pub async fn list(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if key_of(&req).is_none()
        && let Err(r) = authenticate(app, &req).await
    {
        return r;
    }
    let store = app.store.clone();
    match App::read(app, move || store.labels()).await {
        Ok(all) => {
            let views: Vec<LabelView> = all.into_iter().map(|(id, l)| view(id, l)).collect();
            json(StatusCode::OK, &views)
        }
        Err(e) => store_error(e),
    }
}

/// The names of the fields that differ, for the audit log.
fn changed(old: &LabelV1, new: &LabelV1) -> Vec<String> {
    [
        ("name", old.name != new.name),
        ("colour", old.colour != new.colour),
        ("on_handoff", old.on_handoff != new.on_handoff),
        ("on_faq", old.on_faq != new.on_faq),
    ]
    .iter()
    .filter(|(_, differs)| *differs)
    .map(|(name, _)| name.to_string())
    .collect()
}

/// `POST /api/labels` (id None) and `PUT /api/labels/ID`: admins only.
pub async fn save(app: &Arc<App>, req: Request<Incoming>, asked: Option<u64>) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: LabelBody = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let old = match asked {
        None => None,
        Some(id) => {
            let store = app.store.clone();
            match App::read(app, move || store.labels()).await {
                Ok(all) => match all.into_iter().find(|(l, _)| *l == id) {
                    Some((_, old)) => Some(old),
                    None => return error_response(ErrorCode::NotFound, "no such label"),
                },
                Err(e) => return store_error(e),
            }
        }
    };
    let created_ms = old.as_ref().map_or_else(unix_ms, |o| o.created_ms);
    let record = match check(body, created_ms) {
        Ok(r) => r,
        Err(why) => return error_response(ErrorCode::InvalidField, &why),
    };
    let action = match (&old, asked) {
        (Some(old), Some(label)) => StoredAuditAction::LabelChanged {
            label,
            fields: changed(old, &record),
        },
        _ => StoredAuditAction::LabelCreated { label: 0 },
    };
    let op = WriteOp::Labels(LabelOp::Put {
        id: asked,
        record: record.clone(),
    });
    match app.writer.call(caller.audited(action, op)).await {
        Ok(Outcome::LabelSaved(id)) => {
            let status = match asked {
                None => StatusCode::CREATED,
                Some(_) => StatusCode::OK,
            };
            json(status, &view(id, record))
        }
        Ok(_) => error_response(ErrorCode::Internal, "unexpected storage answer"),
        Err(e) => store_error(e),
    }
}

/// `DELETE /api/labels/ID`: admins only; the label leaves every conversation in the
/// same commit, and agents are told.
pub async fn delete(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let op = WriteOp::Labels(LabelOp::Delete { id });
    let action = StoredAuditAction::LabelDeleted { label: id };
    match app.writer.call(caller.audited(action, op)).await {
        Ok(Outcome::LabelDeleted { changed }) => {
            let conversations = changed.len();
            app.hub.send(Event::LabelDeleted { changed }).await;
            json(
                StatusCode::OK,
                &serde_json::json!({ "ok": true, "conversations": conversations }),
            )
        }
        Ok(_) => error_response(ErrorCode::Internal, "unexpected storage answer"),
        Err(e) => store_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(name: &str, colour: &str) -> LabelBody {
        LabelBody {
            name: name.into(),
            colour: colour.into(),
            on_handoff: vec![
                StoredHandoffReason::Frustrated,
                StoredHandoffReason::Frustrated,
            ],
            on_faq: vec![3, 1, 3],
        }
    }

    #[test]
    fn names_colours_and_rules_are_checked_once() {
        let ok = check(body("  VIP 顾客 ", "#D9480F"), 5).expect("valid");
        assert_eq!(
            (ok.name.as_str(), ok.colour.as_str()),
            ("VIP 顾客", "#d9480f")
        );
        assert_eq!(ok.on_handoff, vec![StoredHandoffReason::Frustrated]);
        assert_eq!(ok.on_faq, vec![1, 3]);
        assert!(check(body(&"长".repeat(32), "#000000"), 0).is_ok());
        for (name, colour) in [
            ("", "#000000"),
            ("   ", "#000000"),
            (&"x".repeat(33), "#000000"),
            ("a\nb", "#000000"),
            ("ok", "red"),
            ("ok", "#12345"),
            ("ok", "#12345g"),
            ("ok", "123456"),
        ] {
            assert!(check(body(name, colour), 0).is_err(), "{name:?} {colour:?}");
        }
        let mut many = body("ok", "#000000");
        many.on_faq = (0..=MAX_FAQ_RULES as u64).collect();
        assert!(check(many, 0).is_err());
    }
}
