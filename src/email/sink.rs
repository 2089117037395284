//! The email sink of the outbox ([`crate::outbox::Sink`]).
//!
//! **Plan** (outbox thread, no network): a conversation created, a visitor message or a
//! hand-off, while no agent is online and the conversation waits for one (queued, or
//! assigned to an agent who is offline), plans "a visitor is waiting" for every enabled
//! agent with an email address and that choice on ([`super::batch`] keeps it to one per
//! window). **Deliver** (delivery thread, blocking SMTP): checks again (an agent may have
//! come online or taken the conversation: then it is skipped), renders in the agent's
//! language with the messages so far, and sends. The visitors' emails (confirmation,
//! replies, transcript) are [`super::visitor_sink`]'s.

use std::sync::{Arc, Mutex};

use super::attempts::{retry, send, skipped};
use super::batch::{Batches, Decision};
use super::render::{self, Language};
use super::target::EmailTarget;
use super::visitor_sink::VisitorSink;
use super::waiting::{self, Waiting};
use super::{Mailer, VisitorMail};
use crate::outbox::{Attempt, Delivery, EventKind, OutboxEvent, Planned, Sink, SinkId};
use crate::presence::Presence;
use crate::store::Store;
use crate::store::records::ConversationV1;
use crate::store::values::StoredStatus;

/// Emails through the outbox.
pub struct EmailSink {
    /// Reads conversations, messages, visitors and agents.
    store: Store,
    /// Who is online.
    presence: Arc<Presence>,
    /// The SMTP connection (None: email is off or unusable, nothing is planned).
    mailer: Option<Arc<Mailer>>,
    /// `--public-url` without a trailing slash, for links.
    public_url: Option<String>,
    /// The batching window in ms.
    window_ms: u64,
    /// When each agent was last emailed about each conversation.
    batches: Mutex<Batches>,
    /// The visitors' emails.
    visitors: VisitorSink,
}

impl EmailSink {
    /// The sink for a server's config, store and presence.
    pub fn new(
        config: &crate::config::Config,
        store: Store,
        presence: Arc<Presence>,
        mailer: Option<Arc<Mailer>>,
        mail: Arc<VisitorMail>,
    ) -> EmailSink {
        EmailSink {
            visitors: VisitorSink::new(
                store.clone(),
                presence.clone(),
                mail,
                config
                    .email
                    .as_ref()
                    .map_or(super::visitor_sink::REPLY_DELAY_MS, |e| {
                        e.reply_delay.as_millis() as u64
                    }),
            ),
            store,
            presence,
            mailer,
            public_url: config
                .public_url
                .as_ref()
                .map(|u| u.to_string().trim_end_matches('/').to_string()),
            window_ms: config
                .email
                .as_ref()
                .map_or(600_000, |e| e.batch.as_millis() as u64),
            batches: Mutex::new(Batches::new()),
        }
    }

    /// Whether `conversation` waits for an agent that nobody online can give it.
    fn waiting(&self, conversation: &ConversationV1) -> bool {
        if self.presence.agents_online() > 0 {
            return false;
        }
        match conversation.status {
            StoredStatus::Queued => true,
            StoredStatus::Assigned => conversation
                .agent
                .is_none_or(|a| !self.presence.agent_online(a)),
            StoredStatus::Closed | StoredStatus::Bot => false,
        }
    }

    /// Email 1 for `agent` about `conversation`, or why not.
    fn deliver_waiting(&self, agent: u64, conversation: u64, again: bool) -> Attempt {
        let Some(mailer) = &self.mailer else {
            return skipped("email is off");
        };
        let conv = match self.store.conversation(conversation) {
            Ok(Some(c)) => c,
            Ok(None) => return skipped("the conversation is gone"),
            Err(e) => return retry(format!("reading the conversation: {e}")),
        };
        if !self.waiting(&conv) {
            return skipped("an agent is online or has the conversation");
        }
        let account = match self.store.agent(agent) {
            Ok(Some(a)) => a,
            Ok(None) => return skipped("the agent is gone"),
            Err(e) => return retry(format!("reading the agent: {e}")),
        };
        let Some(to) = account
            .email
            .clone()
            .filter(|_| account.notify_waiting_email && !account.disabled)
        else {
            return skipped("the agent no longer wants these emails");
        };
        let messages = match self
            .store
            .messages_before(conversation, 0, waiting::MAX_LINES * 2)
        {
            Ok((m, _)) => m,
            Err(e) => return retry(format!("reading the messages: {e}")),
        };
        let visitor = match self.store.visitor(conv.visitor) {
            Ok(v) => v,
            Err(e) => return retry(format!("reading the visitor: {e}")),
        };
        let language = Language::of_agent(&account);
        let rendered = waiting::render(
            &Waiting {
                conversation,
                visitor_id: conv.visitor,
                visitor: visitor.as_ref(),
                messages: &messages,
                again,
                public_url: self.public_url.as_deref(),
            },
            language,
        );
        let message = match render::build(mailer, &to, language, rendered) {
            Ok(m) => m,
            Err(e) => {
                return Attempt::Failed {
                    error: e,
                    status: None,
                };
            }
        };
        send(mailer, &message)
    }
}

impl Sink for EmailSink {
    fn id(&self) -> SinkId {
        SinkId::Email
    }

    fn active(&self) -> bool {
        self.mailer.is_some()
    }

    fn plan(&self, event: &OutboxEvent, now_ms: u64, out: &mut Vec<Planned>) {
        if self.mailer.is_none() {
            return;
        }
        self.visitors.plan(event, now_ms, out);
        match event.kind {
            EventKind::ConversationCreated | EventKind::MessageVisitor | EventKind::HandedOff => {}
            EventKind::MessageAgent
            | EventKind::MessageBot
            | EventKind::Assigned
            | EventKind::Closed
            | EventKind::VisitorEmailLeft
            | EventKind::Rated => return,
        }
        let waiting = match self.store.conversation(event.conversation) {
            Ok(Some(conv)) => self.waiting(&conv),
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "email: reading a conversation to plan");
                false
            }
        };
        if !waiting {
            return;
        }
        let agents = match self.store.agents() {
            Ok(agents) => agents,
            Err(e) => {
                tracing::warn!(error = %e, "email: reading the agents to plan");
                return;
            }
        };
        let mut batches = self.batches.lock().unwrap_or_else(|e| e.into_inner());
        for (id, agent) in agents {
            if agent.disabled || !agent.notify_waiting_email || agent.email.is_none() {
                continue;
            }
            if let Decision::Send {
                not_before_ms,
                again,
            } = batches.plan(id, event.conversation, now_ms, self.window_ms)
            {
                let target = EmailTarget::AgentWaiting {
                    agent: id,
                    conversation: event.conversation,
                    again,
                };
                out.push(Planned {
                    target: target.encode(),
                    not_before_ms,
                    log_key: None,
                });
            }
        }
    }

    fn deliver(&self, delivery: &Delivery) -> Attempt {
        match EmailTarget::decode(&delivery.target) {
            Some(EmailTarget::AgentWaiting {
                agent,
                conversation,
                again,
            }) => self.deliver_waiting(agent, conversation, again),
            Some(EmailTarget::WebhookDisabled { endpoint, admin }) => match &self.mailer {
                Some(mailer) => super::admin_notice::deliver(
                    &self.store,
                    mailer,
                    self.public_url.as_deref(),
                    endpoint,
                    admin,
                ),
                None => skipped("email is off"),
            },
            Some(target) => match &self.mailer {
                Some(mailer) => self
                    .visitors
                    .deliver(mailer, &target)
                    .unwrap_or_else(|| skipped("not a visitor email")),
                None => skipped("email is off"),
            },
            None => skipped("an email job this build does not know"),
        }
    }
}
