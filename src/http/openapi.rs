//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of every route deskbell answers,
//! the console's and the integrators'. It is a checked file, `docs/openapi.json`,
//! compiled in; the route table's test (`routes.rs`) fails when a route has no documented
//! path or a documented path has no route, and CI runs schemathesis against a live
//! server with it (docs/API.md, "OpenAPI").

use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use super::reply::Body;

/// The document, as checked in.
pub const DOCUMENT: &str = include_str!("../../docs/openapi.json");

/// The document: public (it describes a published API, no data), readable from any
/// origin so API tools in a browser can load it, and revalidated on every use.
pub fn serve() -> Response<Body> {
    let mut response = Response::new(Body::new(Bytes::from_static(DOCUMENT.as_bytes())));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// The (method, path) pairs the document lists, with every `{name}` segment written
/// `{id}` and `/api/v1/` written `/api/`, as the route table writes them.
#[cfg(test)]
pub fn documented_routes() -> Vec<(String, String)> {
    let doc: serde_json::Value = match serde_json::from_str(DOCUMENT) {
        Ok(doc) => doc,
        Err(_) => return Vec::new(),
    };
    let mut found = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return found;
    };
    for (path, item) in paths {
        let normal: Vec<String> = super::router::unversioned(path)
            .split('/')
            .map(|s| {
                if s.starts_with('{') && s.ends_with('}') {
                    "{id}".to_string()
                } else {
                    s.to_string()
                }
            })
            .collect();
        let normal = normal.join("/");
        for method in item.as_object().into_iter().flat_map(|m| m.keys()) {
            found.push((method.to_uppercase(), normal.clone()));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_with_unique_operation_ids() {
        let doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("valid JSON");
        assert_eq!(doc["openapi"], "3.1.0");
        let mut ids = std::collections::BTreeSet::new();
        for item in doc["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("path item").values() {
                let id = op["operationId"].as_str().expect("operationId");
                assert!(ids.insert(id.to_string()), "operationId {id} twice");
                assert!(
                    op["responses"]["default"].is_object(),
                    "{id}: no error answer"
                );
            }
        }
        assert!(ids.len() > 60, "{} operations", ids.len());
    }
}
