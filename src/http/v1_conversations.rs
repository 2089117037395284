//! The integrators' conversation reads (`docs/API.md`, "REST API v1"): with an API key,
//! `GET /api/v1/conversations` lists conversations by filter, newest first, a page at
//! a time; `GET /api/v1/conversations/ID` is one conversation with its messages,
//! paged by seq (also for an agent's session). A key for one site sees only that
//! site's conversations: another site's are "not found", not "forbidden", so a key
//! cannot learn which ids exist elsewhere.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::conversation_query::{filter_of, number};
use super::key_guard::KeyCaller;
use super::reply::{Body, error_response, json, store_error};
use super::session::{authenticate, key_of};
use super::views::{ConversationView, conversation_view, labels_for, ratings_for};
use crate::app::App;
use crate::protocol::ErrorCode;
use crate::store::records::MessageV1;
use crate::webhooks::payload::rfc3339_ms;

/// Conversations per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 50;
/// Most conversations per page.
const MAX_LIMIT: usize = 200;
/// Messages per page unless `limit` says otherwise.
const DEFAULT_MESSAGES: u64 = 100;
/// Most messages per page.
const MAX_MESSAGES: u64 = 500;

/// A message as the API shows it.
#[derive(Serialize)]
struct MessageView {
    /// Its sequence number in the conversation.
    seq: u64,
    /// When it was stored (RFC 3339).
    at: String,
    /// `visitor`, `agent`, `bot` or `system`.
    author_kind: &'static str,
    /// The visitor's or agent's id (0 for bot and system).
    author_id: u64,
    /// The author's display name when it was written.
    author_name: String,
    /// The text.
    body: String,
    /// The sender's client message id.
    client_id: Option<String>,
}

fn message_view(seq: u64, m: MessageV1) -> MessageView {
    MessageView {
        seq,
        at: rfc3339_ms(m.at_ms),
        author_kind: m.author_kind.name(),
        author_id: m.author_id,
        author_name: m.author_name,
        body: m.body,
        client_id: m.client_id,
    }
}

/// A page of conversations.
#[derive(Serialize)]
struct ConversationPageView {
    /// Newest first.
    conversations: Vec<ConversationView>,
    /// Pass as `before` for the next page; null: there is nothing older.
    next_before: Option<u64>,
}

/// One conversation and a page of its messages.
#[derive(Serialize)]
struct ConversationDetail {
    /// The conversation.
    #[serde(flatten)]
    conversation: ConversationView,
    /// Messages with `seq` above `after`, ascending.
    messages: Vec<MessageView>,
    /// Pass as `after` for the next messages; null: these are the latest.
    next_after: Option<u64>,
}

/// `GET /api/v1/conversations` with an API key:
/// `?status=&site=&agent=&visitor=&label=&from=&until=&before=&limit=`.
pub async fn list(app: &Arc<App>, req: Request<Incoming>, key: &KeyCaller) -> Response<Body> {
    let filter = match filter_of(&req, key.site.as_deref()) {
        Ok(f) => f,
        Err(r) => return r.respond(),
    };
    let before = match number(&req, "before") {
        Ok(b) => b.unwrap_or(0),
        Err(r) => return r.respond(),
    };
    let limit = match number(&req, "limit") {
        Ok(l) => l.map_or(DEFAULT_LIMIT, |l| l.clamp(1, MAX_LIMIT as u64) as usize),
        Err(r) => return r.respond(),
    };
    let store = app.store.clone();
    let read = move || -> Result<_, crate::store::StoreError> {
        let page = store.conversation_page(&filter, before, limit)?;
        let ids: Vec<u64> = page.conversations.iter().map(|(id, _)| *id).collect();
        Ok((
            (labels_for(&store, &ids)?, ratings_for(&store, &ids)?),
            page,
        ))
    };
    match App::read(app, read).await {
        Ok(((mut labels, mut ratings), page)) => json(
            StatusCode::OK,
            &ConversationPageView {
                conversations: page
                    .conversations
                    .iter()
                    .map(|(id, c)| {
                        let extra = (labels.remove(id).unwrap_or_default(), ratings.remove(id));
                        conversation_view(*id, c, extra)
                    })
                    .collect(),
                next_before: page.next_before,
            },
        ),
        Err(e) => store_error(e),
    }
}

/// `GET /api/v1/conversations/ID?after=SEQ&limit=N`: the conversation and its
/// messages with `seq > after`, ascending (an API key, or an agent's session).
pub async fn get(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let site = match key_of(&req) {
        Some(key) => key.site.clone(),
        None => match authenticate(app, &req).await {
            Ok(_) => None,
            Err(r) => return r,
        },
    };
    let after = match number(&req, "after") {
        Ok(a) => a.unwrap_or(0),
        Err(r) => return r.respond(),
    };
    let limit = match number(&req, "limit") {
        Ok(l) => l.map_or(DEFAULT_MESSAGES, |l| l.clamp(1, MAX_MESSAGES)),
        Err(r) => return r.respond(),
    };
    let store = app.store.clone();
    let found = App::read(app, move || -> Result<_, crate::store::StoreError> {
        let Some(c) = store.conversation(id)? else {
            return Ok(None);
        };
        if site.as_ref().is_some_and(|s| *s != c.site) {
            return Ok(None);
        }
        let (last, _) = store.last_message(id)?;
        let upto = after.saturating_add(limit).min(last);
        let messages = store.messages_between(id, after, upto)?;
        let labels = labels_for(&store, &[id])?.remove(&id).unwrap_or_default();
        let rating = ratings_for(&store, &[id])?.remove(&id);
        Ok(Some((c, (labels, rating), messages, upto, upto < last)))
    })
    .await;
    match found {
        Ok(Some((c, labels, messages, upto, more))) => {
            let next_after = more.then_some(upto);
            json(
                StatusCode::OK,
                &ConversationDetail {
                    conversation: conversation_view(id, &c, labels),
                    messages: messages
                        .into_iter()
                        .map(|(s, m)| message_view(s, m))
                        .collect(),
                    next_after,
                },
            )
        }
        Ok(None) => error_response(ErrorCode::NotFound, "no such conversation"),
        Err(e) => store_error(e),
    }
}
