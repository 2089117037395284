//! Email settings from the command line: the SMTP server (`--smtp-url`), where its
//! password comes from (`--smtp-password-file`, `DESKBELL_SMTP_PASSWORD`, or the URL),
//! the sender (`--smtp-from`) and the batching window (`--email-batch-minutes`). Pure:
//! parsing and checks only, unit-tested here.
//!
//! # The URL
//!
//! | URL | connection | default port |
//! |---|---|---|
//! | `smtp://host` | plain, no TLS (a relay on the same machine or LAN) | 25 |
//! | `smtp://host?tls=starttls` (or lettre's `tls=required`) | STARTTLS, refused if the server does not offer it | 587 |
//! | `smtps://host` | implicit TLS from the first byte | 465 |
//!
//! `user:password@` may precede the host (percent-encoded); a password file or the
//! environment variable replaces the URL's password, so it need not appear in `ps`.

use std::fmt;
use std::time::Duration;

/// The environment variable that may hold the SMTP password.
pub const PASSWORD_ENV: &str = "DESKBELL_SMTP_PASSWORD";

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS at all (`smtp://`).
    Plain,
    /// Plain connect, then STARTTLS, which must succeed (`smtp://…?tls=starttls`).
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// A parsed `--smtp-url`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpServer {
    /// How the connection is protected.
    pub security: Security,
    /// Host name or address (the name TLS certificates are checked against).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Login user, if the server wants one.
    pub user: Option<String>,
    /// Login password (never logged, never shown by `Debug`).
    pub password: Option<String>,
}

impl fmt::Debug for SmtpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpServer")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl fmt::Display for SmtpServer {
    /// The server as the log may show it: scheme, user, host and port, no password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.security {
            Security::Implicit => "smtps",
            Security::Plain | Security::StartTls => "smtp",
        };
        write!(f, "{scheme}://")?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        write!(f, "{}:{}", self.host, self.port)?;
        if self.security == Security::StartTls {
            write!(f, "?tls=starttls")?;
        }
        Ok(())
    }
}

impl SmtpServer {
    /// Parses `--smtp-url`; the error says what is wrong, never the password.
    pub fn parse(text: &str) -> Result<SmtpServer, String> {
        let url = url::Url::parse(text.trim()).map_err(|e| {
            format!("is not a URL ({e}); for example smtp://mail.example:587?tls=starttls")
        })?;
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_ascii_lowercase());
        let security = match (url.scheme(), tls.as_deref()) {
            ("smtp", None | Some("none")) => Security::Plain,
            ("smtp", Some("starttls" | "required")) => Security::StartTls,
            ("smtps", None | Some("implicit" | "wrapper")) => Security::Implicit,
            ("smtp" | "smtps", Some(other)) => {
                return Err(format!(
                    "has an unknown tls={other} (use ?tls=starttls, or smtps:// for implicit TLS)"
                ));
            }
            (scheme, _) => {
                return Err(format!(
                    "has the scheme {scheme}: use smtp:// (plain or ?tls=starttls) or smtps://"
                ));
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("names no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = url.port().unwrap_or(match security {
            Security::Plain => 25,
            Security::StartTls => 587,
            Security::Implicit => 465,
        });
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| "has a user or password that is not UTF-8".to_string())
        };
        let user = Some(url.username())
            .filter(|u| !u.is_empty())
            .map(decode)
            .transpose()?;
        let password = url.password().map(decode).transpose()?;
        Ok(SmtpServer {
            security,
            host,
            port,
            user,
            password,
        })
    }
}

/// Everything email needs, present when `--smtp-url` is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailConfig {
    /// The SMTP server.
    pub server: SmtpServer,
    /// The sender, `Name <address>` or a bare address (checked at start).
    pub from: String,
    /// At most one "visitor waiting" email per conversation in this window.
    pub batch: Duration,
    /// How long one SMTP exchange (connect, TLS, send) may take.
    pub timeout: Duration,
}

impl EmailConfig {
    /// Builds the settings from the flags: `password_file`'s first line, else
    /// `env_password` (the environment variable's value), else the URL's password.
    pub fn from_flags(
        url: &str,
        password_file: Option<&std::path::Path>,
        env_password: Option<String>,
        from: Option<&str>,
        batch_minutes: u64,
    ) -> Result<EmailConfig, String> {
        let mut server = SmtpServer::parse(url).map_err(|e| format!("--smtp-url {e}"))?;
        if let Some(path) = password_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--smtp-password-file: reading {}: {e}", path.display()))?;
            let line = text
                .lines()
                .next()
                .unwrap_or_default()
                .trim_end_matches('\r');
            if line.is_empty() {
                return Err(format!(
                    "--smtp-password-file: {} has no password on its first line",
                    path.display()
                ));
            }
            server.password = Some(line.to_string());
        } else if let Some(password) = env_password.filter(|p| !p.is_empty()) {
            server.password = Some(password);
        }
        if server.password.is_some() && server.user.is_none() {
            return Err(
                "--smtp-url names no user for the password (smtp://USER@host…)".to_string(),
            );
        }
        let from = from
            .ok_or("--smtp-from is needed with --smtp-url, e.g. --smtp-from \"Shop <chat@shop.example>\"")?
            .trim()
            .to_string();
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("--smtp-from {from:?} is not an address ({e})"))?;
        if !(1..=1440).contains(&batch_minutes) {
            return Err("--email-batch-minutes must be between 1 and 1440".to_string());
        }
        Ok(EmailConfig {
            server,
            from,
            batch: Duration::from_secs(batch_minutes * 60),
            timeout: Duration::from_secs(20),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_security_and_default_ports() {
        let plain = SmtpServer::parse("smtp://127.0.0.1:2525").expect("plain");
        assert_eq!(
            (plain.security, plain.host.as_str(), plain.port),
            (Security::Plain, "127.0.0.1", 2525)
        );
        let start =
            SmtpServer::parse("smtp://bob%40x:p%3Aw@mail.example?tls=starttls").expect("starttls");
        assert_eq!(start.security, Security::StartTls);
        assert_eq!(start.port, 587);
        assert_eq!(start.user.as_deref(), Some("bob@x"));
        assert_eq!(start.password.as_deref(), Some("p:w"));
        assert_eq!(
            SmtpServer::parse("smtp://m.example?tls=required")
                .expect("lettre's spelling")
                .security,
            Security::StartTls
        );
        let implicit = SmtpServer::parse("smtps://m.example").expect("smtps");
        assert_eq!(
            (implicit.security, implicit.port),
            (Security::Implicit, 465)
        );
        for bad in [
            "http://m.example",
            "smtp://",
            "smtp://m?tls=maybe",
            "mail.example",
        ] {
            assert!(SmtpServer::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_password_never_shows() {
        let s = SmtpServer::parse("smtp://u:hunter22@m.example?tls=starttls").expect("url");
        assert!(!format!("{s:?}").contains("hunter22"));
        assert_eq!(s.to_string(), "smtp://u@m.example:587?tls=starttls");
    }

    #[test]
    fn the_password_comes_from_a_file_or_the_environment() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("pw");
        std::fs::write(&file, "from-file\n").expect("write");
        let from = Some("Shop <chat@shop.example>");
        let url = "smtp://u:from-url@m.example";
        let c =
            EmailConfig::from_flags(url, Some(&file), Some("env".into()), from, 10).expect("file");
        assert_eq!(c.server.password.as_deref(), Some("from-file"));
        let c = EmailConfig::from_flags(url, None, Some("env".into()), from, 10).expect("env");
        assert_eq!(c.server.password.as_deref(), Some("env"));
        let c = EmailConfig::from_flags(url, None, None, from, 10).expect("url");
        assert_eq!(c.server.password.as_deref(), Some("from-url"));
        assert_eq!(c.batch, Duration::from_secs(600));
        assert!(EmailConfig::from_flags(url, None, None, None, 10).is_err());
        assert!(EmailConfig::from_flags(url, None, None, Some("not an address"), 10).is_err());
        assert!(EmailConfig::from_flags(url, None, None, from, 0).is_err());
        assert!(
            EmailConfig::from_flags("smtp://m.example", None, Some("pw".into()), from, 10).is_err()
        );
    }
}
