//! The integrators' actions in one conversation (`docs/API.md`, "REST API v1"), with an
//! API key of scope `write` or `admin` (the key guard refuses `read` keys):
//! `POST /api/v1/conversations/ID/messages` posts a message as an agent, as the bot or
//! as an internal note; `…/assign`, `…/transfer` and `…/close` move it as the console
//! does. Each goes through the hub exactly as the WebSocket frame would
//! ([`crate::hub::api_actions`]), and the answer comes once it is committed. Sessions
//! are refused: the console acts over its WebSocket.
//!
//! A key for one site sees only that site's conversations: another site's are "not
//! found", as for `GET /api/v1/conversations/ID`.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::key_guard::KeyCaller;
use super::reply::{BODY_LIMIT, Body, error_response, json, read_json, store_error};
use super::session::key_of;
use crate::app::App;
use crate::hub::{ActRefusal, Acted, ApiAction, ApiAuthor, Event};
use crate::protocol::{ClientFrame, ErrorCode, Note, Send};
use crate::ws::frame_check;

/// Who a posted message is from.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum AuthorField {
    /// An agent (named in `agent`) who holds the conversation.
    Agent,
    /// The bot.
    Bot,
    /// An internal note (by `agent` if named, else by the key's name).
    Note,
}

/// `POST /api/v1/conversations/ID/messages`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PostBody {
    /// The caller's id for this message (1-64 bytes): a retry with the same id gets the
    /// same message back, never a second one.
    client_id: String,
    /// The text.
    body: String,
    /// `agent`, `bot` or `note`.
    author: AuthorField,
    /// The agent's id: required for `agent`, optional for `note`, refused for `bot`.
    agent: Option<u64>,
}

/// `POST …/assign`, `…/transfer`, `…/close`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentBody {
    /// The agent who takes the conversation (assign, transfer) or closes it.
    agent: u64,
}

/// The answer to a posted message.
#[derive(Serialize)]
struct PostedView {
    /// Conversation.
    conversation: u64,
    /// The message's sequence number.
    seq: u64,
    /// The client id it was posted with.
    client_id: String,
    /// True when this client id was posted before: `seq` is that message's.
    duplicate: bool,
}

/// The answer to an assign, transfer or close.
#[derive(Serialize)]
struct MovedView {
    /// Conversation.
    conversation: u64,
    /// The system message recording the change.
    seq: u64,
    /// `assigned` or `closed`.
    status: &'static str,
    /// The agent who now has it (or closed it).
    agent: u64,
}

/// A body's text may be escaped in JSON (`\u00e9`: 6 bytes for one): room for that, on
/// top of the message's own limit (`--max-body-bytes`, checked once decoded).
fn post_limit(max_body_bytes: usize) -> usize {
    max_body_bytes.saturating_mul(6).saturating_add(1024)
}

/// The answer to a caller without a key (anonymous, or a session).
fn key_needed() -> Response<Body> {
    error_response(
        ErrorCode::Unauthorized,
        "acting in a conversation takes an API key (Authorization: Bearer dk_…); \
         the console acts over its WebSocket",
    )
}

/// 404 unless conversation `id` exists and `key` may see it.
async fn check_visible(app: &Arc<App>, key: &KeyCaller, id: u64) -> Result<(), Response<Body>> {
    let store = app.store.clone();
    let site = key.site.clone();
    match App::read(app, move || store.conversation(id)).await {
        Ok(Some(c)) if site.as_ref().is_none_or(|s| *s == c.site) => Ok(()),
        Ok(_) => Err(error_response(ErrorCode::NotFound, "no such conversation")),
        Err(e) => Err(store_error(e)),
    }
}

/// Hands `action` to the hub and waits for its answer (after the commit).
/// `None` in `Err`: the hub is stopping, or the write was dropped (the writer
/// stopped); nothing was stored.
async fn act(
    app: &Arc<App>,
    conversation: u64,
    action: ApiAction,
) -> Result<Acted, Option<ActRefusal>> {
    let (reply, answer) = async_channel::bounded(1);
    let event = Event::Act {
        conversation,
        action,
        reply,
    };
    if !app.hub.send(event).await {
        return Err(None);
    }
    match answer.recv().await {
        Ok(Ok(acted)) => Ok(acted),
        Ok(Err(refusal)) => Err(Some(refusal)),
        Err(_) => Err(None),
    }
}

/// The response for an action [`act`] did not take.
fn refused(refusal: Option<ActRefusal>) -> Response<Body> {
    match refusal {
        Some(ActRefusal { code, message }) => error_response(code, &message),
        None => error_response(ErrorCode::Unavailable, "the server is stopping; try again"),
    }
}

/// The seq of a message already stored under `client_id`: a retry the hub refused
/// because the conversation moved on after the first attempt was stored (closed: 409,
/// or no longer its agent's: 403) still gets that message's seq, never a refusal.
async fn stored_before(app: &Arc<App>, conversation: u64, client_id: &str) -> Option<u64> {
    let store = app.store.clone();
    let client_id = client_id.to_string();
    App::read(app, move || {
        store.seq_of_client_id(conversation, &client_id)
    })
    .await
    .ok()
    .flatten()
}

/// The author a body names, or why it is refused.
fn author_of(body: &PostBody, key: &KeyCaller) -> Result<ApiAuthor, &'static str> {
    match (body.author, body.agent) {
        (AuthorField::Agent, Some(agent)) => Ok(ApiAuthor::Agent(agent)),
        (AuthorField::Agent, None) => Err("a message from an agent names the agent"),
        (AuthorField::Bot, None) => Ok(ApiAuthor::Bot),
        (AuthorField::Bot, Some(_)) => Err("a message from the bot names no agent"),
        (AuthorField::Note, agent) => Ok(ApiAuthor::Note {
            agent,
            key_name: key.name.clone(),
        }),
    }
}

/// `POST /api/v1/conversations/ID/messages`:
/// `{"client_id", "body", "author": "agent"|"bot"|"note", "agent"?}` → 201.
pub async fn post_message(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let Some(key) = key_of(&req).cloned() else {
        return key_needed();
    };
    let max = app.config.max_body_bytes;
    let body: PostBody = match read_json(req, post_limit(max)).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let author = match author_of(&body, &key) {
        Ok(a) => a,
        Err(why) => return error_response(ErrorCode::InvalidField, why),
    };
    // The one check of a message's fields, as for a WebSocket `send` or `note`.
    let frame = match author {
        ApiAuthor::Note { .. } => ClientFrame::Note(Note {
            conversation: id,
            client_id: body.client_id.clone(),
            body: body.body.clone(),
        }),
        ApiAuthor::Agent(_) | ApiAuthor::Bot => ClientFrame::Send(Send {
            conversation: Some(id),
            client_id: body.client_id.clone(),
            body: body.body.clone(),
        }),
    };
    if let Err(e) = frame_check::check(&frame, max) {
        let code = ErrorCode::ALL
            .into_iter()
            .find(|c| c.number() == e.code)
            .unwrap_or(ErrorCode::InvalidField);
        return error_response(code, &e.message);
    }
    if let Err(r) = check_visible(app, &key, id).await {
        return r;
    }
    // Counted here, not by the hub: the bot's messages are not indexed.
    let terms = match author {
        ApiAuthor::Bot => None,
        ApiAuthor::Agent(_) | ApiAuthor::Note { .. } => crate::ws::frame_terms::count(&frame).await,
    };
    let client_id = body.client_id.clone();
    let action = ApiAction::Post {
        author,
        client_id: body.client_id,
        body: body.body,
        terms,
    };
    let acted = match act(app, id, action).await {
        Ok(acted) => acted,
        Err(Some(r)) if matches!(r.code, ErrorCode::Conflict | ErrorCode::NotAssigned) => {
            match stored_before(app, id, &client_id).await {
                Some(seq) => Acted {
                    conversation: id,
                    seq,
                    duplicate: true,
                },
                None => return refused(Some(r)),
            }
        }
        Err(r) => return refused(r),
    };
    json(
        StatusCode::CREATED,
        &PostedView {
            conversation: acted.conversation,
            seq: acted.seq,
            client_id,
            duplicate: acted.duplicate,
        },
    )
}

/// Which move a request asks for.
#[derive(Debug, Clone, Copy)]
pub enum Move {
    /// `POST …/assign`.
    Assign,
    /// `POST …/transfer`.
    Transfer,
    /// `POST …/close`.
    Close,
}

/// `POST /api/v1/conversations/ID/assign|transfer|close` with `{"agent": ID}` → 200.
pub async fn move_conversation(
    app: &Arc<App>,
    req: Request<Incoming>,
    id: u64,
    how: Move,
) -> Response<Body> {
    let Some(key) = key_of(&req).cloned() else {
        return key_needed();
    };
    let AgentBody { agent } = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Err(r) = check_visible(app, &key, id).await {
        return r;
    }
    let (action, status) = match how {
        Move::Assign => (ApiAction::Assign { agent }, "assigned"),
        Move::Transfer => (ApiAction::Transfer { agent }, "assigned"),
        Move::Close => (ApiAction::Close { agent }, "closed"),
    };
    match act(app, id, action).await {
        Ok(acted) => json(
            StatusCode::OK,
            &MovedView {
                conversation: acted.conversation,
                seq: acted.seq,
                status,
                agent,
            },
        ),
        Err(r) => refused(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> KeyCaller {
        KeyCaller {
            id: 1,
            name: "Orders".into(),
            scope: crate::store::key_records::StoredKeyScope::Write,
            site: None,
        }
    }

    fn body(author: AuthorField, agent: Option<u64>) -> PostBody {
        PostBody {
            client_id: "c1".into(),
            body: "hi".into(),
            author,
            agent,
        }
    }

    #[test]
    fn each_author_names_an_agent_or_not_as_it_must() {
        let k = key();
        assert_eq!(
            author_of(&body(AuthorField::Agent, Some(3)), &k),
            Ok(ApiAuthor::Agent(3))
        );
        assert!(author_of(&body(AuthorField::Agent, None), &k).is_err());
        assert_eq!(
            author_of(&body(AuthorField::Bot, None), &k),
            Ok(ApiAuthor::Bot)
        );
        assert!(author_of(&body(AuthorField::Bot, Some(3)), &k).is_err());
        let note = author_of(&body(AuthorField::Note, None), &k);
        assert_eq!(
            note,
            Ok(ApiAuthor::Note {
                agent: None,
                key_name: "Orders".into()
            })
        );
    }

    #[test]
    fn unknown_fields_and_authors_are_refused() {
        let parse = |text: &str| serde_json::from_str::<PostBody>(text).is_ok();
        assert!(parse(r#"{"client_id":"a","body":"b","author":"bot"}"#));
        assert!(!parse(
            r#"{"client_id":"a","body":"b","author":"bot","x":1}"#
        ));
        assert!(!parse(r#"{"client_id":"a","body":"b","author":"visitor"}"#));
        assert!(!parse(r#"{"client_id":"a","author":"bot"}"#));
        assert!(serde_json::from_str::<AgentBody>(r#"{"agent":1,"to":2}"#).is_err());
    }

    #[test]
    fn an_escaped_body_still_fits() {
        assert!(post_limit(8192) >= 8192 * 6);
    }
}
