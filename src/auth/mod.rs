//! Account security: password hashing, session tokens, setup codes and login throttling.
//!
//! Everything here except [`setup_code`] and [`session`] is pure (no I/O, no clock):
//! callers pass the time in and decide where the CPU-heavy work runs.
//!
//! - [`password`]: argon2id hashing and the rules for new passwords.
//! - [`token`]: random session tokens (stored only as digests) and one-time setup codes.
//! - [`throttle`]: backoff after failed logins (and setup-code guesses) per address and
//!   per account, so that a stranger slows only themselves down.
//! - [`device`]: signed known-device cookies, which let a browser that logged in before
//!   skip the throttle's account-wide guard.
//! - [`session`]: the session token a request carries (bearer or cookie) and the one
//!   place a token is resolved to its agent (HTTP guards and the agent WebSocket hello).
//! - [`setup_code`]: the setup-code file: written at start-up, retired by the first admin.

pub mod device;
pub mod password;
pub mod session;
pub mod setup_code;
pub mod throttle;
pub mod token;

pub use device::{DEVICE_COOKIE, KnownDevice};
pub use password::{
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, check_new_password, hash_password, verify_password,
};
pub use throttle::{LoginThrottle, RetryAfter, Source, ThrottlePolicy};
pub use token::{constant_time_eq, new_setup_code, new_token, normalize_setup_code, token_digest};

/// Errors from the auth module.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The operating system's random source failed.
    #[error("the system random number generator failed: {0}")]
    Random(getrandom::Error),
    /// Argon2 could not hash the password (bad parameters or salt).
    #[error("password hashing failed: {0}")]
    Hash(argon2::password_hash::Error),
    /// A new password has fewer than [`MIN_PASSWORD_CHARS`] characters.
    #[error("the password must have at least {min} characters")]
    PasswordTooShort {
        /// The minimum number of characters.
        min: usize,
    },
    /// A new password has more than [`MAX_PASSWORD_CHARS`] characters.
    #[error("the password must have at most {max} characters")]
    PasswordTooLong {
        /// The maximum number of characters.
        max: usize,
    },
    /// A new password consists only of whitespace.
    #[error("the password must not be only spaces")]
    PasswordBlank,
    /// Storage could not say whether an admin exists (at start-up, for the setup code).
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The setup-code file could not be written.
    #[error("writing {path}: {source}")]
    SetupCodeFile {
        /// The file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
}
