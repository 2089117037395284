//! Who may read, change or erase one visitor over HTTP (`/api/v1/visitors/ID`), decided
//! once here for the three endpoints: an agent's session reads, an admin's session
//! changes and erases; an API key reads (any scope), changes (`write` or `admin`) or
//! erases (`admin` for every site: an erasure reaches all the visitor's sites). A key bound to one site sees a visitor only when the visitor was
//! seen on that site (a conversation there, or a verified customer of it); any other
//! visitor is "not found", as for conversations, so a key learns nothing of ids
//! elsewhere.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response};

use super::reply::{Body, error_response, store_error};
use super::session::{Caller, authenticate, key_of, require_admin};
use crate::app::App;
use crate::protocol::ErrorCode;
use crate::store::StoreError;
use crate::store::key_records::StoredKeyScope;

/// What a caller wants to do with a visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VisitorAccess {
    /// `GET`.
    Read,
    /// `PATCH`: name, email, attributes.
    Change,
    /// `DELETE`: the GDPR erasure.
    Erase,
}

/// Who passed [`check`], and the only site they see (None: every site).
#[derive(Debug, Clone)]
pub(super) struct VisitorCaller {
    /// For the audit log (None for a reading agent's session).
    pub caller: Option<Caller>,
    /// A site-bound key's site.
    pub site: Option<String>,
}

const NOT_FOUND: &str = "no such visitor";

/// Whether the request may do `access` to visitor `id`: the caller, or the response to
/// send (401/403 for the caller, 404 for a visitor a site key does not see).
pub(super) async fn check(
    app: &Arc<App>,
    req: &Request<Incoming>,
    id: u64,
    access: VisitorAccess,
) -> Result<VisitorCaller, Response<Body>> {
    let Some(key) = key_of(req).cloned() else {
        let caller = match access {
            VisitorAccess::Read => authenticate(app, req).await.map(|_| None)?,
            VisitorAccess::Change | VisitorAccess::Erase => Some(require_admin(app, req).await?),
        };
        return Ok(VisitorCaller { caller, site: None });
    };
    let allowed = match access {
        VisitorAccess::Read => true,
        VisitorAccess::Change => key.scope != StoredKeyScope::Read,
        // An erasure reaches every site the visitor was on.
        VisitorAccess::Erase => key.scope == StoredKeyScope::Admin && key.site.is_none(),
    };
    if !allowed {
        let why = match access {
            VisitorAccess::Erase => "erasing a visitor needs an admin key for every site",
            _ => "changing a visitor needs a write or admin key",
        };
        return Err(error_response(ErrorCode::Forbidden, why));
    }
    if let Some(site) = key.site.clone() {
        let store = app.store.clone();
        let seen = App::read(app, move || seen_on(&store, id, &site)).await;
        match seen {
            Ok(true) => {}
            Ok(false) => return Err(error_response(ErrorCode::NotFound, NOT_FOUND)),
            Err(e) => return Err(store_error(e)),
        }
    }
    Ok(VisitorCaller {
        caller: Some(Caller::Key(key.id)),
        site: key.site,
    })
}

/// True when visitor `id` has a conversation on `site` or is a verified customer of it.
fn seen_on(store: &crate::store::Store, id: u64, site: &str) -> Result<bool, StoreError> {
    if store.customer_of(id)?.is_some_and(|c| c.site == site) {
        return Ok(true);
    }
    for conversation in store.visitor_conversation_ids(id)? {
        if store
            .conversation(conversation)?
            .is_some_and(|c| c.site == site)
        {
            return Ok(true);
        }
    }
    Ok(false)
}
