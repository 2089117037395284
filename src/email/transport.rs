//! The SMTP connection: lettre's blocking `SmtpTransport` over rustls, built once from
//! [`EmailConfig`], and [`Mailer::send`], which only ever runs on a blocking thread (a
//! delivery thread of the outbox, or a `smol::unblock` thread for the test email), never
//! on the executor. Errors are sorted into "try again later" and "give up", and their
//! text never holds the password.

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Message, SmtpTransport, Transport};

use super::config::{EmailConfig, Security};

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// It may work later (connection refused, timeout, a 4xx answer).
    #[error("{0}")]
    Transient(String),
    /// It will not work as it is (a 5xx answer, a refused login, a bad address).
    #[error("{0}")]
    Permanent(String),
}

/// Sends emails through the configured SMTP server.
pub struct Mailer {
    /// The lettre transport (one connection per send: emails are rare).
    transport: SmtpTransport,
    /// The sender.
    from: Mailbox,
    /// The server as the log may show it (no password).
    server: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Mailer {
    /// Builds the transport; fails only on a sender or TLS setup the config check let
    /// through (the message says which).
    pub fn new(config: &EmailConfig) -> Result<Mailer, String> {
        let server = &config.server;
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| format!("--smtp-from {:?}: {e}", config.from))?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_string()).map_err(|e| format!("TLS setup for {host}: {e}"))
        };
        let mut builder = SmtpTransport::builder_dangerous(server.host.as_str())
            .port(server.port)
            .timeout(Some(config.timeout))
            .tls(match server.security {
                Security::Plain => Tls::None,
                Security::StartTls => Tls::Required(tls(&server.host)?),
                Security::Implicit => Tls::Wrapper(tls(&server.host)?),
            });
        // Greet with the sender's domain: the default ("localhost") is refused by some
        // servers, and the machine's name says nothing useful.
        if let Some(domain) = from.email.domain().split(']').next()
            && !domain.is_empty()
            && !domain.starts_with('[')
        {
            builder = builder.hello_name(ClientId::Domain(domain.to_string()));
        }
        if let (Some(user), Some(password)) = (&server.user, &server.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
            server: server.to_string(),
        })
    }

    /// The sender every email carries.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// The server, for log lines (no password).
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Sends one message. Blocking, bounded by the configured timeout per step.
    pub fn send(&self, message: &Message) -> Result<(), SendError> {
        match self.transport.send(message) {
            Ok(_) => Ok(()),
            Err(e) => Err(classify(&self.server, &e)),
        }
    }
}

/// Sorts a lettre error into transient and permanent, with a message an admin can act
/// on. lettre's texts never include the credentials.
fn classify(server: &str, e: &lettre::transport::smtp::Error) -> SendError {
    let detail = error_chain(e);
    if e.is_permanent() {
        let hint = if e.status().is_some_and(|c| c.to_string().starts_with("535")) {
            " (the user or password was refused)"
        } else {
            ""
        };
        return SendError::Permanent(format!("{server} refused the email: {detail}{hint}"));
    }
    if e.is_timeout() {
        return SendError::Transient(format!("{server} did not answer in time: {detail}"));
    }
    if e.is_tls() {
        return SendError::Transient(format!("TLS with {server} failed: {detail}"));
    }
    if e.is_transient() {
        return SendError::Transient(format!("{server} asked to try later: {detail}"));
    }
    SendError::Transient(format!("sending through {server} failed: {detail}"))
}

/// The error and its sources on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::config::SmtpServer;

    fn config(url: &str) -> EmailConfig {
        EmailConfig {
            server: SmtpServer::parse(url).expect("url"),
            from: "Shop <chat@shop.example>".into(),
            batch: std::time::Duration::from_secs(600),
            timeout: std::time::Duration::from_secs(2),
        }
    }

    #[test]
    fn a_refused_connection_is_transient_and_names_the_server() {
        // A port nobody listens on: bind one, note it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("port");
        let mailer =
            Mailer::new(&config(&format!("smtp://u:secretpw@127.0.0.1:{port}"))).expect("mailer");
        let message = Message::builder()
            .from(mailer.from().clone())
            .to("a@b.example".parse().expect("to"))
            .subject("x")
            .body("x".to_string())
            .expect("message");
        let err = mailer.send(&message).expect_err("nobody listens");
        let SendError::Transient(text) = &err else {
            panic!("{err:?}")
        };
        assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
        assert!(!text.contains("secretpw"), "{text}");
        assert!(!format!("{mailer:?}").contains("secretpw"));
    }

    #[test]
    fn tls_setups_build() {
        for url in ["smtps://mail.example", "smtp://mail.example?tls=starttls"] {
            Mailer::new(&config(url)).expect(url);
        }
    }
}
