//! The pages the links in visitors' emails open: `/email/confirm?token=…` and
//! `/email/unsubscribe?token=…`. A GET only shows a page with a button; the change is
//! the button's POST to the same address, so a mail scanner that fetches every link
//! confirms or unsubscribes nothing. A POST to the unsubscribe address is also the
//! RFC 8058 one-click unsubscribe mail programs send (`List-Unsubscribe=One-Click`).
//! The pages are tiny: inline style, no script, a strict Content-Security-Policy, in
//! the browser's language (en, zh).

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::reply::{Body, text};
use crate::app::App;
use crate::email::Language;
use crate::email::link_token::Purpose;
use crate::email::render::escape;
use crate::store::WriteOp;

/// No script, nothing remote, forms only to this server, never framed.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
frame-ancestors 'none'; base-uri 'none'";

/// The link's token (query `token`).
fn token(req: &Request<Incoming>) -> Option<String> {
    req.uri()
        .query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "token")
        .map(|(_, v)| v.to_string())
}

/// The browser's first language (`Accept-Language`).
fn language(req: &Request<Incoming>) -> Language {
    let first = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split([',', ';']).next());
    Language::of_browser(first)
}

/// A page with a heading and either a button posting to `action` or nothing.
fn page(
    status: StatusCode,
    language: Language,
    heading: &str,
    action: Option<&str>,
) -> Response<Body> {
    let form = action.map_or(String::new(), |url| {
        format!(
            "<form method=\"post\" action=\"{}\"><button type=\"submit\" style=\"background:#2563eb;\
             color:#fff;border:0;border-radius:6px;padding:10px 16px;font-size:16px\">{}</button></form>",
            escape(url),
            escape(heading)
        )
    });
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><meta name=\"robots\" content=\"noindex\">\
         <title>{}</title></head><body style=\"font-family:-apple-system,Segoe UI,Roboto,Helvetica,\
         Arial,sans-serif;max-width:480px;margin:48px auto;padding:0 16px;color:#1f2937\">\
         <h1 style=\"font-size:20px\">{}</h1>{form}</body></html>\n",
        language.code(),
        escape(heading),
        escape(heading),
    );
    let mut response = text(status, "text/html; charset=utf-8", body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// `GET`/`POST /email/confirm`.
pub async fn confirm(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let language = language(&req);
    let s = language.visitor_strings();
    let token = token(&req).unwrap_or_default();
    let Some(claims) = app.visitor_mail.verify(&token, Purpose::Confirm) else {
        return page(StatusCode::NOT_FOUND, language, s.page_bad_link, None);
    };
    if req.method() != Method::POST {
        let action = format!("/email/confirm?token={token}");
        return page(StatusCode::OK, language, s.page_confirm, Some(&action));
    }
    let op = WriteOp::ConfirmVisitorEmail {
        visitor: claims.visitor,
        address: claims.address,
        at_ms: app.visitor_mail.now_ms(),
    };
    match app.writer.call(op).await {
        Ok(_) => page(StatusCode::OK, language, s.page_confirmed, None),
        Err(e) => {
            tracing::warn!(error = %e, "confirming a visitor's email address");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                language,
                s.page_bad_link,
                None,
            )
        }
    }
}

/// `GET`/`POST /email/unsubscribe` (the POST is also RFC 8058's one click).
pub async fn unsubscribe(app: &Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let language = language(&req);
    let s = language.visitor_strings();
    let token = token(&req).unwrap_or_default();
    let Some(claims) = app.visitor_mail.verify(&token, Purpose::Unsubscribe) else {
        return page(StatusCode::NOT_FOUND, language, s.page_bad_link, None);
    };
    if req.method() != Method::POST {
        let action = format!("/email/unsubscribe?token={token}");
        return page(StatusCode::OK, language, s.page_unsubscribe, Some(&action));
    }
    let op = WriteOp::OptOutEmail {
        address: claims.address,
        at_ms: app.visitor_mail.now_ms(),
    };
    match app.writer.call(op).await {
        Ok(_) => page(StatusCode::OK, language, s.page_unsubscribed, None),
        Err(e) => {
            tracing::warn!(error = %e, "unsubscribing an address");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                language,
                s.page_bad_link,
                None,
            )
        }
    }
}
