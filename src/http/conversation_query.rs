//! The conversation filters of the REST API's query strings (`status`, `site`,
//! `agent`, `visitor`, `label`, `from`, `until`), read once at the edge for the conversation
//! list and the search alike; a site-bound key is narrowed to its own site.

use hyper::Request;
use hyper::Response;
use hyper::body::Incoming;

use super::reply::{Body, error_response, query};
use crate::protocol::ErrorCode;
use crate::store::conversation_pages::ConversationFilter;
use crate::store::values::StoredStatus;

/// A status by its API name.
pub fn parse_status(name: &str) -> Option<StoredStatus> {
    match name {
        "bot" => Some(StoredStatus::Bot),
        "queued" => Some(StoredStatus::Queued),
        "assigned" => Some(StoredStatus::Assigned),
        "closed" => Some(StoredStatus::Closed),
        _ => None,
    }
}

/// Why a query is refused: the code and message of the error response.
pub struct Refusal(pub ErrorCode, pub String);

impl Refusal {
    pub fn invalid(message: String) -> Refusal {
        Refusal(ErrorCode::InvalidField, message)
    }

    pub fn forbidden(message: &str) -> Refusal {
        Refusal(ErrorCode::Forbidden, message.into())
    }

    pub fn respond(self) -> Response<Body> {
        error_response(self.0, &self.1)
    }
}

/// A number parameter: None when absent, Err when it is not a number.
pub fn number(req: &Request<Incoming>, name: &'static str) -> Result<Option<u64>, Refusal> {
    match query(req, name) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| Refusal::invalid(format!("{name} must be a whole number"))),
    }
}

/// A time parameter (RFC 3339, e.g. `2026-12-01T00:00:00Z`) in ms since the epoch.
pub fn time(req: &Request<Incoming>, name: &'static str) -> Result<Option<u64>, Refusal> {
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
pub fn filter_of(
    req: &Request<Incoming>,
    key_site: Option<&str>,
) -> Result<ConversationFilter, Refusal> {
    let status = match query(req, "status") {
        None => None,
        Some(name) => Some(parse_status(&name).ok_or_else(|| {
            Refusal::invalid("status must be bot, queued, assigned or closed".into())
        })?),
    };
    let asked_site = query(req, "site");
    let site = match (key_site, asked_site) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(Refusal(
                ErrorCode::Forbidden,
                "this key sees only its own site's conversations".into(),
            ));
        }
        (Some(own), _) => Some(own.to_string()),
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
