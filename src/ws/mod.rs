//! WebSocket connections (`GET /ws`, after `http::upgrade` accepted the request and
//! negotiated the encoding): the socket's limits and a [`session`] task per connection.
//! Nothing here imports `http`: the HTTP side calls [`start`], never the reverse.

mod closing;
mod customer;
pub mod frame_check;
pub mod frame_terms;
#[cfg(test)]
mod future_size_tests;
mod hello;
mod io;
mod session;
pub mod visitor_lookup;
pub mod visitor_token;

pub use hello::valid_site;

use std::sync::Arc;

use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::protocol::{Role as WsRole, WebSocketConfig};
use hyper::upgrade::OnUpgrade;

use crate::app::App;
use crate::config::Config;
use crate::protocol::Encoding;

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

/// Runs the WebSocket session of an accepted upgrade in its own task, once hyper hands
/// over the connection. The HTTP half (checks, negotiation, the 101 answer) is
/// `http::upgrade`'s; this side never sees an HTTP response.
pub fn start(app: &Arc<App>, on_upgrade: OnUpgrade, encoding: Encoding, peer: PeerInfo) {
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
}
