//! Checking a connection's first frame: who is this visitor or agent? Storage reads run
//! on the reader pool (`App::read`). A visitor's hello writes nothing unless the visitor is stored
//! already: a new visitor gets a signed token ([`super::visitor_token`]) and an id from
//! durably reserved blocks (`store::VisitorIds`); the record is created by their first
//! message or profile. New visitors per client address are limited per minute.

use std::sync::Arc;

use super::visitor_token;
use crate::app::App;
use crate::auth::session::{self, SessionAgent};
use crate::hub::{Event, Identity};
use crate::protocol::{ErrorCode, ErrorFrame, HelloAgent, HelloVisitor};
use crate::store::records::VisitorV2;
use crate::store::{StoreError, VisitorUpdate, WriteOp};
use crate::timer::unix_ms;

/// What the connection knows about its peer from the HTTP upgrade request.
#[derive(Debug, Clone)]
pub struct PeerInfo {
    /// The client's address (after trusted proxies).
    pub address: std::net::IpAddr,
    /// True when the upgrade's `Origin` is the console's own origin.
    pub console_origin: bool,
    /// `Origin` header.
    pub origin: Option<String>,
    /// `User-Agent` header.
    pub user_agent: Option<String>,
    /// Session token from the `deskbell_session` cookie.
    pub cookie_token: Option<String>,
}

pub(super) fn refuse(code: ErrorCode, message: impl Into<String>) -> ErrorFrame {
    code.frame(message)
}

pub(super) fn storage(e: StoreError) -> ErrorFrame {
    e.log_refusal("hello");
    refuse(
        ErrorCode::StorageUnavailable,
        "storage is unavailable; try again shortly",
    )
}

/// True for a site id of 1–64 letters, digits, `.`, `_` or `-`.
pub fn valid_site(site: &str) -> bool {
    (1..=64).contains(&site.len())
        && site
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

pub(super) fn clip(text: Option<String>, max: usize) -> Option<String> {
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

/// The checks every visitor hello starts with: the site id and the page's origin.
pub(super) fn check_site(app: &App, site: &str, peer: &PeerInfo) -> Result<(), ErrorFrame> {
    if !valid_site(site) {
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
    Ok(())
}

/// A stored-or-known visitor: the id a token names, and their record if stored.
pub(super) type Known = Option<(u64, Option<VisitorV2>)>;

/// The visitor a presented token names (signed, or an older stored one), with their
/// record; None for no token or an unknown one.
pub(super) async fn known_visitor(
    app: &Arc<App>,
    presented: Option<String>,
) -> Result<Known, ErrorFrame> {
    let store = app.store.clone();
    App::read(app, move || -> Result<Known, StoreError> {
        let Some(token) = presented else {
            return Ok(None);
        };
        // Signed, or an older stored one; an erased visitor's names nobody.
        let Some(id) = super::visitor_lookup::visitor_of_token(&store, &token)? else {
            return Ok(None);
        };
        Ok(Some((id, store.visitor(id)?)))
    })
    .await
    .map_err(storage)
}

/// Verifies a visitor hello and builds the hub event.
pub async fn visitor(
    app: &Arc<App>,
    conn: u64,
    hello: HelloVisitor,
    peer: &PeerInfo,
) -> Result<Event, ErrorFrame> {
    check_site(app, &hello.site, peer)?;
    let known = known_visitor(app, hello.token.clone()).await?;
    welcome(app, conn, hello, peer, known, None).await
}

/// Builds the hub's hello event for `known` (or a new visitor when None). A verified
/// customer's hello passes `customer_token`, their visitor's token, for the `welcome`.
pub(super) async fn welcome(
    app: &Arc<App>,
    conn: u64,
    hello: HelloVisitor,
    peer: &PeerInfo,
    known: Known,
    customer_token: Option<String>,
) -> Result<Event, ErrorFrame> {
    let key = *app.store.server_key();
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
    let language = update.language.clone();
    // Nothing is written here for a visitor without a record: the hub keeps this
    // visit's details and their first message or profile creates the record.
    let (id, visitor_name, token, unsaved) = match known {
        Some((id, Some(record))) => {
            // A stored visitor: note this visit in the background (no wait).
            let put = WriteOp::UpsertVisitor {
                id,
                token_digest: None,
                update,
            };
            let _ = app.writer.submit(put, Box::new(|_| {})).await;
            (id, record.name, customer_token, None)
        }
        Some((id, None)) => (id, None, customer_token, Some(Box::new(update))),
        None => {
            let now = app.config.now_ms();
            let allowed = match app.new_visitors.lock() {
                Ok(mut limit) => limit.try_take(peer.address, now),
                Err(_) => Ok(()),
            };
            if let Err(seconds) = allowed {
                return Err(refuse(
                    ErrorCode::RateLimited,
                    format!("too many new visitors from your address; try again in {seconds} s"),
                ));
            }
            let id = app.next_visitor_id().await.map_err(storage)?;
            let token = visitor_token::sign(&key, id);
            (id, None, Some(token), Some(Box::new(update)))
        }
    };
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
        language,
        session: None,
        unsaved,
    })
}

/// Verifies an agent hello (token in the frame, or the session cookie).
pub async fn agent(
    app: &Arc<App>,
    conn: u64,
    hello: HelloAgent,
    peer: &PeerInfo,
) -> Result<u64, ErrorFrame> {
    // A browser always sends Origin: a page elsewhere must not borrow the agent's cookie.
    // No Origin at all is a program (the load tester, scripts), not a browser.
    if peer.origin.is_some() && !peer.console_origin {
        return Err(refuse(
            ErrorCode::Forbidden,
            "agent connections are accepted only from the console's own address",
        ));
    }
    let Some(token) = hello.token.or_else(|| peer.cookie_token.clone()) else {
        return Err(refuse(ErrorCode::Unauthorized, "log in first"));
    };
    let store = app.store.clone();
    let found = App::read(app, move || session::resolve(&store, &token, unix_ms()))
        .await
        .map_err(storage)?;
    match found {
        SessionAgent::Agent(agent, _) => {
            tracing::debug!(conn, agent, "agent connected");
            Ok(agent)
        }
        SessionAgent::Unknown => Err(refuse(
            ErrorCode::Unauthorized,
            "unknown or expired session; log in again",
        )),
        SessionAgent::Expired => Err(refuse(
            ErrorCode::Unauthorized,
            "session expired; log in again",
        )),
        SessionAgent::Disabled => Err(refuse(
            ErrorCode::Unauthorized,
            "account disabled or removed",
        )),
    }
}
