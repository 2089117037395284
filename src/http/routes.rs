//! The route table: which methods each path answers (for `OPTIONS`, 405 and `Allow`),
//! the checks made once before dispatch ([`super::guard`]), and the dispatch itself.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::client::{self, ClientAddr};
use super::reply::{Body, BodyDeadline, error_response, text};
use super::{admin, api, assets, faq, guard, health, inbox, upgrade};
use crate::app::App;
use crate::metrics;
use crate::protocol::ErrorCode;

const GET: &str = "GET";
const GET_HEAD: &str = "GET, HEAD";
const GET_POST: &str = "GET, POST";
const POST: &str = "POST";

/// The methods `path` answers, as an `Allow` value; None for an unknown path.
fn allowed_methods(path: &str) -> Option<&'static str> {
    Some(match path {
        "/healthz" | "/metrics" | "/ws" | "/" | "/console" | "/demo" => GET,
        "/api/login" | "/api/logout" | "/api/faq/try" => POST,
        "/api/setup" | "/api/agents" | "/api/canned" | "/api/faq" => GET_POST,
        "/api/widget" | "/api/me" | "/api/conversations" => GET,
        "/api/settings" => "GET, PUT",
        _ if path.starts_with("/api/") => {
            let (collection, id) = split_id(path)?;
            id?;
            match collection {
                "visitors" => GET,
                "agents" => "PATCH",
                "canned" | "faq" => "PUT, DELETE",
                _ => return None,
            }
        }
        _ => {
            assets::find(path)?;
            GET_HEAD
        }
    })
}

/// `/api/<collection>/<id>` → the collection and the id (None when not a number).
fn split_id(path: &str) -> Option<(&str, Option<u64>)> {
    let (collection, id) = path.strip_prefix("/api/")?.split_once('/')?;
    Some((collection, id.parse::<u64>().ok()))
}

fn with_allow(mut response: Response<Body>, allow: &'static str) -> Response<Body> {
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// `OPTIONS`: 204 with `Allow` and no CORS headers, except on `/api/widget`, which
/// any website's widget may read (a simple GET, so browsers do not need this answer;
/// it says the same as the GET's `Access-Control-Allow-Origin: *`).
fn options(path: &str) -> Response<Body> {
    let Some(allow) = allowed_methods(path) else {
        return error_response(ErrorCode::NotFound, "no such page");
    };
    let mut response = with_allow(Response::new(Body::default()), allow);
    *response.status_mut() = StatusCode::NO_CONTENT;
    if path == "/api/widget" {
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET"),
        );
    }
    response
}

/// Checks, then dispatches one request.
pub(super) async fn route(
    app: &Arc<App>,
    peer: SocketAddr,
    mut req: Request<Incoming>,
) -> Response<Body> {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    if method == Method::OPTIONS {
        return options(&path);
    }
    let Some(allow) = allowed_methods(&path) else {
        return error_response(ErrorCode::NotFound, "no such page");
    };
    if !allow.split(", ").any(|m| m == method.as_str()) {
        let message = format!("{path} answers {allow} only");
        return with_allow(error_response(ErrorCode::MethodNotAllowed, &message), allow);
    }
    if let Err(why) = guard::csrf(&app.config, &method, &path, req.headers()) {
        tracing::debug!(%peer, %method, path, "cross-site request refused");
        return error_response(ErrorCode::Forbidden, why);
    }
    let client = client::resolve(peer.ip(), req.headers(), &app.config.trusted_proxies);
    if client.untrusted_forwarding
        && !app
            .warned_untrusted_proxy
            .swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        // Once per run: the operator most likely forgot --trusted-proxy, and then every
        // per-address limit counts the proxy, i.e. the whole shop's visitors together.
        tracing::warn!(
            %peer,
            "requests carry forwarding headers from a peer that is not a --trusted-proxy: \
             per-address limits count that peer for all its clients; if it is your reverse \
             proxy, start deskbell with --trusted-proxy {}",
            peer.ip()
        );
    }
    req.extensions_mut()
        .insert(BodyDeadline(Duration::from_millis(
            app.config.body_timeout_ms,
        )));
    dispatch(app, client, method, &path, req).await
}

async fn dispatch(
    app: &Arc<App>,
    client: ClientAddr,
    method: Method,
    path: &str,
    req: Request<Incoming>,
) -> Response<Body> {
    match (method, path) {
        (Method::GET, "/healthz") => health::healthz(app),
        (Method::GET, "/metrics") => {
            if guard::metrics_allowed(&app.config, &client, req.headers()) {
                text(StatusCode::OK, metrics::CONTENT_TYPE, app.metrics.render())
            } else {
                error_response(
                    ErrorCode::Forbidden,
                    "metrics are served to this machine only; see --metrics-allow and \
                     --metrics-token-file",
                )
            }
        }
        (Method::GET, "/ws") => upgrade::upgrade(app, client.address, req),
        (Method::POST, "/api/setup") => api::setup(app, client.address, req).await,
        (Method::POST, "/api/login") => api::login(app, client.address, req).await,
        (Method::POST, "/api/logout") => api::logout(app, req).await,
        (Method::GET, "/api/agents") => api::list_agents(app, req).await,
        (Method::POST, "/api/agents") => api::create(app, req).await,
        (Method::GET, "/api/setup") => inbox::setup_needed(app),
        (Method::GET, "/api/widget") => inbox::widget(app, &req),
        (Method::GET, "/api/me") => inbox::me(app, req).await,
        (Method::GET, "/api/conversations") => inbox::conversations(app, req).await,
        (Method::GET, "/api/canned") => inbox::canned(app, req).await,
        (Method::POST, "/api/canned") => admin::save_canned(app, req, None).await,
        (Method::GET, "/api/settings") => admin::get_settings(app, req).await,
        (Method::PUT, "/api/settings") => admin::put_settings(app, req).await,
        (Method::GET, "/api/faq") => faq::list(app, req).await,
        (Method::POST, "/api/faq") => faq::save(app, req, None).await,
        (Method::POST, "/api/faq/try") => faq::try_question(app, req).await,
        (method, path) if path.starts_with("/api/") => with_id(app, method, path, req).await,
        (Method::GET, "/") => assets::redirect("/console/"),
        (Method::GET, "/console" | "/demo") => assets::redirect(if path == "/demo" {
            "/demo/"
        } else {
            "/console/"
        }),
        (Method::GET | Method::HEAD, _) => assets::serve(path)
            .unwrap_or_else(|| error_response(ErrorCode::NotFound, "no such page")),
        _ => error_response(ErrorCode::NotFound, "no such page"),
    }
}

/// Routes `/api/<collection>/<id>`.
async fn with_id(
    app: &Arc<App>,
    method: Method,
    path: &str,
    req: Request<Incoming>,
) -> Response<Body> {
    let Some((collection, Some(id))) = split_id(path) else {
        return error_response(ErrorCode::NotFound, "no such endpoint");
    };
    match (method, collection) {
        (Method::GET, "visitors") => inbox::visitor(app, req, id).await,
        (Method::PATCH, "agents") => admin::patch_agent(app, req, id).await,
        (Method::PUT, "canned") => admin::save_canned(app, req, Some(id)).await,
        (Method::DELETE, "canned") => admin::delete_canned(app, req, id).await,
        (Method::PUT, "faq") => faq::save(app, req, Some(id)).await,
        (Method::DELETE, "faq") => faq::delete(app, req, id).await,
        _ => error_response(ErrorCode::NotFound, "no such endpoint"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists() {
        assert_eq!(allowed_methods("/api/agents"), Some(GET_POST));
        assert_eq!(allowed_methods("/api/agents/7"), Some("PATCH"));
        assert_eq!(allowed_methods("/api/agents/x"), None);
        assert_eq!(allowed_methods("/api/nothing"), None);
        assert_eq!(allowed_methods("/api/faq/try"), Some(POST));
        assert_eq!(allowed_methods("/console/"), Some(GET_HEAD));
        assert_eq!(allowed_methods("/no-such-file"), None);
    }
}
