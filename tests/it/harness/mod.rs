//! Test harness: a real server on 127.0.0.1:0 with a temporary data directory and a
//! manual clock (this file), plus the clients the tests talk to it with.
//!
//! Layout:
//! - this file: [`TestServer`], the test [`Config`], logging and the server panic count;
//! - `http_client`: blocking HTTP/1.1 requests and response splitting;
//! - `ws_client`: the WebSocket [`Client`], in either encoding;
//! - `binary`: the real `deskbell` binary as a child process ([`Binary`]);
//! - `receiver`: a real webhook receiver that verifies signatures ([`Receiver`]).
//! - `model_server`: a local OpenAI-compatible server and signed-call responder
//!   ([`ModelServer`]) that misbehaves as a test asks.
//! - `push_service`: a fake Web Push service and browser ([`PushService`], [`Device`]).
//! - `smtp`: a real SMTP server (aiosmtpd) and the emails it received ([`SmtpServer`]).

#![allow(dead_code)]

mod binary;
mod http_client;
mod model_server;
mod push_service;
mod receiver;
mod smtp;
mod ws_client;

pub use binary::Binary;
pub use http_client::{header, http, http_bytes, http_full, http_raw, metric_line, split_response};
pub use model_server::{ModelServer, Reply};
pub use push_service::{Device, PushService, verify_vapid};
pub use receiver::{Received, Receiver};
pub use smtp::{Mail, SmtpServer};
pub use ws_client::Client;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use deskbell::config::Config;
use deskbell::server::Server;
use deskbell::timer::ManualClock;

/// How long a test waits for an expected frame.
pub const WAIT: Duration = Duration::from_secs(10);

/// Polls `check` until it is Ok, failing with its last error after [`WAIT`].
pub fn eventually(mut check: impl FnMut() -> Result<(), String>) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        match check() {
            Ok(()) => return,
            Err(why) => assert!(std::time::Instant::now() < deadline, "{why}"),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A server running in this process.
pub struct TestServer {
    /// The running server; `None` only while [`TestServer::restart_after`] has it stopped.
    pub server: Option<Server>,
    /// The address it listens on (changes on restart: port 0 each time).
    pub addr: SocketAddr,
    /// Its data directory, removed when the test ends.
    pub dir: tempfile::TempDir,
    /// The clock the server reads; tests move it with [`TestServer::advance`].
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

    /// The path of the data directory.
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

    /// The one-time setup code (the server has no admin yet).
    pub fn setup_code(&self) -> String {
        self.server
            .as_ref()
            .and_then(|s| s.setup_code())
            .expect("setup code")
    }

    /// Creates the first admin through the setup code, logs in, returns the token.
    pub fn admin(&self) -> String {
        let code = self.setup_code();
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
