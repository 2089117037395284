//! The widget's email endpoints, called from the shop's pages (any origin, no
//! credentials; a JSON body sent as `text/plain`, so browsers need no preflight), each
//! acting for the visitor whose token is in the body:
//!
//! - `POST /api/visitor/confirm` `{"token", "email"}`: email a confirmation link to the
//!   address the visitor typed.
//! - `POST /api/visitor/transcript` `{"token", "conversation"}`: email the conversation,
//!   or, while the address is unconfirmed, its confirmation first.
//! - `POST /api/visitor/resume` `{"resume"}`: the visitor token and conversation of a
//!   resume link (`#deskbell-resume=…` in email 2).
//!
//! The limits are [`crate::email::limits`]'s; answers and codes are in `docs/API.md`.

use std::net::IpAddr;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde::Deserialize;

use super::reply::{Body, error_response, json, read_json};
use crate::app::App;
use crate::email::link_token::Purpose;
use crate::email::target::EmailTarget;
use crate::email::visitors::{Refusal, TranscriptAnswer};
use crate::outbox::{EventKind, OutboxEvent, Planned, SinkId};
use crate::protocol::ErrorCode;
use crate::ws::visitor_lookup::visitor_of_token;
use crate::ws::visitor_token;

/// Largest body accepted.
const LIMIT: usize = 2048;

/// `POST /api/visitor/confirm`.
#[derive(Deserialize)]
struct ConfirmAsk {
    /// The visitor token.
    token: String,
    /// The address to confirm.
    email: String,
}

/// `POST /api/visitor/transcript`.
#[derive(Deserialize)]
struct TranscriptAsk {
    /// The visitor token.
    token: String,
    /// The conversation to send.
    conversation: u64,
}

/// `POST /api/visitor/resume`.
#[derive(Deserialize)]
struct ResumeAsk {
    /// The token of the resume link.
    resume: String,
}

/// Any website's widget may read these answers.
fn cors(mut response: Response<Body>) -> Response<Body> {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

fn status(word: &'static str) -> Response<Body> {
    cors(json(
        StatusCode::ACCEPTED,
        &serde_json::json!({ "status": word }),
    ))
}

fn refused(why: Refusal) -> Response<Body> {
    cors(match why {
        Refusal::Off => error_response(
            ErrorCode::Unavailable,
            "this shop does not send emails to visitors",
        ),
        Refusal::NoAddress => error_response(ErrorCode::NotFound, "no email address to write to"),
        Refusal::OptedOut => error_response(
            ErrorCode::Forbidden,
            "this address unsubscribed from our emails",
        ),
        Refusal::AlreadyConfirmed => status("confirmed"),
        Refusal::Limited(bucket) => error_response(
            ErrorCode::RateLimited,
            &format!("too many emails for now ({bucket:?}); try again later"),
        ),
        Refusal::Store(e) => {
            tracing::debug!(error = %e, "visitor email: storage");
            error_response(ErrorCode::StorageUnavailable, "storage is unavailable")
        }
    })
}

/// The visitor a token names (signed tokens, or older stored ones). Blocking.
fn visitor_of(store: &crate::store::Store, token: &str) -> Option<u64> {
    if token.len() > 128 {
        return None;
    }
    visitor_of_token(store, token).ok().flatten()
}

/// Stores the email job and wakes the outbox.
async fn enqueue(app: &Arc<App>, visitor: u64, target: EmailTarget) -> Response<Body> {
    let conversation = match &target {
        EmailTarget::VisitorTranscript { conversation, .. } => *conversation,
        _ => 0,
    };
    let event = OutboxEvent {
        id: 0,
        kind: EventKind::VisitorEmailLeft,
        at_ms: app.outbox.now_ms(),
        conversation,
        seq: None,
        visitor,
        agent: None,
    };
    let planned = Planned {
        target: target.encode(),
        not_before_ms: 0,
        log_key: None,
    };
    match app.outbox.enqueue(SinkId::Email, &event, planned).await {
        Ok(_) => status(match target {
            EmailTarget::VisitorTranscript { .. } => "sent",
            _ => "confirmation_sent",
        }),
        Err(e) => cors(super::reply::store_error(e)),
    }
}

/// `POST /api/visitor/confirm`.
pub async fn confirm(app: &Arc<App>, client: IpAddr, req: Request<Incoming>) -> Response<Body> {
    let ask: ConfirmAsk = match read_json(req, LIMIT).await {
        Ok(a) => a,
        Err(r) => return cors(r),
    };
    let address = match crate::email::check_address(&ask.email) {
        Ok(a) => a,
        Err(why) => return cors(error_response(ErrorCode::InvalidField, why)),
    };
    let worker = app.clone();
    let decided = app
        .read(move || {
            let visitor = visitor_of(&worker.store, &ask.token).ok_or(Refusal::NoAddress)?;
            let target = worker
                .visitor_mail
                .ask_confirmation(visitor, &address, client)?;
            Ok((visitor, target))
        })
        .await;
    match decided {
        Ok((visitor, target)) => enqueue(app, visitor, target).await,
        Err(Refusal::NoAddress) => cors(error_response(
            ErrorCode::Unauthorized,
            "unknown visitor token",
        )),
        Err(why) => refused(why),
    }
}

/// `POST /api/visitor/transcript`.
pub async fn transcript(app: &Arc<App>, client: IpAddr, req: Request<Incoming>) -> Response<Body> {
    let ask: TranscriptAsk = match read_json(req, LIMIT).await {
        Ok(a) => a,
        Err(r) => return cors(r),
    };
    let worker = app.clone();
    let decided = app
        .read(move || {
            let visitor = visitor_of(&worker.store, &ask.token).ok_or(Refusal::NoAddress)?;
            let answer = worker
                .visitor_mail
                .ask_transcript(visitor, ask.conversation, client)?;
            Ok((visitor, answer))
        })
        .await;
    match decided {
        Ok((visitor, TranscriptAnswer::Send(target)))
        | Ok((visitor, TranscriptAnswer::ConfirmFirst(target))) => {
            enqueue(app, visitor, target).await
        }
        Err(why) => refused(why),
    }
}

/// `POST /api/visitor/resume`: `{"visitor_token", "conversation"}`.
pub async fn resume(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let ask: ResumeAsk = match read_json(req, LIMIT).await {
        Ok(a) => a,
        Err(r) => return cors(r),
    };
    match app.visitor_mail.verify(&ask.resume, Purpose::Resume) {
        Some(claims) => cors(json(
            StatusCode::OK,
            &serde_json::json!({
                "visitor_token": visitor_token::sign(app.store.server_key(), claims.visitor),
                "conversation": claims.conversation,
            }),
        )),
        None => cors(error_response(
            ErrorCode::Unauthorized,
            "this link is broken or has expired",
        )),
    }
}
