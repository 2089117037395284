//! The external responder in the hub (see `crate::responder`). When the admin's mode
//! hands a decision of the built-in bot to the responder, the question is queued for a
//! responder thread instead; the visitor sees the bot typing meanwhile, and the outcome
//! comes back as a [`Completion::Responded`].
//!
//! # Rules
//! 1. Only while the bot is active in the conversation: a hand-off (a request for a
//!    person, a complaint, an agent's claim, an earlier failure) ends it for good, so
//!    the responder is never asked again there, and an outcome arriving after it is
//!    dropped.
//! 2. An outcome that is a hand-off runs the bot's own hand-off (system message,
//!    agents notified), with the built-in bot's likely answers as suggestions for the
//!    agents. Over the per-conversation or per-day limit, with the queue full, or when
//!    the outcome is a timeout or an error, the built-in bot's own decision is the
//!    fallback: its confident answer or small talk is posted (mode `always`), anything
//!    else hands off as `bot_unavailable`.
//! 3. Only the outcome for the newest question asked counts; an older one is dropped.
//!    If none arrives within the time limit and [`GRACE`], the hub hands off itself.
//! 4. Every call is counted by outcome in `/metrics`, and so is every question the
//!    limits kept from being asked (`limited`).
//!
//! [`GRACE`]: crate::responder::call::GRACE

use crate::bot::Decision;
use crate::protocol::{Author, AuthorKind, HandoffReason, ServerFrame, TypingNotice};
use crate::responder::{Outcome, Question};
use crate::timer::unix_ms;

use super::Hub;
use super::event::Completion;
use super::live::TimerEvent;

impl Hub {
    /// Whether the responder's mode takes this decision of the built-in bot.
    pub(super) fn responder_takes(&self, decision: &Decision) -> bool {
        self.responder.settings().takes(decision)
    }

    /// Asks the responder about visitor message `seq` (rule 2 when it cannot).
    pub(super) async fn ask_responder(
        &mut self,
        conversation: u64,
        seq: u64,
        text: String,
        browser: Option<String>,
        decision: Decision,
    ) {
        let settings = self.responder.settings();
        let Some(live) = self.conversations.get_mut(&conversation) else {
            return;
        };
        let within = live.responder_calls < settings.per_conversation
            && self.responder_today.take(unix_ms(), settings.per_day);
        if !within {
            self.metrics.responder.count("limited");
            tracing::info!(
                conversation,
                "responder limit reached: the bot's own decision"
            );
            return self.fall_back(conversation, decision).await;
        }
        live.responder_calls += 1;
        live.responder_waiting = Some((seq, decision));
        let question = Question {
            conversation,
            seq,
            visitor: live.visitor,
            site: live.site.clone(),
            language: crate::bot::answer_language(&text, browser.as_deref()),
            query: text,
        };
        let completions = self.completions.clone();
        let reply = Box::new(move |outcome| {
            let _ = completions.try_send(Completion::Responded {
                conversation,
                seq,
                outcome,
            });
        });
        let timeout = settings.timeout;
        match self.responder.ask(question, settings, reply) {
            Ok(()) => {
                let grace = crate::responder::call::GRACE;
                let wait = u64::try_from((timeout + grace).as_millis()).unwrap_or(u64::MAX);
                let due = self.config.now_ms().saturating_add(wait);
                self.wheel
                    .insert(due, TimerEvent::ResponderOverdue { conversation, seq });
                self.bot_typing(conversation, true);
            }
            Err(e) => {
                self.metrics.responder.count("error");
                tracing::warn!(conversation, error = %e, "responder unavailable: the bot's own decision");
                if let Some(decision) = self.responder_done(conversation, seq) {
                    self.fall_back(conversation, decision).await;
                }
            }
        }
    }

    /// The responder's outcome on visitor message `seq`.
    pub(super) async fn on_responded(&mut self, conversation: u64, seq: u64, outcome: Outcome) {
        self.metrics.responder.count(outcome.label());
        let Some(decision) = self.responder_done(conversation, seq) else {
            return;
        };
        self.bot_typing(conversation, false);
        if !self.bot_active(conversation) {
            return;
        }
        match outcome {
            Outcome::Answered(answer) => self.post_as_bot(conversation, answer, None).await,
            Outcome::Handoff(_) => {
                let candidates = match decision {
                    Decision::Suggest { candidates } => candidates,
                    _ => Vec::new(),
                };
                self.hand_off(conversation, HandoffReason::LowConfidence, candidates)
                    .await
            }
            Outcome::Timeout | Outcome::Error(_) => self.fall_back(conversation, decision).await,
        }
    }

    /// Rule 2's fallback: the built-in bot's answer or small talk, else a hand-off.
    async fn fall_back(&mut self, conversation: u64, decision: Decision) {
        match decision {
            Decision::Answer { .. } | Decision::SmallTalk { .. } => {
                self.apply_decision(conversation, decision).await
            }
            Decision::Suggest { candidates } => {
                self.hand_off(conversation, HandoffReason::BotUnavailable, candidates)
                    .await
            }
            Decision::Handoff { .. } => {
                self.hand_off(conversation, HandoffReason::BotUnavailable, Vec::new())
                    .await
            }
        }
    }

    /// No outcome on `seq` in time (rule 3).
    pub(super) async fn on_responder_overdue(&mut self, conversation: u64, seq: u64) {
        let Some(decision) = self.responder_done(conversation, seq) else {
            return;
        };
        self.bot_typing(conversation, false);
        if self.bot_active(conversation) {
            tracing::warn!(
                conversation,
                seq,
                "responder outcome overdue: the bot's own decision"
            );
            self.fall_back(conversation, decision).await;
        }
    }

    /// Ends the wait for `seq`, returning the built-in bot's decision on it; None when
    /// the conversation waits for another message's outcome, or none.
    fn responder_done(&mut self, conversation: u64, seq: u64) -> Option<Decision> {
        let live = self.conversations.get_mut(&conversation)?;
        match live.responder_waiting.take() {
            Some((waiting, decision)) if waiting == seq => Some(decision),
            other => {
                live.responder_waiting = other;
                None
            }
        }
    }

    /// Shows (or stops showing) the bot typing to the conversation's followers.
    fn bot_typing(&mut self, conversation: u64, on: bool) {
        let author = Author {
            kind: AuthorKind::Bot,
            id: 0,
            name: String::new(),
        };
        let notice = TypingNotice {
            conversation,
            author,
            on,
        };
        self.publish(conversation, ServerFrame::Typing(notice), None);
    }
}
