//! Endpoints for the shop's FAQ: every agent may list the entries; admins save, delete
//! and "try a question" (what the bot would do with a message, with the scores behind it).

use std::collections::BTreeMap;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::reply::{BODY_LIMIT, Body, error_response, json, read_json, store_error};
use super::session::{authenticate, require_admin};
use crate::app::App;
use crate::bot::{Decision, HandoffReason, Intent, SavedFaq};
use crate::faq::{Draft, FaqError};
use crate::protocol::ErrorCode;

/// Largest accepted FAQ entry body: its questions and answers are longer than the other
/// API records, so four times [`BODY_LIMIT`] (20 questions of 300 characters and three
/// answers of 2,000 in Chinese, 3 bytes each, with room for escapes).
const ENTRY_BODY_LIMIT: usize = BODY_LIMIT * 4;

/// An entry's JSON body (the id comes from the path).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryBody {
    questions: Vec<String>,
    answer: String,
    /// The answer in other languages (`en`, `zh`); absent or empty: none.
    #[serde(default)]
    answers: BTreeMap<String, String>,
}

/// An entry as the API shows it.
#[derive(Serialize)]
struct EntryView {
    id: u64,
    questions: Vec<String>,
    answer: String,
    answers: BTreeMap<String, String>,
}

impl From<SavedFaq> for EntryView {
    fn from(saved: SavedFaq) -> Self {
        EntryView {
            id: saved.entry.id,
            questions: saved.entry.questions,
            answer: saved.entry.answer,
            answers: saved.answers,
        }
    }
}

/// Whether the bot runs, and its thresholds.
#[derive(Serialize)]
struct BotView {
    enabled: bool,
    answer_threshold: Option<f32>,
    suggest_threshold: Option<f32>,
}

fn bot_view(app: &App) -> BotView {
    let thresholds = app.config.bot.as_ref().map(|b| b.thresholds);
    BotView {
        enabled: app.bot.is_some(),
        answer_threshold: thresholds.map(|t| t.answer_threshold),
        suggest_threshold: thresholds.map(|t| t.suggest_threshold),
    }
}

/// `GET /api/faq`: for every agent (the console names the entry behind each bot answer);
/// changing entries is for admins.
pub async fn list(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = authenticate(app, &req).await {
        return r;
    }
    let store = app.store.clone();
    match App::read(app, move || store.faq_entries()).await {
        Ok(entries) => {
            let entries: Vec<EntryView> = entries.into_iter().map(|(e, _)| e.into()).collect();
            json(
                StatusCode::OK,
                &serde_json::json!({ "bot": bot_view(app), "entries": entries }),
            )
        }
        Err(e) => store_error(e),
    }
}

/// `POST /api/faq` (id None) and `PUT /api/faq/ID`.
pub async fn save(app: &Arc<App>, req: Request<Incoming>, id: Option<u64>) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body: EntryBody = match read_json(req, ENTRY_BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let draft = Draft {
        questions: body.questions,
        answer: body.answer,
        answers: body.answers,
    };
    let by = caller.actor();
    match crate::faq::save(app.bot.as_ref(), &app.writer, id, draft, by).await {
        Ok(entry) => {
            let status = if id.is_none() {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            json(status, &EntryView::from(entry))
        }
        Err(e) => faq_error(e),
    }
}

/// `DELETE /api/faq/ID`.
pub async fn delete(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    let caller = match require_admin(app, &req).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match crate::faq::delete(app.bot.as_ref(), &app.writer, id, caller.actor()).await {
        Ok(()) => json(StatusCode::OK, &serde_json::json!({"ok": true})),
        Err(e) => faq_error(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TryBody {
    text: String,
    /// The visitor's browser language to try with (`en`, `zh`); absent or null: none,
    /// so the message's own language decides.
    #[serde(default)]
    language: Option<String>,
}

/// The decision in the shape docs/API.md gives.
#[derive(Serialize)]
struct DecisionView {
    action: &'static str,
    faq_id: Option<u64>,
    text: Option<String>,
    reason: Option<HandoffReason>,
    intent: Option<Intent>,
    candidates: Vec<u64>,
}

fn decision_view(decision: Decision) -> DecisionView {
    let mut view = DecisionView {
        action: decision.kind(),
        faq_id: None,
        text: None,
        reason: None,
        intent: None,
        candidates: Vec::new(),
    };
    match decision {
        Decision::Answer { faq_id, answer, .. } => {
            view.faq_id = Some(faq_id);
            view.text = Some(answer);
        }
        Decision::SmallTalk { intent, reply, .. } => {
            view.intent = Some(intent);
            view.text = Some(reply);
        }
        Decision::Suggest { candidates } => {
            view.candidates = candidates.iter().map(|c| c.faq_id).collect();
        }
        Decision::Handoff { reason } => {
            view.reason = Some(reason);
        }
    }
    view
}

/// `POST /api/faq/try`: what the bot would do with `text`.
pub async fn try_question(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = require_admin(app, &req).await {
        return r;
    }
    let body: TryBody = match read_json(req, BODY_LIMIT).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(bot) = &app.bot else {
        return error_response(
            ErrorCode::Conflict,
            "the bot is off (the server runs with --no-bot)",
        );
    };
    let text = body.text.trim().to_string();
    if text.is_empty() || text.len() > app.config.max_body_bytes {
        return error_response(
            ErrorCode::InvalidField,
            "the text must not be empty or longer than a message",
        );
    }
    if let Some(language) = &body.language
        && !crate::faq::ANSWER_LANGUAGES.contains(&language.as_str())
    {
        return error_response(
            ErrorCode::InvalidField,
            "language must be one of the answer languages (en, zh) or null",
        );
    }
    match bot.explain(text, body.language.as_deref()).await {
        Ok(explained) => {
            let intents: Vec<serde_json::Value> = explained
                .scores
                .intents
                .iter()
                .map(|(i, s)| serde_json::json!({"intent": i, "score": s}))
                .collect();
            let view = bot_view(app);
            json(
                StatusCode::OK,
                &serde_json::json!({
                    "decision": decision_view(explained.decision),
                    "reason": explained.reason,
                    "faq": explained.scores.faq,
                    "intents": intents,
                    "thresholds": {"answer": view.answer_threshold, "suggest": view.suggest_threshold},
                }),
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, "try a question failed");
            error_response(ErrorCode::Unavailable, "the bot is busy; try again")
        }
    }
}

fn faq_error(e: FaqError) -> Response<Body> {
    match e {
        FaqError::Invalid(why) => error_response(ErrorCode::InvalidField, &why),
        FaqError::NotFound => error_response(ErrorCode::NotFound, "FAQ entry not found"),
        FaqError::Bot(e) => {
            tracing::warn!(error = %e, "embedding an FAQ entry failed");
            error_response(ErrorCode::Unavailable, "the bot is busy; try again")
        }
        FaqError::Store(e) => store_error(e),
    }
}
