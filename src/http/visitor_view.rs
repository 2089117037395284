//! What `GET /api/visitors/ID` shows of one visitor (details, verified identity,
//! attributes, conversations), shared by the read endpoint and `PATCH /api/visitors/ID`.

use std::collections::BTreeMap;
use std::sync::Arc;

use hyper::{Response, StatusCode};
use serde::Serialize;

use super::reply::{Body, error_response, json, store_error};
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

/// A visitor's details and conversations, as `GET /api/visitors/ID` shows them.
pub(super) async fn visitor_view(app: &Arc<App>, id: u64) -> Response<Body> {
    let store = app.store.clone();
    let found = App::read(app, move || -> Result<_, crate::store::StoreError> {
        let Some(v) = store.visitor(id)? else {
            return Ok(None);
        };
        let customer = store.customer_of(id)?;
        Ok(Some((v, customer, store.visitor_conversations(id)?)))
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
