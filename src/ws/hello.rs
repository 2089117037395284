//! Checking a connection's first frame: who is this visitor or agent? Storage reads run
//! on the blocking pool; a new visitor's token is committed before it is handed out.

use std::sync::Arc;

use crate::app::App;
use crate::auth::{new_token, token_digest};
use crate::hub::{Event, Identity};
use crate::protocol::{ErrorCode, ErrorFrame, HelloAgent, HelloVisitor};
use crate::store::records::SessionRecord;
use crate::store::{StoreError, VisitorUpdate, WriteOp};
use crate::timer::unix_ms;

/// What the connection knows about its peer from the HTTP upgrade request.
#[derive(Debug, Clone, Default)]
pub struct PeerInfo {
    /// `Origin` header.
    pub origin: Option<String>,
    /// `User-Agent` header.
    pub user_agent: Option<String>,
    /// Session token from the `deskbell_session` cookie.
    pub cookie_token: Option<String>,
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> ErrorFrame {
    code.frame(message)
}

fn storage(e: StoreError) -> ErrorFrame {
    if e.is_unavailable() {
        tracing::debug!(error = %e, "hello refused: storage unavailable");
    } else {
        tracing::error!(error = %e, "storage error during hello");
    }
    refuse(
        ErrorCode::StorageUnavailable,
        "storage is unavailable; try again shortly",
    )
}

/// True for a site id of 1–64 letters, digits, `.`, `_` or `-`.
fn valid_site(site: &str) -> bool {
    (1..=64).contains(&site.len())
        && site
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn clip(text: Option<String>, max: usize) -> Option<String> {
    text.map(|mut t| {
        if t.len() > max {
            let mut end = max;
            while !t.is_char_boundary(end) {
                end -= 1;
            }
            t.truncate(end);
        }
        t
    })
}

/// Verifies a visitor hello and builds the hub event.
pub async fn visitor(
    app: &Arc<App>,
    conn: u64,
    hello: HelloVisitor,
    peer: &PeerInfo,
) -> Result<Event, ErrorFrame> {
    if !valid_site(&hello.site) {
        return Err(refuse(
            ErrorCode::InvalidField,
            "site must be 1-64 letters, digits, '.', '_' or '-'",
        ));
    }
    if !app.origin_allowed(peer.origin.as_deref()) {
        return Err(refuse(
            ErrorCode::Forbidden,
            "this website is not allowed to use the chat",
        ));
    }
    let store = app.store.clone();
    let presented = hello.token.clone();
    let known = App::read(
        app,
        move || -> Result<Option<(u64, Option<String>)>, StoreError> {
            let Some(token) = presented else {
                return Ok(None);
            };
            let Some(id) = store.visitor_by_token(&token_digest(&token))? else {
                return Ok(None);
            };
            Ok(Some((id, store.visitor(id)?.and_then(|v| v.name))))
        },
    )
    .await
    .map_err(storage)?;
    let (id, visitor_name, token) = match known {
        Some((id, name)) => (id, name, None),
        None => {
            let token = new_token().map_err(|e| refuse(ErrorCode::Internal, e.to_string()))?;
            (app.next_visitor_id(), None, Some(token))
        }
    };
    let update = VisitorUpdate {
        seen_ms: Some(unix_ms()),
        page: clip(hello.page, 2048),
        referrer: clip(hello.referrer, 2048),
        language: clip(hello.language, 64),
        user_agent: clip(peer.user_agent.clone(), 512),
        utc_offset_min: hello.utc_offset_min,
        name: None,
        email: None,
    };
    let put = WriteOp::UpsertVisitor {
        id,
        token_digest: token.as_deref().map(token_digest),
        update,
    };
    if token.is_some() {
        // A new visitor's token must be durable before the browser keeps it.
        app.writer.call(put).await.map_err(storage)?;
    } else {
        let _ = app.writer.submit(put, Box::new(|_| {})).await;
    }
    let store = app.store.clone();
    let site = hello.site.clone();
    let latest = App::read(app, move || {
        match store.current_conversation_of(id, &site)? {
            Some((conversation, ..)) => store.summary(conversation),
            None => Ok(None),
        }
    })
    .await
    .map_err(storage)?;
    Ok(Event::Hello {
        conn,
        identity: Identity::Visitor {
            id,
            site: hello.site,
        },
        visitor_token: token,
        latest,
        visitor_name,
    })
}

/// Verifies an agent hello (token in the frame, or the session cookie).
pub async fn agent(
    app: &Arc<App>,
    conn: u64,
    hello: HelloAgent,
    peer: &PeerInfo,
) -> Result<u64, ErrorFrame> {
    let Some(token) = hello.token.or_else(|| peer.cookie_token.clone()) else {
        return Err(refuse(ErrorCode::Unauthorized, "log in first"));
    };
    let store = app.store.clone();
    let session = App::read(app, move || store.session(&token_digest(&token)))
        .await
        .map_err(storage)?;
    let Some(SessionRecord::V1 {
        agent, expires_ms, ..
    }) = session
    else {
        return Err(refuse(
            ErrorCode::Unauthorized,
            "unknown or expired session; log in again",
        ));
    };
    if expires_ms < unix_ms() {
        return Err(refuse(
            ErrorCode::Unauthorized,
            "session expired; log in again",
        ));
    }
    let store = app.store.clone();
    let account = App::read(app, move || store.agents())
        .await
        .map_err(storage)?;
    match account.into_iter().find(|(id, _)| *id == agent) {
        Some((_, a)) if !a.disabled => {
            tracing::debug!(conn, agent, "agent connected");
            Ok(agent)
        }
        _ => Err(refuse(
            ErrorCode::Unauthorized,
            "account disabled or removed",
        )),
    }
}
