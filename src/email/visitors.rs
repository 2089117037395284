//! [`VisitorMail`]: the visitor side of email, shared by the HTTP endpoints and the
//! email sink. It decides what a visitor may ask for (a confirmation email, a
//! transcript) under the limits of [`super::limits`], whether an address is confirmed
//! and still subscribed, and makes the signed links ([`super::link_token`]) that emails
//! carry: confirm, unsubscribe, resume. Reads are blocking: call from a blocking thread
//! (the reader pool, a delivery thread).

use std::net::IpAddr;
use std::sync::Mutex;

use super::limits::{Bucket, SendLimits};
use super::link_token::{self, Claims, Purpose};
use super::target::EmailTarget;
use crate::outbox::Wall;
use crate::store::email_records::address_key;
use crate::store::records::VisitorV2;
use crate::store::{Store, StoreError};

/// Why a visitor's request sends nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Email is off, or `--public-url` is missing (emails could not carry links).
    Off,
    /// The visitor has left no email address (or not this conversation's visitor).
    NoAddress,
    /// The address unsubscribed.
    OptedOut,
    /// The address is confirmed already (nothing to send).
    AlreadyConfirmed,
    /// A rate limit.
    Limited(Bucket),
    /// Reading the store failed.
    Store(String),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Refusal {
        Refusal::Store(e.to_string())
    }
}

/// What a transcript request becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranscriptAnswer {
    /// The transcript, to send.
    Send(EmailTarget),
    /// The address is not confirmed: this confirmation goes first.
    ConfirmFirst(EmailTarget),
}

/// The visitor side of email.
pub struct VisitorMail {
    /// Reads visitors, confirmations, opt-outs and conversations; its key signs links.
    store: Store,
    /// `--public-url` without a trailing slash.
    public_url: Option<String>,
    /// Whether email is on (a usable mailer).
    on: bool,
    /// The outbox's time (moves with the server's clock).
    wall: Wall,
    /// The counts of [`super::limits`].
    limits: Mutex<SendLimits>,
}

/// The key a client address is counted under (IPv6 by /64).
fn client_key(client: IpAddr) -> String {
    crate::new_visitors::bucket_key(client).to_string()
}

impl VisitorMail {
    /// The visitor side for a server.
    pub fn new(config: &crate::config::Config, store: Store, on: bool) -> VisitorMail {
        VisitorMail {
            store,
            public_url: config
                .public_url
                .as_ref()
                .map(|u| u.to_string().trim_end_matches('/').to_string()),
            on,
            wall: Wall::new(config.clock.clone()),
            limits: Mutex::new(SendLimits::new()),
        }
    }

    /// Now, ms since the Unix epoch (the server's clock).
    pub fn now_ms(&self) -> u64 {
        self.wall.now_ms()
    }

    /// Whether visitor emails can be sent at all (email on and links possible).
    pub fn enabled(&self) -> bool {
        self.on && self.public_url.is_some()
    }

    /// Counts one send under `keys` if every limit allows it.
    pub fn take(&self, keys: &[(Bucket, String)]) -> Result<(), Bucket> {
        let now = self.now_ms();
        self.limits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take(keys, now)
    }

    fn sign(&self, purpose: Purpose, visitor: u64, conversation: u64, address: &str) -> String {
        let ttl = match purpose {
            Purpose::Confirm => link_token::CONFIRM_TTL_MS,
            Purpose::Unsubscribe => link_token::UNSUBSCRIBE_TTL_MS,
            Purpose::Resume => link_token::RESUME_TTL_MS,
        };
        let claims = Claims {
            purpose,
            visitor,
            conversation,
            address: address.to_string(),
            expires_ms: self.now_ms().saturating_add(ttl),
        };
        link_token::sign(self.store.server_key(), &claims)
    }

    /// The claims of a link's token, if valid now.
    pub fn verify(&self, token: &str, purpose: Purpose) -> Option<Claims> {
        link_token::verify(self.store.server_key(), token, purpose, self.now_ms())
    }

    /// `PUBLIC_URL/email/confirm?token=…` for `visitor` and `address`.
    pub fn confirm_link(&self, visitor: u64, address: &str) -> Option<String> {
        let url = self.public_url.as_deref()?;
        let token = self.sign(Purpose::Confirm, visitor, 0, address);
        Some(format!("{url}/email/confirm?token={token}"))
    }

    /// Where the files of a message are downloaded (`--public-url` + `/api/files/`),
    /// when the public address is known.
    pub fn files_base(&self) -> Option<String> {
        Some(format!("{}/api/files/", self.public_url.as_deref()?))
    }

    /// `PUBLIC_URL/email/unsubscribe?token=…` for `address`.
    pub fn unsubscribe_link(&self, visitor: u64, address: &str) -> Option<String> {
        let url = self.public_url.as_deref()?;
        let token = self.sign(Purpose::Unsubscribe, visitor, 0, address);
        Some(format!("{url}/email/unsubscribe?token={token}"))
    }

    /// The shop page `page` (without its fragment) with `#deskbell-resume=…`, which
    /// the widget there turns into `visitor`'s `conversation`. None for a page that is
    /// not http(s).
    pub fn resume_link(&self, page: &str, visitor: u64, conversation: u64) -> Option<String> {
        if !(page.starts_with("https://") || page.starts_with("http://")) {
            return None;
        }
        let page = page.split('#').next().unwrap_or(page);
        let token = self.sign(Purpose::Resume, visitor, conversation, "");
        Some(format!("{page}#deskbell-resume={token}"))
    }

    /// The address emails to `visitor` go to: their stored email, when they confirmed
    /// it and it did not unsubscribe. Blocking.
    pub fn confirmed_address(
        &self,
        visitor: u64,
        record: &VisitorV2,
    ) -> Result<Option<String>, StoreError> {
        let Some(email) = &record.email else {
            return Ok(None);
        };
        let confirmed = self
            .store
            .confirmed_email(visitor)?
            .is_some_and(|c| address_key(&c.address) == address_key(email));
        if !confirmed || self.store.email_opted_out(email)? {
            return Ok(None);
        }
        Ok(Some(email.clone()))
    }

    /// A confirmation email for `address` (checked by the caller), asked for by
    /// `visitor` from `client`, if allowed. Blocking.
    pub fn ask_confirmation(
        &self,
        visitor: u64,
        address: &str,
        client: IpAddr,
    ) -> Result<EmailTarget, Refusal> {
        if !self.enabled() {
            return Err(Refusal::Off);
        }
        if self.store.email_opted_out(address)? {
            return Err(Refusal::OptedOut);
        }
        if self
            .store
            .confirmed_email(visitor)?
            .is_some_and(|c| address_key(&c.address) == address_key(address))
        {
            return Err(Refusal::AlreadyConfirmed);
        }
        let key = address_key(address);
        self.take(&[
            (Bucket::ConfirmAddress, key.clone()),
            (Bucket::ConfirmVisitor, visitor.to_string()),
            (Bucket::ConfirmClient, client_key(client)),
            (Bucket::AnyAddress, key),
        ])
        .map_err(Refusal::Limited)?;
        Ok(EmailTarget::VisitorConfirm {
            visitor,
            address: address.to_string(),
        })
    }

    /// The transcript of `conversation` for `visitor`, asked for from `client`: the
    /// transcript when their address is confirmed, else its confirmation. Blocking.
    pub fn ask_transcript(
        &self,
        visitor: u64,
        conversation: u64,
        client: IpAddr,
    ) -> Result<TranscriptAnswer, Refusal> {
        if !self.enabled() {
            return Err(Refusal::Off);
        }
        let ours = self
            .store
            .conversation(conversation)?
            .is_some_and(|c| c.visitor == visitor);
        let record = self.store.visitor(visitor)?;
        let (Some(record), true) = (record, ours) else {
            return Err(Refusal::NoAddress);
        };
        let Some(email) = record.email.clone() else {
            return Err(Refusal::NoAddress);
        };
        let Some(address) = self.confirmed_address(visitor, &record)? else {
            return self
                .ask_confirmation(visitor, &email, client)
                .map(TranscriptAnswer::ConfirmFirst);
        };
        let key = address_key(&address);
        self.take(&[
            (Bucket::TranscriptAddress, key.clone()),
            (Bucket::TranscriptVisitor, visitor.to_string()),
            (Bucket::TranscriptClient, client_key(client)),
            (Bucket::AnyAddress, key),
        ])
        .map_err(Refusal::Limited)?;
        Ok(TranscriptAnswer::Send(EmailTarget::VisitorTranscript {
            visitor,
            conversation,
            address,
        }))
    }
}
