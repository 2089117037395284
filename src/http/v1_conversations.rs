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

use super::key_guard::KeyCaller;
use super::reply::{Body, error_response, json, query, store_error};
use super::session::{authenticate, key_of};
use super::views::{LabelRef, RatingView, labels_for, ratings_for};
use crate::app::App;
use crate::protocol::ErrorCode;
use crate::store::conversation_pages::ConversationFilter;
use crate::store::records::{ConversationV1, MessageV1};
use crate::store::values::StoredStatus;
use crate::webhooks::payload::{rfc3339_ms, status_name};

/// Conversations per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 50;
/// Most conversations per page.
const MAX_LIMIT: usize = 200;
/// Messages per page unless `limit` says otherwise.
const DEFAULT_MESSAGES: u64 = 100;
/// Most messages per page.
const MAX_MESSAGES: u64 = 500;

/// A conversation as the API shows it.
#[derive(Serialize)]
struct ConversationView {
    /// Its id.
    id: u64,
    /// The visitor's id.
    visitor: u64,
    /// The site it started on.
    site: String,
    /// `bot`, `queued`, `assigned` or `closed`.
    status: &'static str,
    /// The assigned (or, when closed, last) agent.
    agent: Option<u64>,
    /// When it started (RFC 3339).
    created_at: String,
    /// Its last status change (RFC 3339).
    updated_at: String,
    /// The labels it carries.
    labels: Vec<LabelRef>,
    /// Its visitor's rating, once given.
    rating: Option<RatingView>,
}

fn conversation_view(
    id: u64,
    c: &ConversationV1,
    (labels, rating): (Vec<LabelRef>, Option<RatingView>),
) -> ConversationView {
    ConversationView {
        labels,
        rating,
        id,
        visitor: c.visitor,
        site: c.site.clone(),
        status: status_name(c.status),
        agent: c.agent,
        created_at: rfc3339_ms(c.created_ms),
        updated_at: rfc3339_ms(c.updated_ms),
    }
}

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

fn parse_status(name: &str) -> Option<StoredStatus> {
    match name {
        "bot" => Some(StoredStatus::Bot),
        "queued" => Some(StoredStatus::Queued),
        "assigned" => Some(StoredStatus::Assigned),
        "closed" => Some(StoredStatus::Closed),
        _ => None,
    }
}

/// Why a query is refused: the code and message of the error response.
pub(super) struct Refusal(ErrorCode, String);

impl Refusal {
    pub(super) fn invalid(message: String) -> Refusal {
        Refusal(ErrorCode::InvalidField, message)
    }

    pub(super) fn forbidden(message: &str) -> Refusal {
        Refusal(ErrorCode::Forbidden, message.into())
    }

    pub(super) fn respond(self) -> Response<Body> {
        error_response(self.0, &self.1)
    }
}

/// A number parameter: None when absent, Err when it is not a number.
fn number(req: &Request<Incoming>, name: &'static str) -> Result<Option<u64>, Refusal> {
    match query(req, name) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| Refusal::invalid(format!("{name} must be a whole number"))),
    }
}

/// A time parameter (RFC 3339, e.g. `2026-12-01T00:00:00Z`) in ms since the epoch.
pub(super) fn time(req: &Request<Incoming>, name: &'static str) -> Result<Option<u64>, Refusal> {
    let Some(v) = query(req, name) else {
        return Ok(None);
    };
    v.parse::<jiff::Timestamp>()
        .ok()
        .and_then(|t| u64::try_from(t.as_millisecond()).ok())
        .map(Some)
        .ok_or_else(|| {
            Refusal::invalid(format!(
                "{name} must be an RFC 3339 time such as 2026-12-01T00:00:00Z"
            ))
        })
}

/// The filter a request asks for, narrowed to the key's site.
fn filter_of(req: &Request<Incoming>, key: &KeyCaller) -> Result<ConversationFilter, Refusal> {
    let status = match query(req, "status") {
        None => None,
        Some(name) => Some(parse_status(&name).ok_or_else(|| {
            Refusal::invalid("status must be bot, queued, assigned or closed".into())
        })?),
    };
    let asked_site = query(req, "site");
    let site = match (&key.site, asked_site) {
        (Some(own), Some(asked)) if *own != asked => {
            return Err(Refusal(
                ErrorCode::Forbidden,
                "this key sees only its own site's conversations".into(),
            ));
        }
        (Some(own), _) => Some(own.clone()),
        (None, asked) => asked,
    };
    Ok(ConversationFilter {
        status,
        site,
        agent: number(req, "agent")?,
        visitor: number(req, "visitor")?,
        created_from_ms: time(req, "from")?,
        created_until_ms: time(req, "until")?,
        label: number(req, "label")?,
    })
}

/// `GET /api/v1/conversations` with an API key:
/// `?status=&site=&agent=&visitor=&label=&from=&until=&before=&limit=`.
pub async fn list(app: &Arc<App>, req: Request<Incoming>, key: &KeyCaller) -> Response<Body> {
    let filter = match filter_of(&req, key) {
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
