//! Building HTTP responses: JSON bodies, error bodies with stable codes, cookies, and
//! reading size-limited JSON request bodies.

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::protocol::ErrorCode;

/// Response body type used everywhere.
pub type Body = Full<Bytes>;

/// Name of the cookie that carries an agent's session token.
pub const SESSION_COOKIE: &str = "deskbell_session";

/// A JSON response.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = Response::new(Body::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A plain-text response.
pub fn text(status: StatusCode, content_type: &'static str, body: String) -> Response<Body> {
    let mut response = Response::new(Body::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: u16,
    error: &'a str,
    message: &'a str,
}

/// An error response: `{"code":4010,"error":"unauthorized","message":"…"}`.
pub fn error_response(code: ErrorCode, message: &str) -> Response<Body> {
    let status =
        StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(
        status,
        &ErrorBody {
            code: code.number(),
            error: code.name(),
            message,
        },
    )
}

/// Reads a JSON body of at most `limit` bytes into `T`, with a clear error otherwise.
pub async fn read_json<T: DeserializeOwned>(
    req: Request<Incoming>,
    limit: usize,
) -> Result<T, Response<Body>> {
    let body = Limited::new(req.into_body(), limit);
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Err(error_response(
                ErrorCode::TooLarge,
                &format!("the body is larger than {limit} bytes"),
            ));
        }
    };
    serde_json::from_slice(&bytes)
        .map_err(|e| error_response(ErrorCode::BadFrame, &format!("invalid JSON: {e}")))
}

/// The session token from `Authorization: Bearer …` or the session cookie.
pub fn bearer_or_cookie(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    bearer.or_else(|| session_cookie(headers))
}

/// The session token from the cookie header.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}
