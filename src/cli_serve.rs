//! How `deskbell serve`'s flags become a [`Config`]: each flag is checked here, once,
//! and a bad one is refused with a usage error that names it. The flags themselves are
//! declared in `crate::cli`.

use crate::bot::BotConfig;
use crate::cli::{ServeArgs, data_dir};
use crate::config::{BotSettings, Config};
use crate::error::Error;

/// Parses repeated CIDR flags, naming the flag in the error.
fn parse_ranges(flag: &str, texts: &[String]) -> Result<Vec<crate::cidr::Cidr>, Error> {
    texts
        .iter()
        .map(|t| t.parse().map_err(|e| Error::Usage(format!("{flag}: {e}"))))
        .collect()
}

/// A secret from the first line of a file; refused when empty or short.
fn read_secret(path: &std::path::Path) -> Result<String, Error> {
    let text =
        std::fs::read_to_string(path).map_err(Error::io(format!("reading {}", path.display())))?;
    let secret = text.lines().next().unwrap_or_default().trim().to_string();
    if secret.len() < 16 {
        return Err(Error::Usage(format!(
            "{} must hold a token of at least 16 characters on its first line",
            path.display()
        )));
    }
    Ok(secret)
}

impl ServeArgs {
    /// Turns the flags into a configuration.
    pub fn into_config(self) -> Result<Config, Error> {
        if self.capacity == 0
            || self.rate_per_sec == 0
            || self.rate_burst == 0
            || self.ping_secs == 0
        {
            return Err(Error::Usage(
                "--capacity, --rate-per-sec, --rate-burst and --ping-secs must be at least 1"
                    .into(),
            ));
        }
        if !(16..=1_048_576).contains(&self.max_body_bytes) {
            return Err(Error::Usage(
                "--max-body-bytes must be between 16 and 1048576".into(),
            ));
        }
        let bot = self.bot_settings()?;
        let email = self.email_config()?;
        let mut config = Config::new(self.listen, data_dir(self.data));
        config.tls = match (self.tls_cert, self.tls_key) {
            (Some(cert), Some(key)) => Some(crate::tls::TlsFiles { cert, key }),
            (None, None) => None,
            _ => {
                return Err(Error::Usage(
                    "--tls-cert and --tls-key go together: give both (HTTPS) or neither (HTTP)"
                        .into(),
                ));
            }
        };
        if let Some(threads) = self.threads {
            config.threads = threads.clamp(1, 64);
        }
        config.reader_threads = self.reader_threads.clamp(1, 64);
        config.cache_bytes = self.cache_mb.clamp(1, 65_536) * 1024 * 1024;
        config.default_capacity = self.capacity;
        config.agent_grace_ms = self.agent_grace_secs * 1000;
        config.idle_close_ms = self.idle_close_mins * 60_000;
        config.ping_interval_ms = self.ping_secs * 1000;
        config.dead_after_ms = self.ping_secs * 2400;
        config.max_body_bytes = self.max_body_bytes;
        // Room for the body plus the frame's other fields (and JSON escaping).
        config.max_frame_bytes = self.max_body_bytes * 2 + 4096;
        config.rate_per_sec = self.rate_per_sec;
        config.rate_burst = self.rate_burst;
        config.text_bytes_per_hour = self.text_kb_per_hour.saturating_mul(1024);
        config.new_visitors_per_minute = self.new_visitors_per_minute;
        config.allowed_origins = self.allowed_origin;
        config.allow_private_webhooks = self.allow_private_webhooks;
        config.require_identity = self.require_identity;
        config.public_url = self
            .public_url
            .as_deref()
            .map(crate::origin::Origin::parse_public_url)
            .transpose()
            .map_err(|e| {
                Error::Usage(format!(
                    "--public-url {e} (for example https://chat.shop.example)"
                ))
            })?;
        config.trusted_proxies = parse_ranges("--trusted-proxy", &self.trusted_proxy)?;
        config.metrics_allow = parse_ranges("--metrics-allow", &self.metrics_allow)?;
        config.metrics_token = self
            .metrics_token_file
            .as_deref()
            .map(read_secret)
            .transpose()?;
        if self.max_connections_per_address == 0 {
            return Err(Error::Usage(
                "--max-connections-per-address must be at least 1".into(),
            ));
        }
        config.max_connections_per_address = self.max_connections_per_address;
        config.quick_repair = self.quick_repair;
        if self.commit_window_ms > 100 {
            return Err(Error::Usage(
                "--commit-window-ms must be between 0 and 100".into(),
            ));
        }
        config.commit_window = std::time::Duration::from_millis(self.commit_window_ms);
        config.retain_days = self.retain_days;
        if self.max_upload_mb == 0 || self.max_upload_mb > 1024 {
            return Err(Error::Usage(
                "--max-upload-mb must be between 1 and 1024".into(),
            ));
        }
        config.uploads.max_file_bytes = self.max_upload_mb << 20;
        config.uploads.quota_bytes = self.files_quota_mb << 20;
        config.uploads.bytes_per_hour = self.upload_mb_per_hour << 20;
        config.bot = bot;
        config.email = email;
        if let Some(contact) = &self.push_contact
            && !(contact.starts_with("mailto:") || contact.starts_with("https://"))
        {
            return Err(Error::Usage(
                "--push-contact must be a mailto: or https:// address".into(),
            ));
        }
        config.push_contact = self.push_contact;
        config.push_allow_insecure = self.allow_insecure_push;
        Ok(config)
    }

    /// The email settings, when `--smtp-url` is given.
    fn email_config(&self) -> Result<Option<crate::email::EmailConfig>, Error> {
        let Some(url) = &self.smtp_url else {
            if self.smtp_password_file.is_some() || self.smtp_from.is_some() {
                return Err(Error::Usage(
                    "--smtp-password-file and --smtp-from need --smtp-url".into(),
                ));
            }
            return Ok(None);
        };
        crate::email::EmailConfig::from_flags(
            url,
            self.smtp_password_file.as_deref(),
            std::env::var(crate::email_settings::PASSWORD_ENV).ok(),
            self.smtp_from.as_deref(),
            self.email_batch_minutes,
            self.email_reply_delay_secs,
        )
        .map(Some)
        .map_err(Error::Usage)
    }

    /// The bot's settings from `--no-bot`, `--model` and the threshold flags.
    fn bot_settings(&self) -> Result<Option<BotSettings>, Error> {
        let bot_flags = self.model.is_some()
            || self.bot_answer_threshold.is_some()
            || self.bot_suggest_threshold.is_some();
        if self.no_bot {
            if bot_flags {
                return Err(Error::Usage(
                    "--no-bot cannot be combined with --model or the --bot-* thresholds".into(),
                ));
            }
            return Ok(None);
        }
        let mut thresholds = BotConfig::default();
        if let Some(t) = self.bot_answer_threshold {
            thresholds.answer_threshold = t;
        }
        if let Some(t) = self.bot_suggest_threshold {
            thresholds.suggest_threshold = t;
        }
        let valid = |t: f32| (0.0..=1.0).contains(&t);
        if !valid(thresholds.answer_threshold) || !valid(thresholds.suggest_threshold) {
            return Err(Error::Usage(
                "--bot-answer-threshold and --bot-suggest-threshold must be between 0 and 1".into(),
            ));
        }
        if thresholds.suggest_threshold > thresholds.answer_threshold {
            return Err(Error::Usage(format!(
                "--bot-suggest-threshold ({}) must not be above --bot-answer-threshold ({})",
                thresholds.suggest_threshold, thresholds.answer_threshold
            )));
        }
        Ok(Some(BotSettings {
            model: self.model.clone(),
            thresholds,
        }))
    }
}
