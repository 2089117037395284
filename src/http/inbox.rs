//! Read-only endpoints for agents (who am I, closed conversations, canned replies) and
//! the public ones the widget and console need before logging in.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::reply::{Body, error_response, json, query, store_error};
use super::session::authenticate;
use super::views::{CannedView, view};
use crate::app::App;
use crate::business_hours::open_at;
use crate::protocol::ErrorCode;
use crate::settings::TextsBody;
use crate::timer::unix_ms;

/// `GET /api/setup`: whether the first admin still has to be created.
pub fn setup_needed(app: &Arc<App>) -> Response<Body> {
    let needed = app.setup_code.lock().map(|c| c.is_some()).unwrap_or(false);
    json(StatusCode::OK, &serde_json::json!({ "needed": needed }))
}

#[derive(Serialize)]
struct WidgetSettings {
    site: String,
    title: String,
    greeting: String,
    colour: String,
    position: String,
    prechat: bool,
    away_message: String,
    /// Title, greeting and away message per widget language (`en`, `zh`); empty texts
    /// fall back to the ones above.
    texts: TextsBody,
    open_now: bool,
    agents_online: bool,
    /// Whether the FAQ bot answers first.
    bot: bool,
    /// Whether visitors can get emails (SMTP and `--public-url` set): the widget then
    /// asks to confirm a typed address and offers "Email me this conversation".
    visitor_emails: bool,
    /// Whether a closed conversation asks "How did we do?" (`PUT /api/csat`).
    csat: bool,
    /// `--public-url`, when set: where the embed snippet loads the widget from.
    #[serde(skip_serializing_if = "Option::is_none")]
    public_url: Option<String>,
}

/// `GET /api/widget?site=`: what the widget shows before connecting (public, any origin).
pub fn widget(app: &Arc<App>, req: &Request<Incoming>) -> Response<Body> {
    let site = query(req, "site")
        .as_deref()
        .unwrap_or("default")
        .chars()
        .take(64)
        .collect::<String>();
    let Ok(settings) = app.settings.read().map(|s| s.clone()) else {
        return error_response(ErrorCode::Internal, "settings unavailable");
    };
    let body = WidgetSettings {
        site,
        open_now: open_at(&settings, unix_ms()),
        agents_online: app.hub.agents_online(),
        bot: app.bot.is_some(),
        visitor_emails: app.visitor_mail.enabled(),
        csat: app.csat_ask.load(std::sync::atomic::Ordering::Relaxed),
        texts: TextsBody::from_stored(&settings),
        title: settings.title,
        greeting: settings.greeting,
        colour: settings.colour,
        position: settings.position,
        prechat: settings.prechat,
        away_message: settings.away_message,
        public_url: app.config.public_url.as_ref().map(ToString::to_string),
    };
    let mut response = json(StatusCode::OK, &body);
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// An agent as visitors may see them: what the widget draws next to their messages.
#[derive(Serialize)]
struct AgentCard {
    id: u64,
    initials: String,
    colour: String,
}

/// `GET /api/agents/ID/avatar`: an enabled agent's avatar (public, any origin: the
/// widget knows an agent by the id on their messages). Not the name: it is also the
/// login, and a stranger counting through ids should not get the list of them (a
/// visitor learns a name only from that agent's messages). 404 for disabled or unknown
/// agents.
pub async fn agent_avatar(app: &Arc<App>, id: u64) -> Response<Body> {
    let store = app.store.clone();
    let found = App::read(app, move || store.agent(id)).await;
    let mut response = match found {
        Ok(Some(agent)) if !agent.disabled => {
            let avatar = crate::avatar::agent_avatar(id, &agent);
            json(
                StatusCode::OK,
                &AgentCard {
                    id,
                    initials: avatar.initials,
                    colour: avatar.colour,
                },
            )
        }
        Ok(_) => error_response(ErrorCode::NotFound, "no such agent"),
        Err(e) => store_error(e),
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    response
}

/// `GET /api/me`: the logged-in agent.
pub async fn me(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    match authenticate(app, &req).await {
        Ok((id, agent)) => json(StatusCode::OK, &view(id, &agent)),
        Err(r) => r,
    }
}

/// `GET /api/conversations?status=closed&label=&before=&limit=`: closed conversations
/// (those with the label, if one is asked for), newest first, with their label ids.
pub async fn conversations(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = authenticate(app, &req).await {
        return r;
    }
    if query(&req, "status").as_deref().unwrap_or("closed") != "closed" {
        return error_response(
            ErrorCode::InvalidField,
            "only status=closed is listed here; open conversations arrive over the WebSocket",
        );
    }
    let before = query(&req, "before")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0u64);
    let limit = query(&req, "limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(50usize)
        .clamp(1, 100);
    let label = query(&req, "label").and_then(|v| v.parse::<u64>().ok());
    let store = app.store.clone();
    let read = move || -> Result<Vec<LabelledSummary>, crate::store::StoreError> {
        let list = match label {
            None => store.closed_conversations(before, limit)?,
            Some(label) => store.closed_with_label(label, before, limit)?,
        };
        let ids: Vec<u64> = list.iter().map(|s| s.id).collect();
        let mut labels = store.labels_of(&ids)?;
        let mut ratings = super::views::ratings_for(&store, &ids)?;
        Ok(list
            .into_iter()
            .map(|summary| LabelledSummary {
                labels: labels.remove(&summary.id).unwrap_or_default(),
                rating: ratings.remove(&summary.id),
                summary,
            })
            .collect())
    };
    match App::read(app, read).await {
        Ok(list) => json(StatusCode::OK, &list),
        Err(e) => store_error(e),
    }
}

/// A closed conversation in the console's list: its summary and its label ids.
#[derive(Serialize)]
struct LabelledSummary {
    /// The summary, as the `conversation` frame carries it.
    #[serde(flatten)]
    summary: crate::protocol::ConversationSummary,
    /// Its label ids, ascending.
    labels: Vec<u64>,
    /// Its visitor's rating, once given.
    rating: Option<super::views::RatingView>,
}

/// `GET /api/canned`: canned replies.
pub async fn canned(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = authenticate(app, &req).await {
        return r;
    }
    let store = app.store.clone();
    match App::read(app, move || store.canned()).await {
        Ok(list) => json(
            StatusCode::OK,
            &list
                .into_iter()
                .map(|(id, shortcut, text)| CannedView { id, shortcut, text })
                .collect::<Vec<_>>(),
        ),
        Err(e) => store_error(e),
    }
}
