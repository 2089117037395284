//! The JSON API for accounts: first-run setup, login/logout, and agent management.

use std::net::IpAddr;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::agent_write::valid_name;
use super::reply::{BODY_LIMIT, Body, error_response, json, read_json, store_error, too_many};
use super::session::{Caller, authenticate, require_admin};
use super::views::{AgentView, view};
use crate::app::App;
use crate::auth::device::{
    device_cookie, device_set_cookie, new_device_id, sign_device, verify_device,
};
use crate::auth::session::{SESSION_COOKIE, bearer_or_cookie};
use crate::auth::setup_code;
use crate::auth::{
    KnownDevice, Source, check_new_password, constant_time_eq, hash_password, new_token,
    normalize_setup_code, token_digest, verify_password,
};
use crate::hub::Event;
use crate::protocol::ErrorCode;
use crate::store::key_records::StoredAuditAction;
use crate::store::records::{AgentRole, AgentV4, SessionRecord};
use crate::store::{Outcome, WriteOp};
use crate::timer::unix_ms;

/// The one account name the setup-code throttle counts under.
const SETUP_ACCOUNT: &str = "setup";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupRequest {
    code: String,
    name: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    name: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAgentRequest {
    name: String,
    password: String,
    #[serde(default)]
    admin: bool,
    capacity: Option<u32>,
}

#[derive(Serialize)]
struct LoginReply {
    token: String,
    agent: AgentView,
}

async fn create_agent(
    app: &Arc<App>,
    name: String,
    password: String,
    role: AgentRole,
    capacity: Option<u32>,
    first: bool,
    by: Option<Caller>,
) -> Result<(u64, AgentV4), Response<Body>> {
    if !valid_name(&name) {
        return Err(error_response(
            ErrorCode::InvalidField,
            "name must be 1-64 printable characters",
        ));
    }
    check_new_password(&password)
        .map_err(|e| error_response(ErrorCode::InvalidField, &e.to_string()))?;
    let hash = App::hash(app, move || hash_password(&password))
        .await
        .map_err(|e| error_response(ErrorCode::Internal, &e.to_string()))?;
    let agent = AgentV4 {
        capacity,
        ..AgentV4::new(name.trim().to_string(), role, hash, unix_ms())
    };
    let op = WriteOp::CreateAgent {
        agent: agent.clone(),
        only_if_no_admin: first,
    };
    let op = match by {
        Some(caller) => caller.audited(StoredAuditAction::AgentCreated { agent: 0 }, op),
        None => op,
    };
    match app.writer.call(op).await {
        Ok(Outcome::AgentCreated(id)) => {
            app.hub
                .send(Event::AgentSaved {
                    id,
                    agent: agent.clone(),
                })
                .await;
            Ok((id, agent))
        }
        Ok(_) => Err(error_response(
            ErrorCode::Internal,
            "unexpected storage answer",
        )),
        Err(e) => Err(store_error(e)),
    }
}

/// `POST /api/setup`: creates the first admin with the one-time code from the log;
/// wrong codes are throttled per address like logins.
pub async fn setup(app: &Arc<App>, peer: IpAddr, req: Request<Incoming>) -> Response<Body> {
    let body: SetupRequest = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let expected = app.setup_code.lock().map(|c| c.clone()).unwrap_or(None);
    let Some(expected) = expected else {
        return error_response(
            ErrorCode::Conflict,
            "setup has already been completed; log in instead",
        );
    };
    let (source, now) = (Source::addr(peer), app.config.now_ms());
    if let Ok(mut throttle) = app.setup_throttle.lock()
        && let Err(wait) = throttle.check(&source, SETUP_ACCOUNT, now)
    {
        return too_many(wait, "too many wrong setup codes");
    }
    let given = normalize_setup_code(&body.code);
    if !constant_time_eq(given.as_bytes(), normalize_setup_code(&expected).as_bytes()) {
        if let Ok(mut throttle) = app.setup_throttle.lock() {
            throttle.record_failure(&source, SETUP_ACCOUNT, now);
        }
        return error_response(
            ErrorCode::Unauthorized,
            "wrong setup code; it is printed in the server log",
        );
    }
    match create_agent(
        app,
        body.name,
        body.password,
        AgentRole::Admin,
        None,
        true,
        None,
    )
    .await
    {
        Ok((id, agent)) => {
            if let Ok(mut code) = app.setup_code.lock() {
                *code = None;
            }
            setup_code::retire(&app.config.data_dir);
            tracing::info!(admin = %agent.name, "first admin created; setup code retired");
            json(StatusCode::CREATED, &view(id, &agent))
        }
        Err(r) => r,
    }
}

/// `POST /api/login`: checks the password (throttled per address and account) and
/// returns a session token, also set as an HttpOnly cookie.
pub async fn login(app: &Arc<App>, peer: IpAddr, req: Request<Incoming>) -> Response<Body> {
    let cookies = req.headers().get_all(header::COOKIE);
    let device = device_cookie(cookies.iter().filter_map(|v| v.to_str().ok()))
        .and_then(|value| verify_device(app.store.server_key(), value));
    let body: LoginRequest = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let now = app.config.now_ms();
    // A device cookie counts only for the account it was set for: look that up first.
    let mut found = None;
    if device.is_some() {
        match agent_by_name(app, &body.name).await {
            Ok(f) => found = Some(f),
            Err(r) => return r,
        }
    }
    let source = Source {
        addr: peer,
        device: device
            .filter(|d| matches!(&found, Some(Some((id, _))) if *id == d.agent))
            .map(|d| d.id),
    };
    if let Ok(mut throttle) = app.throttle.lock()
        && let Err(wait) = throttle.check(&source, &body.name, now)
    {
        return too_many(wait, "too many failed logins");
    }
    let found = match found {
        Some(found) => found,
        None => match agent_by_name(app, &body.name).await {
            Ok(found) => found,
            Err(r) => return r,
        },
    };
    let password = body.password;
    let hash = found
        .as_ref()
        .map_or(app.dummy_hash.clone(), |(_, a)| a.password_hash.clone());
    let matches = App::hash(app, move || verify_password(&password, &hash)).await;
    let account = match found {
        Some((id, agent)) if matches && !agent.disabled => (id, agent),
        _ => {
            app.metrics.logins_failed_total.inc();
            if let Ok(mut throttle) = app.throttle.lock() {
                throttle.record_failure(&source, &body.name, now);
            }
            return error_response(ErrorCode::Unauthorized, "wrong name or password");
        }
    };
    if let Ok(mut throttle) = app.throttle.lock() {
        throttle.record_success(&source, &body.name, now);
    }
    let token = match new_token() {
        Ok(t) => t,
        Err(e) => return error_response(ErrorCode::Internal, &e.to_string()),
    };
    let created_ms = unix_ms();
    let record = SessionRecord::V1 {
        agent: account.0,
        created_ms,
        expires_ms: created_ms + app.config.session_ttl_ms,
    };
    if let Err(e) = app
        .writer
        .call(WriteOp::PutSession {
            digest: token_digest(&token),
            record,
        })
        .await
    {
        return store_error(e);
    }
    let mut response = json(
        StatusCode::OK,
        &LoginReply {
            token: token.clone(),
            agent: view(account.0, &account.1),
        },
    );
    // Over TLS (built in, or a proxy's when the public URL is https) the browser must
    // never send the cookie in plain text.
    let secure = if app.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
        app.config.session_ttl_ms / 1000
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    // The known-device cookie (same `Secure` rule); a browser keeps its device id.
    let id = source.device.or_else(|| new_device_id().ok());
    if let Some(id) = id {
        let known = KnownDevice {
            agent: account.0,
            id,
        };
        let signed = sign_device(app.store.server_key(), &known);
        if let Ok(v) = HeaderValue::from_str(&device_set_cookie(&signed, !secure.is_empty())) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// The agent with this login name, or the storage error response.
async fn agent_by_name(
    app: &Arc<App>,
    name: &str,
) -> Result<Option<(u64, AgentV4)>, Response<Body>> {
    let store = app.store.clone();
    let name = name.to_string();
    App::read(app, move || store.agent_by_name(&name))
        .await
        .map_err(store_error)
}

/// `POST /api/logout`: forgets the session.
pub async fn logout(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Some(token) = bearer_or_cookie(req.headers())
        && let Err(e) = app
            .writer
            .call(WriteOp::DeleteSession {
                digest: token_digest(&token),
            })
            .await
    {
        return store_error(e);
    }
    let mut response = json(StatusCode::OK, &serde_json::json!({"ok": true}));
    let expired = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&expired) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// `GET /api/agents`: every agent (any logged-in agent may list colleagues).
pub async fn list_agents(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = authenticate(app, &req).await {
        return r;
    }
    let store = app.store.clone();
    match App::read(app, move || store.agents()).await {
        Ok(agents) => json(
            StatusCode::OK,
            &agents
                .iter()
                .map(|(id, a)| view(*id, a))
                .collect::<Vec<_>>(),
        ),
        Err(e) => store_error(e),
    }
}

/// `POST /api/agents`: admins create agents.
pub async fn create(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: NewAgentRequest = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let role = if body.admin {
        AgentRole::Admin
    } else {
        AgentRole::Agent
    };
    match create_agent(
        app,
        body.name,
        body.password,
        role,
        body.capacity,
        false,
        Some(caller),
    )
    .await
    {
        Ok((id, agent)) => json(StatusCode::CREATED, &view(id, &agent)),
        Err(r) => r,
    }
}
