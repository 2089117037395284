//! The API-key guard, run once before dispatch: a request with `Authorization: Bearer
//! dk_…` is judged by its key alone (a session cookie beside it is ignored, and the
//! CSRF rules do not apply: a browser never adds that header by itself). Wrong and
//! revoked keys get 401 and count against their address, which is refused with 429
//! before any lookup once it has failed too often (except for a key that passed a
//! lookup before); a key over its rate gets 429; a
//! key outside its scope gets 403. A key's last use is stored at most once a minute.
//! The key that passed travels in the request's extensions as [`KeyCaller`]; the
//! guards in `session` read it from there.

use std::sync::Arc;

use hyper::header::{self, HeaderMap};
use hyper::{Method, Response};

use super::client::ClientAddr;
use super::reply::{Body, error_response, store_error, too_many};
use crate::app::App;
use crate::auth::RetryAfter;
use crate::keys::{KEY_PREFIX, key_digest, looks_like_key, scope_allows};
use crate::protocol::ErrorCode;
use crate::store::WriteOp;
use crate::store::key_records::{KeyOp, StoredKeyScope};
use crate::timer::unix_ms;

/// The API key a request was authenticated by.
#[derive(Debug, Clone)]
pub struct KeyCaller {
    /// The key's id.
    pub id: u64,
    /// The admin's name for it (shown as the author of the notes it posts).
    pub name: String,
    /// What it may do.
    pub scope: StoredKeyScope,
    /// The only site it sees (None: every site).
    pub site: Option<String>,
}

/// The key in `Authorization: Bearer dk_…`, if the request carries one.
fn bearer_key(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with(KEY_PREFIX))
}

const WRONG_KEY: &str = "unknown or revoked API key";

/// Checks the request's API key, if it has one: `Ok(None)` without a key,
/// `Ok(Some(..))` for a key that may make this request, else the response to send.
pub async fn check(
    app: &Arc<App>,
    client: &ClientAddr,
    method: &Method,
    unversioned_path: &str,
    headers: &HeaderMap,
) -> Result<Option<KeyCaller>, Response<Body>> {
    let Some(key) = bearer_key(headers) else {
        return Ok(None);
    };
    let now = app.config.now_ms();
    let digest = looks_like_key(key).then(|| key_digest(key));
    let wait = app.key_limits.failures_wait(client.address, now);
    // A key that passed before is looked up even from a blocked address: whoever else
    // sends wrong keys from it cannot lock a working integration out.
    if wait > 0 && !digest.is_some_and(|d| app.key_limits.vouched(&d)) {
        return Err(too_many(
            RetryAfter { ms: wait },
            "too many wrong API keys from this address",
        ));
    }
    let Some(digest) = digest else {
        app.key_limits.failed(client.address, now);
        return Err(error_response(ErrorCode::Unauthorized, WRONG_KEY));
    };
    let store = app.store.clone();
    let (id, record) = match App::read(app, move || store.api_key_by_digest(&digest)).await {
        Ok(Some(found)) => {
            app.key_limits.looked_up(digest, true);
            found
        }
        Ok(None) => {
            app.key_limits.looked_up(digest, false);
            app.key_limits.failed(client.address, now);
            return Err(error_response(ErrorCode::Unauthorized, WRONG_KEY));
        }
        Err(e) => return Err(store_error(e)),
    };
    if let Err(wait) = app.key_limits.take(id, now) {
        return Err(too_many(
            RetryAfter { ms: wait },
            "this API key is over its rate limit",
        ));
    }
    if let Err(why) = scope_allows(record.scope, method, unversioned_path) {
        return Err(error_response(ErrorCode::Forbidden, why));
    }
    if app.key_limits.should_touch(id, now) {
        // Not awaited: recording a use never delays the request.
        let writer = app.writer.clone();
        app.spawn(async move {
            let op = WriteOp::Keys(KeyOp::Touch {
                id,
                at_ms: unix_ms(),
            });
            if let Err(e) = writer.call(op).await {
                tracing::debug!(error = %e, key = id, "recording an API key's use failed");
            }
        });
    }
    Ok(Some(KeyCaller {
        id,
        name: record.name,
        scope: record.scope,
        site: record.site,
    }))
}
