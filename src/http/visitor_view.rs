//! What `GET /api/visitors/ID` shows of one visitor (details, verified identity,
//! attributes, conversations), shared by the read endpoint and `PATCH /api/visitors/ID`.
//! Who may see it is `visitor_access`; a site key sees only its site's conversations.

use std::collections::BTreeMap;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::reply::{Body, error_response, json, store_error};
use super::visitor_access::{VisitorAccess, check};
use crate::app::App;
use crate::protocol::{ConversationSummary, ErrorCode};

#[derive(Serialize)]
struct VisitorView {
    id: u64,
    /// The generated friendly name and colour (issue #13), shown until `name` is given.
    alias: crate::visitor_alias::VisitorAlias,
    name: Option<String>,
    email: Option<String>,
    page: Option<String>,
    referrer: Option<String>,
    language: Option<String>,
    user_agent: Option<String>,
    utc_offset_min: Option<i32>,
    created_ms: u64,
    last_seen_ms: u64,
    attributes: BTreeMap<String, String>,
    /// True for a verified customer (`deskbell.identify` with a valid hash).
    verified: bool,
    /// Who they were verified as.
    customer: Option<CustomerView>,
    conversations: Vec<ConversationSummary>,
}

/// Who a visitor was verified as (issue #14): present only for verified customers.
#[derive(Serialize)]
struct CustomerView {
    site: String,
    user_id: String,
    avatar: Option<String>,
    first_verified_ms: u64,
    last_verified_ms: u64,
}

/// `GET /api/visitors/ID`: an agent's session, or an API key (a site key: a visitor
/// seen on its site, else 404).
pub async fn get(app: &Arc<App>, req: Request<Incoming>, id: u64) -> Response<Body> {
    match check(app, &req, id, VisitorAccess::Read).await {
        Ok(caller) => visitor_view(app, id, caller.site).await,
        Err(r) => r,
    }
}

/// A visitor's details and conversations (only those on `site` when given), as
/// `GET /api/visitors/ID` shows them.
pub(super) async fn visitor_view(app: &Arc<App>, id: u64, site: Option<String>) -> Response<Body> {
    let store = app.store.clone();
    let found = App::read(app, move || -> Result<_, crate::store::StoreError> {
        let Some(v) = store.visitor(id)? else {
            return Ok(None);
        };
        let customer = store.customer_of(id)?;
        let mut conversations = store.visitor_conversations(id)?;
        if let Some(site) = &site {
            conversations.retain(|c| c.site == *site);
        }
        Ok(Some((v, customer, conversations)))
    })
    .await;
    match found {
        Ok(Some((v, customer, conversations))) => json(
            StatusCode::OK,
            &VisitorView {
                id,
                alias: crate::visitor_alias::visitor_alias(id),
                name: v.name,
                email: v.email,
                page: v.page,
                referrer: v.referrer,
                language: v.language,
                user_agent: v.user_agent,
                utc_offset_min: v.utc_offset_min,
                created_ms: v.created_ms,
                last_seen_ms: v.last_seen_ms,
                attributes: v.attributes.into_iter().collect(),
                verified: customer.is_some(),
                customer: customer.map(|c| CustomerView {
                    site: c.site,
                    user_id: c.user_id,
                    avatar: c.avatar,
                    first_verified_ms: c.first_verified_ms,
                    last_verified_ms: c.last_verified_ms,
                }),
                conversations,
            },
        ),
        Ok(None) => error_response(ErrorCode::NotFound, "no such visitor"),
        Err(e) => store_error(e),
    }
}
