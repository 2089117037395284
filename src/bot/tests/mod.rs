//! Bot tests. Here: the decision rules and the `Bot` handle over a fake bag-of-words
//! embedder (fast, exact); `real` runs the same situations through the real model.

mod real;

use std::sync::mpsc;

use super::*;
use crate::intent::embedder::normalize;
use crate::intent::{DIM, Embed, Embedding, IntentError, WorkerConfig};

/// Embeds a text as its bag of words hashed into [`DIM`] buckets: the cosine of two
/// texts is their word overlap, which makes the expected decisions obvious.
struct Words;

impl Embed for Words {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Embedding>, IntentError> {
        Ok(texts.iter().map(|t| words(t)).collect())
    }
}

fn words(text: &str) -> Embedding {
    let mut v = [0.0; DIM];
    let lower = text.to_lowercase();
    for word in lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let hash = word.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        v[(hash % DIM as u64) as usize] += 1.0;
    }
    normalize(&mut v);
    v
}

fn entry(id: u64, questions: &[&str], answer: &str) -> FaqEntry {
    FaqEntry {
        id,
        questions: questions.iter().map(|q| (*q).to_owned()).collect(),
        answer: answer.to_owned(),
    }
}

fn shop() -> Vec<FaqEntry> {
    vec![
        entry(
            1,
            &["what are your opening hours", "when is the shop open"],
            "Tue–Sat 10–18.",
        ),
        entry(
            2,
            &["how much is shipping", "what does delivery cost"],
            "€4.90, free over €60.",
        ),
        entry(
            3,
            &["how do I return an item", "what is your return policy"],
            "Within 30 days.",
        ),
    ]
}

/// A matcher over the fake embedder with the shop's FAQ.
fn matcher(config: BotConfig) -> Matcher {
    let examples = Matcher::intent_examples();
    let intents = examples.iter().map(|(i, t)| (*i, words(t))).collect();
    let mut m = Matcher::new(config, intents);
    for e in shop() {
        let v = e.prototypes().iter().map(|q| words(q)).collect();
        m.upsert(&e, v).expect("one embedding per prototype");
    }
    m
}

fn decide(m: &Matcher, text: &str) -> Decision {
    m.decide(text, &words(text))
}

#[test]
fn a_close_faq_question_is_answered() {
    let m = matcher(BotConfig::default());
    let d = decide(&m, "What are your opening hours?");
    let Decision::Answer {
        faq_id,
        answer,
        score,
    } = d
    else {
        panic!("expected an answer, got {d:?}");
    };
    assert_eq!((faq_id, answer.as_str()), (1, "Tue–Sat 10–18."));
    // Its nearest example is identical; the centroid and the answer weigh in too.
    assert!(score > 0.75, "{score}");
}

#[test]
fn a_request_for_a_person_hands_off_even_when_it_names_a_topic() {
    let m = matcher(BotConfig::default());
    for text in [
        "I want to talk to a human",
        "can I talk to a human about shipping",
    ] {
        let d = decide(&m, text);
        let want = Decision::Handoff {
            reason: HandoffReason::HumanRequested,
        };
        assert_eq!(d, want, "{text}");
    }
}

#[test]
fn frustration_hands_off() {
    let m = matcher(BotConfig::default());
    let d = decide(&m, "this is ridiculous!");
    let want = Decision::Handoff {
        reason: HandoffReason::Frustrated,
    };
    assert_eq!(d, want);
}

#[test]
fn below_the_suggest_threshold_nothing_is_answered_or_suggested() {
    let m = matcher(BotConfig::default());
    for text in ["quantum chromodynamics lecture notes", "", "🙂"] {
        let d = decide(&m, text);
        let want = Decision::Handoff {
            reason: HandoffReason::LowConfidence,
        };
        assert_eq!(d, want, "{text:?}");
    }
}

#[test]
fn a_medium_match_is_suggested_not_answered() {
    let config = BotConfig {
        answer_threshold: 0.9,
        suggest_threshold: 0.15,
        ..BotConfig::default()
    };
    let m = matcher(config);
    // Shares "return" and "policy" with entry 3, but not much else.
    let d = decide(&m, "return policy for gifts bought abroad last winter");
    let Decision::Suggest { candidates } = d else {
        panic!("expected a suggestion, got {d:?}");
    };
    assert_eq!(candidates[0].faq_id, 3);
    assert_eq!(candidates[0].answer, "Within 30 days.");
    assert!(candidates.len() <= config.max_suggestions);
}

#[test]
fn a_close_runner_up_turns_an_answer_into_a_suggestion() {
    let strict = BotConfig {
        answer_threshold: 0.3,
        suggest_threshold: 0.2,
        answer_margin: 0.5,
        ..BotConfig::default()
    };
    let m = matcher(strict);
    let d = decide(&m, "shipping cost and opening hours");
    assert!(
        matches!(d, Decision::Suggest { ref candidates } if candidates.len() >= 2),
        "{d:?}"
    );
}

#[test]
fn small_talk_is_answered_in_the_visitors_language() {
    let m = matcher(BotConfig::default());
    let d = decide(&m, "hello");
    assert!(
        matches!(
            d,
            Decision::SmallTalk {
                intent: Intent::Greeting,
                lang: Lang::En,
                ..
            }
        ),
        "{d:?}"
    );
    let d = decide(&m, "你好");
    let Decision::SmallTalk {
        intent,
        reply,
        lang,
    } = d
    else {
        panic!("expected small talk, got {d:?}");
    };
    assert_eq!((intent, lang), (Intent::Greeting, Lang::Zh));
    assert!(reply.starts_with("您好"), "{reply}");
    assert!(matches!(
        decide(&m, "thank you"),
        Decision::SmallTalk {
            intent: Intent::Thanks,
            ..
        }
    ));
}

#[test]
fn entries_can_be_replaced_and_removed_and_must_match_their_questions() {
    let mut m = matcher(BotConfig::default());
    assert_eq!(m.len(), 3);
    let new = entry(1, &["do you sell gift cards"], "Yes, from €10.");
    m.upsert(
        &new,
        vec![words("do you sell gift cards"), words("Yes, from €10.")],
    )
    .expect("replaces");
    assert_eq!(m.len(), 3);
    let d = decide(&m, "do you sell gift cards?");
    assert!(
        matches!(d, Decision::Answer { faq_id: 1, ref answer, .. } if answer == "Yes, from €10.")
    );
    assert!(m.remove(1));
    assert!(!m.remove(1));
    assert_eq!(m.len(), 2);
    let mismatch = m.upsert(&new, Vec::new());
    assert!(matches!(
        mismatch,
        Err(BotError::EmbeddingCount {
            faq_id: 1,
            questions: 2,
            embeddings: 0
        })
    ));
}

#[test]
fn the_bot_handle_decides_on_the_worker_and_takes_stored_embeddings() {
    let (bot, thread) = Bot::with_embedder(
        Words,
        "fake-model",
        BotConfig::default(),
        WorkerConfig::default(),
    )
    .expect("starts");
    for (revision, e) in (1..).zip(shop()) {
        let stored = smol::block_on(bot.embed_entry(&e)).expect("embeds");
        assert!(bot.is_current(&e, &stored));
        let saved = SavedFaq {
            entry: e,
            answers: Default::default(),
            revision,
        };
        assert_eq!(bot.upsert_faq(&saved, &stored), Ok(true));
    }
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::current().id();
    let reply: DecisionReply = Box::new(move |d| {
        tx.send((d, std::thread::current().id()))
            .expect("test listens");
    });
    bot.decide(
        "how much is shipping?".into(),
        None,
        Box::new(|| true),
        reply,
    )
    .expect("queued");
    let (decision, thread_id) = rx.recv().expect("a decision");
    assert_ne!(thread_id, worker, "decided on the worker thread");
    assert!(
        matches!(decision, Ok(Decision::Answer { faq_id: 2, .. })),
        "{decision:?}"
    );

    // A decision nobody waits for any more is not made.
    let (tx, unwanted) = mpsc::channel();
    let reply: DecisionReply = Box::new(move |d| tx.send(d).expect("test listens"));
    bot.decide(
        "how much is shipping?".into(),
        None,
        Box::new(|| false),
        reply,
    )
    .expect("queued");
    assert_eq!(
        unwanted.recv_timeout(std::time::Duration::from_secs(30)),
        Err(mpsc::RecvTimeoutError::Disconnected),
        "the reply is dropped uncalled"
    );

    let explained = smol::block_on(bot.explain("return policy".into(), None)).expect("explains");
    assert_eq!(explained.scores.faq[0].faq_id, 3);
    assert_eq!(explained.scores.intents.len(), Intent::ALL.len());

    let stale = FaqEmbeddings {
        model_id: "another-model".into(),
        ..smol::block_on(bot.embed_entry(&shop()[0])).expect("embeds")
    };
    let first = SavedFaq {
        entry: shop()[0].clone(),
        answers: Default::default(),
        revision: 9,
    };
    let refused = bot.upsert_faq(&first, &stale);
    assert_eq!(refused, Err(BotError::StaleEmbeddings { faq_id: 1 }));

    assert!(bot.remove_faq(2, 10));
    let d =
        smol::block_on(bot.decide_async("how much is shipping?".into(), None)).expect("decides");
    assert!(!matches!(d, Decision::Answer { faq_id: 2, .. }), "{d:?}");

    bot.close();
    let closed = bot.decide("hello".into(), None, Box::new(|| true), Box::new(|_| {}));
    assert_eq!(closed, Err(BotError::Intent(IntentError::Closed)));
    thread.join().expect("worker exits");
}

#[test]
fn a_message_in_another_language_than_the_entry_has_its_own_margin() {
    // "shipping 运费" is Chinese to `Lang::detect` (two Han characters, one Latin word);
    // the shop's entries are in English.
    let text = "shipping 运费";
    let lenient = BotConfig {
        answer_threshold: 0.1,
        suggest_threshold: 0.05,
        answer_margin: 0.9,
        cross_language_margin: 0.0,
        ..BotConfig::default()
    };
    let d = decide(&matcher(lenient), text);
    assert!(matches!(d, Decision::Answer { faq_id: 2, .. }), "{d:?}");
    let strict = BotConfig {
        answer_margin: 0.0,
        cross_language_margin: 0.9,
        ..lenient
    };
    let d = decide(&matcher(strict), text);
    assert!(matches!(d, Decision::Suggest { .. }), "{d:?}");
}
