//! One WebSocket connection: decodes and checks what the client sends, forwards it to
//! the hub, and writes what the hub queues (replaying history from storage when asked).
//! No timers here: the hub's timing wheel pings and reaps connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::{Error as WsError, Message as WsMessage};
use futures_lite::{StreamExt, future};
use futures_util::SinkExt;
use tracing::Instrument;

use super::closing::close;
use super::customer;
use super::frame_check;
use super::hello::{self, PeerInfo};
use super::io::UpgradedIo;
use crate::app::App;
use crate::hub::{ConnLink, Event, Outbound, OutletReceiver, outlet};
use crate::protocol::{
    ClientFrame, Encoded, Encoding, ErrorCode, ErrorFrame, HistoryPage, Resync, Role, ServerFrame,
    Synced,
};
use crate::ratelimit::TokenBucket;

type Socket = WebSocketStream<UpgradedIo>;

/// Agents may send this many times more frames than visitors.
const AGENT_RATE_FACTOR: u32 = 10;
/// Bad frames tolerated before the connection is closed as abusive.
const MAX_STRIKES: u32 = 50;
/// Messages per history page at most.
const MAX_HISTORY_PAGE: u32 = 200;
/// Frames written before one flush.
const WRITE_BATCH: usize = 64;

enum Next {
    Out(Option<Outbound>),
    In(Option<Result<WsMessage, WsError>>),
}

/// State of one connection.
struct Session {
    app: Arc<App>,
    conn: u64,
    encoding: Encoding,
    peer: PeerInfo,
    last_seen: Arc<AtomicU64>,
    bucket: TokenBucket,
    strikes: u32,
    /// Set by a successful hello: the role and (for visitors) the visitor id.
    role: Option<(Role, u64)>,
}

/// Runs a connection until it closes, is killed by the hub, or the server stops.
///
/// Idle connections are what a server has most of, so the future this returns is kept
/// small: it is an `async move` block rather than an `async fn` (whose parameters would
/// be stored twice), the socket is lent to the read/write loop instead of moved into
/// it, and the handling of each incoming frame runs in its own short-lived box.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn would store its parameters twice in every idle connection"
)]
pub fn run(
    app: Arc<App>,
    mut socket: Socket,
    encoding: Encoding,
    peer: PeerInfo,
) -> impl Future<Output = ()> + Send {
    async move {
        let conn = app.next_conn_id();
        let now = app.config.now_ms();
        let (outbound, out_rx) = outlet();
        let last_seen = Arc::new(AtomicU64::new(now));
        let link = ConnLink {
            conn,
            outbound,
            last_seen: last_seen.clone(),
        };
        if !app.hub.send(Event::Connected(link)).await {
            // The hub has stopped: the server is shutting down.
            let _ = close(&mut socket, 1001, "server is going away").await;
            return;
        }
        let bucket = TokenBucket::new(app.config.rate_burst, app.config.rate_per_sec, now);
        let mut session = Session {
            app: app.clone(),
            conn,
            encoding,
            peer,
            last_seen,
            bucket,
            strikes: 0,
            role: None,
        };
        let span = tracing::debug_span!("conn", id = conn, ?encoding);
        future::or(session.serve(&mut socket, &out_rx), out_rx.cut())
            .instrument(span)
            .await;
        drop(socket);
        app.hub.send(Event::Disconnected { conn }).await;
    }
}

impl Session {
    async fn serve(&mut self, socket: &mut Socket, out_rx: &OutletReceiver) {
        loop {
            let next = future::or(async { Next::Out(out_rx.recv().await) }, async {
                Next::In(socket.next().await)
            })
            .await;
            let keep_going = match next {
                Next::Out(Some(item)) => self.write_out(socket, item, out_rx).await,
                Next::Out(None) => {
                    // The hub dropped this connection without a word: it stopped (a
                    // connection that arrived as it shut down, never registered).
                    let _ = close(socket, 1001, "server is going away").await;
                    false
                }
                Next::In(Some(Ok(message))) => Box::pin(self.read_in(socket, message)).await,
                Next::In(Some(Err(WsError::Capacity(e)))) => {
                    self.app.metrics.frames_rejected_total.inc();
                    let reason = format!("message too large: {e}");
                    let _ = close(socket, 1009, &reason).await;
                    false
                }
                Next::In(Some(Err(WsError::Utf8(e)))) => {
                    // RFC 6455 §7.4.1: 1007 for data inconsistent with the message type.
                    self.app.metrics.frames_rejected_total.inc();
                    let _ = close(socket, 1007, "a text frame must be valid UTF-8").await;
                    tracing::debug!(conn = self.conn, error = %e, "invalid UTF-8 in a text frame");
                    false
                }
                Next::In(Some(Err(e))) => {
                    tracing::debug!(conn = self.conn, error = %e, "websocket error");
                    false
                }
                Next::In(None) => false,
            };
            if !keep_going {
                return;
            }
        }
    }

    /// Writes one queued item, plus any frames queued behind it, then flushes once.
    async fn write_out(
        &mut self,
        socket: &mut Socket,
        item: Outbound,
        out_rx: &OutletReceiver,
    ) -> bool {
        let mut item = Some(item);
        let mut written = 0;
        while let Some(current) = item.take() {
            let ok = match current {
                Outbound::Frame(frame) => socket.feed(self.encode(&frame)).await.is_ok(),
                Outbound::Replay {
                    conversation,
                    after_seq,
                    upto_seq,
                } => Box::pin(self.replay(socket, conversation, after_seq, upto_seq)).await,
                Outbound::Ping => socket
                    .feed(WsMessage::Ping(Default::default()))
                    .await
                    .is_ok(),
                Outbound::Close { code, reason } => {
                    let _ = close(socket, code, reason).await;
                    return false;
                }
            };
            if !ok {
                return false;
            }
            written += 1;
            if written < WRITE_BATCH {
                item = out_rx.try_recv();
            }
        }
        socket.flush().await.is_ok()
    }

    fn encode(&self, frame: &ServerFrame) -> WsMessage {
        match self.encoding.encode(frame) {
            Encoded::Binary(bytes) => WsMessage::binary(bytes),
            Encoded::Text(text) => WsMessage::text(text),
        }
    }

    async fn send_error(&mut self, socket: &mut Socket, error: ErrorFrame) -> bool {
        self.app.metrics.frames_rejected_total.inc();
        socket
            .send(self.encode(&ServerFrame::Error(error)))
            .await
            .is_ok()
    }

    /// Sends stored messages `after < seq <= upto` and then `synced`.
    async fn replay(
        &mut self,
        socket: &mut Socket,
        conversation: u64,
        after: u64,
        upto: Option<u64>,
    ) -> bool {
        let store = self.app.store.clone();
        let rows = App::read(&self.app, move || -> Result<_, crate::store::StoreError> {
            let upto = match upto {
                Some(u) => u,
                None if store.conversation(conversation)?.is_none() => return Ok(None),
                None => store.last_message(conversation)?.0,
            };
            Ok(Some((
                upto,
                store.messages_between(conversation, after, upto)?,
            )))
        })
        .await;
        let (upto, rows) = match rows {
            Ok(Some(found)) => found,
            Ok(None) => {
                let mut error = ErrorCode::NotFound.frame("no such conversation");
                error.conversation = Some(conversation);
                return self.send_error(socket, error).await;
            }
            Err(e) => {
                let error =
                    ErrorCode::StorageUnavailable.frame(format!("could not read history: {e}"));
                return self.send_error(socket, error).await;
            }
        };
        if after > upto {
            let frame = ServerFrame::Resync(Resync {
                conversation,
                server_seq: upto,
                reason: "the server has fewer messages than you; drop yours and sync from 0".into(),
            });
            return socket.feed(self.encode(&frame)).await.is_ok();
        }
        for (seq, message) in rows.iter().filter(|(_, m)| self.may_see(m)) {
            let frame = ServerFrame::Message(message.to_wire(conversation, *seq));
            if socket.feed(self.encode(&frame)).await.is_err() {
                return false;
            }
        }
        let done = ServerFrame::Synced(Synced {
            conversation,
            upto_seq: upto,
        });
        socket.feed(self.encode(&done)).await.is_ok()
    }

    /// Visitors never see agents-only messages (notes, bot suggestions, feedback).
    fn may_see(&self, message: &crate::store::records::MessageV1) -> bool {
        let agents_only = message
            .event
            .as_ref()
            .is_some_and(crate::store::values::StoredEvent::agents_only);
        !(agents_only && matches!(self.role, Some((Role::Visitor, _))))
    }

    /// Handles one message from the client. False ends the connection.
    async fn read_in(&mut self, socket: &mut Socket, message: WsMessage) -> bool {
        let now = self.app.config.now_ms();
        self.last_seen.store(now, Ordering::Relaxed);
        let decoded = match &message {
            WsMessage::Binary(bytes) => self.encoding.decode_binary::<ClientFrame>(bytes),
            WsMessage::Text(text) => self.encoding.decode_text::<ClientFrame>(text.as_str()),
            WsMessage::Close(_) => return false,
            _ => return true,
        };
        if !self.bucket.try_take(now) {
            self.strikes += 1;
            if self.strikes > MAX_STRIKES {
                let _ = close(socket, 1008, "too many frames; slow down").await;
                return false;
            }
            let wait = self.bucket.retry_after_ms(now);
            let mut error =
                ErrorCode::RateLimited.frame(format!("too many frames; retry in {wait} ms"));
            if let Ok(ClientFrame::Send(send)) = &decoded {
                error.client_id = Some(send.client_id.clone());
            }
            return self.send_error(socket, error).await;
        }
        let frame = match decoded {
            Ok(frame) => frame,
            Err(e) => {
                self.strikes += 1;
                if self.strikes > MAX_STRIKES {
                    let _ = close(socket, 1008, "too many malformed frames").await;
                    return false;
                }
                return self
                    .send_error(socket, ErrorCode::BadFrame.frame(e.to_string()))
                    .await;
            }
        };
        match self.role {
            None => self.on_hello(socket, frame).await,
            Some(_) => self.on_frame(socket, frame).await,
        }
    }

    /// Takes the role of an accepted visitor hello.
    fn visitor_said_hello(
        &mut self,
        hello: Result<Event, crate::protocol::ErrorFrame>,
    ) -> Result<Event, crate::protocol::ErrorFrame> {
        hello.inspect(|event| {
            if let Event::Hello {
                identity: crate::hub::Identity::Visitor { id, .. },
                ..
            } = event
            {
                self.role = Some((Role::Visitor, *id));
            }
        })
    }

    async fn on_hello(&mut self, socket: &mut Socket, frame: ClientFrame) -> bool {
        let result = match frame {
            ClientFrame::HelloVisitor(h) => {
                let hello = hello::visitor(&self.app, self.conn, h, &self.peer).await;
                self.visitor_said_hello(hello)
            }
            ClientFrame::HelloCustomer(h) => {
                let hello = customer::hello(&self.app, self.conn, h, &self.peer).await;
                self.visitor_said_hello(hello)
            }
            ClientFrame::HelloAgent(h) => {
                let session = h
                    .token
                    .as_deref()
                    .or(self.peer.cookie_token.as_deref())
                    .map(crate::auth::token_digest);
                hello::agent(&self.app, self.conn, h, &self.peer)
                    .await
                    .map(|id| {
                        self.role = Some((Role::Agent, id));
                        // Staff open many conversations at once (a sync each): a roomier budget.
                        let config = &self.app.config;
                        self.bucket = TokenBucket::new(
                            config.rate_burst.saturating_mul(AGENT_RATE_FACTOR),
                            config.rate_per_sec.saturating_mul(AGENT_RATE_FACTOR),
                            config.now_ms(),
                        );
                        Event::Hello {
                            conn: self.conn,
                            identity: crate::hub::Identity::Agent { id },
                            visitor_token: None,
                            visitor_name: None,
                            language: None,
                            latest: None,
                            session,
                            unsaved: None,
                        }
                    })
            }
            _ => Err(ErrorCode::UnexpectedFrame
                .frame("the first frame must be hello_visitor, hello_customer or hello_agent")),
        };
        match result {
            Ok(event) => self.app.hub.send(event).await,
            Err(error) => {
                let code = error.code;
                let _ = self.send_error(socket, error).await;
                if code == ErrorCode::UnexpectedFrame.number() {
                    return true;
                }
                let _ = close(socket, 1008, "hello refused").await;
                false
            }
        }
    }

    async fn on_frame(&mut self, socket: &mut Socket, frame: ClientFrame) -> bool {
        if let Err(error) = frame_check::check(&frame, self.app.config.max_body_bytes) {
            return self.send_error(socket, error).await;
        }
        if let Some((Role::Visitor, visitor)) = self.role {
            let now_ms = self.app.config.now_ms();
            let budget = &self.app.text_budget;
            if let Err(error) = budget.charge(&frame, visitor, self.peer.address, now_ms) {
                return self.send_error(socket, error).await;
            }
        }
        match frame {
            ClientFrame::HelloVisitor(_)
            | ClientFrame::HelloCustomer(_)
            | ClientFrame::HelloAgent(_) => {
                self.send_error(
                    socket,
                    ErrorCode::UnexpectedFrame.frame("already said hello"),
                )
                .await
            }
            ClientFrame::Rate(r) if !self.app.csat_ask.load(Ordering::Relaxed) => {
                let mut error = ErrorCode::Forbidden.frame("this shop does not ask for ratings");
                error.conversation = Some(r.conversation);
                self.send_error(socket, error).await
            }
            ClientFrame::History(h) => {
                if let Some(error) = self.authorize(h.conversation).await {
                    return self.send_error(socket, error).await;
                }
                self.history(socket, h.conversation, h.before_seq, h.limit)
                    .await
            }
            ClientFrame::Sync(s) => {
                if let Some(error) = self.authorize(s.conversation).await {
                    return self.send_error(socket, error).await;
                }
                self.forward(ClientFrame::Sync(s)).await
            }
            other => self.forward(other).await,
        }
    }

    async fn forward(&self, frame: ClientFrame) -> bool {
        let received = Instant::now();
        let terms = super::frame_terms::count(&frame).await;
        self.app
            .hub
            .send(Event::Frame {
                conn: self.conn,
                frame,
                terms,
                received,
            })
            .await
    }

    /// Visitors may only read their own conversations; agents may read any. Another
    /// visitor's conversation is "not found", like one that does not exist, so a
    /// stranger cannot tell which conversation ids exist.
    async fn authorize(&self, conversation: u64) -> Option<ErrorFrame> {
        let Some((Role::Visitor, visitor)) = self.role else {
            return None;
        };
        let store = self.app.store.clone();
        match App::read(&self.app, move || store.conversation(conversation)).await {
            Ok(Some(c)) if c.visitor == visitor => None,
            Ok(_) => {
                let mut error = ErrorCode::NotFound.frame("no such conversation");
                error.conversation = Some(conversation);
                Some(error)
            }
            Err(e) => Some(ErrorCode::StorageUnavailable.frame(e.to_string())),
        }
    }

    async fn history(
        &mut self,
        socket: &mut Socket,
        conversation: u64,
        before: u64,
        limit: u32,
    ) -> bool {
        let store = self.app.store.clone();
        let limit = limit.clamp(1, MAX_HISTORY_PAGE) as usize;
        match App::read(&self.app, move || {
            store.messages_before(conversation, before, limit)
        })
        .await
        {
            Ok((rows, has_more)) => {
                let messages = rows
                    .iter()
                    .filter(|(_, m)| self.may_see(m))
                    .map(|(seq, m)| m.to_wire(conversation, *seq))
                    .collect();
                let page = ServerFrame::History(HistoryPage {
                    conversation,
                    messages,
                    has_more,
                });
                socket.send(self.encode(&page)).await.is_ok()
            }
            Err(e) => {
                self.send_error(socket, ErrorCode::StorageUnavailable.frame(e.to_string()))
                    .await
            }
        }
    }
}
