//! Checks made once, before dispatch: cross-site request forgery on state-changing API
//! calls, the console's own origin (also used by agent WebSockets), and who may read
//! `/metrics`.
//!
//! The CSRF rules, for POST/PUT/PATCH/DELETE on `/api/*`:
//! 1. `Authorization: Bearer` requests pass: a browser never adds that header by itself.
//! 2. Everything else must say `Content-Type: application/json` (which a cross-site form
//!    cannot send without a CORS preflight that we never grant).
//! 3. With the session cookie, the browser must prove the page is the console: an
//!    `Origin` equal to the console's own, or no Origin and `Sec-Fetch-Site: same-origin`.
//! 4. Without the cookie (login, setup, logout), any browser evidence of another site
//!    (a foreign `Origin`, `Sec-Fetch-Site` other than same-origin/none) is refused: no
//!    login CSRF. A request with neither header is not a browser (curl, scripts) and
//!    passes.
//! 5. The visitors' email endpoints (`/api/visitor/…`) are exempt: the widget calls
//!    them from the shop's pages without credentials (`credentials: 'omit'`), and
//!    they act only for the visitor whose token is in the body, so a forged request
//!    needs that token and gains nothing a request by its holder would not. So is a
//!    visitor's upload (`/api/uploads` with `X-Visitor-Token`, which alone says who
//!    uploads; its handler checks the allowed origins), for the same reason.
//! 6. An upload's body is the file, not JSON: `/api/uploads` skips rule 2; with the
//!    cookie, rule 3 still asks for the console's origin.

use hyper::Method;
use hyper::header::{self, HeaderMap, HeaderName};

use super::client::ClientAddr;
use crate::auth::constant_time_eq;
use crate::auth::session::session_cookie;
use crate::cidr::any_contains;
use crate::config::Config;
use crate::origin::Origin;

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

fn text<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// True when `origin` (an `Origin` header value) is the console's own origin: the
/// `--public-url` when set, otherwise the host the request was addressed to.
pub fn is_console_origin(config: &Config, origin: &str, headers: &HeaderMap) -> bool {
    let Ok(origin) = Origin::parse(origin.trim()) else {
        return false;
    };
    match &config.public_url {
        Some(url) => *url == origin,
        None => text(headers, &header::HOST)
            .is_some_and(|host| origin.matches_host(host, config.tls.is_some())),
    }
}

fn has_bearer(headers: &HeaderMap) -> bool {
    text(headers, &header::AUTHORIZATION).is_some_and(|v| v.starts_with("Bearer "))
}

fn is_json(headers: &HeaderMap) -> bool {
    text(headers, &header::CONTENT_TYPE).is_some_and(|v| {
        v.split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
    })
}

fn state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

const FOREIGN: &str = "cross-site request refused: the page that sent it is not the console's \
own address (if deskbell is reached under another name, start it with --public-url)";

/// The CSRF rules above; `Err` says why, for a 403 (`forbidden`) instead of dispatching.
pub fn csrf(
    config: &Config,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Result<(), &'static str> {
    if !state_changing(method) || !path.starts_with("/api/") || has_bearer(headers) {
        return Ok(());
    }
    let unversioned = super::router::unversioned(path);
    if unversioned.starts_with("/api/visitor/") {
        return Ok(());
    }
    let upload = unversioned == "/api/uploads";
    if upload && headers.contains_key("x-visitor-token") {
        return Ok(());
    }
    if !is_json(headers) && !upload {
        return Err("changes must be sent with Content-Type: application/json");
    }
    let origin = text(headers, &header::ORIGIN);
    let fetch_site = text(headers, &SEC_FETCH_SITE).map(str::trim);
    let console = origin.map(|o| is_console_origin(config, o, headers));
    if session_cookie(headers).is_some() {
        let proven = match console {
            Some(ok) => ok,
            None => fetch_site.is_some_and(|s| s.eq_ignore_ascii_case("same-origin")),
        };
        return if proven { Ok(()) } else { Err(FOREIGN) };
    }
    let foreign_site = fetch_site
        .is_some_and(|s| !s.eq_ignore_ascii_case("same-origin") && !s.eq_ignore_ascii_case("none"));
    if console == Some(false) || foreign_site {
        return Err(FOREIGN);
    }
    Ok(())
}

/// Who may read `/metrics`: a matching `--metrics-token-file` bearer token from
/// anywhere, a `--metrics-allow` address, or loopback (unless the request carries
/// forwarding headers from a proxy that is not trusted: then it is someone else's).
pub fn metrics_allowed(config: &Config, client: &ClientAddr, headers: &HeaderMap) -> bool {
    if let Some(token) = &config.metrics_token
        && let Some(given) =
            text(headers, &header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "))
        && constant_time_eq(given.trim().as_bytes(), token.as_bytes())
    {
        return true;
    }
    any_contains(&config.metrics_allow, client.address)
        || (client.address.is_loopback() && !client.untrusted_forwarding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;
    use std::net::SocketAddr;

    fn config(public_url: Option<&str>) -> Config {
        let mut c = Config::new(SocketAddr::from(([127, 0, 0, 1], 0)), "/nonexistent".into());
        c.public_url = public_url.map(|u| Origin::parse_public_url(u).expect("url"));
        c
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert("host", HeaderValue::from_static("127.0.0.1:8080"));
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    const JSON: (&str, &str) = ("content-type", "application/json; charset=utf-8");
    const COOKIE: (&str, &str) = ("cookie", "deskbell_session=abc");

    fn allowed(config: &Config, method: Method, pairs: &[(&'static str, &'static str)]) -> bool {
        csrf(config, &method, "/api/agents", &headers(pairs)).is_ok()
    }

    #[test]
    fn cookie_requests_need_json_and_the_console_origin() {
        let c = config(None);
        let console = ("origin", "http://127.0.0.1:8080");
        assert!(allowed(&c, Method::POST, &[JSON, COOKIE, console]));
        assert!(allowed(
            &c,
            Method::DELETE,
            &[JSON, COOKIE, ("sec-fetch-site", "same-origin")]
        ));
        assert!(!allowed(
            &c,
            Method::POST,
            &[("content-type", "text/plain"), COOKIE, console]
        ));
        assert!(!allowed(
            &c,
            Method::POST,
            &[JSON, COOKIE, ("origin", "https://evil.example")]
        ));
        assert!(!allowed(&c, Method::POST, &[JSON, COOKIE]));
        assert!(!allowed(
            &c,
            Method::POST,
            &[JSON, COOKIE, ("sec-fetch-site", "same-site")]
        ));
        assert!(allowed(
            &c,
            Method::GET,
            &[COOKIE, ("origin", "https://evil.example")]
        ));
    }

    #[test]
    fn bearer_requests_and_plain_scripts_pass() {
        let c = config(None);
        assert!(allowed(
            &c,
            Method::POST,
            &[
                ("authorization", "Bearer t"),
                ("content-type", "text/plain")
            ]
        ));
        assert!(allowed(&c, Method::POST, &[JSON]));
        assert!(!allowed(
            &c,
            Method::POST,
            &[("content-type", "application/x-www-form-urlencoded")]
        ));
        assert!(!allowed(
            &c,
            Method::POST,
            &[JSON, ("origin", "https://evil.example")]
        ));
        assert!(!allowed(
            &c,
            Method::POST,
            &[JSON, ("sec-fetch-site", "cross-site")]
        ));
        assert!(allowed(
            &c,
            Method::POST,
            &[JSON, ("sec-fetch-site", "none")]
        ));
    }

    #[test]
    fn the_public_url_is_the_console_origin() {
        let c = config(Some("https://chat.shop.example/"));
        let h = headers(&[]);
        assert!(is_console_origin(&c, "https://Chat.Shop.Example:443", &h));
        assert!(!is_console_origin(&c, "http://chat.shop.example", &h));
        assert!(!is_console_origin(&c, "http://127.0.0.1:8080", &h));
        assert!(!is_console_origin(&c, "https://shop.example", &h));
        assert!(!is_console_origin(&c, "null", &h));
    }
}
