//! Who answers what: the built-in bot when it is confident, the responder otherwise
//! (with the FAQ and the conversation in its request), the signed form, the responder's
//! own hand-off after which it is never asked again, and the limits.

use deskbell::protocol::{AuthorKind, ConversationEvent, HandoffReason};
use serde_json::json;

use super::{GIFT_ANSWER, GIFT_CARDS, Shop, bot_says, bot_silent_for, bot_typing};
use crate::bot::HOURS_ANSWER;
use crate::harness::{ModelServer, Reply};

#[test]
fn a_confident_question_stays_with_the_bot_and_an_unknown_one_goes_to_the_model() {
    let shop = Shop::open();
    let model = ModelServer::start(Reply::Answer(GIFT_ANSWER.into()));
    shop.openai(&model, json!({}));

    let (mut visitor, conversation) = shop.visitor_asks("when are you open on saturday?");
    let built_in = visitor.message(HOURS_ANSWER);
    assert!(matches!(
        built_in.event,
        Some(ConversationEvent::BotAnswer { .. })
    ));
    visitor.say(Some(conversation), "q2", GIFT_CARDS);
    visitor.ack("q2");
    bot_typing(&mut visitor);
    let answer = bot_says(&mut visitor);
    assert_eq!(answer.body, GIFT_ANSWER);
    assert_eq!(answer.author.kind, AuthorKind::Bot, "posted as the bot");
    assert_eq!(answer.event, None);

    let calls = model.calls();
    assert_eq!(calls.len(), 1, "the confident question never reached it");
    let call = &calls[0];
    assert_eq!(call.path, "/v1/chat/completions");
    assert_eq!(call.headers["authorization"], "Bearer sk-test-key");
    assert_eq!(call.body["model"], "test-model");
    let messages = call.body["messages"].as_array().expect("messages");
    let system = messages[0]["content"].as_str().expect("a system message");
    assert_eq!(messages[0]["role"], "system");
    assert!(
        system.contains(HOURS_ANSWER),
        "the FAQ as context: {system}"
    );
    assert!(system.contains("What is your return policy?"), "{system}");
    let turns: Vec<(&str, &str)> = messages[1..]
        .iter()
        .map(|m| {
            let text = |k: &str| m[k].as_str().unwrap_or_default();
            (text("role"), text("content"))
        })
        .collect();
    assert_eq!(
        turns,
        [
            ("user", "when are you open on saturday?"),
            ("assistant", HOURS_ANSWER),
            ("user", GIFT_CARDS),
        ],
        "the conversation so far"
    );
    assert_eq!(shop.calls("answered"), 1);
    let metrics = shop
        .server
        .server
        .as_ref()
        .expect("running")
        .metrics()
        .render();
    assert!(
        metrics.contains("deskbell_responder_calls_total{outcome=\"answered\"} 1\n"),
        "{metrics}"
    );
}

#[test]
fn the_signed_call_verifies_and_its_handoff_ends_the_responder_there() {
    let mut shop = Shop::open();
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let model = ModelServer::start(Reply::Json(json!({"answer": GIFT_ANSWER})));
    model.set_secret(secret);
    shop.configure(&json!({
        "mode": "when_unsure",
        "kind": "signed",
        "url": format!("http://{}/ask", model.addr),
        "key": secret,
        "timeout_ms": 8000,
        "per_conversation": 10,
        "per_day": 500,
        "allow_private": true,
    }));

    let (mut visitor, conversation) = shop.visitor_asks(GIFT_CARDS);
    assert_eq!(bot_says(&mut visitor).body, GIFT_ANSWER);
    let call = &model.calls()[0];
    assert!(call.verified, "signed with the secret: {call:?}");
    assert_eq!(call.path, "/ask");
    assert_eq!(call.headers["webhook-id"], format!("ask_{conversation}_1"));
    assert_eq!(call.body["type"], "responder.ask");
    assert_eq!(call.body["conversation"], conversation);
    assert_eq!(call.body["query"], GIFT_CARDS);
    assert_eq!(call.body["language"], "en");
    assert_eq!(call.body["history"][0]["role"], "visitor");

    model.reply(Reply::Json(json!({"handoff": "needs an order lookup"})));
    visitor.say(Some(conversation), "q2", "Where is my parcel number 1234?");
    visitor.ack("q2");
    let reason = shop.handed_to_alice(&mut visitor, conversation);
    assert_eq!(reason, HandoffReason::LowConfidence);

    // With a person involved, the responder is never asked again here.
    model.reply(Reply::Json(json!({"answer": "should never be sent"})));
    visitor.say(Some(conversation), "q3", "And do you sell vouchers?");
    visitor.ack("q3");
    bot_silent_for(&mut visitor, 700);
    assert_eq!(model.calls().len(), 2, "asked twice in all");
    assert_eq!(shop.calls("answered"), 1);
    assert_eq!(shop.calls("handoff"), 1);
}

#[test]
fn over_a_limit_the_conversation_goes_to_the_agents() {
    let mut shop = Shop::open();
    let model = ModelServer::start(Reply::Answer(GIFT_ANSWER.into()));
    shop.openai(&model, json!({"per_conversation": 1}));

    let (mut visitor, conversation) = shop.visitor_asks(GIFT_CARDS);
    assert_eq!(bot_says(&mut visitor).body, GIFT_ANSWER);
    visitor.say(Some(conversation), "q2", "Can I pay for them with PayPal?");
    visitor.ack("q2");
    let reason = shop.handed_to_alice(&mut visitor, conversation);
    assert_eq!(reason, HandoffReason::BotUnavailable);
    assert_eq!(model.calls().len(), 1, "the second question was not sent");
    assert_eq!(shop.calls("limited"), 1);

    // The day's limit counts every conversation: 1 call made, 2 allowed.
    shop.openai(&model, json!({"per_day": 2}));
    let (mut second, _) = shop.visitor_asks(GIFT_CARDS);
    assert_eq!(bot_says(&mut second).body, GIFT_ANSWER);
    let (mut third, conversation) = shop.visitor_asks(GIFT_CARDS);
    let reason = shop.handed_to_alice(&mut third, conversation);
    assert_eq!(reason, HandoffReason::BotUnavailable);
    assert_eq!(model.calls().len(), 2);
    assert_eq!(shop.calls("limited"), 2);
    assert_eq!(shop.calls("answered"), 2);
}
