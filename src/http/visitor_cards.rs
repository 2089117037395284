//! `GET /api/visitors?ids=1,2,3`: what the console's inbox rows show of many visitors at
//! once: the name they gave, else their generated friendly name and colour
//! ([`crate::visitor_alias`]), and the page they were last on. Agents only; at most
//! [`MAX_IDS`] visitors a request, read on the reader pool.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::reply::{Body, error_response, json, store_error};
use super::session::authenticate;
use crate::app::App;
use crate::protocol::ErrorCode;
use crate::visitor_alias::{VisitorAlias, visitor_alias};

/// Most visitors one request may ask about (an inbox page's worth).
pub const MAX_IDS: usize = 100;

/// One visitor as an inbox row shows them.
#[derive(Serialize, Debug)]
struct VisitorCard {
    /// The visitor.
    id: u64,
    /// Their generated name (English and Chinese) and avatar colour.
    alias: VisitorAlias,
    /// The name they gave, if any: it wins over the alias.
    name: Option<String>,
    /// The page they were on at their last connection.
    page: Option<String>,
}

/// The ids of `?ids=1,2,3` (distinct, in order), or why they are refused.
fn requested_ids(query: Option<&str>) -> Result<Vec<u64>, String> {
    let list = query
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("ids="))
        .unwrap_or("");
    let mut ids = Vec::new();
    for part in list.split(',').filter(|p| !p.is_empty()) {
        let id: u64 = part
            .parse()
            .map_err(|_| format!("ids must be numbers separated by commas, got {part:?}"))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
        if ids.len() > MAX_IDS {
            return Err(format!("at most {MAX_IDS} ids per request"));
        }
    }
    if ids.is_empty() {
        return Err("ids is required: ?ids=1,2,3".into());
    }
    Ok(ids)
}

/// `GET /api/visitors?ids=`.
pub async fn visitor_cards(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    if let Err(r) = authenticate(app, &req).await {
        return r;
    }
    let ids = match requested_ids(req.uri().query()) {
        Ok(ids) => ids,
        Err(why) => return error_response(ErrorCode::InvalidField, &why),
    };
    let store = app.store.clone();
    let found = App::read(app, move || {
        ids.into_iter()
            .map(|id| {
                let visitor = store.visitor(id)?;
                Ok(VisitorCard {
                    id,
                    alias: visitor_alias(id),
                    name: visitor.as_ref().and_then(|v| v.name.clone()),
                    page: visitor.and_then(|v| v.page),
                })
            })
            .collect::<Result<Vec<_>, crate::store::StoreError>>()
    })
    .await;
    match found {
        Ok(cards) => json(StatusCode::OK, &cards),
        Err(e) => store_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_numbers_distinct_and_bounded() {
        assert_eq!(requested_ids(Some("ids=3,1,3")), Ok(vec![3, 1]));
        assert_eq!(requested_ids(Some("x=1&ids=7")), Ok(vec![7]));
        assert!(requested_ids(Some("ids=")).is_err());
        assert!(requested_ids(None).is_err());
        assert!(requested_ids(Some("ids=1,two")).is_err());
        let many = (0..=MAX_IDS)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert!(requested_ids(Some(&format!("ids={many}"))).is_err());
        let enough = (0..MAX_IDS)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            requested_ids(Some(&format!("ids={enough}"))).map(|v| v.len()),
            Ok(MAX_IDS)
        );
    }
}
