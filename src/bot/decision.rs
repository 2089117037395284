//! What the bot decided to do with one visitor message, and why.

use serde::Serialize;

use super::intents::Intent;
use super::lang::Lang;

/// The bot's decision for one visitor message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Decision {
    /// Confident FAQ match: send `answer` to the visitor, marked as from the bot.
    Answer {
        /// The entry answered.
        faq_id: u64,
        /// Its answer text.
        answer: String,
        /// How well the message matched it.
        score: f32,
    },
    /// Medium confidence: the bot stays quiet; the conversation goes to the agents
    /// (as for a hand-off) with these entries offered as one-click replies, best first.
    Suggest {
        /// At most [`super::BotConfig::max_suggestions`] entries.
        candidates: Vec<Candidate>,
    },
    /// A person should take over: queue the conversation and notify agents.
    Handoff {
        /// Why.
        reason: HandoffReason,
    },
    /// Greeting, thanks, goodbye or "are you a bot": send `reply`, marked as from the bot.
    SmallTalk {
        /// Which one.
        intent: Intent,
        /// A short reply in the visitor's language.
        reply: String,
        /// The language `reply` is in.
        lang: Lang,
    },
}

impl Decision {
    /// The decision's kind as the API and the evaluation name it: `answer`, `small_talk`,
    /// `suggest` or `handoff`.
    pub fn kind(&self) -> &'static str {
        match self {
            Decision::Answer { .. } => "answer",
            Decision::SmallTalk { .. } => "small_talk",
            Decision::Suggest { .. } => "suggest",
            Decision::Handoff { .. } => "handoff",
        }
    }

    /// The label used by the evaluation and logs: the FAQ entry answered or suggested
    /// first, the intent's name, or `none` for a low-confidence hand-off.
    pub fn label(&self) -> DecisionLabel {
        match self {
            Decision::Answer { faq_id, .. } => DecisionLabel::Faq(*faq_id),
            Decision::Suggest { candidates } => candidates
                .first()
                .map_or(DecisionLabel::None, |c| DecisionLabel::Faq(c.faq_id)),
            Decision::Handoff {
                reason: HandoffReason::HumanRequested,
            } => DecisionLabel::Intent(Intent::HumanRequest),
            Decision::Handoff {
                reason: HandoffReason::Frustrated,
            } => DecisionLabel::Intent(Intent::Frustration),
            Decision::Handoff {
                reason: HandoffReason::LowConfidence,
            } => DecisionLabel::None,
            Decision::SmallTalk { intent, .. } => DecisionLabel::Intent(*intent),
        }
    }

    /// Whether the bot sends something to the visitor (an answer or small talk).
    pub fn replies_to_visitor(&self) -> bool {
        matches!(self, Decision::Answer { .. } | Decision::SmallTalk { .. })
    }
}

/// What a decision is about, for scoring the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionLabel {
    /// An FAQ entry (answered or suggested first).
    Faq(u64),
    /// A built-in intent.
    Intent(Intent),
    /// Nothing matched.
    None,
}

/// An FAQ entry offered to the agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The entry.
    pub faq_id: u64,
    /// Its answer text (what one click sends).
    pub answer: String,
    /// One of its example questions, offered to the visitor as "Did you mean…?" (empty
    /// until [`super::Index::localize`] picks one in the visitor's language).
    pub question: String,
    /// How well the message matched it.
    pub score: f32,
}

/// Why the bot hands a conversation to a person; serde gives the API's names
/// (`human_requested`, `frustrated`, `low_confidence`, as the wire's own reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The visitor asked for a person.
    HumanRequested,
    /// The visitor is annoyed or says the bot does not help.
    Frustrated,
    /// No FAQ entry or built-in intent matched well enough.
    LowConfidence,
}

/// The rule behind a decision and its figures, for the console's "Try a question" box
/// (serialised as `{"rule": "answer", "score": …}`); see [`super::Matcher`]'s header.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Reason {
    /// The message asks for a person or complains about the bot, by phrase.
    HandoffPhrase,
    /// A Chinese greeting, thanks, goodbye or "are you a bot" the word table knows.
    SmallTalkWord,
    /// The best small-talk intent scored `score` (threshold `threshold`), ahead of the
    /// nearest FAQ example (`faq_nearest`).
    SmallTalk {
        /// The intent's score.
        score: f32,
        /// `small_talk_threshold`.
        threshold: f32,
        /// The nearest FAQ example's similarity.
        faq_nearest: f32,
    },
    /// The best entry scored at least the answer threshold and led the next by at least
    /// the margin.
    Answer {
        /// Its score.
        score: f32,
        /// `answer_threshold`.
        threshold: f32,
        /// How far it led the runner-up.
        lead: f32,
        /// `answer_margin`.
        margin: f32,
    },
    /// The best entry scored enough to answer but another was too close: suggested.
    CloseCall {
        /// Its score.
        score: f32,
        /// How far it led the runner-up.
        lead: f32,
        /// `answer_margin`.
        margin: f32,
    },
    /// The best entry scored below the answer threshold: suggested to the agent.
    BelowAnswer {
        /// Its score.
        score: f32,
        /// `answer_threshold`.
        threshold: f32,
    },
    /// No entry reached the suggest threshold: handed off, low confidence.
    BelowSuggest {
        /// The best entry's score.
        score: f32,
        /// `suggest_threshold`.
        threshold: f32,
    },
    /// The shop has no FAQ entries: handed off.
    NoEntries,
}
