//! The WebSocket test client: connects over TCP (or any stream, e.g. TLS), says hello as
//! a visitor or an agent, sends frames in either encoding and waits for expected ones.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::{Message as WsMessage, http::HeaderValue};
use deskbell::protocol::*;
use futures_lite::StreamExt;

use super::WAIT;

/// A byte stream a WebSocket can run over: plain TCP or TLS.
pub trait Io:
    futures_lite::AsyncRead + futures_lite::AsyncWrite + Unpin + std::marker::Send
{
}
impl<T: futures_lite::AsyncRead + futures_lite::AsyncWrite + Unpin + std::marker::Send> Io for T {}

/// A WebSocket client.
pub struct Client {
    /// The socket.
    ws: WebSocketStream<Box<dyn Io>>,
    /// The frame encoding agreed by subprotocol (binary postcard or JSON text).
    pub encoding: Encoding,
}

impl Client {
    /// Connects with the given encoding.
    pub fn connect(addr: SocketAddr, encoding: Encoding) -> Client {
        Self::try_connect(addr, encoding, &[]).expect("websocket connects")
    }

    /// Connects with extra request headers.
    pub fn try_connect(
        addr: SocketAddr,
        encoding: Encoding,
        headers: &[(&str, &str)],
    ) -> Result<Client, String> {
        let stream =
            smol::block_on(smol::net::TcpStream::connect(addr)).map_err(|e| e.to_string())?;
        Self::over(
            Box::new(stream),
            &format!("ws://{addr}/ws"),
            encoding,
            headers,
        )
    }

    /// Speaks WebSocket over an already connected stream (e.g. TLS) to `url`.
    pub fn over(
        stream: Box<dyn Io>,
        url: &str,
        encoding: Encoding,
        headers: &[(&str, &str)],
    ) -> Result<Client, String> {
        smol::block_on(async {
            let mut request = url.into_client_request().map_err(|e| e.to_string())?;
            request.headers_mut().insert(
                "Sec-WebSocket-Protocol",
                HeaderValue::from_static(encoding.subprotocol()),
            );
            for (name, value) in headers {
                let name: async_tungstenite::tungstenite::http::HeaderName =
                    name.parse().map_err(|_| "header")?;
                request.headers_mut().insert(
                    name,
                    HeaderValue::from_str(value).map_err(|e| e.to_string())?,
                );
            }
            let (ws, _) = async_tungstenite::client_async(request, stream)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Client { ws, encoding })
        })
    }

    /// Connects as a visitor and returns the welcome.
    pub fn visitor(addr: SocketAddr, encoding: Encoding, token: Option<&str>) -> (Client, Welcome) {
        Self::visitor_with(addr, encoding, token, &[])
    }

    /// Connects as a visitor sending extra request headers (e.g. `Origin`).
    pub fn visitor_with(
        addr: SocketAddr,
        encoding: Encoding,
        token: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (Client, Welcome) {
        let mut client = Self::try_connect(addr, encoding, headers).expect("websocket connects");
        let welcome = client.hello_visitor(token);
        (client, welcome)
    }

    /// Says hello as a visitor on a connected socket and returns the welcome.
    pub fn hello_visitor(&mut self, token: Option<&str>) -> Welcome {
        self.hello_visitor_in(token, "en-GB")
    }

    /// [`Client::hello_visitor`] from a browser set to `language` (e.g. `zh-CN`).
    pub fn hello_visitor_in(&mut self, token: Option<&str>, language: &str) -> Welcome {
        self.send(&ClientFrame::HelloVisitor(HelloVisitor {
            site: "default".into(),
            token: token.map(str::to_string),
            page: Some("https://shop.test/shoes".into()),
            referrer: None,
            language: Some(language.into()),
            utc_offset_min: Some(60),
        }));
        self.welcome()
    }

    /// Connects as an agent and returns the welcome.
    pub fn agent(addr: SocketAddr, encoding: Encoding, token: &str) -> (Client, Welcome) {
        let mut client = Client::connect(addr, encoding);
        client.send(&ClientFrame::HelloAgent(HelloAgent {
            token: Some(token.to_string()),
        }));
        let welcome = client.welcome();
        (client, welcome)
    }

    fn welcome(&mut self) -> Welcome {
        match self.recv() {
            ServerFrame::Welcome(w) => w,
            other => panic!("expected welcome, got {other:?}"),
        }
    }

    /// Sends a frame.
    pub fn send(&mut self, frame: &ClientFrame) {
        let message = match self.encoding.encode(frame) {
            Encoded::Binary(b) => WsMessage::binary(b),
            Encoded::Text(t) => WsMessage::text(t),
        };
        self.send_raw(message);
    }

    /// Sends a raw WebSocket message.
    pub fn send_raw(&mut self, message: WsMessage) {
        smol::block_on(self.ws.send(message)).expect("send");
    }

    /// Sends a chat message.
    pub fn say(&mut self, conversation: Option<u64>, client_id: &str, body: &str) {
        self.send(&ClientFrame::Send(Send {
            conversation,
            client_id: client_id.into(),
            body: body.into(),
        }));
    }

    /// The next frame (panics after [`WAIT`] or if the socket closes).
    pub fn recv(&mut self) -> ServerFrame {
        self.try_recv(WAIT)
            .unwrap_or_else(|e| panic!("no frame: {e}"))
    }

    /// The next frame, or why there is none (timeout, close with its code).
    pub fn try_recv(&mut self, wait: Duration) -> Result<ServerFrame, String> {
        let deadline = Instant::now() + wait;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let next = smol::block_on(futures_lite::future::or(
                async { Some(self.ws.next().await) },
                async {
                    smol::Timer::after(remaining).await;
                    None
                },
            ));
            match next {
                None => return Err("timeout".into()),
                Some(None) => return Err("closed".into()),
                Some(Some(Err(e))) => return Err(format!("error: {e}")),
                Some(Some(Ok(WsMessage::Binary(b)))) => {
                    return self.encoding.decode_binary(&b).map_err(|e| e.to_string());
                }
                Some(Some(Ok(WsMessage::Text(t)))) => {
                    return self
                        .encoding
                        .decode_text(t.as_str())
                        .map_err(|e| e.to_string());
                }
                Some(Some(Ok(WsMessage::Close(frame)))) => {
                    return Err(format!(
                        "close {}",
                        frame.map(|f| u16::from(f.code)).unwrap_or(0)
                    ));
                }
                Some(Some(Ok(_))) => continue,
            }
        }
    }

    /// Asserts that no frame arrives within `wait` and that the connection is still
    /// open: a close, a read error or a frame that fails to decode fail the check too
    /// (a bare `try_recv(..).is_err()` would pass on them).
    pub fn quiet_for(&mut self, wait: Duration, what: &str) {
        match self.try_recv(wait) {
            Err(e) if e == "timeout" => {}
            Err(e) => panic!("{what}: the connection ended or broke instead: {e}"),
            Ok(frame) => panic!("{what}: a frame arrived: {frame:?}"),
        }
    }

    /// Receives until `pick` returns Some, skipping other frames.
    pub fn expect<T>(&mut self, what: &str, mut pick: impl FnMut(&ServerFrame) -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match self.try_recv(remaining) {
                Ok(frame) => {
                    if std::env::var_os("IT_TRACE").is_some() {
                        eprintln!("frame: {frame:?}");
                    }
                    if let Some(found) = pick(&frame) {
                        return found;
                    }
                }
                Err(e) => panic!("waiting for {what}: {e}"),
            }
        }
    }

    /// Waits for the ack of `client_id`, returning (conversation, seq).
    pub fn ack(&mut self, client_id: &str) -> (u64, u64) {
        self.expect(&format!("ack {client_id}"), |f| match f {
            ServerFrame::Ack(a) if a.client_id == client_id => Some((a.conversation, a.seq)),
            ServerFrame::Error(e) if e.client_id.as_deref() == Some(client_id) => {
                panic!("send refused: {e:?}")
            }
            _ => None,
        })
    }

    /// Waits for a chat message with this body.
    pub fn message(&mut self, body: &str) -> Message {
        self.expect(&format!("message {body:?}"), |f| match f {
            ServerFrame::Message(m) if m.body == body => Some(m.clone()),
            _ => None,
        })
    }

    /// Waits for an error frame.
    pub fn error(&mut self) -> ErrorFrame {
        self.expect("error frame", |f| match f {
            ServerFrame::Error(e) => Some(e.clone()),
            _ => None,
        })
    }

    /// Syncs a conversation and collects replayed messages up to `synced`.
    pub fn sync(&mut self, conversation: u64, after_seq: u64) -> Vec<Message> {
        self.send(&ClientFrame::Sync(Sync {
            conversation,
            after_seq,
        }));
        let mut replayed = Vec::new();
        self.expect("synced", |f| match f {
            ServerFrame::Message(m) if m.conversation == conversation => {
                replayed.push(m.clone());
                None
            }
            ServerFrame::Synced(s) if s.conversation == conversation => Some(()),
            ServerFrame::Resync(r) => panic!("unexpected resync {r:?}"),
            _ => None,
        });
        replayed
    }

    /// Waits until the conversation is assigned to `agent` (as agents see it).
    pub fn assigned(&mut self, conversation: u64, agent: u64) {
        self.expect("assignment", |f| match f {
            ServerFrame::Conversation(c)
                if c.id == conversation
                    && c.agent == Some(agent)
                    && c.status == ConversationStatus::Assigned =>
            {
                Some(())
            }
            _ => None,
        })
    }

    /// Closes the socket.
    pub fn close(mut self) {
        let _ = smol::block_on(self.ws.close(None));
    }
}

impl Client {
    // ---- Helpers for abuse, crash and operations tests ----

    /// Sends a frame, reporting a failure (the server may be gone) instead of panicking.
    pub fn try_send(&mut self, frame: &ClientFrame) -> Result<(), String> {
        let message = match self.encoding.encode(frame) {
            Encoded::Binary(b) => WsMessage::binary(b),
            Encoded::Text(t) => WsMessage::text(t),
        };
        self.try_send_raw(message)
    }

    /// Sends a raw WebSocket message, reporting a failure instead of panicking.
    pub fn try_send_raw(&mut self, message: WsMessage) -> Result<(), String> {
        smol::block_on(self.ws.send(message)).map_err(|e| e.to_string())
    }

    /// Receives until the server closes the connection; returns the close code
    /// (0 when the socket ended without a close frame). Panics after [`WAIT`].
    pub fn closed_with(&mut self) -> u16 {
        let deadline = Instant::now() + WAIT;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match self.try_recv(remaining) {
                Ok(_) => continue,
                Err(e) if e == "timeout" => panic!("the server did not close the connection"),
                Err(e) => {
                    return e
                        .strip_prefix("close ")
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(0);
                }
            }
        }
    }
}
