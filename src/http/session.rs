//! The request guards: who is calling ([`authenticate`], any enabled agent with a live
//! session) and whether they may administer ([`require_admin`]: an admin's session or
//! an admin API key for every site). Each answers with the caller or the error
//! response to send. Tokens are resolved by [`crate::auth::session`]; API keys were
//! checked before dispatch (`key_guard`), which left a [`KeyCaller`] in the request.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response};

use super::key_guard::KeyCaller;
use super::reply::{Body, error_response, store_error};
use crate::app::App;
use crate::auth::session::{self, SessionAgent, bearer_or_cookie};
use crate::protocol::ErrorCode;
use crate::store::WriteOp;
use crate::store::key_records::{AuditV1, StoredActor, StoredAuditAction, StoredKeyScope};
use crate::store::records::{AgentRole, AgentV4};
use crate::timer::unix_ms;

/// Who called an admin endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// An admin's session (the agent id).
    Agent(u64),
    /// An admin API key (the key id).
    Key(u64),
}

impl Caller {
    /// The agent, for a session.
    pub fn agent(self) -> Option<u64> {
        match self {
            Caller::Agent(id) => Some(id),
            Caller::Key(_) => None,
        }
    }

    /// Who, for the audit log.
    pub fn actor(self) -> StoredActor {
        match self {
            Caller::Agent(id) => StoredActor::Agent(id),
            Caller::Key(id) => StoredActor::Key(id),
        }
    }

    /// `op`, recorded in the audit log as `action` by this caller, now (one commit).
    pub fn audited(self, action: StoredAuditAction, op: WriteOp) -> WriteOp {
        WriteOp::Audited {
            op: Box::new(op),
            entry: AuditV1 {
                at_ms: unix_ms(),
                actor: self.actor(),
                action,
            },
        }
    }
}

/// The API key a request was authenticated by, if any.
pub fn key_of(req: &Request<Incoming>) -> Option<&KeyCaller> {
    req.extensions().get::<KeyCaller>()
}

/// The logged-in agent behind a request, or an error response. API keys are refused
/// here: these endpoints act as a person (their inbox, profile, devices).
pub async fn authenticate(
    app: &Arc<App>,
    req: &Request<Incoming>,
) -> Result<(u64, AgentV4), Response<Body>> {
    if key_of(req).is_some() {
        return Err(error_response(
            ErrorCode::Forbidden,
            "this endpoint acts as a logged-in agent; API keys use /api/v1/conversations \
             and the admin endpoints",
        ));
    }
    let Some(token) = bearer_or_cookie(req.headers()) else {
        return Err(error_response(ErrorCode::Unauthorized, "log in first"));
    };
    let store = app.store.clone();
    match App::read(app, move || session::resolve(&store, &token, unix_ms())).await {
        Ok(SessionAgent::Agent(id, agent)) => Ok((id, agent)),
        Ok(_) => Err(error_response(
            ErrorCode::Unauthorized,
            "unknown or expired session; log in again",
        )),
        Err(e) => Err(store_error(e)),
    }
}

/// The request's admin (a session, or an admin key for every site), else the error
/// response (403 for an agent who is not an admin, or a key of another scope).
pub async fn require_admin(
    app: &Arc<App>,
    req: &Request<Incoming>,
) -> Result<Caller, Response<Body>> {
    if let Some(key) = key_of(req) {
        return match (key.scope, &key.site) {
            (StoredKeyScope::Admin, None) => Ok(Caller::Key(key.id)),
            _ => Err(error_response(
                ErrorCode::Forbidden,
                "only admin keys for every site can do that",
            )),
        };
    }
    match authenticate(app, req).await {
        Ok((id, me)) if me.role == AgentRole::Admin => Ok(Caller::Agent(id)),
        Ok(_) => Err(error_response(
            ErrorCode::Forbidden,
            "only admins can do that",
        )),
        Err(r) => Err(r),
    }
}
