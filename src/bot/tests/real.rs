//! The bot with the real model on a small shop FAQ: the situations of the fake tests,
//! in the words a visitor would use.

use super::*;
use crate::intent::tests::embedder;

fn real_matcher() -> Matcher {
    let e = embedder();
    let examples = Matcher::intent_examples();
    let texts: Vec<&str> = examples.iter().map(|(_, t)| *t).collect();
    let vectors = e.embed(&texts).expect("embeds");
    let intents = examples.iter().map(|(i, _)| *i).zip(vectors).collect();
    let mut m = Matcher::new(BotConfig::default(), intents);
    let faq = [
        entry(
            1,
            &[
                "What are your opening hours?",
                "When is the shop open?",
                "Are you open on Sundays?",
            ],
            "Tue–Sat 10–18.",
        ),
        entry(
            2,
            &[
                "How much is shipping?",
                "Is delivery free?",
                "What are the shipping fees?",
            ],
            "€4.90, free over €60.",
        ),
        entry(
            3,
            &[
                "How do I return an item?",
                "What is your return policy?",
                "Can I send back something I bought?",
            ],
            "Within 30 days.",
        ),
    ];
    for f in &faq {
        let stored: Vec<Embedding> = e
            .embed(&f.prototypes())
            .expect("embeds")
            .iter()
            .map(|v| {
                QuantizedEmbedding::quantize(v)
                    .to_embedding()
                    .expect("valid")
            })
            .collect();
        m.upsert(f, stored).expect("indexed");
    }
    m
}

fn decide(m: &Matcher, text: &str) -> Decision {
    let v = embedder().embed(&[text]).expect("embeds");
    m.decide(text, &v[0])
}

#[test]
fn real_model_answers_paraphrases_and_hands_off() {
    let m = real_matcher();
    for (text, id) in [
        ("how much does postage cost", 2),
        ("r u open on saturday", 1),
        ("when do you open", 1),
        ("can i send these shoes back", 3),
    ] {
        let d = decide(&m, text);
        assert!(
            matches!(d, Decision::Answer { faq_id, .. } if faq_id == id),
            "{text}: {d:?}"
        );
    }
    // Close to shipping, not close enough to answer: suggested (tests/browser/bot.test.mjs).
    let d = decide(&m, "do you ship to norway");
    assert!(
        matches!(&d, Decision::Suggest { candidates } if candidates.iter().any(|c| c.faq_id == 2)),
        "{d:?}"
    );
    let human = Decision::Handoff {
        reason: HandoffReason::HumanRequested,
    };
    assert_eq!(decide(&m, "can I speak with somebody from the shop"), human);
    let frustrated = Decision::Handoff {
        reason: HandoffReason::Frustrated,
    };
    assert_eq!(
        decide(&m, "this is ridiculous, nobody helps me"),
        frustrated
    );
    let unsure = Decision::Handoff {
        reason: HandoffReason::LowConfidence,
    };
    assert_eq!(decide(&m, "what is the capital of australia"), unsure);
}

#[test]
fn real_model_answers_chinese_questions_from_an_english_faq() {
    let m = real_matcher();
    let d = decide(&m, "运费多少钱");
    assert!(
        matches!(
            d,
            Decision::Answer { faq_id: 2, .. } | Decision::Suggest { .. }
        ),
        "{d:?}"
    );
    assert_eq!(d.label(), DecisionLabel::Faq(2), "{d:?}");
}

#[test]
fn real_model_reads_mixed_messages_and_person_requests_in_chinese() {
    let m = real_matcher();
    // English and Chinese in one message: shipping is the first entry offered.
    for text in ["shipping 要多少钱", "退货 policy 是什么"] {
        let d = decide(&m, text);
        let want = if text.starts_with("shipping") { 2 } else { 3 };
        assert_eq!(d.label(), DecisionLabel::Faq(want), "{text}: {d:?}");
    }
    // A request for a person that also names a topic goes to a person.
    let d = decide(&m, "运费的问题，我要找人工");
    let human = Decision::Handoff {
        reason: HandoffReason::HumanRequested,
    };
    assert_eq!(d, human);
}

#[test]
fn real_model_greets_in_chinese() {
    let m = real_matcher();
    let d = decide(&m, "你好呀");
    assert!(
        matches!(
            d,
            Decision::SmallTalk {
                intent: Intent::Greeting,
                lang: Lang::Zh,
                ..
            }
        ),
        "{d:?}"
    );
}
