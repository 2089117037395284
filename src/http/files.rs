//! `GET /api/files/{id}`: an attachment's bytes. The id is a capability (128 random
//! bits, stored per attachment): whoever holds the URL may fetch it, and only the
//! conversation's people receive it (in the message's `attachments` event), so the
//! widget's `<img>` on the shop's page needs no credentials. An unknown id is 404.
//!
//! The answer can never run as a page of this origin: `X-Content-Type-Options:
//! nosniff` (on every answer), `Content-Security-Policy: default-src 'none'; sandbox`,
//! `Content-Disposition: attachment` for everything but the raster images
//! ([`shown_inline`]), no referrer. Files never change, so it is cached privately for a
//! year with the digest as `ETag`. Downloads per client address are rate-limited.

use std::sync::Arc;

use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::client::ClientAddr;
use super::reply::{Body, error_response, store_error};
use crate::app::App;
use crate::attachments::shown_inline;
use crate::protocol::ErrorCode;
use crate::store::file_token;

/// The path prefix of downloads (also under `/api/v1/`).
pub const PREFIX: &str = "/api/files/";

/// Answers a download of `id` (the path's last segment).
pub async fn download(
    app: &Arc<App>,
    client: ClientAddr,
    id: &str,
    req: Request<Incoming>,
) -> Response<Body> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut response = error_response(ErrorCode::MethodNotAllowed, "files answer GET only");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    if let Err(seconds) = app.uploads.download(client.address, app.config.now_ms()) {
        let why = format!("too many downloads; try again in {seconds} s");
        return error_response(ErrorCode::RateLimited, &why);
    }
    let not_found = || error_response(ErrorCode::NotFound, "no such file");
    let Some(token) = file_token::parse(id) else {
        return not_found();
    };
    let store = app.store.clone();
    let attachment = match App::read(app, move || store.attachment(&token)).await {
        Ok(Some(attachment)) => attachment,
        Ok(None) => return not_found(),
        Err(e) => return store_error(e),
    };
    let etag = format!("\"{}\"", file_token::format_digest(&attachment.digest));
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if cached {
        let mut response = Response::new(Body::default());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        let path = app.store.db().files().path_of(&attachment.digest);
        match app.uploads.blocking(move || std::fs::read(path)).await {
            Ok(bytes) if req.method() == Method::HEAD => {
                let mut response = Response::new(Body::default());
                if let Ok(length) = HeaderValue::from_str(&bytes.len().to_string()) {
                    response
                        .headers_mut()
                        .insert(header::CONTENT_LENGTH, length);
                }
                response
            }
            Ok(bytes) => Response::new(Body::new(Bytes::from(bytes))),
            Err(e) => {
                tracing::error!(error = %e, "an attachment's file is missing");
                return not_found();
            }
        }
    };
    let inline = shown_inline(&attachment.content_type);
    let headers = response.headers_mut();
    let set = |headers: &mut hyper::HeaderMap, name, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(headers, header::CONTENT_TYPE, &attachment.content_type);
    set(headers, header::ETAG, &etag);
    set(
        headers,
        header::CONTENT_DISPOSITION,
        &disposition(inline, &attachment.name),
    );
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; sandbox",
    );
    set(
        headers,
        header::CACHE_CONTROL,
        "private, max-age=31536000, immutable",
    );
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(
        headers,
        hyper::header::HeaderName::from_static("cross-origin-resource-policy"),
        "cross-origin",
    );
    response
}

/// `inline` or `attachment`, with the name in RFC 6266/8187 form (and an ASCII
/// fallback).
fn disposition(inline: bool, name: &str) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| !matches!(c, '"' | '\\' | ';'))
        .collect();
    // RFC 8187's attr-char: letters, digits and a few marks stay as they are.
    const ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'.')
        .remove(b'-')
        .remove(b'_');
    let encoded = percent_encoding::utf8_percent_encode(name, ENCODED).to_string();
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_safely() {
        assert_eq!(
            disposition(false, "Preise 2026.pdf"),
            "attachment; filename=\"Preise 2026.pdf\"; filename*=UTF-8''Preise%202026.pdf"
        );
        let d = disposition(true, "价格\";x.png");
        assert!(
            d.starts_with("inline; filename=\"__x.png\"; filename*=UTF-8''%E4"),
            "{d}"
        );
    }
}
