//! Every way a responder can fail hands the conversation to the agents by the bot's
//! own hand-off (system message, an agent assigned and told), and a slow call holds up
//! nobody else: the hub never waits for it.

use deskbell::protocol::HandoffReason;
use serde_json::json;

use super::{
    GIFT_ANSWER, GIFT_CARDS, Shop, bot_says, bot_silent_for, bot_typing, talk_to_a_person,
};
use crate::bot::{HOURS_ANSWER, handed_off, messages_until};
use crate::harness::{ModelServer, Reply};

#[test]
fn timeouts_errors_and_bad_answers_hand_off_cleanly() {
    let mut shop = Shop::open();
    let model = ModelServer::start(Reply::Status(500));
    shop.openai(&model, json!({"timeout_ms": 1000}));
    let cases = [
        (Reply::Status(500), "error"),
        (Reply::Malformed, "error"),
        (Reply::Oversized, "error"),
        (Reply::Answer("x".repeat(9 * 1024)), "handoff"),
        (Reply::Answer("I don't know, sorry.".into()), "handoff"),
        (Reply::Hold("too late".into()), "timeout"),
        (Reply::Trickle, "timeout"),
    ];
    for (i, (reply, outcome)) in cases.into_iter().enumerate() {
        let what = format!("{reply:?}").chars().take(40).collect::<String>();
        model.reply(reply);
        let before = shop.calls(outcome);
        let (mut visitor, conversation) = shop.visitor_asks(GIFT_CARDS);
        let reason = shop.handed_to_alice(&mut visitor, conversation);
        let expected = if outcome == "handoff" {
            HandoffReason::LowConfidence
        } else {
            HandoffReason::BotUnavailable
        };
        assert_eq!(reason, expected, "{what}");
        assert_eq!(model.calls().len(), i + 1, "{what}");
        assert_eq!(
            shop.calls(outcome),
            before + 1,
            "{what}: counted as {outcome}"
        );
    }
    assert_eq!(shop.calls("answered"), 0);
}

#[test]
fn a_slow_call_holds_up_nobody_else() {
    let mut shop = Shop::open();
    let model = ModelServer::start(Reply::Hold(GIFT_ANSWER.into()));
    shop.openai(&model, json!({}));

    let (mut waiting, _) = shop.visitor_asks(GIFT_CARDS);
    bot_typing(&mut waiting);
    assert_eq!(model.wait_for(1).len(), 1, "the call is in flight");

    // Meanwhile the built-in bot answers, and a hand-off reaches the agent.
    let (mut other, conversation) = shop.visitor_asks("when are you open on saturday?");
    let answer = other.message(HOURS_ANSWER);
    talk_to_a_person(&mut other, conversation, answer.seq);
    let seen = messages_until(&mut other, |m| handed_off(m).is_some());
    assert_eq!(
        seen.last().and_then(handed_off),
        Some(HandoffReason::HumanRequested)
    );
    shop.agent.assigned(conversation, shop.alice);
    assert_eq!(model.calls().len(), 1, "a person request never reaches it");

    model.release();
    assert_eq!(bot_says(&mut waiting).body, GIFT_ANSWER);
}

#[test]
fn in_mode_always_a_failed_call_falls_back_to_the_built_in_answer() {
    let mut shop = Shop::open();
    let model = ModelServer::start(Reply::Answer(GIFT_ANSWER.into()));
    shop.openai(&model, json!({"mode": "always"}));
    // Always: even a question the FAQ answers goes to the model first.
    let (mut visitor, conversation) = shop.visitor_asks("when are you open on saturday?");
    assert_eq!(bot_says(&mut visitor).body, GIFT_ANSWER);

    model.reply(Reply::Status(500));
    visitor.say(
        Some(conversation),
        "q2",
        "and when are you open on saturday?",
    );
    visitor.ack("q2");
    let fallback = bot_says(&mut visitor);
    assert_eq!(fallback.body, HOURS_ANSWER, "the built-in bot's answer");
    assert!(matches!(
        fallback.event,
        Some(deskbell::protocol::ConversationEvent::BotAnswer { .. })
    ));
    visitor.say(Some(conversation), "q3", GIFT_CARDS);
    visitor.ack("q3");
    let reason = shop.handed_to_alice(&mut visitor, conversation);
    assert_eq!(
        reason,
        HandoffReason::BotUnavailable,
        "nothing to fall back on"
    );
    assert_eq!(model.calls().len(), 3);
    assert_eq!((shop.calls("answered"), shop.calls("error")), (1, 2));
}

#[test]
fn a_full_queue_hands_off_at_once_and_the_waiting_questions_are_answered() {
    let mut shop = Shop::open();
    let model = ModelServer::start(Reply::Hold(GIFT_ANSWER.into()));
    shop.openai(&model, json!({}));
    let waiting = deskbell::responder::worker::THREADS + deskbell::responder::worker::QUEUE;
    let mut visitors: Vec<_> = (0..waiting)
        .map(|_| {
            let (mut visitor, _) = shop.visitor_asks(GIFT_CARDS);
            bot_typing(&mut visitor);
            visitor
        })
        .collect();
    assert_eq!(
        model.wait_for(2).len(),
        2,
        "two calls in flight, the rest queued"
    );

    let (mut one_too_many, conversation) = shop.visitor_asks(GIFT_CARDS);
    let reason = shop.handed_to_alice(&mut one_too_many, conversation);
    assert_eq!(reason, HandoffReason::BotUnavailable);
    assert_eq!(shop.calls("error"), 1, "counted");

    model.release();
    for visitor in &mut visitors {
        assert_eq!(bot_says(visitor).body, GIFT_ANSWER);
    }
    assert_eq!(model.calls().len(), waiting);
    assert_eq!(shop.calls("answered"), waiting as u64);
}

#[test]
fn an_outcome_that_never_comes_hands_off_by_the_hubs_own_timer() {
    // Connections stay up while the test moves the clock past the call's time limit.
    let mut shop = Shop::open_with(|c| c.dead_after_ms = 10 * 60_000);
    let model = ModelServer::start(Reply::Hold(GIFT_ANSWER.into()));
    shop.openai(&model, json!({"timeout_ms": 60_000}));
    let (mut visitor, conversation) = shop.visitor_asks(GIFT_CARDS);
    bot_typing(&mut visitor);
    model.wait_for(1);
    // The worker still waits (real time); the hub gives up at the limit plus 2 s.
    shop.server.advance(61_000);
    bot_silent_for(&mut visitor, 300);
    shop.server.advance(1_100);
    let reason = shop.handed_to_alice(&mut visitor, conversation);
    assert_eq!(reason, HandoffReason::BotUnavailable);

    // The late answer is dropped: the bot never speaks after the hand-off.
    model.release();
    bot_silent_for(&mut visitor, 500);
    assert_eq!(shop.calls("answered"), 1, "counted, not posted");
}
