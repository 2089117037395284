//! Tests of the responder's wire: request bodies and the verdict rules.

use super::*;

fn asked() -> Asked {
    Asked {
        conversation: 4,
        seq: 3,
        visitor: 9,
        site: "default".into(),
        query: "Do you sell gift cards?".into(),
        language: "en".into(),
        history: vec![
            Turn {
                role: "visitor",
                text: "Hello".into(),
            },
            Turn {
                role: "bot",
                text: "Hi! How can I help?".into(),
            },
            Turn {
                role: "visitor",
                text: "Do you sell gift cards?".into(),
            },
        ],
        faq: vec![FaqContext {
            questions: vec!["When are you open?".into(), "Opening hours?".into()],
            answer: "10:00-18:00".into(),
        }],
    }
}

#[test]
fn a_chat_completion_carries_the_faq_and_the_conversation() {
    let body = openai_body(&asked(), "llama3");
    assert_eq!(body["model"], "llama3");
    assert_eq!(body["stream"], false);
    let messages = body["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[0]["role"], "system");
    let system = messages[0]["content"].as_str().expect("text");
    assert!(system.contains("Q: When are you open? / Opening hours?\nA: 10:00-18:00"));
    assert!(system.contains(HANDOFF_WORD));
    let roles: Vec<&str> = messages[1..]
        .iter()
        .filter_map(|m| m["role"].as_str())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(messages[3]["content"], "Do you sell gift cards?");
}

#[test]
fn the_signed_body_names_the_conversation_and_the_question() {
    let body = signed_body(&asked());
    assert_eq!(body["type"], "responder.ask");
    assert_eq!(body["conversation"], 4);
    assert_eq!(body["seq"], 3);
    assert_eq!(body["query"], "Do you sell gift cards?");
    assert_eq!(body["language"], "en");
    assert_eq!(body["history"][1]["role"], "bot");
    assert!(body.get("faq").is_none());
}

fn completion(content: &str) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"choices": [{"message": {"role": "assistant", "content": content}}]}),
    )
    .expect("json")
}

#[test]
fn answers_that_do_not_answer_hand_off() {
    let answer = openai_verdict(&completion(" Yes, from 10 EUR. "), 100);
    assert_eq!(answer, Ok(Verdict::Answer("Yes, from 10 EUR.".into())));
    for text in [
        "",
        "  ",
        "HANDOFF",
        "HANDOFF.",
        "I don’t know.",
        "我不知道。",
    ] {
        let verdict = openai_verdict(&completion(text), 100);
        assert!(
            matches!(verdict, Ok(Verdict::Handoff(_))),
            "{text:?}: {verdict:?}"
        );
    }
    let long = "x".repeat(101);
    assert!(matches!(
        openai_verdict(&completion(&long), 100),
        Ok(Verdict::Handoff(_))
    ));
    for malformed in [&b"not json"[..], b"{}", b"{\"choices\": []}", b"[1]"] {
        assert!(openai_verdict(malformed, 100).is_err());
    }
}

#[test]
fn the_signed_reply_is_an_answer_or_a_handoff() {
    assert_eq!(
        signed_verdict(br#"{"answer": "Yes."}"#, 100),
        Ok(Verdict::Answer("Yes.".into()))
    );
    assert_eq!(
        signed_verdict(br#"{"handoff": "order question"}"#, 100),
        Ok(Verdict::Handoff("order question".into()))
    );
    assert!(matches!(
        signed_verdict(br#"{"answer": ""}"#, 100),
        Ok(Verdict::Handoff(_))
    ));
    assert!(signed_verdict(br#"{"other": 1}"#, 100).is_err());
    assert!(signed_verdict(b"<html>", 100).is_err());
}
