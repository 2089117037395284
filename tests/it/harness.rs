//! Test harness: a real server on 127.0.0.1:0 with a temporary data directory, a tiny
//! HTTP client for the JSON API, and a WebSocket client speaking either encoding.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::{Message as WsMessage, http::HeaderValue};
use deskbell::config::Config;
use deskbell::protocol::*;
use deskbell::server::Server;
use deskbell::timer::ManualClock;
use futures_lite::StreamExt;
use serde_json::Value;

/// How long a test waits for an expected frame.
pub const WAIT: Duration = Duration::from_secs(10);

/// A server running in this process.
pub struct TestServer {
    pub server: Option<Server>,
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
}

/// Server logs go to the test's output, filtered by `RUST_LOG`.
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// A test config: fast, with a manual clock for timer-driven behaviour.
pub fn test_config(dir: &Path, clock: Arc<ManualClock>) -> Config {
    let mut config = Config::new("127.0.0.1:0".parse().expect("addr"), dir.to_path_buf());
    config.threads = 2;
    config.clock = clock;
    config.rate_per_sec = 1000;
    config.rate_burst = 1000;
    // Every test client is 127.0.0.1 and the clock stands still: tests of the limit set it.
    config.new_visitors_per_minute = 0;
    config
}

impl TestServer {
    /// Starts a server with default test settings.
    pub fn start() -> TestServer {
        Self::start_with(|_| {})
    }

    /// Starts a server, letting the test adjust the config.
    pub fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        Self::start_in(tempfile::tempdir().expect("tempdir"), adjust)
    }

    /// Starts a server on a data directory the test prepared (e.g. a copied fixture).
    pub fn start_in(dir: tempfile::TempDir, adjust: impl FnOnce(&mut Config)) -> TestServer {
        init_logging();
        let clock = Arc::new(ManualClock::new(1_000));
        let mut config = test_config(dir.path(), clock.clone());
        adjust(&mut config);
        let server = Server::start(config).expect("server starts");
        TestServer {
            addr: server.addr(),
            server: Some(server),
            dir,
            clock,
        }
    }

    /// Stops and starts again on the same data directory (and port 0).
    pub fn restart(&mut self) {
        self.restart_with(|_| {});
    }

    /// [`TestServer::restart`], letting the test adjust the config.
    pub fn restart_with(&mut self, adjust: impl FnOnce(&mut Config)) {
        self.restart_after(|_| {}, adjust);
    }

    /// Stops the server, runs `offline` on its stopped data directory (as a crash could
    /// leave it), and starts it again there with `adjust`.
    pub fn restart_after(&mut self, offline: impl FnOnce(&Path), adjust: impl FnOnce(&mut Config)) {
        if let Some(server) = self.server.take() {
            server.shutdown();
        }
        offline(self.dir.path());
        let mut config = test_config(self.dir.path(), self.clock.clone());
        adjust(&mut config);
        let server = Server::start(config).expect("server restarts");
        self.addr = server.addr();
        self.server = Some(server);
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Moves the server's clock and has the hub run its timers, returning once they
    /// have run (a barrier: no sleeping for the hub's real tick).
    pub fn advance(&self, ms: u64) {
        self.clock.advance(ms);
        if let Some(server) = &self.server {
            server.tick();
        }
    }

    /// Creates the first admin through the setup code, logs in, returns the token.
    pub fn admin(&self) -> String {
        let code = self
            .server
            .as_ref()
            .and_then(|s| s.setup_code())
            .expect("setup code");
        let (status, _) = http(
            self.addr,
            "POST",
            "/api/setup",
            None,
            &serde_json::json!({
                "code": code, "name": "admin", "password": "correct horse battery"
            }),
        );
        assert_eq!(status, 201, "setup creates the admin");
        self.login("admin", "correct horse battery")
    }

    /// Logs in and returns the session token.
    pub fn login(&self, name: &str, password: &str) -> String {
        let (status, body) = http(
            self.addr,
            "POST",
            "/api/login",
            None,
            &serde_json::json!({"name": name, "password": password}),
        );
        assert_eq!(status, 200, "login {name}: {body}");
        body["token"].as_str().expect("token").to_string()
    }

    /// Creates an agent (as admin) and returns (id, token).
    pub fn agent(&self, admin_token: &str, name: &str, capacity: Option<u32>) -> (u64, String) {
        let (status, body) = http(
            self.addr,
            "POST",
            "/api/agents",
            Some(admin_token),
            &serde_json::json!({
                "name": name, "password": "password123", "capacity": capacity
            }),
        );
        assert_eq!(status, 201, "create agent {name}: {body}");
        (
            body["id"].as_u64().expect("id"),
            self.login(name, "password123"),
        )
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown();
        }
    }
}

/// A blocking HTTP/1.1 request with a JSON body; returns status and parsed JSON.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let (status, text) = http_raw(addr, method, path, token, &body.to_string());
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A blocking HTTP/1.1 request; returns status and body text.
pub fn http_raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).to_string();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A byte stream a WebSocket can run over: plain TCP or TLS.
pub trait Io:
    futures_lite::AsyncRead + futures_lite::AsyncWrite + Unpin + std::marker::Send
{
}
impl<T: futures_lite::AsyncRead + futures_lite::AsyncWrite + Unpin + std::marker::Send> Io for T {}

/// A WebSocket client.
pub struct Client {
    ws: WebSocketStream<Box<dyn Io>>,
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
        self.send(&ClientFrame::HelloVisitor(HelloVisitor {
            site: "default".into(),
            token: token.map(str::to_string),
            page: Some("https://shop.test/shoes".into()),
            referrer: None,
            language: Some("en-GB".into()),
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

// ---- Helpers for abuse, crash and operations tests ----

impl Client {
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

/// A blocking HTTP/1.1 request with extra headers; returns status, the response head
/// (status line and headers) and the body text.
pub fn http_full(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    let extra: String = headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}\r\n"))
        .collect();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    split_response(&response)
}

/// An HTTP/1.1 response's status, head and body.
pub fn split_response(response: &[u8]) -> (u16, String, String) {
    let response = String::from_utf8_lossy(response).to_string();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// The value of a response header (case-insensitive name) from a response head.
pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

static SERVER_PANICS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static PANIC_HOOK: std::sync::Once = std::sync::Once::new();

/// Panics seen so far on server threads (executor, writer, blocking pool) of any
/// in-process server. Installs a counting panic hook on first use; test threads'
/// own panics (failed assertions) are not counted.
pub fn server_panics() -> usize {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let name = std::thread::current().name().unwrap_or("").to_string();
            if name.starts_with("deskbell-") || name.starts_with("blocking-") || name.is_empty() {
                SERVER_PANICS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            previous(info);
        }));
    });
    SERVER_PANICS.load(std::sync::atomic::Ordering::SeqCst)
}

/// The `deskbell` binary running as a child process.
pub struct Binary {
    pub child: std::process::Child,
    pub addr: SocketAddr,
    /// Everything the process wrote to stdout (logs included), collected by a thread.
    pub stdout: Arc<std::sync::Mutex<String>>,
    /// Everything the process wrote to stderr.
    pub stderr: Arc<std::sync::Mutex<String>>,
}

/// Copies a child's stream into a shared string; sends each line on `lines`.
fn drain(
    stream: impl Read + std::marker::Send + 'static,
    into: Arc<std::sync::Mutex<String>>,
    lines: Option<std::sync::mpsc::Sender<String>>,
) {
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Ok(mut all) = into.lock() {
                all.push_str(&line);
                all.push('\n');
            }
            if let Some(lines) = &lines {
                let _ = lines.send(line);
            }
        }
    });
}

impl Binary {
    /// Runs `deskbell serve --listen 127.0.0.1:0 --data DIR EXTRA…` and waits for its
    /// `listening on http(s)://ADDR` line.
    pub fn serve(data: &Path, extra: &[&str]) -> Binary {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_deskbell"));
        command
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra);
        Self::start(command)
    }

    /// Like [`Binary::serve`], started from a shell that first sets the open files limit
    /// (soft and hard) to `max_files`.
    pub fn serve_limited(data: &Path, max_files: u32, extra: &[&str]) -> Binary {
        let mut command = std::process::Command::new("bash");
        command
            .arg("-c")
            .arg(format!("ulimit -n {max_files} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_deskbell"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra);
        Self::start(command)
    }

    fn start(mut command: std::process::Command) -> Binary {
        let mut child = command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("deskbell starts");
        let stdout = Arc::new(std::sync::Mutex::new(String::new()));
        let stderr = Arc::new(std::sync::Mutex::new(String::new()));
        let (lines_tx, lines) = std::sync::mpsc::channel();
        drain(
            child.stdout.take().expect("stdout"),
            stdout.clone(),
            Some(lines_tx),
        );
        drain(child.stderr.take().expect("stderr"), stderr.clone(), None);
        let addr = loop {
            match lines.recv_timeout(WAIT) {
                Ok(line) => {
                    if let Some(addr) = line
                        .split("listening on ")
                        .nth(1)
                        .and_then(|url| url.split("://").nth(1))
                    {
                        break addr.trim().parse().expect("printed address parses");
                    }
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "no `listening on` line ({e}); stderr: {}",
                        stderr.lock().map(|s| s.clone()).unwrap_or_default()
                    );
                }
            }
        };
        Binary {
            child,
            addr,
            stdout,
            stderr,
        }
    }

    /// Waits up to `wait` for the process to exit; its status, or None if still running.
    pub fn wait_exit(&mut self, wait: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + wait;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the process wrote to stderr so far.
    pub fn stderr_text(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
