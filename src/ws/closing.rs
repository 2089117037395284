//! Closing a WebSocket so the client learns why: a close frame, then the closing
//! handshake, without letting a client that keeps sending hold the task for long.

use std::time::Duration;

use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::Error as WsError;
use async_tungstenite::tungstenite::protocol::CloseFrame;
use async_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use futures_lite::{StreamExt, future};

use super::io::UpgradedIo;

type Socket = WebSocketStream<UpgradedIo>;

/// How long a connection we close waits for the client's close reply.
const CLOSE_LINGER: Duration = Duration::from_secs(1);

/// Sends a close frame and completes the closing handshake: waits (at most
/// [`CLOSE_LINGER`]) for the client's reply, discarding whatever it still sends.
/// Dropping a socket with unread input makes the kernel answer with a TCP reset,
/// which can destroy the close frame (and the errors before it) in flight, so a
/// flooding or oversized client would never learn why it was cut off.
pub(super) async fn close(socket: &mut Socket, code: u16, reason: &str) -> Result<(), WsError> {
    let frame = CloseFrame {
        code: CloseCode::from(code),
        reason: reason.to_string().into(),
    };
    let sent = socket.close(Some(frame)).await;
    if sent.is_ok() {
        future::or(drain(socket), async {
            smol::Timer::after(CLOSE_LINGER).await;
        })
        .await;
    }
    sent
}

/// Reads until the client's close reply (the stream ends); after a protocol error
/// (e.g. an oversized message) reads raw bytes until the client hangs up.
async fn drain(socket: &mut Socket) {
    loop {
        match socket.next().await {
            Some(Ok(_)) => continue,
            None => return,
            Some(Err(_)) => break,
        }
    }
    // On the heap, not in the future: `close` is inlined into every connection's
    // session future, so an array here made each idle connection's task 4 KiB larger
    // (5,296 bytes instead of 1,440; `future_size_tests.rs`, issue #16).
    let mut buf = vec![0u8; 4096];
    while let Ok(1..) = futures_lite::AsyncReadExt::read(socket.get_mut(), &mut buf).await {}
}
