//! [`Index`]: the bot's FAQ index as one owned part. The [`Matcher`] scores entries; next to
//! it each entry's example questions, its answers in other languages and the revision it
//! was saved at. They are changed together, only through [`Index::upsert`] and
//! [`Index::remove`].
//!
//! # Invariants (checked by the unit tests below)
//! 1. An entry's questions, embeddings and answers in the index are those of the highest
//!    revision of that id it was given: a lower or equal revision is ignored, so two
//!    saves whose index updates arrive out of order leave the later commit.
//! 2. A removal is a revision too: a save committed before the deletion but arriving
//!    after it is ignored, and a new entry that reuses the id (a higher revision) is not.
//! 3. Every answer text in a decision ([`Decision::Answer`], each [`Candidate`]) and a
//!    small-talk reply are in the visitor's language per [`Index::localize`]; each
//!    candidate's question is one of its entry's example questions, in the visitor's
//!    language when the owner wrote one.

use std::collections::{BTreeMap, HashMap};

use super::BotError;
use super::config::BotConfig;
use super::decision::{Candidate, Decision};
use super::faq::{SavedFaq, answer_in};
use super::lang::Lang;
use super::matcher::Matcher;
use crate::intent::Embedding;

/// The matcher with each entry's answers per language and revision.
#[derive(Debug, Clone)]
pub struct Index {
    /// Scores entries; holds their default answers.
    matcher: Matcher,
    /// Each entry's answers in other languages (absent: none).
    answers: HashMap<u64, BTreeMap<String, String>>,
    /// Each entry's example questions, as the owner wrote them.
    questions: HashMap<u64, Vec<String>>,
    /// The highest revision applied per id, by a save or a removal.
    revisions: HashMap<u64, u64>,
}

impl Index {
    /// An index with no entries.
    pub fn new(matcher: Matcher) -> Index {
        Index {
            matcher,
            answers: HashMap::new(),
            questions: HashMap::new(),
            revisions: HashMap::new(),
        }
    }

    /// The matcher (scores and decisions with the default answers).
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Changes the thresholds.
    pub fn set_config(&mut self, config: BotConfig) {
        self.matcher.set_config(config);
    }

    /// Adds or replaces `saved` with one embedding per question, unless the index already
    /// has that revision of the id or a later one; whether it was applied.
    pub fn upsert(&mut self, saved: &SavedFaq, examples: Vec<Embedding>) -> Result<bool, BotError> {
        let id = saved.entry.id;
        if self
            .revisions
            .get(&id)
            .is_some_and(|&r| r >= saved.revision)
        {
            return Ok(false);
        }
        self.matcher.upsert(&saved.entry, examples)?;
        self.revisions.insert(id, saved.revision);
        self.questions.insert(id, saved.entry.questions.clone());
        if saved.answers.is_empty() {
            self.answers.remove(&id);
        } else {
            self.answers.insert(id, saved.answers.clone());
        }
        Ok(true)
    }

    /// Removes entry `id`, deleted at `revision`, unless a later revision of the id is
    /// there; whether an entry was removed.
    pub fn remove(&mut self, id: u64, revision: u64) -> bool {
        if self.revisions.get(&id).is_some_and(|&r| r >= revision) {
            return false;
        }
        self.revisions.insert(id, revision);
        self.answers.remove(&id);
        self.questions.remove(&id);
        self.matcher.remove(id)
    }

    /// `decision` with every answer text in `language` (see [`answer_in`]) and a
    /// small-talk reply in the matching [`Lang`].
    pub fn localize(&self, decision: Decision, language: &str) -> Decision {
        let in_language = |faq_id: u64, default: String| -> String {
            match self.answers.get(&faq_id) {
                Some(answers) => answer_in(&default, answers, language).to_owned(),
                None => default,
            }
        };
        match decision {
            Decision::Answer {
                faq_id,
                answer,
                score,
            } => Decision::Answer {
                faq_id,
                answer: in_language(faq_id, answer),
                score,
            },
            Decision::Suggest { candidates } => Decision::Suggest {
                candidates: candidates
                    .into_iter()
                    .map(|c| Candidate {
                        answer: in_language(c.faq_id, c.answer),
                        question: self.question_in(c.faq_id, language).to_owned(),
                        ..c
                    })
                    .collect(),
            },
            Decision::SmallTalk { intent, reply, .. } => {
                let lang = Lang::from_code(language);
                Decision::SmallTalk {
                    intent,
                    reply: intent.reply(lang).map_or(reply, str::to_owned),
                    lang,
                }
            }
            Decision::Handoff { reason } => Decision::Handoff { reason },
        }
    }

    /// Entry `id`'s first example question in `language` (by [`Lang::detect`]), else its
    /// first question, else empty.
    fn question_in(&self, id: u64, language: &str) -> &str {
        let Some(questions) = self.questions.get(&id) else {
            return "";
        };
        let lang = Lang::from_code(language);
        questions
            .iter()
            .find(|q| Lang::detect(q) == lang)
            .or(questions.first())
            .map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::{FaqEntry, Intent};
    use crate::intent::DIM;

    /// A unit vector along axis `axis`.
    fn axis(axis: usize) -> Embedding {
        let mut e = [0.0; DIM];
        e[axis] = 1.0;
        e
    }

    /// One question on `axis`, the answer on an axis no message uses.
    fn prototypes(axis_of_question: usize) -> Vec<Embedding> {
        vec![axis(axis_of_question), axis(DIM - 1 - axis_of_question)]
    }

    fn saved(id: u64, question: &str, revision: u64) -> SavedFaq {
        SavedFaq {
            entry: FaqEntry {
                id,
                questions: vec![question.into()],
                answer: format!("answer to {question}"),
            },
            answers: BTreeMap::from([("zh".to_string(), format!("回答 {question}"))]),
            revision,
        }
    }

    fn index() -> Index {
        Index::new(Matcher::new(BotConfig::default(), Vec::new()))
    }

    /// The entry whose nearest example is closest to `message`, with its default answer.
    fn best(index: &Index, message: &Embedding) -> Option<(u64, String)> {
        let scores = index.matcher().scores("", message);
        let first = scores.faq.first()?;
        let d = index.matcher().decide_scores("", &scores);
        let answer = match d {
            Decision::Answer { answer, .. } => answer,
            Decision::Suggest { candidates } => candidates[0].answer.clone(),
            _ => String::new(),
        };
        (first.nearest > 0.99).then_some((first.faq_id, answer))
    }

    #[test]
    fn a_lower_revision_never_replaces_a_higher_one() {
        let mut index = index();
        assert_eq!(index.upsert(&saved(1, "old", 1), prototypes(0)), Ok(true));
        // The edit (revision 3) arrives before an earlier save (revision 2).
        assert_eq!(index.upsert(&saved(1, "new", 3), prototypes(1)), Ok(true));
        assert_eq!(
            index.upsert(&saved(1, "older", 2), prototypes(0)),
            Ok(false)
        );
        assert_eq!(index.upsert(&saved(1, "same", 3), prototypes(0)), Ok(false));
        assert_eq!(
            best(&index, &axis(0)),
            None,
            "the old embedding never answers"
        );
        assert_eq!(
            best(&index, &axis(1)).map(|(_, a)| a),
            Some("answer to new".to_string())
        );
        assert_eq!(index.matcher().len(), 1);
    }

    #[test]
    fn a_deletion_wins_over_an_earlier_save_arriving_late_but_not_over_a_new_entry() {
        let mut index = index();
        assert_eq!(index.upsert(&saved(1, "a", 1), prototypes(0)), Ok(true));
        // Saved at revision 2, deleted at 3; the save's update arrives after the removal.
        assert!(index.remove(1, 3));
        assert_eq!(index.upsert(&saved(1, "b", 2), prototypes(1)), Ok(false));
        assert!(index.matcher().is_empty());
        // A new entry with the same id (revision 5), then a stale removal (revision 4).
        assert_eq!(index.upsert(&saved(1, "c", 5), prototypes(2)), Ok(true));
        assert!(!index.remove(1, 4));
        assert_eq!(best(&index, &axis(2)).map(|(id, _)| id), Some(1));
    }

    #[test]
    fn choices_offer_a_question_in_the_visitors_language() {
        let mut index = index();
        let mut both = saved(1, "When are you open?", 1);
        both.entry.questions.push("几点开门？".into());
        index
            .upsert(&both, vec![axis(0), axis(1), axis(2)])
            .expect("ok");
        let suggest = Decision::Suggest {
            candidates: vec![Candidate {
                faq_id: 1,
                answer: String::new(),
                question: String::new(),
                score: 0.4,
            }],
        };
        let question = |index: &Index, language| match index.localize(suggest.clone(), language) {
            Decision::Suggest { candidates } => candidates[0].question.clone(),
            other => panic!("still a suggestion: {other:?}"),
        };
        assert_eq!(question(&index, "zh-CN"), "几点开门？");
        assert_eq!(question(&index, "en"), "When are you open?");
        assert_eq!(
            question(&index, "de"),
            "When are you open?",
            "no German: English"
        );
        index.remove(1, 2);
        assert_eq!(question(&index, "zh"), "", "a removed entry offers nothing");
    }

    #[test]
    fn decisions_are_localized_to_the_visitors_language() {
        let mut index = index();
        index.upsert(&saved(1, "a", 1), prototypes(0)).expect("ok");
        let mut plain = saved(2, "b", 2);
        plain.answers.clear();
        index.upsert(&plain, prototypes(1)).expect("ok");
        let answer = |faq_id, answer: &str| Decision::Answer {
            faq_id,
            answer: answer.into(),
            score: 0.9,
        };
        let zh = index.localize(answer(1, "answer to a"), "zh");
        assert_eq!(zh, answer(1, "回答 a"));
        let en = index.localize(answer(1, "answer to a"), "en");
        assert_eq!(en, answer(1, "answer to a"));
        let default = index.localize(answer(2, "answer to b"), "zh");
        assert_eq!(
            default,
            answer(2, "answer to b"),
            "no Chinese answer: the default"
        );
        let suggest = Decision::Suggest {
            candidates: vec![Candidate {
                faq_id: 1,
                answer: "answer to a".into(),
                question: String::new(),
                score: 0.4,
            }],
        };
        let Decision::Suggest { candidates } = index.localize(suggest, "zh") else {
            panic!("still a suggestion");
        };
        assert_eq!(
            candidates[0].answer, "回答 a",
            "agents get the visitor's language"
        );
        assert_eq!(
            candidates[0].question, "a",
            "the only question: whatever its language"
        );
        let hello = Decision::SmallTalk {
            intent: Intent::Greeting,
            reply: Intent::Greeting.reply(Lang::En).unwrap_or_default().into(),
            lang: Lang::En,
        };
        let Decision::SmallTalk { reply, lang, .. } = index.localize(hello, "zh") else {
            panic!("still small talk");
        };
        assert_eq!(lang, Lang::Zh);
        assert_eq!(Some(reply.as_str()), Intent::Greeting.reply(Lang::Zh));
    }
}
