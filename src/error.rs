//! The crate-level error: what can stop a server from starting.

use crate::auth::AuthError;
use crate::store::StoreError;

/// Why a server could not start (or a command failed).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Storage could not be opened or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Binding the address, spawning threads, writing files.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Random numbers or hashing failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The FAQ bot's model could not be loaded.
    #[error("the FAQ bot could not start: {0} (fix the model, or run with --no-bot)")]
    Bot(#[from] crate::bot::BotError),
    /// The stored FAQ could not be loaded into the bot.
    #[error("loading the FAQ into the bot: {0}")]
    Faq(#[from] crate::faq::FaqError),
    /// The TLS certificate or key is unusable.
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    /// A command-line argument is not usable.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }
}
