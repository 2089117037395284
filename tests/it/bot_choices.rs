//! The bot's "Did you mean…?" choices end to end: a visitor whose question the bot is not
//! sure of gets the likely FAQ questions, a tap (the question sent as a message) gets the
//! entry's answer from the bot, and once an agent writes the offer is over.

use std::time::Duration;

use deskbell::config::BotSettings;
use deskbell::protocol::*;

use crate::bot::{HOURS_ANSWER, handed_off, messages_until, save_faq};
use crate::harness::{Client, TestServer};

/// The choices the bot offered in `seen`.
fn offered(seen: &[Message]) -> Vec<Choice> {
    seen.iter()
        .find_map(|m| match &m.event {
            Some(ConversationEvent::Choices { choices }) if m.author.kind == AuthorKind::Bot => {
                Some(choices.clone())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// A server whose bot never answers by itself (the answer threshold is out of reach):
/// every known question gets choices.
fn unsure_bot() -> TestServer {
    TestServer::start_with(|c| {
        let mut bot = BotSettings::default();
        bot.thresholds.answer_threshold = 0.99;
        c.bot = Some(bot);
    })
}

#[test]
fn a_tapped_choice_gets_its_answer_until_an_agent_writes() {
    let server = unsure_bot();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (hours, _) = save_faq(&server, &admin);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);

    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, None);
    visitor.say(None, "v1", "when are you open on saturday?");
    let (conversation, _) = visitor.ack("v1");
    let seen = messages_until(&mut visitor, |m| handed_off(m).is_some());
    let choices = offered(&seen);
    assert_eq!(choices.first().map(|c| c.faq_id), Some(hours), "{seen:?}");
    let question = choices[0].question.clone();
    assert!(question.ends_with('?'), "an example question: {question:?}");
    agent.assigned(conversation, alice_id);

    // The tap: the question as an ordinary message, answered by the bot with that entry
    // although the conversation is with Alice now.
    visitor.say(Some(conversation), "v2", &question);
    visitor.ack("v2");
    let answer = visitor.message(HOURS_ANSWER);
    assert_eq!(answer.author.kind, AuthorKind::Bot);
    assert_eq!(
        answer.event,
        Some(ConversationEvent::BotAnswer { faq_id: hours })
    );
    // A retried tap (same client id) is a duplicate: stored once, answered once.
    visitor.say(Some(conversation), "v2", &question);
    let (_, _) = visitor.ack("v2");

    // Alice writes: the offer is over, the same text now goes to her unanswered.
    agent.say(Some(conversation), "a1", "Hi, Alice here.");
    agent.ack("a1");
    visitor.message("Hi, Alice here.");
    visitor.say(Some(conversation), "v3", &question);
    visitor.ack("v3");
    std::thread::sleep(Duration::from_millis(600));
    let replay = visitor.sync(conversation, 0);
    let answers = replay
        .iter()
        .filter(|m| m.author.kind == AuthorKind::Bot && m.body == HOURS_ANSWER)
        .count();
    assert_eq!(answers, 1, "{replay:?}");
}

#[test]
fn text_that_is_not_an_offered_question_is_not_answered() {
    let server = unsure_bot();
    let admin = server.admin();
    save_faq(&server, &admin);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "when are you open on saturday?");
    let (conversation, _) = visitor.ack("v1");
    let seen = messages_until(&mut visitor, |m| handed_off(m).is_some());
    let choices = offered(&seen);
    assert!(!choices.is_empty(), "{seen:?}");
    // An entry's question that was not offered, and an offered one with other words.
    visitor.say(Some(conversation), "v2", "How do I get a refund?");
    visitor.ack("v2");
    visitor.say(
        Some(conversation),
        "v3",
        &format!("{} please", choices[0].question),
    );
    visitor.ack("v3");
    std::thread::sleep(Duration::from_millis(600));
    let replay = visitor.sync(conversation, 0);
    let answers: Vec<&Message> = replay
        .iter()
        .filter(|m| matches!(m.event, Some(ConversationEvent::BotAnswer { .. })))
        .collect();
    assert!(answers.is_empty(), "{answers:?}");
}
