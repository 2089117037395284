//! Bot: decides what to do with a visitor's message — answer from the shop's FAQ, make
//! small talk, suggest answers to an agent, or hand off to a person.
//!
//! # Layout
//!
//! - `service`: [`Bot`], the handle the server holds (index + inference worker).
//! - `matcher`: [`Matcher`], the pure scoring and decision rules (no I/O).
//! - `decision`: [`Decision`] and its parts.
//! - `index`: [`Index`], the matcher with each entry's answers per language and revision,
//!   changed together.
//! - `faq`: [`FaqEntry`], [`SavedFaq`] (answers per language, revision), the rule that
//!   picks the answer for a language, and the stored shape of embeddings ([`FaqEmbeddings`]).
//! - `intents`: the built-in [`Intent`]s, their example phrasings and replies.
//! - `intent_vectors`: those examples embedded ahead of time by the built-in model.
//! - `keywords`: rare-word overlap between a message and an FAQ entry.
//! - `lang`: [`Lang`] and [`answer_language`], the visitor's language for everything the
//!   bot says.
//! - `person_rules`: requests for a person and complaints about the bot, by phrase
//!   (English and Chinese), decided before anything else.
//! - `small_talk_words`: short thanks and goodbyes (English, Chinese), Chinese greetings
//!   and "are you a bot", by word.
//! - `config`: [`BotConfig`], the calibrated thresholds.
//!
//! # API for the server (hub, store, console)
//!
//! Start-up (before serving; blocking, ~1 s; skipped with `--no-bot`):
//! ```text
//! let (mut bot, bot_thread) = Bot::start(cli.model.as_deref(), bot_config)?; // clear BotError if the model is bad
//! crate::faq::load_into(&bot, &store, &writer)?; // every SavedFaq; re-embeds what another model made
//! ```
//! A visitor message (the hub, after the message is committed, only while the bot is
//! active in that conversation — never after a hand-off or once an agent has written):
//! ```text
//! let events = hub_events.clone();
//! let wanted = Box::new(move || clock.now_ms() < due); // the hub's deadline for the decision
//! match bot.decide(text, browser_language, wanted, Box::new(move |r| { let _ = events.try_send(Event::BotDecided { conv, r }); })) {
//!     Ok(()) => {}                            // the decision arrives as an event
//!     Err(_busy_or_closed) => queue_for_agents(conv),
//! }
//! // on Event::BotDecided:
//! //   Answer { answer, .. } | SmallTalk { reply, .. } → post as the bot ("That helped" / "Talk to a person")
//! //   Suggest { candidates }  → queue for agents, show candidates as one-click replies; bot silent
//! //   Handoff { reason }      → queue for agents, notify them; bot silent from now on
//! ```
//! The hub must re-check that the bot is still active when the decision arrives (an
//! agent may have written meanwhile). The console: `bot.explain(text, browser).await` for the
//! "try a question" box (decision + scores); on save, `bot.embed_entry(&entry).await`,
//! persist (the store gives the revision), then `bot.upsert_faq(&saved, &stored)`; on
//! delete, `bot.remove_faq(id, revision)` (`crate::faq` does both).
//! Flags map onto [`BotConfig`]: `--bot-answer-threshold` → `answer_threshold`,
//! `--bot-suggest-threshold` → `suggest_threshold`. Shutdown: `bot.close()`, join the
//! thread.

mod config;
mod decision;
mod faq;
mod index;
mod intent_vectors;
mod intents;
mod keywords;
mod lang;
mod matcher;
mod person_rules;
mod service;
mod small_talk_words;

pub use config::BotConfig;
pub use decision::{Candidate, Decision, DecisionLabel, HandoffReason, Reason};
pub use faq::{FaqEmbeddings, FaqEntry, QuantizedEmbedding, SavedFaq, answer_in};
pub use index::Index;
pub use intents::Intent;
pub use lang::{Lang, answer_language};
pub use matcher::{FaqScore, Matcher, Scores};
pub use service::{Bot, DecisionReply, Explanation};

use crate::intent::IntentError;

/// Why the bot could not start, decide, or take an FAQ entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BotError {
    /// Loading the model, or inference, or the worker.
    #[error(transparent)]
    Intent(#[from] IntentError),
    /// An entry's embeddings do not match its questions one to one.
    #[error("FAQ entry {faq_id}: {questions} questions but {embeddings} embeddings")]
    EmbeddingCount {
        /// The entry.
        faq_id: u64,
        /// Its number of questions.
        questions: usize,
        /// The number of embeddings given.
        embeddings: usize,
    },
    /// A stored embedding is malformed.
    #[error("a stored embedding has {len} values (or a bad scale)")]
    BadEmbedding {
        /// Its number of values.
        len: usize,
    },
    /// The embeddings were computed by another model (or for other questions).
    #[error("FAQ entry {faq_id}: stored embeddings are from another model; recompute them")]
    StaleEmbeddings {
        /// The entry.
        faq_id: u64,
    },
    /// The worker thread could not be started.
    #[error("cannot start the bot worker thread: {0}")]
    Spawn(String),
}

#[cfg(test)]
mod tests;
