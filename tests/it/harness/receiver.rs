//! A real webhook receiver for tests: an HTTP/1.1 server on 127.0.0.1 (a std thread)
//! that verifies each request's Standard Webhooks signature as the spec says (HMAC-SHA256
//! of `id.timestamp.body` under the base64 key of `whsec_…`, constant-time compared,
//! timestamp within 5 minutes), records deliveries by `webhook-id`, and answers with
//! the status the test sets. It can go down (refusing connections) and come back on
//! the same port.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Lower-cased header names and their values.
    pub headers: HashMap<String, String>,
    /// The body, as sent.
    pub body: Vec<u8>,
    /// Whether the signature verified under the receiver's secret.
    pub verified: bool,
    /// The status the receiver answered.
    pub answered: u16,
}

impl Received {
    /// The `webhook-id` header.
    pub fn id(&self) -> &str {
        self.headers.get("webhook-id").map_or("", String::as_str)
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Default)]
struct Shared {
    secret: Mutex<Option<Vec<u8>>>,
    got: Mutex<Vec<Received>>,
    status: AtomicU16,
    stop: AtomicBool,
}

/// The receiver; stops when dropped.
pub struct Receiver {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Verifies a request the way the spec says; true when one `v1` signature matches.
pub fn verify(key: &[u8], headers: &HashMap<String, String>, body: &[u8]) -> bool {
    let (Some(id), Some(ts), Some(sigs)) = (
        headers.get("webhook-id"),
        headers.get("webhook-timestamp"),
        headers.get("webhook-signature"),
    ) else {
        return false;
    };
    let Ok(ts_num) = ts.parse::<u64>() else {
        return false;
    };
    let now = deskbell::timer::unix_ms() / 1000;
    if now.abs_diff(ts_num) > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(body);
    sigs.split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .any(|sig| mac.clone().verify_slice(&sig).is_ok())
}

impl Receiver {
    /// A receiver on a free port answering 200.
    pub fn start() -> Receiver {
        let shared = Arc::new(Shared::default());
        shared.status.store(200, Ordering::SeqCst);
        let (addr, thread) = listen("127.0.0.1:0".parse().expect("addr"), shared.clone());
        Receiver {
            addr,
            shared,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The secret to verify with (`whsec_…` from the create answer).
    pub fn set_secret(&self, secret: &str) {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
            .expect("base64 secret");
        *self.shared.secret.lock().expect("lock") = Some(key);
    }

    /// The status to answer from now on.
    pub fn answer(&self, status: u16) {
        self.shared.status.store(status, Ordering::SeqCst);
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.got.lock().expect("lock").clone()
    }

    /// Waits (up to `wait`) until `n` requests have arrived; returns them.
    pub fn wait_for(&self, n: usize, wait: Duration) -> Vec<Received> {
        let until = Instant::now() + wait;
        loop {
            let got = self.received();
            if got.len() >= n || Instant::now() > until {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops listening (connections are refused) until [`Receiver::up`].
    pub fn down(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Listens again on the same port, keeping what was received.
    pub fn up(&mut self) {
        self.shared.stop.store(false, Ordering::SeqCst);
        let (_, thread) = listen(self.addr, self.shared.clone());
        self.thread = Some(thread);
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.down();
    }
}

/// Listens on `addr` until `shared.stop`, serving one request per connection.
fn listen(addr: SocketAddr, shared: Arc<Shared>) -> (SocketAddr, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind(addr).expect("bind receiver");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    let thread = std::thread::spawn(move || {
        while !shared.stop.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((stream, _)) => serve(stream, &shared),
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    (addr, thread)
}

/// Reads one request (Content-Length bodies only), records it, answers.
fn serve(stream: TcpStream, shared: &Shared) {
    let Some((_, headers, body)) = read_request(&stream) else {
        return;
    };
    let key = shared.secret.lock().expect("lock").clone();
    let verified = key.is_some_and(|k| verify(&k, &headers, &body));
    let status = shared.status.load(Ordering::SeqCst);
    shared.got.lock().expect("lock").push(Received {
        headers,
        body,
        verified,
        answered: status,
    });
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
    );
}

/// A request's path, lower-cased headers and body.
pub type Request = (String, HashMap<String, String>, Vec<u8>);

/// Reads one POST (Content-Length bodies only).
pub fn read_request(stream: &TcpStream) -> Option<Request> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.strip_prefix("POST ")?.split(' ').next()?.to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = h.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length = headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some((path, headers, body))
}
