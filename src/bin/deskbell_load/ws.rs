//! The WebSocket side of a bench client: connecting with the binary (postcard)
//! subprotocol, hellos, and client ids that carry their send time.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::http::HeaderValue;
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use async_tungstenite::tungstenite::{Error as WsError, Message as WsMessage};
use deskbell::protocol::{
    BINARY_SUBPROTOCOL, ClientFrame, Encoded, Encoding, HelloAgent, HelloVisitor, ServerFrame,
    Welcome,
};
use futures_lite::{StreamExt, future};

/// A client WebSocket.
pub type Socket = WebSocketStream<smol::net::TcpStream>;

/// How long a handshake plus hello may take.
const HELLO_TIMEOUT: Duration = Duration::from_secs(30);

/// The run's time origin: every timestamp is microseconds since it.
#[derive(Debug, Clone, Copy)]
pub struct Epoch(Instant);

impl Epoch {
    /// Starts the clock.
    pub fn now() -> Epoch {
        Epoch(Instant::now())
    }

    /// Microseconds since the epoch.
    pub fn us(self) -> u64 {
        self.0.elapsed().as_micros() as u64
    }

    /// The instant `us` microseconds after the epoch.
    pub fn at(self, us: u64) -> Instant {
        self.0 + Duration::from_micros(us)
    }
}

/// A client id that carries who sent it and when it was (to be) sent: `conn.n.sent_us`.
pub fn client_id(conn: usize, n: u64, sent_us: u64) -> String {
    format!("{conn}.{n}.{sent_us}")
}

/// The send time carried by a [`client_id`].
pub fn sent_us(client_id: &str) -> Option<u64> {
    client_id.rsplit('.').next()?.parse().ok()
}

/// Opens a WebSocket speaking `deskbell.v1.postcard`.
pub async fn connect(addr: SocketAddr, read_buffer: usize) -> Result<Socket, String> {
    let stream = smol::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let _ = stream.set_nodelay(true);
    let mut request = format!("ws://{addr}/ws")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(BINARY_SUBPROTOCOL),
    );
    let config = WebSocketConfig::default()
        .read_buffer_size(read_buffer)
        .write_buffer_size(0);
    let (ws, _) = async_tungstenite::client_async_with_config(request, stream, Some(config))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    Ok(ws)
}

/// Sends one frame (written and flushed).
pub async fn send(ws: &mut Socket, frame: &ClientFrame) -> Result<(), String> {
    ws.send(message(frame)).await.map_err(|e| e.to_string())
}

/// A frame as a binary WebSocket message.
pub fn message(frame: &ClientFrame) -> WsMessage {
    match Encoding::Binary.encode(frame) {
        Encoded::Binary(bytes) => WsMessage::binary(bytes),
        Encoded::Text(text) => WsMessage::text(text),
    }
}

/// What one WebSocket message means to a bench client.
pub enum Incoming {
    /// A server frame.
    Frame(Box<ServerFrame>),
    /// A ping, pong or other control message (answered by the library).
    Control,
    /// The connection is over.
    Closed(String),
}

/// Interprets the next item of the socket's stream.
pub fn interpret(next: Option<Result<WsMessage, WsError>>) -> Incoming {
    match next {
        None => Incoming::Closed("connection closed".into()),
        Some(Err(e)) => Incoming::Closed(e.to_string()),
        Some(Ok(WsMessage::Binary(bytes))) => match Encoding::Binary.decode_binary(&bytes) {
            Ok(frame) => Incoming::Frame(Box::new(frame)),
            Err(e) => Incoming::Closed(format!("undecodable frame: {e}")),
        },
        Some(Ok(WsMessage::Close(frame))) => Incoming::Closed(format!(
            "closed by the server: {}",
            frame
                .map(|f| format!("{} {}", u16::from(f.code), f.reason))
                .unwrap_or_default()
        )),
        Some(Ok(WsMessage::Text(_))) => {
            Incoming::Closed("text message on a binary connection".into())
        }
        Some(Ok(_)) => Incoming::Control,
    }
}

/// The next server frame (control messages skipped).
pub async fn recv(ws: &mut Socket) -> Result<ServerFrame, String> {
    loop {
        match interpret(ws.next().await) {
            Incoming::Frame(frame) => return Ok(*frame),
            Incoming::Control => continue,
            Incoming::Closed(why) => return Err(why),
        }
    }
}

async fn greet(mut ws: Socket, hello: ClientFrame) -> Result<(Socket, Welcome), String> {
    let exchange = async {
        send(&mut ws, &hello).await?;
        match recv(&mut ws).await? {
            ServerFrame::Welcome(w) => Ok(w),
            ServerFrame::Error(e) => Err(format!("hello refused: {} {}", e.error, e.message)),
            other => Err(format!("expected a welcome, got {other:?}")),
        }
    };
    let timeout = async {
        smol::Timer::after(HELLO_TIMEOUT).await;
        Err("no welcome in time".to_string())
    };
    let welcome = future::or(exchange, timeout).await?;
    Ok((ws, welcome))
}

/// Connects as a new visitor on site `default`.
pub async fn visitor(addr: SocketAddr, read_buffer: usize) -> Result<(Socket, Welcome), String> {
    let ws = connect(addr, read_buffer).await?;
    let hello = ClientFrame::HelloVisitor(HelloVisitor {
        site: "default".into(),
        token: None,
        page: Some("https://shop.example/bench".into()),
        referrer: None,
        language: Some("en".into()),
        utc_offset_min: Some(0),
    });
    greet(ws, hello).await
}

/// Connects as the agent whose session token is `token`.
pub async fn agent(addr: SocketAddr, token: &str) -> Result<(Socket, Welcome), String> {
    let ws = connect(addr, 64 * 1024).await?;
    let hello = ClientFrame::HelloAgent(HelloAgent {
        token: Some(token.to_string()),
    });
    greet(ws, hello).await
}

/// A message body of exactly `len` bytes.
pub fn body(len: usize) -> String {
    "deskbell load test message body; ".repeat(len / 33 + 1)[..len].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_carry_their_send_time() {
        let id = client_id(17, 3, 123_456_789);
        assert_eq!(sent_us(&id), Some(123_456_789));
        assert!(id.len() <= 64);
        assert_eq!(body(180).len(), 180);
    }
}
