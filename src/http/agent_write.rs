//! Saving an agent account from the API, shared by the admins' `PATCH /api/agents/ID`
//! and the agent's own `PATCH /api/me`: the one check of a name and of an email
//! address, and the write that every account change ends with (commit, then tell the
//! hub, then answer with the saved account).

use std::sync::Arc;

use hyper::{Response, StatusCode};

use super::reply::{Body, json, store_error};
use super::session::Caller;
use super::views::view;
use crate::app::App;
use crate::hub::Event;
use crate::store::WriteOp;
use crate::store::key_records::StoredAuditAction;
use crate::store::records::AgentV4;

/// Whether `name` may be a login and display name: 1-64 printable characters.
pub fn valid_name(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty() && name.chars().count() <= 64 && !name.chars().any(char::is_control)
}

/// The address to store for an `email` field: `None`/"" removes it; a bad address is
/// why, for an `invalid_field` answer.
pub fn email_field(email: Option<&str>) -> Result<Option<String>, &'static str> {
    match email.map(str::trim).filter(|e| !e.is_empty()) {
        None => Ok(None),
        Some(text) => crate::email::check_address(text).map(Some),
    }
}

/// For a `field: Option<Option<T>>` with `#[serde(default, deserialize_with =
/// "present")]`: absent → None (unchanged), `null` → Some(None) (cleared).
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// Writes agent `id`'s new fields (ending sessions as asked, see
/// [`WriteOp::UpdateAgent`]), tells the hub, and answers 200 with the account. An
/// admin's change of someone's account names its caller and the fields changed, for
/// the audit log.
pub async fn save(
    app: &Arc<App>,
    id: u64,
    agent: AgentV4,
    end_sessions: Option<Option<[u8; 32]>>,
    audit: Option<(Caller, Vec<String>)>,
) -> Response<Body> {
    let op = WriteOp::UpdateAgent {
        id,
        agent: agent.clone(),
        end_sessions,
    };
    let op = match audit {
        Some((caller, fields)) => {
            caller.audited(StoredAuditAction::AgentChanged { agent: id, fields }, op)
        }
        None => op,
    };
    if let Err(e) = app.writer.call(op).await {
        return store_error(e);
    }
    if let Some(keep) = end_sessions {
        app.hub.send(Event::SessionsEnded { agent: id, keep }).await;
    }
    app.hub
        .send(Event::AgentSaved {
            id,
            agent: agent.clone(),
        })
        .await;
    json(StatusCode::OK, &view(id, &agent))
}
