//! Building HTTP responses: JSON bodies, error bodies with stable codes, cookies, and
//! reading size-limited JSON request bodies.

use std::time::Duration;

use futures_lite::future;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::protocol::ErrorCode;
use crate::store::StoreError;

/// One query parameter's value as sent, not decoded.
fn raw_query<'a>(req: &'a Request<Incoming>, name: &str) -> Option<&'a str> {
    req.uri()
        .query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// A query parameter holding free text as a browser's form or `URLSearchParams`
/// writes it: `+` is a space, then percent-decoded (so `%2B` is a `+`).
pub fn query_text(req: &Request<Incoming>, name: &str) -> Option<String> {
    raw_query(req, name).map(|raw| percent_decoded(&raw.replace('+', " ")))
}

/// One query parameter's value, percent-decoded (`2026-12-01T00%3A00%3A00Z`, as URL
/// libraries write a time, is `2026-12-01T00:00:00Z`). A `+` stays a `+`: it is the
/// sign of an RFC 3339 offset far more often than a space here.
pub fn query(req: &Request<Incoming>, name: &str) -> Option<String> {
    raw_query(req, name).map(percent_decoded)
}

pub use super::body::Body;

/// Largest accepted API request body (an endpoint with larger records says so).
pub const BODY_LIMIT: usize = 16 * 1024;

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

/// How long a request's body may take to arrive; the route table stamps every request
/// with it (a request extension), [`read_json`] enforces it.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Duration);

/// Used when a request carries no [`BodyDeadline`].
const DEFAULT_BODY_DEADLINE: Duration = Duration::from_secs(10);

/// Reads a JSON body of at most `limit` bytes into `T`, with a clear error otherwise:
/// 413 at once when the declared `Content-Length` is over the limit (nothing is read),
/// 408 when the body has not arrived by the request's [`BodyDeadline`]. Either way the
/// rest of the body stays unread and hyper closes the connection after the answer.
pub async fn read_json<T: DeserializeOwned>(
    req: Request<Incoming>,
    limit: usize,
) -> Result<T, Response<Body>> {
    let too_large = || {
        error_response(
            ErrorCode::TooLarge,
            &format!("the body is larger than {limit} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let deadline = req
        .extensions()
        .get::<BodyDeadline>()
        .map_or(DEFAULT_BODY_DEADLINE, |d| d.0);
    let body = Limited::new(req.into_body(), limit);
    let collected = future::or(async { Some(body.collect().await) }, async {
        smol::Timer::after(deadline).await;
        None
    })
    .await;
    let bytes = match collected {
        Some(Ok(collected)) => collected.to_bytes(),
        Some(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Err(too_large());
        }
        Some(Err(e)) => {
            return Err(error_response(
                ErrorCode::BadFrame,
                &format!("the body could not be read: {e}"),
            ));
        }
        None => {
            return Err(error_response(
                ErrorCode::Timeout,
                &format!(
                    "the body did not arrive within {} s",
                    deadline.as_secs_f32()
                ),
            ));
        }
    };
    serde_json::from_slice(&bytes)
        .map_err(|e| error_response(ErrorCode::BadFrame, &format!("invalid JSON: {e}")))
}

/// The response for a storage error: conflicts and missing records by name, anything
/// else as `storage_unavailable` (logged here, at debug when it is a passing state).
pub fn store_error(e: StoreError) -> Response<Body> {
    match e {
        StoreError::NameTaken => error_response(
            ErrorCode::Conflict,
            "an agent with that name already exists",
        ),
        StoreError::AlreadySetUp => {
            error_response(ErrorCode::Conflict, "setup has already been completed")
        }
        StoreError::NotFound(what) => {
            error_response(ErrorCode::NotFound, &format!("{what} not found"))
        }
        StoreError::Conflict(why) => error_response(ErrorCode::Conflict, &why),
        other => {
            other.log_refusal("API request");
            error_response(
                ErrorCode::StorageUnavailable,
                "storage is unavailable; try again shortly",
            )
        }
    }
}

/// 429 with `Retry-After` for a throttled password check (login, setup code, the
/// current password of a profile change).
pub fn too_many(wait: crate::auth::RetryAfter, what: &str) -> Response<Body> {
    let mut r = error_response(
        ErrorCode::RateLimited,
        &format!("{what}; retry in {} s", wait.secs_ceil()),
    );
    if let Ok(v) = HeaderValue::from_str(&wait.secs_ceil().to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}
