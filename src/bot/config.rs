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
    /// [`BotConfig::answer_margin`] for a message in another language than the best
    /// entry's answer (a Chinese question, an English FAQ): cross-language scores are
    /// lower and closer together, so the same lead means more.
    pub cross_language_margin: f32,
    /// A greeting, thanks, goodbye or "are you a bot" scoring at least this (and ahead of
    /// every FAQ example by `small_talk_margin`) gets a small-talk reply.
    pub small_talk_threshold: f32,
    /// How far the small-talk intent must lead the nearest FAQ example question.
    pub small_talk_margin: f32,
    /// Weight `c` of an entry's centroid (mean of its examples) next to its nearest
    /// example: `score = (nearest + c · centroid + a · answer) / (1 + c + a) + k · keywords`.
    pub centroid_weight: f32,
    /// Weight `a` of the similarity to the entry's answer.
    pub answer_weight: f32,
    /// Weight `k` of the keyword overlap with the entry's questions and answer.
    pub keyword_weight: f32,
    /// Most candidates in a suggestion.
    pub max_suggestions: usize,
}

impl Default for BotConfig {
    fn default() -> Self {
        BotConfig {
            answer_threshold: 0.285,
            suggest_threshold: 0.275,
            answer_margin: 0.16,
            cross_language_margin: 0.12,
            small_talk_threshold: 0.65,
            small_talk_margin: 0.0,
            centroid_weight: 0.0,
            answer_weight: 0.6,
            keyword_weight: 0.16,
            max_suggestions: 3,
        }
    }
}
