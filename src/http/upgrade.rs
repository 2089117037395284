//! The HTTP half of a WebSocket upgrade (`GET /ws`): checks the request, negotiates the
//! encoding by subprotocol, learns what it can of the peer (origin, user agent, session
//! cookie), answers 101 and hands the connection to [`crate::ws::start`].

use std::net::IpAddr;
use std::sync::Arc;

use async_tungstenite::tungstenite::handshake::derive_accept_key;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode, header};

use super::guard::is_console_origin;
use super::reply::{Body, error_response};
use crate::app::App;
use crate::auth::session::session_cookie;
use crate::protocol::{Encoding, ErrorCode};
use crate::ws::{self, PeerInfo};

fn header_text(req: &Request<Incoming>, name: header::HeaderName) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Answers an upgrade request from `client` (the address after trusted proxies); on
/// success the connection continues in its own task.
pub fn upgrade(app: &Arc<App>, client: IpAddr, mut req: Request<Incoming>) -> Response<Body> {
    let is_upgrade =
        header_text(&req, header::UPGRADE).is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let Some(key) = req.headers().get(header::SEC_WEBSOCKET_KEY).cloned() else {
        return error_response(ErrorCode::UnexpectedFrame, "this is a WebSocket endpoint");
    };
    if !is_upgrade {
        return error_response(ErrorCode::UnexpectedFrame, "this is a WebSocket endpoint");
    }
    let offer = header_text(&req, header::SEC_WEBSOCKET_PROTOCOL);
    let Some(encoding) = Encoding::negotiate(offer.as_deref()) else {
        return error_response(
            ErrorCode::BadFrame,
            "unsupported subprotocol; offer deskbell.v1.postcard or deskbell.v1.json",
        );
    };
    let origin = header_text(&req, header::ORIGIN);
    let console_origin = origin
        .as_deref()
        .is_some_and(|o| is_console_origin(&app.config, o, req.headers()));
    let peer = PeerInfo {
        address: client,
        console_origin,
        origin,
        user_agent: header_text(&req, header::USER_AGENT),
        cookie_token: session_cookie(req.headers()),
    };
    let on_upgrade = hyper::upgrade::on(&mut req);
    ws::start(app, on_upgrade, encoding, peer);
    let mut response = Response::new(Body::default());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(
        header::CONNECTION,
        header::HeaderValue::from_static("Upgrade"),
    );
    headers.insert(
        header::UPGRADE,
        header::HeaderValue::from_static("websocket"),
    );
    if let Ok(accept) = header::HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    if offer.is_some() {
        headers.insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            header::HeaderValue::from_static(encoding.subprotocol()),
        );
    }
    response
}
