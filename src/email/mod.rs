//! Email over SMTP: the settings ([`config`]), the connection ([`transport`]), and
//! [`start`], which turns the settings into a [`Mailer`] at server start, logging, never
//! failing: a bad SMTP setup is an error in the log (and in the console's "send a test
//! email"), never a reason for chat to stop.

pub mod config;
pub mod transport;

use std::sync::Arc;

pub use config::{EmailConfig, Security, SmtpServer};
pub use transport::{Mailer, SendError};

/// The mailer for `config`, or None when email is off or cannot be set up (logged).
pub fn start(config: &crate::config::Config) -> Option<Arc<Mailer>> {
    let email = config.email.as_ref()?;
    if config.public_url.is_none() {
        tracing::warn!(
            "SMTP is set without --public-url: emails cannot link to the console or the \
             shop, so they go out without links; give --public-url https://chat.shop.example"
        );
    }
    match Mailer::new(email) {
        Ok(mailer) => {
            tracing::info!(server = %mailer.server(), from = %mailer.from(), "email is on");
            Some(Arc::new(mailer))
        }
        Err(e) => {
            tracing::error!(error = %e, "email is off: the SMTP settings are unusable");
            None
        }
    }
}
