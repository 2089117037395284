//! The bot's thresholds, with defaults calibrated for the multilingual model on the
//! `*-calibration.json` sets of `tests/fixtures/bot_eval/` (never on the holdout sets;
//! method, command and figures in `docs/BOT.md`, "Calibration").

/// When the bot answers, suggests, chats or hands off. Scores are cosine similarities
/// between the visitor's message and example phrasings, in `[-1, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BotConfig {
    /// An FAQ entry scoring at least this is answered by the bot itself
    /// (`--bot-answer-threshold`).
    pub answer_threshold: f32,
    /// Entries scoring at least this (but below the answer threshold) are suggested to
    /// the agent; below it for every entry, the message is low-confidence
    /// (`--bot-suggest-threshold`).
    pub suggest_threshold: f32,
    /// The best entry must lead the runner-up by this much to be answered; closer
    /// calls are suggested instead.
    pub answer_margin: f32,
    /// A greeting, thanks, goodbye or "are you a bot" scoring at least this (and more
    /// than every FAQ entry) gets a small-talk reply.
    pub small_talk_threshold: f32,
    /// "A person please" or frustration scoring at least this (and more than every FAQ
    /// entry, less `handoff_lead`) hands off.
    pub handoff_threshold: f32,
    /// How far a hand-off intent may trail the best FAQ entry and still win: a request
    /// for a person mentioning a topic ("can I talk to someone about my refund") should
    /// reach a person.
    pub handoff_lead: f32,
    /// Weight `w` of an entry's centroid (mean of its examples) against its single
    /// nearest example: `score = w · centroid + (1 − w) · nearest + k · keywords`.
    pub centroid_weight: f32,
    /// Weight `k` of the keyword overlap with the entry's questions and answer.
    pub keyword_weight: f32,
    /// Most candidates in a suggestion.
    pub max_suggestions: usize,
}

impl Default for BotConfig {
    fn default() -> Self {
        BotConfig {
            answer_threshold: 0.54,
            suggest_threshold: 0.3,
            answer_margin: 0.1,
            small_talk_threshold: 0.55,
            handoff_threshold: 0.45,
            handoff_lead: 0.05,
            centroid_weight: 0.25,
            keyword_weight: 0.2,
            max_suggestions: 3,
        }
    }
}
