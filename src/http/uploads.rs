//! `POST /api/uploads`: one file as the raw request body, before the message that
//! carries it (`send_files` on the WebSocket names the returned id). Who may call it:
//!
//! - a visitor, with `X-Visitor-Token` (the widget, from the shop's pages: the
//!   `Origin` must be allowed as for the chat, `--allowed-origin`; CORS answers name
//!   that origin, and `OPTIONS` answers the preflight);
//! - an agent, with the session cookie (the console; the CSRF rules' origin proof
//!   applies) or `Authorization: Bearer`.
//!
//! The file name is the `name` query parameter, the declared type the `Content-Type`
//! (only used to tell CSV from text: the type comes from the bytes). Limits, in order
//! and before the body is read: `Content-Length` required and at most
//! `--max-upload-mb` (413); the space left under `--files-quota-mb` (507); a visitor's
//! and their address's hourly budget (429 `upload_quota`); `at_once` uploads
//! server-wide (503). Then the body must keep coming (`idle_timeout_ms`) and be
//! complete in `total_timeout_ms` (408). Codes and answers: `docs/API.md`.

use std::sync::Arc;
use std::time::Duration;

use futures_lite::future;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde::Serialize;

use super::client::ClientAddr;
use super::reply::{Body, error_response, json};
use super::session::authenticate;
use crate::app::App;
use crate::attachments::budget::Payer;
use crate::attachments::{Prepared, clean_name, prepare, shown_inline};
use crate::protocol::ErrorCode;
use crate::store::file_records::UploadV1;
use crate::store::values::StoredAuthorKind;
use crate::store::{StoreError, WriteOp, file_token};
use crate::timer::unix_ms;
use crate::ws::visitor_lookup::visitor_of_token;

/// The header carrying a visitor's token.
pub const VISITOR_TOKEN: HeaderName = HeaderName::from_static("x-visitor-token");

/// The answer to a stored upload.
#[derive(Serialize)]
struct Uploaded {
    /// The id to name in `send_files`.
    upload: String,
    /// The cleaned file name.
    name: String,
    /// Bytes stored (after metadata was removed).
    size: u64,
    /// The type found in the bytes.
    content_type: &'static str,
    /// Whether it is shown as an image.
    inline: bool,
}

/// Who uploads.
struct Uploader {
    kind: StoredAuthorKind,
    id: u64,
    /// The visitor's allowed origin, echoed in CORS headers.
    origin: Option<String>,
}

/// Adds the CORS headers a visitor's answer needs (none for agents).
fn cors(mut response: Response<Body>, origin: Option<&str>) -> Response<Body> {
    if let Some(value) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

fn header_text<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `OPTIONS /api/uploads`: the preflight of a visitor's upload from an allowed origin.
pub fn preflight(app: &App, headers: &HeaderMap) -> Response<Body> {
    let origin = header_text(headers, &header::ORIGIN);
    let mut response = Response::new(Body::default());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    if origin.is_none() || !app.origin_allowed(origin) {
        return response;
    }
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type, x-visitor-token"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    cors(response, origin)
}

/// Finds who is uploading: the visitor of `X-Visitor-Token`, else the session's agent.
async fn uploader(app: &Arc<App>, req: &Request<Incoming>) -> Result<Uploader, Response<Body>> {
    let Some(token) = header_text(req.headers(), &VISITOR_TOKEN).map(str::to_string) else {
        let (id, _) = authenticate(app, req).await?;
        return Ok(Uploader {
            kind: StoredAuthorKind::Agent,
            id,
            origin: None,
        });
    };
    let origin = header_text(req.headers(), &header::ORIGIN).map(str::to_string);
    if !app.origin_allowed(origin.as_deref()) {
        let why = "this website is not allowed to use the chat";
        return Err(error_response(ErrorCode::Forbidden, why));
    }
    let store = app.store.clone();
    let found = App::read(app, move || visitor_of_token(&store, &token)).await;
    match found {
        Ok(Some(id)) => Ok(Uploader {
            kind: StoredAuthorKind::Visitor,
            id,
            origin,
        }),
        Ok(None) => Err(cors(
            error_response(ErrorCode::Unauthorized, "unknown visitor token"),
            origin.as_deref(),
        )),
        Err(e) => Err(cors(super::reply::store_error(e), origin.as_deref())),
    }
}

/// `POST /api/uploads`.
pub async fn upload(app: &Arc<App>, client: ClientAddr, req: Request<Incoming>) -> Response<Body> {
    let who = match uploader(app, &req).await {
        Ok(who) => who,
        Err(response) => return response,
    };
    let origin = who.origin.clone();
    let response = match receive(app, client, who, req).await {
        Ok(uploaded) => json(StatusCode::CREATED, &uploaded),
        Err(response) => response,
    };
    cors(response, origin.as_deref())
}

async fn receive(
    app: &Arc<App>,
    client: ClientAddr,
    who: Uploader,
    req: Request<Incoming>,
) -> Result<Uploaded, Response<Body>> {
    let limits = &app.config.uploads;
    let mb = limits.max_file_bytes / (1024 * 1024);
    let length = header_text(req.headers(), &header::CONTENT_LENGTH)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            error_response(
                ErrorCode::InvalidField,
                "send the file with a Content-Length",
            )
        })?;
    if length > limits.max_file_bytes {
        let why = format!("files are limited to {mb} MB");
        return Err(error_response(ErrorCode::TooLarge, &why));
    }
    if length == 0 {
        return Err(error_response(ErrorCode::InvalidField, "the file is empty"));
    }
    let store = app.store.clone();
    let used = App::read(app, move || store.files_bytes())
        .await
        .map_err(super::reply::store_error)?;
    if used.saturating_add(length) > limits.quota_bytes {
        return Err(full());
    }
    if who.kind == StoredAuthorKind::Visitor {
        let payers = [Payer::Visitor(who.id), Payer::address(client.address)];
        if let Err(over) = app.uploads.charge(&payers, length, app.config.now_ms()) {
            let minutes = over.retry_after_secs.div_ceil(60);
            let why = format!("upload limit reached for this hour; try again in {minutes} min");
            return Err(error_response(ErrorCode::UploadQuota, &why));
        }
    }
    let Some(_receiving) = app.uploads.receive() else {
        let why = "too many uploads at once; try again in a moment";
        return Err(error_response(ErrorCode::Unavailable, why));
    };
    let declared = header_text(req.headers(), &header::CONTENT_TYPE)
        .unwrap_or_default()
        .to_string();
    let name = clean_name(&query_name(req.uri().query().unwrap_or_default()));
    let bytes = read_body(req, length, limits).await?;
    let checked_name = name.clone();
    let prepared = (app.uploads)
        .blocking(move || prepare(bytes, &declared, &checked_name))
        .await
        .ok_or_else(|| {
            let why = "this type of file is not accepted: photos (JPEG, PNG, WebP, GIF, HEIC), \
                       PDF, office documents and plain text are";
            error_response(ErrorCode::UnsupportedType, why)
        })?;
    let upload = file_token::new().map_err(super::reply::store_error)?;
    let record = UploadV1 {
        owner_kind: who.kind,
        owner_id: who.id,
        digest: prepared.digest,
        name: name.clone(),
        content_type: prepared.kind.content_type().to_string(),
        size: prepared.bytes.len() as u64,
        created_ms: unix_ms(),
    };
    let answer = Uploaded {
        upload: file_token::format(&upload),
        name,
        size: record.size,
        content_type: prepared.kind.content_type(),
        inline: shown_inline(prepared.kind.content_type()),
    };
    commit(app, upload, record, Arc::new(prepared)).await?;
    Ok(answer)
}

/// Puts the file in place (durably), then commits its record; once more if the file
/// was removed in between (its last reference went away meanwhile).
async fn commit(
    app: &Arc<App>,
    id: [u8; 16],
    record: UploadV1,
    prepared: Arc<Prepared>,
) -> Result<(), Response<Body>> {
    for _ in 0..2 {
        let files = app.store.db().files().clone();
        let file = prepared.clone();
        if let Err(e) = (app.uploads)
            .blocking(move || files.store(&file.digest, &file.bytes))
            .await
        {
            tracing::warn!(error = %e, "an upload could not be stored");
            let why =
                "the file could not be stored (data directory full or read-only); try again later";
            return Err(error_response(ErrorCode::StorageUnavailable, why));
        }
        let op = WriteOp::PutUpload {
            id,
            record: record.clone(),
            quota_bytes: app.config.uploads.quota_bytes,
        };
        match app.writer.call(op).await {
            Ok(_) => return Ok(()),
            Err(StoreError::FileMissing) => continue,
            Err(StoreError::QuotaFull) => return Err(full()),
            Err(e) => return Err(super::reply::store_error(e)),
        }
    }
    Err(super::reply::store_error(StoreError::FileMissing))
}

fn full() -> Response<Body> {
    let why = "the space for attachments is full; ask the shop to free some";
    error_response(ErrorCode::StorageFull, why)
}

/// The `name` query parameter, percent-decoded.
fn query_name(query: &str) -> String {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "name")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// Reads exactly `length` bytes of body, each piece within the idle timeout and the
/// whole within the total one.
async fn read_body(
    req: Request<Incoming>,
    length: u64,
    limits: &crate::attachments::UploadLimits,
) -> Result<Vec<u8>, Response<Body>> {
    let mut body = req.into_body();
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    let deadline = std::time::Instant::now() + Duration::from_millis(limits.total_timeout_ms);
    let idle = Duration::from_millis(limits.idle_timeout_ms);
    let timeout = || error_response(ErrorCode::Timeout, "the upload stalled; try again");
    loop {
        let wait = idle.min(deadline.saturating_duration_since(std::time::Instant::now()));
        let next = future::or(async { Some(body.frame().await) }, async {
            smol::Timer::after(wait).await;
            None
        })
        .await;
        match next {
            None => return Err(timeout()),
            Some(None) => break,
            Some(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    bytes.extend_from_slice(&data);
                }
                if bytes.len() as u64 > length {
                    let why = "the body is longer than its Content-Length";
                    return Err(error_response(ErrorCode::TooLarge, why));
                }
            }
            Some(Some(Err(e))) => {
                let why = format!("the upload could not be read: {e}");
                return Err(error_response(ErrorCode::BadFrame, &why));
            }
        }
    }
    if (bytes.len() as u64) < length {
        return Err(error_response(
            ErrorCode::BadFrame,
            "the upload was cut short",
        ));
    }
    Ok(bytes)
}
