//! The shared context of one running server, handed to HTTP handlers and connection
//! tasks as `Arc<App>` (no globals: several servers can run in one process).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use crate::auth::{LoginThrottle, ThrottlePolicy};
use crate::config::Config;
use crate::hub::HubHandle;
use crate::metrics::Metrics;
use crate::readers::Readers;
use crate::store::{Store, WriterHandle};

/// Client addresses remembered for the new-visitor limit at most.
const NEW_VISITOR_ADDRESSES: usize = 10_000;

/// Everything request handlers need.
pub struct App {
    /// Settings.
    pub config: Arc<Config>,
    /// Database reads.
    pub store: Store,
    /// Database writes.
    pub writer: WriterHandle,
    /// The live hub.
    pub hub: HubHandle,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Failed-login bookkeeping.
    pub throttle: Mutex<LoginThrottle>,
    /// Wrong-setup-code bookkeeping (per address, no account-wide guard).
    pub setup_throttle: Mutex<LoginThrottle>,
    /// The widget settings, kept in step with storage by the settings API.
    pub settings: std::sync::RwLock<crate::store::records::SettingsV3>,
    /// The FAQ bot (None with `--no-bot`); clones share its index with the hub's.
    pub bot: Option<crate::bot::Bot>,
    /// Sends email (None without `--smtp-url`, or when its settings are unusable); only
    /// ever called on blocking threads.
    pub mailer: Option<Arc<crate::email::Mailer>>,
    /// The webhook sink: endpoints' cache, test pings (`/api/webhooks`).
    pub webhooks: Arc<crate::webhooks::WebhookSink>,
    /// The external responder behind the bot (settings and calls).
    pub responder: crate::responder::Responder,
    /// The one-time setup code while no admin exists.
    pub setup_code: Mutex<Option<String>>,
    /// A real hash of a random password, verified against for unknown accounts so a
    /// login's timing does not tell whether the account exists.
    pub dummy_hash: String,
    /// Set once the log has said that forwarding headers arrive from a peer that is not
    /// a `--trusted-proxy` (said once per run, not per request).
    pub warned_untrusted_proxy: std::sync::atomic::AtomicBool,
    /// The storage-read pool: blocking reads go here, never onto the executor threads.
    pub readers: Readers,
    /// The password-hashing pool (argon2: about 19 MiB and tens of ms per hash).
    pub hashers: Readers,
    /// Executor that runs connection tasks (weak: the server owns it, and tasks own
    /// this context, so a strong link would keep a stopped server alive).
    executor: Weak<smol::Executor<'static>>,
    next_conn: AtomicU64,
    /// Visitor ids, reserved in durable blocks (nothing is written per visitor).
    visitor_ids: crate::store::VisitorIds,
    /// How many new visitors each client address may still create.
    pub new_visitors: Mutex<crate::new_visitors::NewVisitorLimit>,
    /// Web Push: the VAPID key and the rules for subscriptions (also the outbox sink).
    pub push: Arc<crate::push::Push>,
    /// Who is online, as the hub publishes it (for the outbox's sinks).
    pub presence: Arc<crate::presence::Presence>,
    /// The durable outbox (webhooks, email, push).
    pub outbox: crate::outbox::Outbox,
    /// The visitors' side of email: what they may ask for, confirmations, links.
    pub visitor_mail: Arc<crate::email::VisitorMail>,
    /// The attachment endpoints' limits (budgets, uploads in flight, download rate).
    pub uploads: crate::attachments::gate::UploadGate,
    /// API keys' rate limits, failures per address, and when each use was last stored.
    pub key_limits: crate::keys::limits::KeyLimits,
    /// Whether the widget asks "How did we do?" after a close (`GET`/`PUT /api/csat`);
    /// a visitor's `rate` is refused while it does not.
    pub csat_ask: std::sync::atomic::AtomicBool,
    /// How often each agent and key may search (`GET /api/v1/search`).
    pub search_limits: crate::search::limits::SearchLimits,
    /// How much text each visitor and address may still send this hour.
    pub text_budget: crate::text_budget::TextBudget,
}

impl App {
    /// Builds the context; `max_visitor` is the highest visitor id that may have been
    /// handed out (stored or reserved, see `Store::max_ids`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: Arc<Config>,
        store: Store,
        writer: WriterHandle,
        hub: HubHandle,
        metrics: Arc<Metrics>,
        setup_code: Option<String>,
        executor: &Arc<smol::Executor<'static>>,
        max_visitor: u64,
        settings: crate::store::records::SettingsV3,
        bot: Option<crate::bot::Bot>,
        readers: Readers,
        hashers: Readers,
        push: Arc<crate::push::Push>,
        presence: Arc<crate::presence::Presence>,
        outbox: crate::outbox::Outbox,
        mailer: Option<Arc<crate::email::Mailer>>,
        visitor_mail: Arc<crate::email::VisitorMail>,
        webhooks: Arc<crate::webhooks::WebhookSink>,
        responder: crate::responder::Responder,
    ) -> App {
        App {
            uploads: crate::attachments::gate::UploadGate::new(&config.uploads),
            key_limits: crate::keys::limits::KeyLimits::default(),
            search_limits: crate::search::limits::SearchLimits::default(),
            text_budget: crate::text_budget::TextBudget::new(config.text_bytes_per_hour),
            new_visitors: Mutex::new(crate::new_visitors::NewVisitorLimit::new(
                config.new_visitors_per_minute,
                NEW_VISITOR_ADDRESSES,
            )),
            config,
            csat_ask: std::sync::atomic::AtomicBool::new(store.csat_ask().unwrap_or(true)),
            store,
            writer,
            hub,
            metrics,
            throttle: Mutex::new(LoginThrottle::default()),
            setup_throttle: Mutex::new(LoginThrottle::new(ThrottlePolicy::setup_code())),
            settings: std::sync::RwLock::new(settings),
            bot,
            webhooks,
            responder,
            setup_code: Mutex::new(setup_code),
            warned_untrusted_proxy: std::sync::atomic::AtomicBool::new(false),
            dummy_hash: crate::auth::new_token()
                .ok()
                .and_then(|t| crate::auth::hash_password(&t).ok())
                .unwrap_or_default(),
            readers,
            hashers,
            executor: Arc::downgrade(executor),
            next_conn: AtomicU64::new(1),
            visitor_ids: crate::store::VisitorIds::new(max_visitor),
            push,
            presence,
            outbox,
            mailer,
            visitor_mail,
        }
    }

    /// Runs a task on the server's executor (dropped if the server has stopped).
    pub fn spawn(&self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        if let Some(executor) = self.executor.upgrade() {
            executor.spawn(task).detach();
        }
    }

    /// True when `origin` may open visitor chats: listed by `--allowed-origin` or in the
    /// settings, or nothing is listed at all.
    pub fn origin_allowed(&self, origin: Option<&str>) -> bool {
        let settings = self
            .settings
            .read()
            .map(|s| s.allowed_origins.clone())
            .unwrap_or_default();
        let flags = &self.config.allowed_origins;
        if flags.is_empty() && settings.is_empty() {
            return true;
        }
        origin.is_some_and(|o| {
            flags
                .iter()
                .chain(settings.iter())
                .any(|allowed| allowed == o)
        })
    }

    /// Runs a blocking storage read on the reader pool ([`App::readers`]) and returns
    /// its result; waits while the pool's queue is full.
    pub async fn read<T, F>(&self, job: F) -> T
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.readers.run(job).await
    }

    /// Runs password hashing or verification on the hashing pool ([`App::hashers`]).
    pub async fn hash<T, F>(&self, job: F) -> T
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.hashers.run(job).await
    }

    /// A fresh connection id.
    pub fn next_conn_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// A fresh visitor id, never handed out before, also across restarts (gaps are
    /// harmless). Waits for a commit once per block of ids.
    pub async fn next_visitor_id(&self) -> Result<u64, crate::store::StoreError> {
        self.visitor_ids.next(&self.writer).await
    }
}
