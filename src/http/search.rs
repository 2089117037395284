//! `GET /api/v1/search?q=…` (issue #15): full-text search over messages, notes and
//! visitors' names, emails and attribute values, for agents (session) and API keys
//! (every scope may read; a site-bound key sees only its site). Each caller has a
//! search budget of its own (`crate::search::limits`), taken before the query is read;
//! the query is checked once here (`crate::search::query::parse`) and runs on the
//! reader pool, never on the executor. Results carry snippets as text with match
//! offsets, never markup.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::conversation_query::{Refusal, filter_of, number};
use super::reply::{Body, error_response, json, query_text, store_error};
use super::session::{authenticate, key_of};
use super::views::{
    ConversationView, LabelRef, RatingView, conversation_view, labels_for, ratings_for,
};
use crate::app::App;
use crate::protocol::ErrorCode;
use crate::search::limits::Searcher;
use crate::search::query::{QueryTerm, parse};
use crate::search::snippet::{Snippet, match_ranges, snippet};
use crate::store::records::VisitorV2;
use crate::store::search_docs::message_text;
use crate::store::search_read::{MAX_OFFSET, SearchHit, SearchRequest};
use crate::store::values::StoredEvent;
use crate::webhooks::payload::rfc3339_ms;

/// Results per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 20;
/// Most results per page.
const MAX_LIMIT: usize = 50;

/// Where a snippet comes from, and the text around its matches.
#[derive(Serialize)]
struct SnippetView {
    /// `message`, `note`, `visitor_name`, `visitor_email` or `visitor_attribute`.
    source: &'static str,
    /// The message's seq (for `message` and `note`).
    seq: Option<u64>,
    /// Who wrote the message: `visitor` or `agent` (for `message` and `note`).
    author_kind: Option<&'static str>,
    /// When the message was stored, RFC 3339 (for `message` and `note`).
    at: Option<String>,
    /// The attribute's name (for `visitor_attribute`).
    key: Option<String>,
    /// The text and its match offsets.
    #[serde(flatten)]
    snippet: Snippet,
}

/// One conversation found.
#[derive(Serialize)]
struct HitView {
    /// The conversation.
    conversation: ConversationView,
    /// The name the visitor gave, if any.
    visitor_name: Option<String>,
    /// How well it matched (higher is better; only for ordering).
    score: f64,
    /// How many of its messages hold a query word.
    matched_messages: u64,
    /// The best match in context.
    snippet: SnippetView,
}

/// A page of results.
#[derive(Serialize)]
struct ResultsView {
    /// Best first.
    results: Vec<HitView>,
    /// Pass as `cursor` for the next page; null: this is the last.
    next_cursor: Option<String>,
    /// False while older data is still being indexed (results may be missing).
    complete: bool,
}

/// The first of the visitor's fields that matches.
fn visitor_snippet(visitor: Option<&VisitorV2>, terms: &[QueryTerm]) -> SnippetView {
    let view = |source, key: Option<&String>, text: &str| SnippetView {
        source,
        seq: None,
        author_kind: None,
        at: None,
        key: key.cloned(),
        snippet: snippet(text, terms),
    };
    let Some(v) = visitor else {
        return view("visitor_name", None, "");
    };
    let fields = v
        .name
        .iter()
        .map(|t| ("visitor_name", None, t))
        .chain(v.email.iter().map(|t| ("visitor_email", None, t)))
        .chain(
            v.attributes
                .iter()
                .map(|(k, t)| ("visitor_attribute", Some(k), t)),
        );
    let mut first = None;
    for (source, key, text) in fields {
        if !match_ranges(text, terms).is_empty() {
            return view(source, key, text);
        }
        first.get_or_insert((source, key, text));
    }
    match first {
        Some((source, key, text)) => view(source, key, text),
        None => view("visitor_name", None, ""),
    }
}

fn hit_view(
    hit: SearchHit,
    terms: &[QueryTerm],
    extra: (Vec<LabelRef>, Option<RatingView>),
) -> HitView {
    let snippet = match &hit.message {
        Some((seq, m)) => SnippetView {
            source: match m.event {
                Some(StoredEvent::Note) => "note",
                _ => "message",
            },
            seq: Some(*seq),
            author_kind: Some(m.author_kind.name()),
            at: Some(rfc3339_ms(m.at_ms)),
            key: None,
            snippet: snippet(&message_text(m).unwrap_or_default(), terms),
        },
        None => visitor_snippet(hit.visitor.as_ref(), terms),
    };
    HitView {
        conversation: conversation_view(hit.id, &hit.conversation, extra),
        visitor_name: hit.visitor.and_then(|v| v.name),
        score: (hit.score * 1000.0).round() / 1000.0,
        matched_messages: hit.matched_messages,
        snippet,
    }
}

/// Reads the request into a search, or the refusal.
fn request_of(req: &Request<Incoming>, key_site: Option<&str>) -> Result<SearchRequest, Refusal> {
    let text = query_text(req, "q").unwrap_or_default();
    let terms = parse(&text).map_err(|e| Refusal::invalid(format!("q: {e}")))?;
    let filter = filter_of(req, key_site)?;
    let offset = number(req, "cursor")?.unwrap_or(0);
    if offset > MAX_OFFSET as u64 {
        return Err(Refusal::invalid(format!(
            "cursor goes at most {MAX_OFFSET} results deep; narrow the query"
        )));
    }
    let limit =
        number(req, "limit")?.map_or(DEFAULT_LIMIT, |l| l.clamp(1, MAX_LIMIT as u64) as usize);
    Ok(SearchRequest {
        terms,
        filter,
        offset: offset as usize,
        limit,
    })
}

/// `GET /api/v1/search?q=&status=&agent=&site=&from=&until=&cursor=&limit=`.
pub async fn search(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let (searcher, key_site) = match key_of(&req) {
        Some(key) => (Searcher::Key(key.id), key.site.clone()),
        None => match authenticate(app, &req).await {
            Ok((id, _)) => (Searcher::Agent(id), None),
            Err(r) => return r,
        },
    };
    if let Err(wait_ms) = app.search_limits.take(searcher, app.config.now_ms()) {
        let secs = wait_ms.div_ceil(1000);
        let mut r = error_response(
            ErrorCode::RateLimited,
            &format!("too many searches; retry in {secs} s"),
        );
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let request = match request_of(&req, key_site.as_deref()) {
        Ok(r) => r,
        Err(r) => return r.respond(),
    };
    let store = app.store.clone();
    let terms = request.terms.clone();
    let offset = request.offset;
    let read = move || -> Result<_, crate::store::StoreError> {
        let found = store.search(&request)?;
        let ids: Vec<u64> = found.hits.iter().map(|h| h.id).collect();
        Ok((found, labels_for(&store, &ids)?, ratings_for(&store, &ids)?))
    };
    match App::read(app, read).await {
        Ok((found, mut labels, mut ratings)) => json(
            StatusCode::OK,
            &ResultsView {
                next_cursor: found
                    .next_offset
                    .filter(|&next| next > offset && next <= MAX_OFFSET)
                    .map(|n| n.to_string()),
                complete: found.complete,
                results: found
                    .hits
                    .into_iter()
                    .map(|h| {
                        let extra = (
                            labels.remove(&h.id).unwrap_or_default(),
                            ratings.remove(&h.id),
                        );
                        hit_view(h, &terms, extra)
                    })
                    .collect(),
            },
        ),
        Err(e) => store_error(e),
    }
}
