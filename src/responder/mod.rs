//! The external responder behind the FAQ bot (issue #14, "any AI behind the bot"): an
//! OpenAI-compatible chat completion or a signed HTTP call to the shop's own service,
//! asked when the built-in bot is not confident, or always, as the admin chooses. Its
//! answer is posted as the bot's; anything else hands the conversation to the agents
//! by the bot's own hand-off (`hub/responder.rs` is the hub's side, `docs/BOT.md` the
//! shop's guide).
//!
//! # Layout
//!
//! - [`settings`]: the live settings, the admin API's body and view, and which bot
//!   decisions the mode hands over (pure).
//! - [`limits`]: the per-day call counter (pure; the per-conversation count is live
//!   conversation state in the hub).
//! - [`wire`]: the request bodies of both forms and what a response means (pure).
//! - [`context`]: the conversation so far and the FAQ, read from the store.
//! - [`call`]: one blocking HTTP call and its [`Outcome`].
//! - [`worker`]: the responder threads and their bounded queue.
//!
//! # Rules
//! 1. Nothing here runs on the executor: [`Responder::ask`] only queues (a full queue
//!    is refused at once); the call runs on a responder thread; the outcome comes back
//!    through the reply (the hub's `Completion::Responded`).
//! 2. The key is stored, sent in its header, and nowhere else: never logged, never in
//!    an outcome, never shown by the API.
//! 3. A settings change applies to questions asked after it; a question in flight keeps
//!    the settings it was asked with.

pub mod call;
pub mod context;
pub mod limits;
pub mod settings;
pub mod wire;
pub mod worker;

use std::sync::{Arc, PoisonError, RwLock};

pub use call::Outcome;
pub use context::Question;
pub use settings::{Kind, Mode, Settings};
pub use worker::OutcomeReply;

use crate::store::Store;

/// The handle the hub and the API share (cheap to clone).
#[derive(Clone, Debug)]
pub struct Responder {
    /// The current settings, replaced whole by the API.
    settings: Arc<RwLock<Arc<Settings>>>,
    /// The responder threads' queue.
    queue: async_channel::Sender<worker::Job>,
    /// The threads, joined by [`Responder::close`].
    threads: Arc<std::sync::Mutex<Vec<std::thread::JoinHandle<()>>>>,
}

/// How long [`Responder::close`] waits for a thread in a call.
pub const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Why a question was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Every thread is busy and the queue is full.
    #[error("the responder's queue is full")]
    Busy,
    /// The responder has stopped.
    #[error("the responder has stopped")]
    Stopped,
}

impl Responder {
    /// Starts the responder threads with the stored settings; `allow_private_webhooks`
    /// is the server's flag, `max_answer` the chat's message limit in bytes.
    pub fn start(
        store: Store,
        settings: Settings,
        allow_private_webhooks: bool,
        max_answer: usize,
    ) -> std::io::Result<Responder> {
        let clients = call::Clients::new(allow_private_webhooks);
        let (queue, threads) = worker::start(store, clients, max_answer)?;
        Ok(Responder {
            settings: Arc::new(RwLock::new(Arc::new(settings))),
            queue,
            threads: Arc::new(std::sync::Mutex::new(threads)),
        })
    }

    /// The current settings.
    pub fn settings(&self) -> Arc<Settings> {
        self.settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the settings (after they were stored).
    pub fn replace(&self, settings: Settings) {
        *self
            .settings
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(settings);
    }

    /// Queues `question` with `settings`; `reply` gets the outcome on a responder
    /// thread. Never blocks.
    pub fn ask(
        &self,
        question: Question,
        settings: Arc<Settings>,
        reply: OutcomeReply,
    ) -> Result<(), Refused> {
        let job = worker::Job {
            question,
            settings,
            reply,
        };
        self.queue.try_send(job).map_err(|e| match e {
            async_channel::TrySendError::Full(_) => Refused::Busy,
            async_channel::TrySendError::Closed(_) => Refused::Stopped,
        })
    }

    /// Stops taking questions and waits up to [`CLOSE_WAIT`] for the threads to end:
    /// idle ones end at once (each holds the store, which a restart in the same process
    /// must find closed); one in a call is left to end after it, its outcome dropped.
    pub fn close(&self) {
        self.queue.close();
        let threads =
            std::mem::take(&mut *self.threads.lock().unwrap_or_else(PoisonError::into_inner));
        let deadline = std::time::Instant::now() + CLOSE_WAIT;
        for thread in threads {
            while !thread.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}
