//! Email over SMTP: the settings ([`config`]), the connection ([`transport`]), the
//! texts ([`templates_en`], [`templates_zh`]) and how a message is built ([`render`]),
//! the check of a typed address ([`check_address`]), the outbox's email sink ([`sink`],
//! with [`batch`], [`target`] and email 1, [`waiting`]), and
//! the visitors' emails (the address confirmation, an agent's replies, the
//! transcript: [`visitors`] decides and signs links with [`link_token`] under
//! [`limits`], [`visitor_sink`] plans and sends, [`visitor_mail`] and
//! [`visitor_texts`] render), and
//! [`start`], which turns the settings into a [`Mailer`] at server start, logging, never
//! failing: a bad SMTP setup is an error in the log (and in the console's "send a test
//! email"), never a reason for chat to stop.

pub mod admin_notice;
mod attempts;
pub mod batch;
pub mod limits;
pub mod link_token;
pub mod render;
pub mod sink;
pub mod target;
pub mod templates;
pub mod templates_en;
pub mod templates_zh;
pub mod transport;
pub mod visitor_mail;
pub mod visitor_sink;
pub mod visitor_texts;
pub mod visitors;
pub mod waiting;

use std::sync::Arc;

pub use crate::email_settings::{EmailConfig, Security, SmtpServer};
pub use render::Language;
pub use sink::EmailSink;
pub use transport::{Mailer, SendError};
pub use visitors::VisitorMail;

/// Longest address accepted (RFC 5321's path limit less the brackets).
const MAX_ADDRESS: usize = 254;

/// The one check of an email address typed into the API: trimmed, at most 254
/// characters, one `@`, a domain with a dot (or an address literal). Returns it trimmed.
pub fn check_address(text: &str) -> Result<String, &'static str> {
    let text = text.trim();
    if text.len() > MAX_ADDRESS {
        return Err("the email address is too long");
    }
    let address: lettre::Address = text.parse().map_err(|_| "that is not an email address")?;
    let domain = address.domain();
    if !domain.contains('.') && !domain.starts_with('[') {
        return Err("the email address needs a full domain, like name@shop.example");
    }
    Ok(text.to_string())
}

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
