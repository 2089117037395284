//! The email sink's visitor side ([`VisitorSink`], part of [`super::EmailSink`]).
//!
//! **Plan** (outbox thread): an agent's message (`message.agent`) to a visitor whose
//! stored address is confirmed and subscribed plans email 2 for the reply delay
//! (`--email-reply-delay-secs`, [`REPLY_DELAY_MS`] by default) later; while one is scheduled for the conversation, later replies add nothing (it is
//! rendered when sent, so it shows them all). Confirmations and transcripts are not
//! planned from events: the HTTP endpoints enqueue them (`Outbox::enqueue`) after
//! [`super::VisitorMail`] allowed them.
//!
//! **Deliver** (delivery thread): email 2 is skipped when the visitor is back (connected
//! to the conversation) or has read every agent reply (the visitor's read marker), when
//! the address is no longer confirmed or unsubscribed, or when the address's daily limit
//! is reached. Every visitor email is in the visitor's browser language and carries a
//! one-click unsubscribe link.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::attempts::{retry, send, skipped};
use super::limits::Bucket;
use super::render::{self, Language, Rendered};
use super::target::EmailTarget;
use super::visitor_mail::{self, visible};
use super::{Mailer, VisitorMail};
use crate::outbox::{Attempt, EventKind, OutboxEvent, Planned};
use crate::presence::Presence;
use crate::store::Store;
use crate::store::email_records::address_key;
use crate::store::records::VisitorV2;
use crate::store::values::StoredAuthorKind;

/// How long after an agent's reply email 2 waits by default (for the visitor to come
/// back or read it in the widget) before it is sent: 5 minutes.
pub const REPLY_DELAY_MS: u64 = crate::email_settings::DEFAULT_REPLY_DELAY.as_millis() as u64;

/// The visitor emails of the email sink.
pub struct VisitorSink {
    /// Reads conversations, messages, visitors and read markers.
    store: Store,
    /// Whether the visitor is connected.
    presence: Arc<Presence>,
    /// The limits, confirmations and links.
    mail: Arc<VisitorMail>,
    /// Conversation → when its scheduled email 2 is due (entries past due are replaced).
    replies: Mutex<HashMap<u64, u64>>,
    /// How long after an agent's reply email 2 waits, in ms.
    delay_ms: u64,
}

impl VisitorSink {
    /// The visitor side of a server's email sink; email 2 waits `delay_ms`.
    pub fn new(
        store: Store,
        presence: Arc<Presence>,
        mail: Arc<VisitorMail>,
        delay_ms: u64,
    ) -> VisitorSink {
        VisitorSink {
            store,
            presence,
            mail,
            replies: Mutex::new(HashMap::new()),
            delay_ms,
        }
    }

    /// Plans email 2 for an agent's message, when its visitor can get it.
    pub fn plan(&self, event: &OutboxEvent, now_ms: u64, out: &mut Vec<Planned>) {
        if event.kind != EventKind::MessageAgent || !self.mail.enabled() {
            return;
        }
        tracing::debug!(?event, "email 2: an agent's message");
        let confirmed = match self.store.visitor(event.visitor) {
            Ok(Some(v)) => self.mail.confirmed_address(event.visitor, &v),
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        match confirmed {
            Ok(Some(_)) => {}
            Ok(None) => {
                tracing::debug!(
                    visitor = event.visitor,
                    "email 2 not planned: no confirmed address"
                );
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "email: reading a visitor to plan a reply");
                return;
            }
        }
        let mut replies = self.replies.lock().unwrap_or_else(|e| e.into_inner());
        replies.retain(|_, due| *due + 3_600_000 > now_ms);
        if replies
            .get(&event.conversation)
            .is_some_and(|&due| due > now_ms)
        {
            return; // the scheduled email will show this reply too
        }
        let due = now_ms + self.delay_ms;
        tracing::debug!(conversation = event.conversation, due, "email 2 planned");
        replies.insert(event.conversation, due);
        out.push(Planned {
            target: EmailTarget::VisitorReply {
                visitor: event.visitor,
                conversation: event.conversation,
            }
            .encode(),
            not_before_ms: due,
            log_key: None,
        });
    }

    /// Sends one visitor email (None: `target` is not a visitor email).
    pub fn deliver(&self, mailer: &Mailer, target: &EmailTarget) -> Option<Attempt> {
        let attempt = self.deliver_one(mailer, target)?;
        if let Attempt::Skipped { reason } = &attempt {
            tracing::debug!(?target, reason, "visitor email skipped");
        }
        Some(attempt)
    }

    fn deliver_one(&self, mailer: &Mailer, target: &EmailTarget) -> Option<Attempt> {
        Some(match target {
            EmailTarget::AgentWaiting { .. } | EmailTarget::WebhookDisabled { .. } => return None,
            EmailTarget::VisitorConfirm { visitor, address } => {
                self.deliver_confirm(mailer, *visitor, address)
            }
            EmailTarget::VisitorReply {
                visitor,
                conversation,
            } => self.deliver_reply(mailer, *visitor, *conversation),
            EmailTarget::VisitorTranscript {
                visitor,
                conversation,
                address,
            } => self.deliver_transcript(mailer, *visitor, *conversation, address),
        })
    }

    fn deliver_confirm(&self, mailer: &Mailer, visitor: u64, address: &str) -> Attempt {
        match self.store.email_opted_out(address) {
            Ok(false) => {}
            Ok(true) => return skipped("the address unsubscribed"),
            Err(e) => return retry(format!("reading the opt-outs: {e}")),
        }
        let Some(link) = self.mail.confirm_link(visitor, address) else {
            return skipped("no --public-url for the link");
        };
        let language = match self.store.visitor(visitor) {
            Ok(v) => language_of(v.as_ref()),
            Err(e) => return retry(format!("reading the visitor: {e}")),
        };
        let unsubscribe = self.mail.unsubscribe_link(visitor, address);
        let rendered = visitor_mail::confirmation(address, &link, unsubscribe.as_deref(), language);
        build_and_send(mailer, address, language, rendered)
    }

    fn deliver_reply(&self, mailer: &Mailer, visitor: u64, conversation: u64) -> Attempt {
        if self.presence.visitor_connected(conversation) {
            return skipped("the visitor is back");
        }
        let record = match self.store.visitor(visitor) {
            Ok(Some(v)) => v,
            Ok(None) => return skipped("the visitor is gone"),
            Err(e) => return retry(format!("reading the visitor: {e}")),
        };
        let address = match self.mail.confirmed_address(visitor, &record) {
            Ok(Some(a)) => a,
            Ok(None) => return skipped("the address is not confirmed or unsubscribed"),
            Err(e) => return retry(format!("reading the confirmation: {e}")),
        };
        let read = match self.store.read_state(conversation) {
            Ok([visitor_side, _]) => visitor_side,
            Err(e) => return retry(format!("reading the read markers: {e}")),
        };
        let messages = match self.store.messages_between(conversation, read, u64::MAX) {
            Ok(m) => m,
            Err(e) => return retry(format!("reading the messages: {e}")),
        };
        let replies: Vec<_> = messages
            .iter()
            .map(|(_, m)| m)
            .filter(|m| m.author_kind == StoredAuthorKind::Agent && visible(m))
            .collect();
        if replies.is_empty() {
            return skipped("the visitor read the replies");
        }
        if let Err(bucket) = self
            .mail
            .take(&[(Bucket::AnyAddress, address_key(&address))])
        {
            return skipped(&format!("rate limited ({bucket:?})"));
        }
        let language = language_of(Some(&record));
        let resume = record
            .page
            .as_deref()
            .and_then(|page| self.mail.resume_link(page, visitor, conversation));
        let unsubscribe = self.mail.unsubscribe_link(visitor, &address);
        let rendered = visitor_mail::reply(
            &replies,
            self.mail.files_base().as_deref(),
            resume.as_deref(),
            unsubscribe.as_deref(),
            language,
        );
        build_and_send(mailer, &address, language, rendered)
    }

    fn deliver_transcript(
        &self,
        mailer: &Mailer,
        visitor: u64,
        conversation: u64,
        address: &str,
    ) -> Attempt {
        let record = match self.store.visitor(visitor) {
            Ok(Some(v)) => v,
            Ok(None) => return skipped("the visitor is gone"),
            Err(e) => return retry(format!("reading the visitor: {e}")),
        };
        match self.mail.confirmed_address(visitor, &record) {
            Ok(Some(a)) if address_key(&a) == address_key(address) => {}
            Ok(_) => return skipped("the address is not confirmed or unsubscribed"),
            Err(e) => return retry(format!("reading the confirmation: {e}")),
        }
        let newest = visitor_mail::MAX_TRANSCRIPT * 2;
        let messages = match self.store.messages_before(conversation, 0, newest) {
            Ok((m, _)) => m,
            Err(e) => return retry(format!("reading the messages: {e}")),
        };
        let shown: Vec<_> = messages
            .iter()
            .map(|(_, m)| m)
            .filter(|m| visible(m))
            .collect();
        let language = language_of(Some(&record));
        let unsubscribe = self.mail.unsubscribe_link(visitor, address);
        let files = self.mail.files_base();
        let rendered =
            visitor_mail::transcript(&shown, files.as_deref(), unsubscribe.as_deref(), language);
        build_and_send(mailer, address, language, rendered)
    }
}

/// The visitor's language (their browser's: Chinese or else English).
fn language_of(visitor: Option<&VisitorV2>) -> Language {
    Language::of_browser(visitor.and_then(|v| v.language.as_deref()))
}

fn build_and_send(mailer: &Mailer, to: &str, language: Language, rendered: Rendered) -> Attempt {
    match render::build(mailer, to, language, rendered) {
        Ok(message) => send(mailer, &message),
        Err(error) => Attempt::Failed {
            error,
            status: None,
        },
    }
}
