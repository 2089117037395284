//! The pure part of the bot: given a message's embedding, score every FAQ entry and
//! built-in intent and decide what to do. No I/O, no model: the embeddings come in.
//!
//! An FAQ entry's prototypes are its example questions and its answer. It scores
//! `(nearest + c · centroid + a · answer) / (1 + c + a) + k · keywords`: cosine to its
//! nearest example question, to the mean of its examples, to its answer, and the
//! keyword overlap with its questions and answer ([`super::keywords`]); `c`, `a` and `k`
//! are [`BotConfig::centroid_weight`], [`BotConfig::answer_weight`] and
//! [`BotConfig::keyword_weight`]. A built-in intent scores its nearest example (many
//! short examples, which a centroid would blur). The decision, in order (each with the
//! [`Reason`] the console's "Try a question" box shows):
//!
//! 1. a request for a person, then a complaint about the bot, recognised by phrase in
//!    either language ([`super::person_rules`]) → hand off, whatever else the message
//!    names;
//! 2. a short thanks or goodbye (English, Chinese), or a Chinese greeting or "are you a
//!    bot", recognised by word ([`super::small_talk_words`]) → small talk; replies to
//!    small talk are in the message's language;
//! 3. the best small-talk intent at least `small_talk_threshold`, and ahead of the
//!    nearest FAQ example by `small_talk_margin` → small talk;
//! 4. the best entry at least `answer_threshold`, ahead of the next by `answer_margin`
//!    (`cross_language_margin` when the message is not in the language of the entry's
//!    answer: scores across languages are lower and closer together) → answer;
//! 5. entries at least `suggest_threshold` → suggest them to the agent;
//! 6. otherwise → hand off, low confidence.
//!
//! The model's scores for "a person please" and frustration are shown, never decided
//! on: on the calibration sets they also fired on greetings and short FAQ questions.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::config::BotConfig;
use super::decision::{Candidate, Decision, HandoffReason, Reason};
use super::faq::FaqEntry;
use super::intents::Intent;
use super::keywords::{self, Idf};
use super::lang::Lang;
use super::{BotError, person_rules, small_talk_words};
use crate::intent::embedder::{dot, normalize};
use crate::intent::{DIM, Embedding};

/// The FAQ index and built-in intents, ready to score messages. Cheap to clone for
/// small shops; the bot swaps a fresh copy in when an entry changes.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Thresholds.
    config: BotConfig,
    /// Every example phrasing of the built-in intents.
    intents: Vec<(Intent, Embedding)>,
    /// The shop's FAQ entries, in insertion order.
    entries: Vec<Indexed>,
    /// Word rarity over the entries' keyword sets (rebuilt when entries change).
    idf: Idf,
}

/// One FAQ entry with its example embeddings.
#[derive(Debug, Clone)]
struct Indexed {
    /// The entry's id.
    id: u64,
    /// Its answer.
    answer: String,
    /// One embedding per example question.
    examples: Vec<Embedding>,
    /// The answer's embedding (an extra prototype: visitors often ask in its words).
    answer_vector: Embedding,
    /// Normalised mean of `examples`.
    centroid: Embedding,
    /// Content words of its questions and answer.
    words: HashSet<String>,
    /// The language its answer is written in.
    lang: Lang,
}

/// Every score behind a decision (for the console's "try a question" box and the
/// evaluation).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scores {
    /// FAQ entries, best first.
    pub faq: Vec<FaqScore>,
    /// Built-in intents, best first.
    pub intents: Vec<(Intent, f32)>,
}

/// How one FAQ entry matched a message.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FaqScore {
    /// The entry.
    pub faq_id: u64,
    /// The blended score the thresholds apply to.
    pub score: f32,
    /// Similarity to its nearest example question.
    pub nearest: f32,
    /// Similarity to its centroid.
    pub centroid: f32,
    /// Similarity to its answer.
    pub answer: f32,
    /// Keyword overlap with its questions and answer, in `[0, 1]`.
    pub keywords: f32,
}

impl Scores {
    /// The score of `intent` (−1 if it has no examples).
    pub fn intent(&self, intent: Intent) -> f32 {
        self.intents
            .iter()
            .find(|(i, _)| *i == intent)
            .map_or(-1.0, |(_, s)| *s)
    }

    /// The highest nearest-example similarity over all FAQ entries (−1 if none).
    fn faq_nearest(&self) -> f32 {
        self.faq.iter().fold(-1.0, |m, f| m.max(f.nearest))
    }
}

impl Matcher {
    /// A matcher with no FAQ entries over the built-in intents' example embeddings
    /// (see [`Matcher::intent_examples`] for what to embed).
    pub fn new(config: BotConfig, intents: Vec<(Intent, Embedding)>) -> Matcher {
        Matcher {
            config,
            intents,
            entries: Vec::new(),
            idf: Idf::default(),
        }
    }

    /// Every built-in example phrasing with its intent, in a fixed order.
    pub fn intent_examples() -> Vec<(Intent, &'static str)> {
        Intent::ALL
            .iter()
            .flat_map(|&i| i.examples().iter().map(move |&text| (i, text)))
            .collect()
    }

    /// The thresholds in use.
    pub fn config(&self) -> &BotConfig {
        &self.config
    }

    /// Changes the thresholds.
    pub fn set_config(&mut self, config: BotConfig) {
        self.config = config;
    }

    /// Number of FAQ entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no FAQ entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds `entry`, or replaces the entry with its id, with one embedding per prototype
    /// ([`FaqEntry::prototypes`]: its questions, then its answer).
    pub fn upsert(
        &mut self,
        entry: &FaqEntry,
        mut examples: Vec<Embedding>,
    ) -> Result<(), BotError> {
        if examples.len() != entry.prototype_count() || entry.questions.is_empty() {
            return Err(BotError::EmbeddingCount {
                faq_id: entry.id,
                questions: entry.prototype_count(),
                embeddings: examples.len(),
            });
        }
        let answer_vector = examples.pop().unwrap_or([0.0; DIM]);
        let mut centroid = [0.0; DIM];
        for e in &examples {
            centroid.iter_mut().zip(e).for_each(|(c, v)| *c += v);
        }
        normalize(&mut centroid);
        let mut words = keywords::words(&entry.answer);
        for q in &entry.questions {
            words.extend(keywords::words(q));
        }
        let indexed = Indexed {
            id: entry.id,
            answer: entry.answer.clone(),
            examples,
            answer_vector,
            centroid,
            words,
            lang: Lang::detect(&entry.answer),
        };
        match self.entries.iter_mut().find(|e| e.id == entry.id) {
            Some(slot) => *slot = indexed,
            None => self.entries.push(indexed),
        }
        self.idf = Idf::new(self.entries.iter().map(|e| &e.words));
        Ok(())
    }

    /// Removes the entry `id`; whether it was there.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.id != id);
        self.idf = Idf::new(self.entries.iter().map(|e| &e.words));
        self.entries.len() != before
    }

    /// Scores every FAQ entry and built-in intent against the message `text` whose
    /// embedding is `message`.
    pub fn scores(&self, text: &str, message: &Embedding) -> Scores {
        let (c, a, k) = (
            self.config.centroid_weight,
            self.config.answer_weight,
            self.config.keyword_weight,
        );
        let words = keywords::words(text);
        let mut faq: Vec<FaqScore> = self
            .entries
            .iter()
            .map(|e| {
                let nearest = e
                    .examples
                    .iter()
                    .fold(-1.0f32, |m, x| m.max(dot(x, message)));
                let centroid = dot(&e.centroid, message);
                let answer = dot(&e.answer_vector, message);
                let keywords = self.idf.overlap(&words, &e.words);
                FaqScore {
                    faq_id: e.id,
                    score: (nearest + c * centroid + a * answer) / (1.0 + c + a) + k * keywords,
                    nearest,
                    centroid,
                    answer,
                    keywords,
                }
            })
            .collect();
        faq.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut best: HashMap<Intent, f32> = HashMap::new();
        for (intent, e) in &self.intents {
            let s = dot(e, message);
            let slot = best.entry(*intent).or_insert(-1.0);
            *slot = slot.max(s);
        }
        let mut intents: Vec<(Intent, f32)> = best.into_iter().collect();
        intents.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Scores { faq, intents }
    }

    /// What to do with the message `text` whose embedding is `message`.
    pub fn decide(&self, text: &str, message: &Embedding) -> Decision {
        self.decide_scores(text, &self.scores(text, message))
    }

    /// [`Matcher::decide`] from precomputed scores (the evaluation sweeps thresholds
    /// over the same scores).
    pub fn decide_scores(&self, text: &str, scores: &Scores) -> Decision {
        self.decide_with_reason(text, scores).0
    }

    /// [`Matcher::decide_scores`] with the rule that decided and its figures.
    pub fn decide_with_reason(&self, text: &str, scores: &Scores) -> (Decision, Reason) {
        let c = &self.config;
        let lang = Lang::detect(text);
        if let Some(intent) = person_rules::handoff_intent(text) {
            return (intent_decision(intent, lang), Reason::HandoffPhrase);
        }
        if let Some(intent) = small_talk_words::intent(text) {
            return (intent_decision(intent, lang), Reason::SmallTalkWord);
        }
        let faq_nearest = scores.faq_nearest();
        let small_talk = scores.intents.iter().find(|(i, _)| i.is_small_talk());
        if let Some(&(intent, score)) = small_talk
            && score >= c.small_talk_threshold
            && score >= faq_nearest + c.small_talk_margin
        {
            let reason = Reason::SmallTalk {
                score,
                threshold: c.small_talk_threshold,
                faq_nearest,
            };
            return (intent_decision(intent, lang), reason);
        }
        let Some(best) = scores.faq.first() else {
            let reason = Reason::NoEntries;
            return (
                Decision::Handoff {
                    reason: HandoffReason::LowConfidence,
                },
                reason,
            );
        };
        let runner_up = scores.faq.get(1).map_or(-1.0, |f| f.score);
        let margin = if self.entry_lang(best.faq_id) == Some(lang) {
            c.answer_margin
        } else {
            c.cross_language_margin
        };
        if best.score >= c.answer_threshold && best.score - runner_up >= margin {
            let reason = Reason::Answer {
                score: best.score,
                threshold: c.answer_threshold,
                lead: best.score - runner_up,
                margin,
            };
            let decision = Decision::Answer {
                faq_id: best.faq_id,
                answer: self.answer(best.faq_id).to_owned(),
                score: best.score,
            };
            return (decision, reason);
        }
        let candidates: Vec<Candidate> = scores
            .faq
            .iter()
            .take_while(|f| f.score >= c.suggest_threshold)
            .take(c.max_suggestions)
            .map(|f| Candidate {
                faq_id: f.faq_id,
                answer: self.answer(f.faq_id).to_owned(),
                question: String::new(),
                score: f.score,
            })
            .collect();
        if candidates.is_empty() {
            let reason = Reason::BelowSuggest {
                score: best.score,
                threshold: c.suggest_threshold,
            };
            return (
                Decision::Handoff {
                    reason: HandoffReason::LowConfidence,
                },
                reason,
            );
        }
        let reason = if best.score < c.answer_threshold {
            Reason::BelowAnswer {
                score: best.score,
                threshold: c.answer_threshold,
            }
        } else {
            Reason::CloseCall {
                score: best.score,
                lead: best.score - runner_up,
                margin,
            }
        };
        (Decision::Suggest { candidates }, reason)
    }

    /// The language entry `id`'s answer is written in.
    fn entry_lang(&self, id: u64) -> Option<Lang> {
        self.entries.iter().find(|e| e.id == id).map(|e| e.lang)
    }

    /// The answer of entry `id` (empty if there is none).
    fn answer(&self, id: u64) -> &str {
        self.entries
            .iter()
            .find(|e| e.id == id)
            .map_or("", |e| e.answer.as_str())
    }
}

/// The decision a recognised built-in intent leads to.
fn intent_decision(intent: Intent, lang: Lang) -> Decision {
    match intent {
        Intent::HumanRequest => Decision::Handoff {
            reason: HandoffReason::HumanRequested,
        },
        Intent::Frustration => Decision::Handoff {
            reason: HandoffReason::Frustrated,
        },
        _ => Decision::SmallTalk {
            intent,
            reply: intent.reply(lang).unwrap_or_default().to_owned(),
            lang,
        },
    }
}
