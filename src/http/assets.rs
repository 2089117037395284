//! The browser files compiled into the binary (see `build.rs`): lookup, content types,
//! caching and security headers (a strict Content-Security-Policy for the console).

use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use super::reply::Body;

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// Policy for the console: scripts, styles and connections only from this server, no
/// inline script, no framing.
const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("mp3") => "audio/mpeg",
        Some("wav") => "audio/wav",
        _ => "application/octet-stream",
    }
}

/// The embedded file for a URL path (`/console/` means its `index.html`).
pub fn find(path: &str) -> Option<(&'static str, &'static [u8])> {
    let wanted = if path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    FILES
        .iter()
        .find(|(p, _)| *p == wanted)
        .map(|(p, bytes)| (*p, *bytes))
}

/// Serves an embedded file with its headers, or `None` if there is no such file.
pub fn serve(path: &str) -> Option<Response<Body>> {
    let (name, bytes) = find(path)?;
    let mut response = Response::new(Body::new(Bytes::from_static(bytes)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(name)),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if name == "/widget.js" {
        // Loaded by the shop's pages: short caching so settings-free updates arrive soon.
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if name.starts_with("/console/") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONSOLE_CSP),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Some(response)
}

/// `302` to another path.
pub fn redirect(to: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::default());
    *response.status_mut() = StatusCode::FOUND;
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(to));
    response
}
