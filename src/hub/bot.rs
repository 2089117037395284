//! The FAQ bot in the hub. A conversation opened while the bot runs has status `Bot`:
//! each visitor message, once committed, goes to the bot's worker thread, and the
//! decision comes back as a [`Completion::BotDecided`]. An answer or small talk is posted
//! as a bot message; anything else hands the conversation to the agents (with suggested
//! replies when the bot had likely answers), after which the bot never speaks in it
//! again. A decision that arrives after the hand-off, or after an agent claimed the
//! conversation, is dropped; one that does not arrive in time hands off too. A decision
//! the external responder's mode takes goes to it instead (`responder.rs`).

use crate::bot::{Candidate, Decision, HandoffReason as BotReason};
use crate::protocol::{
    AuthorKind, BotFeedback, ConversationEvent, ConversationStatus, ErrorCode, HandoffReason,
    SuggestedReply,
};
use crate::routing::Placement;
use crate::store::{NewMessage, WriteOp};
use crate::timer::unix_ms;

use super::Hub;
use super::event::{Completion, ConnId, WriteTag};
use super::live::TimerEvent;
use super::startup::Unanswered;

impl Hub {
    /// Whether the bot answers in `conversation` now.
    pub(super) fn bot_active(&self, conversation: u64) -> bool {
        self.bot.is_some()
            && self.conversations.contains_key(&conversation)
            && self.router.placement(conversation) == Some(crate::routing::Placement::WithBot)
    }

    /// Hands a committed visitor message to the bot, with the language the visitor's
    /// browser reports (the bot answers in the message's language or that one); a full
    /// or stopped bot hands the conversation to the agents at once.
    pub(super) async fn ask_bot(
        &mut self,
        conversation: u64,
        seq: u64,
        text: String,
        language: Option<String>,
    ) {
        let Some(bot) = &self.bot else {
            return;
        };
        let completions = self.completions.clone();
        let asked = (text.clone(), language.clone());
        let reply = Box::new(move |decision| {
            let _ = completions.try_send(Completion::BotDecided {
                conversation,
                seq,
                decision,
                asked,
            });
        });
        // Past the deadline the conversation goes to the agents (`on_bot_overdue`), so
        // the worker need not embed a message it reaches after that (asked once).
        let due = self.config.now_ms() + self.config.bot_timeout_ms;
        let clock = self.config.clock.clone();
        let metrics = self.metrics.clone();
        let wanted = Box::new(move || {
            let in_time = clock.now_ms() < due;
            if !in_time {
                metrics.bot_late_total.inc();
            }
            in_time
        });
        match bot.decide(text, language, wanted, reply) {
            Ok(()) => {
                self.wheel
                    .insert(due, TimerEvent::BotOverdue { conversation, seq });
            }
            Err(e) => {
                tracing::warn!(conversation, error = %e, "bot unavailable: handing over");
                self.hand_off(conversation, HandoffReason::BotUnavailable, Vec::new())
                    .await;
            }
        }
    }

    /// At start: the bot decides the visitor messages it had not answered when the
    /// server stopped (or, if it cannot, the agents get those conversations).
    pub(super) async fn ask_bot_again(&mut self, unanswered: Vec<Unanswered>) {
        for u in unanswered {
            tracing::info!(
                conversation = u.conversation,
                seq = u.seq,
                "asking the bot again about a message from before the restart"
            );
            self.ask_bot(u.conversation, u.seq, u.text, u.language)
                .await;
        }
    }

    /// The bot's decision on visitor message `seq`.
    pub(super) async fn on_bot_decided(
        &mut self,
        conversation: u64,
        seq: u64,
        decision: Result<Decision, crate::bot::BotError>,
        asked: (String, Option<String>),
    ) {
        if !self.bot_active(conversation) {
            return;
        }
        if let Some(live) = self.conversations.get_mut(&conversation) {
            live.bot_decided = live.bot_decided.max(seq);
        }
        let decision = match decision {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(conversation, error = %e, "bot failed: handing over");
                return self
                    .hand_off(conversation, HandoffReason::BotUnavailable, Vec::new())
                    .await;
            }
        };
        if self.responder_takes(&decision) {
            let (text, language) = asked;
            return self
                .ask_responder(conversation, seq, text, language, decision)
                .await;
        }
        self.apply_decision(conversation, decision).await;
    }

    /// Does what the bot decided.
    pub(super) async fn apply_decision(&mut self, conversation: u64, decision: Decision) {
        match decision {
            Decision::Answer { faq_id, answer, .. } => {
                self.metrics.bot_answers_total.inc();
                let event = Some(ConversationEvent::BotAnswer { faq_id });
                self.post_as_bot(conversation, answer, event).await;
            }
            Decision::SmallTalk { reply, .. } => {
                self.metrics.bot_small_talk_total.inc();
                self.post_as_bot(conversation, reply, None).await;
            }
            Decision::Suggest { candidates } => {
                self.offer_choices(conversation, &candidates).await;
                self.hand_off(conversation, HandoffReason::LowConfidence, candidates)
                    .await;
            }
            Decision::Handoff { reason } => {
                let reason = match reason {
                    BotReason::HumanRequested => HandoffReason::HumanRequested,
                    BotReason::Frustrated => HandoffReason::Frustrated,
                    BotReason::LowConfidence => HandoffReason::LowConfidence,
                };
                self.hand_off(conversation, reason, Vec::new()).await;
            }
        }
    }

    /// No decision on `seq` in time (the worker is swamped or stuck).
    pub(super) async fn on_bot_overdue(&mut self, conversation: u64, seq: u64) {
        let waiting = self
            .conversations
            .get(&conversation)
            .is_some_and(|c| c.bot_decided < seq);
        if waiting && self.bot_active(conversation) {
            tracing::warn!(conversation, seq, "bot decision overdue: handing over");
            self.hand_off(conversation, HandoffReason::BotUnavailable, Vec::new())
                .await;
        }
    }

    /// The visitor pressed "That helped" or "Talk to a person" under a bot answer.
    pub(super) async fn bot_feedback(&mut self, conn: ConnId, visitor: u64, f: BotFeedback) {
        let valid = self
            .conversations
            .get(&f.conversation)
            .is_some_and(|c| c.visitor == visitor && f.seq >= 1 && f.seq <= c.last_seq);
        if !valid {
            let why = "no such message in your open conversation";
            return self.refuse(conn, ErrorCode::Conflict, why, None, Some(f.conversation));
        }
        if !f.helpful && self.bot_active(f.conversation) {
            return self
                .hand_off(f.conversation, HandoffReason::HumanRequested, Vec::new())
                .await;
        }
        if f.helpful {
            self.metrics.bot_helpful_total.inc();
        }
        let event = ConversationEvent::Feedback {
            seq: f.seq,
            helpful: f.helpful,
        };
        let message = self.system_message(&event);
        let op = WriteOp::Append {
            conversation: f.conversation,
            message,
        };
        self.write(op, WriteTag::Status).await;
    }

    /// Posts `body` in the conversation as the bot.
    pub(super) async fn post_as_bot(
        &mut self,
        conversation: u64,
        body: String,
        event: Option<ConversationEvent>,
    ) {
        let message = Self::bot_message(body, event);
        let op = WriteOp::Append {
            conversation,
            message,
        };
        self.write(op, WriteTag::Status).await;
    }

    /// A message from the bot, written now.
    pub(super) fn bot_message(body: String, event: Option<ConversationEvent>) -> NewMessage {
        NewMessage {
            attachments: Vec::new(),
            author_kind: AuthorKind::Bot.into(),
            author_id: 0,
            author_name: String::new(),
            body,
            client_id: None,
            event: event.map(Into::into),
            at_ms: unix_ms(),
        }
    }

    /// The bot lets go: a system message says why, likely answers go to the agents
    /// (agents only), and the conversation is routed like a new one.
    pub(super) async fn hand_off(
        &mut self,
        conversation: u64,
        reason: HandoffReason,
        suggestions: Vec<Candidate>,
    ) {
        if !self.conversations.contains_key(&conversation) {
            return;
        }
        let Some(placement) = self.router.hand_off(conversation) else {
            return;
        };
        self.metrics.bot_handoffs_total.inc();
        // Stored as queued; the router may already hold an agent for it, stored next.
        // Both are shown when committed, and the bot gets it back if neither is.
        let event = ConversationEvent::HandedOff { reason };
        self.pending.reserve(conversation, Some(Placement::WithBot));
        let tag = WriteTag::Placed {
            conversation,
            placed: Placement::Queued { position: 0 },
            previous: None,
            asker: None,
        };
        let status = ConversationStatus::Queued;
        self.write_status(conversation, status, None, event, 0, tag)
            .await;
        if !suggestions.is_empty() {
            let replies: Vec<SuggestedReply> = suggestions
                .into_iter()
                .map(|c| SuggestedReply {
                    faq_id: c.faq_id,
                    score_pct: (c.score.clamp(0.0, 1.0) * 100.0).round() as u32,
                    answer: c.answer,
                })
                .collect();
            let body = super::texts::suggestions(replies.len());
            let event = Some(ConversationEvent::Suggestions { replies });
            self.post_as_bot(conversation, body, event).await;
        }
        if let Placement::Assigned(agent) = placement {
            self.assign_automatically(conversation, agent).await;
        }
        self.refresh_totals();
    }
}
