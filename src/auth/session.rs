//! Agent sessions as requests carry them: the token from `Authorization: Bearer` or the
//! session cookie, and the one place a token is resolved to its agent (used by the HTTP
//! guards and by the WebSocket agent hello). Two point reads: the session by its token
//! digest, then the agent by id.

use hyper::header::{self, HeaderMap};

use super::token::token_digest;
use crate::store::records::{AgentV4, SessionRecord};
use crate::store::{Store, StoreError};

/// Name of the cookie that carries an agent's session token.
pub const SESSION_COOKIE: &str = "deskbell_session";

/// The session token from `Authorization: Bearer …` or the session cookie.
pub fn bearer_or_cookie(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    bearer.or_else(|| session_cookie(headers))
}

/// The session token from the cookie header.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

/// What a session token turned out to be.
#[derive(Debug)]
pub enum SessionAgent {
    /// A live session of an enabled agent.
    Agent(u64, AgentV4),
    /// No session has this token.
    Unknown,
    /// The session's time is up.
    Expired,
    /// The session's agent is disabled or no longer exists.
    Disabled,
}

/// Resolves `token` at `now_ms` (blocking storage reads: run it on the reader pool).
pub fn resolve(store: &Store, token: &str, now_ms: u64) -> Result<SessionAgent, StoreError> {
    let Some(SessionRecord::V1 {
        agent, expires_ms, ..
    }) = store.session(&token_digest(token))?
    else {
        return Ok(SessionAgent::Unknown);
    };
    if expires_ms < now_ms {
        return Ok(SessionAgent::Expired);
    }
    Ok(match store.agent(agent)? {
        Some(a) if !a.disabled => SessionAgent::Agent(agent, a),
        _ => SessionAgent::Disabled,
    })
}
