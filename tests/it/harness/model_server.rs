//! A local stand-in for a responder, since no real provider is reachable in tests: an
//! HTTP/1.1 server on 127.0.0.1 (a thread per connection, so a held call never holds
//! up the next) that speaks OpenAI's chat completions (`POST /v1/chat/completions`) or
//! answers the signed call, verifying its Standard Webhooks signature with the
//! receiver's rules. The test sets how it misbehaves: a 500, malformed JSON, an
//! oversized answer, a call held until released, a slow trickle.

use std::collections::HashMap;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::receiver::{read_request, verify};

/// How the server answers the next calls.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A chat completion whose message is this text.
    Answer(String),
    /// This JSON body, as the shop's own service would answer the signed call.
    Json(Value),
    /// This status with a small body.
    Status(u16),
    /// `200` with a body that is not JSON.
    Malformed,
    /// `200` with a 200 KB chat completion.
    Oversized,
    /// Nothing until [`ModelServer::release`], then a chat completion with this text.
    Hold(String),
    /// `200`, then the body one byte every 300 ms.
    Trickle,
}

/// One call the server got.
#[derive(Debug, Clone)]
pub struct Call {
    /// The request path.
    pub path: String,
    /// Lower-cased headers.
    pub headers: HashMap<String, String>,
    /// The body as JSON (`Null` if it was not).
    pub body: Value,
    /// Whether the webhook signature verified under the set secret.
    pub verified: bool,
}

struct Shared {
    reply: Mutex<Reply>,
    calls: Mutex<Vec<Call>>,
    secret: Mutex<Option<Vec<u8>>>,
    released: (Mutex<bool>, Condvar),
    stop: AtomicBool,
}

/// The server; stops when dropped.
pub struct ModelServer {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl ModelServer {
    /// A server answering `reply`.
    pub fn start(reply: Reply) -> ModelServer {
        let shared = Arc::new(Shared {
            reply: Mutex::new(reply),
            calls: Mutex::new(Vec::new()),
            secret: Mutex::new(None),
            released: (Mutex::new(false), Condvar::new()),
            stop: AtomicBool::new(false),
        });
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind model server");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let accepting = shared.clone();
        std::thread::spawn(move || {
            while !accepting.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let shared = accepting.clone();
                        std::thread::spawn(move || serve(stream, &shared));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        ModelServer { addr, shared }
    }

    /// The OpenAI-style base URL, `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// How to answer from now on.
    pub fn reply(&self, reply: Reply) {
        *self.shared.reply.lock().expect("lock") = reply;
        *self.shared.released.0.lock().expect("lock") = false;
    }

    /// The `whsec_…` secret signed calls are verified with.
    pub fn set_secret(&self, secret: &str) {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
            .expect("base64 secret");
        *self.shared.secret.lock().expect("lock") = Some(key);
    }

    /// Lets held calls answer.
    pub fn release(&self) {
        let (released, wake) = &self.shared.released;
        *released.lock().expect("lock") = true;
        wake.notify_all();
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().expect("lock").clone()
    }

    /// Waits (up to 10 s) until `n` calls have arrived; returns them.
    pub fn wait_for(&self, n: usize) -> Vec<Call> {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let calls = self.calls();
            if calls.len() >= n || Instant::now() > until {
                return calls;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ModelServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.release();
    }
}

/// A chat completion answering `text`.
fn completion(text: &str) -> Value {
    json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
    })
}

fn serve(stream: TcpStream, shared: &Shared) {
    let Some((path, headers, body)) = read_request(&stream) else {
        return;
    };
    let key = shared.secret.lock().expect("lock").clone();
    let verified = key.is_some_and(|k| verify(&k, &headers, &body));
    shared.calls.lock().expect("lock").push(Call {
        path,
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        verified,
    });
    let reply = shared.reply.lock().expect("lock").clone();
    let mut stream = stream;
    let (status, body) = match reply {
        Reply::Answer(text) => (200, completion(&text).to_string()),
        Reply::Json(value) => (200, value.to_string()),
        Reply::Status(status) => (status, "{\"error\":\"down\"}".to_owned()),
        Reply::Malformed => (200, "{\"choices\": [ oops".to_owned()),
        Reply::Oversized => (200, completion(&"x".repeat(200 * 1024)).to_string()),
        Reply::Hold(text) => {
            let (released, wake) = &shared.released;
            let mut open = released.lock().expect("lock");
            let until = Instant::now() + Duration::from_secs(30);
            while !*open && !shared.stop.load(Ordering::SeqCst) && Instant::now() < until {
                open = wake
                    .wait_timeout(open, Duration::from_millis(50))
                    .expect("lock")
                    .0;
            }
            (200, completion(&text).to_string())
        }
        Reply::Trickle => {
            let body = completion("eventually").to_string();
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            for byte in body.as_bytes() {
                if shared.stop.load(Ordering::SeqCst) || stream.write_all(&[*byte]).is_err() {
                    return;
                }
                let _ = stream.flush();
                std::thread::sleep(Duration::from_millis(300));
            }
            return;
        }
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}
