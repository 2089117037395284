//! The request guards: who is calling ([`authenticate`], any enabled agent with a live
//! session) and whether they may administer ([`require_admin`]). Each answers with the
//! agent or the error response to send. Tokens are resolved by [`crate::auth::session`].

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response};

use super::reply::{Body, error_response, store_error};
use crate::app::App;
use crate::auth::session::{self, SessionAgent, bearer_or_cookie};
use crate::protocol::ErrorCode;
use crate::store::records::{AgentRole, AgentV4};
use crate::timer::unix_ms;

/// The logged-in agent behind a request, or an error response.
pub async fn authenticate(
    app: &Arc<App>,
    req: &Request<Incoming>,
) -> Result<(u64, AgentV4), Response<Body>> {
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

/// The logged-in admin's id, or an error response (403 for an agent who is not one).
/// The request's agent if they are an admin, else the error response.
pub async fn require_admin(app: &Arc<App>, req: &Request<Incoming>) -> Result<u64, Response<Body>> {
    match authenticate(app, req).await {
        Ok((id, me)) if me.role == AgentRole::Admin => Ok(id),
        Ok(_) => Err(error_response(
            ErrorCode::Forbidden,
            "only admins can do that",
        )),
        Err(r) => Err(r),
    }
}
