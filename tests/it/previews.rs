//! Inbox previews (issue #13): a conversation's preview is the visitor's latest message,
//! never the bot's answer to it nor an agent's reply, both live (the hub) and after a
//! restart (read back from the store).

use deskbell::config::BotSettings;
use deskbell::protocol::*;
use serde_json::json;

use crate::harness::{Client, TestServer, http};

const QUESTION: &str = "How long does delivery to Norway take?";
const ANSWER: &str = "We ship worldwide; delivery takes 2-5 working days.";

fn preview_in(welcome: &Welcome, conversation: u64) -> String {
    welcome
        .conversations
        .iter()
        .find(|c| c.id == conversation)
        .map(|c| c.preview.clone())
        .expect("the conversation is listed")
}

#[test]
fn the_preview_is_the_visitors_question_not_the_bots_answer_or_the_agents_reply() {
    let mut server = TestServer::start_with(|c| c.bot = Some(BotSettings::default()));
    let admin = server.admin();
    let (status, saved) = http(
        server.addr,
        "POST",
        "/api/faq",
        Some(&admin),
        &json!({"questions": ["Do you ship abroad?", "How long does delivery take?"], "answer": ANSWER}),
    );
    assert_eq!(status, 201, "{saved}");
    let (alice_id, alice) = server.agent(&admin, "Alice", None);

    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, None);
    visitor.say(None, "v1", QUESTION);
    let (conversation, _) = visitor.ack("v1");
    assert_eq!(visitor.message(ANSWER).author.kind, AuthorKind::Bot);
    let (mut agent, welcome) = Client::agent(server.addr, Encoding::Json, &alice);
    assert_eq!(
        preview_in(&welcome, conversation),
        QUESTION,
        "live, after the bot"
    );

    // The agent takes it and answers: the row still quotes the visitor.
    agent.send(&ClientFrame::Claim(ConversationRef { conversation }));
    agent.assigned(conversation, alice_id);
    agent.sync(conversation, 0);
    agent.say(Some(conversation), "a1", "Three days to Oslo.");
    agent.ack("a1");
    visitor.message("Three days to Oslo.");
    let (_, welcome) = Client::agent(server.addr, Encoding::Json, &alice);
    assert_eq!(
        preview_in(&welcome, conversation),
        QUESTION,
        "live, after the agent"
    );

    // The visitor's next words become the preview.
    visitor.say(Some(conversation), "v2", "Great, thanks!");
    visitor.ack("v2");
    let (_, welcome) = Client::agent(server.addr, Encoding::Json, &alice);
    assert_eq!(preview_in(&welcome, conversation), "Great, thanks!");
    agent.say(Some(conversation), "a2", "You are welcome.");
    agent.ack("a2");

    drop((agent, visitor));
    server.restart();
    let (_, welcome) = Client::agent(server.addr, Encoding::Json, &alice);
    assert_eq!(
        preview_in(&welcome, conversation),
        "Great, thanks!",
        "read back from the store"
    );
}
