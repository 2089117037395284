//! Runtime settings of one server, built from the command line (or by tests) and shared
//! read-only as `Arc<Config>`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::bot::BotConfig;
use crate::store::FaultSwitch;
use crate::timer::{Clock, SystemClock};

/// How to run the FAQ bot.
#[derive(Clone, Debug, Default)]
pub struct BotSettings {
    /// Model file to load instead of the built-in one (`--model`).
    pub model: Option<PathBuf>,
    /// Thresholds (`--bot-answer-threshold`, `--bot-suggest-threshold`).
    pub thresholds: BotConfig,
}

/// Everything a running server needs to know.
#[derive(Clone)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Serve HTTPS/WSS with this certificate and key (None = plain HTTP).
    pub tls: Option<crate::tls::TlsFiles>,
    /// Directory holding the database file.
    pub data_dir: PathBuf,
    /// Executor threads.
    pub threads: usize,
    /// Threads of the storage-read pool ([`crate::readers`]).
    pub reader_threads: usize,
    /// Threads of the password-hashing pool (argon2 takes about 19 MiB per hash).
    pub hash_threads: usize,
    /// Bytes of redb's page cache (redb's own default is 1 GiB).
    pub cache_bytes: usize,
    /// Open conversations an agent gets automatically at most (unless set per agent).
    pub default_capacity: u32,
    /// How long an agent may be disconnected before their conversations are requeued.
    pub agent_grace_ms: u64,
    /// Open conversations with no message for this long are closed (0 = never).
    pub idle_close_ms: u64,
    /// Interval between WebSocket pings.
    pub ping_interval_ms: u64,
    /// A connection that sent nothing (not even a pong) for this long is dropped.
    pub dead_after_ms: u64,
    /// Typing indicators switch off by themselves after this long.
    pub typing_expiry_ms: u64,
    /// A connection must say hello within this time.
    pub hello_timeout_ms: u64,
    /// Largest message body, in bytes.
    pub max_body_bytes: usize,
    /// Largest WebSocket message (frame), in bytes.
    pub max_frame_bytes: usize,
    /// WebSocket read buffer per connection, in bytes.
    pub ws_read_buffer: usize,
    /// Frames per second a connection may send on average…
    pub rate_per_sec: u32,
    /// …and in a burst.
    pub rate_burst: u32,
    /// Bytes of message text one visitor, and one client address, may send per hour
    /// (`ws::text_budget`); 0 = no limit.
    pub text_bytes_per_hour: u64,
    /// Frames waiting to be written to one connection before it counts as stuck and is dropped.
    pub max_outbound_queue: usize,
    /// Bytes those frames may hold (`ServerFrame::queued_weight`) before the same.
    pub max_outbound_bytes: usize,
    /// New visitors (hellos without a known token) one client address may create per
    /// minute, also as a burst; 0 = no limit.
    pub new_visitors_per_minute: u32,
    /// Agent login sessions last this long.
    pub session_ttl_ms: u64,
    /// Most messages per group commit.
    pub batch_max: usize,
    /// Use redb quick-repair commits.
    pub quick_repair: bool,
    /// How long a message may wait for others to share its group commit (zero: none).
    pub commit_window: std::time::Duration,
    /// Index messages and visitors for search as they are written (default). Off only
    /// for tests and the search benchmark: the index is then marked stale at start and
    /// rebuilt by the next start with it on.
    pub search_index: bool,
    /// Delete closed conversations older than this many days (None = keep forever).
    pub retain_days: Option<u64>,
    /// How often the retention task looks for old conversations.
    pub retention_interval_ms: u64,
    /// Origins allowed to open visitor WebSockets (empty = any).
    pub allowed_origins: Vec<String>,
    /// The address people reach deskbell at (`--public-url`): the console's own origin,
    /// the embed snippet's address, and a `Secure` session cookie when it is https.
    /// None = taken from each request's `Host` header.
    pub public_url: Option<crate::origin::Origin>,
    /// Peers whose `Forwarded` / `X-Forwarded-For` headers name the real client
    /// (`--trusted-proxy`); from anyone else those headers are ignored.
    pub trusted_proxies: Vec<crate::cidr::Cidr>,
    /// Addresses besides loopback that may read `/metrics` (`--metrics-allow`).
    pub metrics_allow: Vec<crate::cidr::Cidr>,
    /// A bearer token that opens `/metrics` from anywhere (`--metrics-token-file`).
    pub metrics_token: Option<String>,
    /// Open connections one client address may hold at once; more are closed at once.
    pub max_connections_per_address: usize,
    /// A request body must arrive within this time, or the request is answered 408.
    pub body_timeout_ms: u64,
    /// The FAQ bot; `None` runs without it (`--no-bot`, and the default for tests and
    /// embedders that do not ask for it: loading the model takes about a second).
    pub bot: Option<BotSettings>,
    /// How long a visitor message may wait for the bot's decision before the
    /// conversation goes to the agents anyway.
    pub bot_timeout_ms: u64,
    /// The VAPID `sub` of Web Pushes (`--push-contact`; None: the https public URL).
    pub push_contact: Option<String>,
    /// Push also to http endpoints and private addresses (`--allow-insecure-push`).
    pub push_allow_insecure: bool,
    /// Email over SMTP (`--smtp-url` and friends); None = no email.
    pub email: Option<crate::email_settings::EmailConfig>,
    /// Let webhook URLs reach loopback, private and link-local addresses
    /// (`--allow-private-webhooks`: a shop's own LAN, and the tests).
    pub allow_private_webhooks: bool,
    /// Refuse identify calls without a valid hash on every site (`--require-identity`;
    /// a site can also require it on its own: `docs/IDENTITY.md`).
    pub require_identity: bool,
    /// Monotonic clock for timers (tests inject a manual one).
    pub clock: Arc<dyn Clock>,
    /// Limits on attachments (`--max-upload-mb`, `--files-quota-mb`, `--upload-mb-per-hour`).
    pub uploads: crate::attachments::UploadLimits,
    /// Test hook: when set, database writes go through a backend that fails them as a
    /// full disk would while the switch is on. Always None outside tests (no flag sets it).
    pub storage_faults: Option<Arc<FaultSwitch>>,
}

impl Config {
    /// Defaults for a server on `listen` storing data in `data_dir`.
    pub fn new(listen: SocketAddr, data_dir: PathBuf) -> Config {
        Config {
            listen,
            tls: None,
            data_dir,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
                .min(8),
            reader_threads: 2,
            hash_threads: 2,
            cache_bytes: crate::store::DEFAULT_CACHE_BYTES,
            default_capacity: 5,
            agent_grace_ms: 60_000,
            idle_close_ms: 24 * 3_600_000,
            ping_interval_ms: 25_000,
            dead_after_ms: 60_000,
            typing_expiry_ms: 6_000,
            hello_timeout_ms: 10_000,
            max_body_bytes: 8 * 1024,
            max_frame_bytes: 16 * 1024,
            ws_read_buffer: 1024,
            rate_per_sec: 20,
            rate_burst: 40,
            text_bytes_per_hour: 4 << 20,
            max_outbound_queue: 1024,
            // 1,024 texts of the default --max-body-bytes (8 KiB): what the count allows
            // at the defaults, whatever the largest text an owner allows.
            max_outbound_bytes: 8 << 20,
            new_visitors_per_minute: 30,
            session_ttl_ms: 30 * 24 * 3_600_000,
            batch_max: 1024,
            quick_repair: false,
            commit_window: std::time::Duration::ZERO,
            search_index: true,
            retain_days: None,
            retention_interval_ms: 3_600_000,
            allowed_origins: Vec::new(),
            public_url: None,
            trusted_proxies: Vec::new(),
            metrics_allow: Vec::new(),
            metrics_token: None,
            max_connections_per_address: 128,
            body_timeout_ms: 10_000,
            bot: None,
            bot_timeout_ms: 5_000,
            push_contact: None,
            push_allow_insecure: false,
            email: None,
            allow_private_webhooks: false,
            require_identity: false,
            clock: Arc::new(SystemClock::new()),
            uploads: crate::attachments::UploadLimits::default(),
            storage_faults: None,
        }
    }

    /// True when the session cookie must be `Secure`: built-in TLS, or an https
    /// public address (a TLS-terminating proxy in front).
    pub fn secure_cookies(&self) -> bool {
        self.tls.is_some() || self.public_url.as_ref().is_some_and(|u| u.https)
    }

    /// Monotonic milliseconds from the configured clock.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }
}
