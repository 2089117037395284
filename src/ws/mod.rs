//! WebSocket endpoint (`GET /ws`): checks the upgrade request, negotiates the encoding
//! by subprotocol, and starts a [`session`] task for the connection.

mod closing;
mod hello;
mod io;
mod session;
mod visitor_token;

use std::net::IpAddr;
use std::sync::Arc;

use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::handshake::derive_accept_key;
use async_tungstenite::tungstenite::protocol::{Role as WsRole, WebSocketConfig};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode, header};

use crate::app::App;
use crate::config::Config;
use crate::http::guard::is_console_origin;
use crate::http::reply::{Body, error_response, session_cookie};
use crate::protocol::{Encoding, ErrorCode};

pub use hello::PeerInfo;
pub use io::UpgradedIo;

/// Outgoing frames are gathered up to this many bytes before a write to the socket; the
/// session flushes after each batch of queued frames, so a busy agent connection gets
/// one write per batch instead of one per frame, and nothing waits in the buffer.
const WRITE_BUFFER: usize = 8 * 1024;

/// WebSocket limits for one connection: a small read buffer (idle connections are
/// cheap) and frame/message limits that refuse oversized input early.
pub fn socket_config(config: &Config) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(config.ws_read_buffer)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(config.max_frame_bytes * 64)
        .max_message_size(Some(config.max_frame_bytes))
        .max_frame_size(Some(config.max_frame_bytes))
}

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
    let task_app = app.clone();
    let config = socket_config(&app.config);
    app.spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let socket = WebSocketStream::from_raw_socket(
                    UpgradedIo(upgraded),
                    WsRole::Server,
                    Some(config),
                )
                .await;
                session::run(task_app, socket, encoding, peer).await;
            }
            Err(e) => tracing::debug!(error = %e, "websocket upgrade failed"),
        }
    });
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
