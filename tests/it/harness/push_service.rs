//! A fake Web Push service and a fake browser for push tests: [`PushService`] is a
//! plain HTTP/1.1 server on 127.0.0.1:0 that records every request and answers with a
//! status the test chooses; [`Device`] is what a browser keeps for a subscription (a
//! P-256 key pair and an auth secret) and checks what arrives the way a browser and a
//! push service would: the VAPID token (ES256, RFC 8292) and the payload (RFC 8291).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use serde_json::{Value, json};

/// One request the push service received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The request path.
    pub path: String,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Received {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The fake push service.
pub struct PushService {
    /// Where it listens.
    pub addr: SocketAddr,
    /// What it received, in order.
    received: Arc<Mutex<Vec<Received>>>,
    /// The status it answers with.
    status: Arc<AtomicU16>,
    /// Set to stop accepting.
    stop: Arc<AtomicBool>,
}

impl PushService {
    /// Starts one answering 201 Created.
    pub fn start() -> PushService {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(201));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s, st) = (received.clone(), status.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if st.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let _ = serve_one(stream, &r, s.load(Ordering::Relaxed));
            }
        });
        PushService {
            addr,
            received,
            status,
            stop,
        }
    }

    /// The endpoint URL of one device at this service.
    pub fn endpoint(&self, device: &str) -> String {
        format!("http://{}/push/{device}", self.addr)
    }

    /// Answers `status` from now on.
    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::Relaxed);
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits until at least `n` requests arrived, and returns them all.
    pub fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} pushes, got {}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for PushService {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = std::net::TcpStream::connect(self.addr);
    }
}

/// Reads one request, records it, answers `status` and closes.
fn serve_one(
    stream: std::net::TcpStream,
    received: &Mutex<Vec<Received>>,
    status: u16,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split(' ').nth(1).unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_lowercase(), value.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0usize);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    received.lock().expect("lock").push(Received {
        path,
        headers,
        body,
    });
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
}

/// A browser's side of one subscription.
pub struct Device {
    /// The device's private key (the browser never shares it).
    secret: p256::SecretKey,
    /// The authentication secret it shares with the server.
    auth: [u8; 16],
    /// Where its push service takes pushes for it.
    pub endpoint: String,
}

impl Device {
    /// A new key pair and secret, as `pushManager.subscribe` makes them.
    pub fn new(endpoint: String) -> Device {
        let secret = loop {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).expect("random");
            if let Ok(key) = p256::SecretKey::from_slice(&bytes) {
                break key;
            }
        };
        let mut auth = [0u8; 16];
        getrandom::fill(&mut auth).expect("random");
        Device {
            secret,
            auth,
            endpoint,
        }
    }

    /// `PushSubscription.toJSON()`.
    pub fn subscription(&self) -> Value {
        let public = self.secret.public_key().to_encoded_point(false);
        json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": {
                "p256dh": Base64UrlUnpadded::encode_string(public.as_bytes()),
                "auth": Base64UrlUnpadded::encode_string(&self.auth),
            },
        })
    }

    /// Decrypts a push body (RFC 8291) and parses the JSON inside.
    pub fn open(&self, body: &[u8]) -> Value {
        let plain = web_push_native::decrypt(body.to_vec(), &self.secret, &self.auth.into())
            .expect("the payload decrypts with the device's key");
        serde_json::from_slice(&plain).expect("the payload is JSON")
    }
}

/// Checks a push's `Authorization: vapid t=…, k=…` as a push service does: `k` is the
/// server's public key (base64url, from `GET /api/push/key`) and `t` an ES256 JWT that
/// verifies under it. Returns the JWT's claims.
pub fn verify_vapid(authorization: &str, server_key: &str) -> Value {
    let rest = authorization
        .strip_prefix("vapid ")
        .expect("the vapid scheme");
    let mut token = None;
    let mut key = None;
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => token = Some(v),
            Some(("k", v)) => key = Some(v),
            _ => {}
        }
    }
    let (token, key) = (token.expect("t="), key.expect("k="));
    assert_eq!(key, server_key, "k is the server's public key");
    let public = Base64UrlUnpadded::decode_vec(key).expect("k is base64url");
    let verifying = VerifyingKey::from_sec1_bytes(&public).expect("k is a P-256 point");
    let (signed, signature) = token.rsplit_once('.').expect("a JWT");
    let signature = Base64UrlUnpadded::decode_vec(signature).expect("base64url signature");
    let signature = Signature::from_slice(&signature).expect("an ES256 signature");
    verifying
        .verify(signed.as_bytes(), &signature)
        .expect("the JWT verifies under the server's key");
    let mut parts = signed.split('.');
    let header: Value = serde_json::from_slice(
        &Base64UrlUnpadded::decode_vec(parts.next().expect("header")).expect("b64"),
    )
    .expect("header JSON");
    assert_eq!(header["alg"], "ES256");
    serde_json::from_slice(
        &Base64UrlUnpadded::decode_vec(parts.next().expect("claims")).expect("b64"),
    )
    .expect("claims JSON")
}
