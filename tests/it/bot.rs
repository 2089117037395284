//! The FAQ bot end to end: a real server with the built-in model, FAQ entries saved
//! through the admin API, visitors and agents over the real WebSocket protocol.

use std::path::Path;
use std::time::Duration;

use deskbell::config::BotSettings;
use deskbell::protocol::*;
use deskbell::store::writer;
use deskbell::store::{NewMessage, WriteOp};
use serde_json::{Value, json};

use crate::harness::{Client, TestServer, http};

pub const HOURS_ANSWER: &str = "We're open Tuesday to Saturday, 10:00-18:30.";
const RETURNS_ANSWER: &str = "You can return anything within 30 days for a full refund.";

pub fn with_bot() -> TestServer {
    TestServer::start_with(|c| c.bot = Some(BotSettings::default()))
}

/// Saves the shop's FAQ; returns (hours id, returns id).
pub fn save_faq(server: &TestServer, admin: &str) -> (u64, u64) {
    let hours = save_entry(
        server,
        admin,
        &[
            "What are your opening hours?",
            "When is the shop open?",
            "Are you open on Sundays?",
            "What time do you close today?",
        ],
        HOURS_ANSWER,
    );
    let returns = save_entry(
        server,
        admin,
        &[
            "What is your return policy?",
            "Can I return an item?",
            "How do I get a refund?",
        ],
        RETURNS_ANSWER,
    );
    save_entry(
        server,
        admin,
        &["Do you ship abroad?", "How long does delivery take?"],
        "We ship worldwide; delivery takes 2-5 working days.",
    );
    (hours, returns)
}

fn save_entry(server: &TestServer, admin: &str, questions: &[&str], answer: &str) -> u64 {
    let (status, body) = http(
        server.addr,
        "POST",
        "/api/faq",
        Some(admin),
        &json!({"questions": questions, "answer": answer}),
    );
    assert_eq!(status, 201, "{body}");
    body["id"].as_u64().expect("id")
}

fn try_question(server: &TestServer, admin: &str, text: &str) -> (u16, Value) {
    http(
        server.addr,
        "POST",
        "/api/faq/try",
        Some(admin),
        &json!({ "text": text }),
    )
}

/// Collects a client's messages until one satisfies `last`.
pub fn messages_until(client: &mut Client, mut last: impl FnMut(&Message) -> bool) -> Vec<Message> {
    let mut seen = Vec::new();
    client.expect("message", |f| match f {
        ServerFrame::Message(m) => {
            seen.push(m.clone());
            last(m).then_some(())
        }
        _ => None,
    });
    seen
}

pub fn handed_off(m: &Message) -> Option<HandoffReason> {
    match m.event {
        Some(ConversationEvent::HandedOff { reason }) => Some(reason),
        _ => None,
    }
}

#[test]
fn the_bot_answers_an_faq_question_and_hands_over_on_request() {
    let server = with_bot();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (hours, _) = save_faq(&server, &admin);
    let (status, tried) = try_question(&server, &admin, "when are you open on saturday?");
    assert_eq!(status, 200, "{tried}");
    assert_eq!(tried["decision"]["action"], "answer", "{tried}");
    assert_eq!(tried["faq"][0]["faq_id"], hours, "{tried}");
    assert_eq!(tried["reason"]["rule"], "answer", "{tried}");
    let lead = tried["reason"]["lead"].as_f64().expect("a lead");
    assert!(lead >= tried["reason"]["margin"].as_f64().expect("a margin"));
    // A request for a person wins over the topic it names, and the box says why.
    let (_, tried) = try_question(
        &server,
        &admin,
        "can I talk to someone about your saturday hours?",
    );
    assert_eq!(tried["decision"]["action"], "handoff", "{tried}");
    assert_eq!(tried["decision"]["reason"], "human_requested", "{tried}");
    assert_eq!(tried["reason"]["rule"], "handoff_phrase", "{tried}");
    assert_eq!(
        tried["faq"][0]["faq_id"], hours,
        "the scores are still shown: {tried}"
    );

    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, None);
    visitor.say(None, "v1", "when are you open on saturday?");
    let (conversation, _) = visitor.ack("v1");
    let answer = visitor.message(HOURS_ANSWER);
    assert_eq!(answer.author.kind, AuthorKind::Bot);
    assert_eq!(
        answer.event,
        Some(ConversationEvent::BotAnswer { faq_id: hours })
    );
    agent.expect("the bot's conversation", |f| match f {
        ServerFrame::Conversation(c) if c.id == conversation => {
            assert_eq!(
                c.status,
                ConversationStatus::Bot,
                "not routed while the bot answers"
            );
            Some(())
        }
        _ => None,
    });

    visitor.send(&ClientFrame::BotFeedback(BotFeedback {
        conversation,
        seq: answer.seq,
        helpful: true,
    }));
    visitor.send(&ClientFrame::BotFeedback(BotFeedback {
        conversation,
        seq: answer.seq,
        helpful: false,
    }));
    let handoff = messages_until(&mut visitor, |m| handed_off(m).is_some());
    assert_eq!(
        handoff.last().and_then(handed_off),
        Some(HandoffReason::HumanRequested)
    );
    assert!(
        handoff
            .iter()
            .all(|m| m.event.as_ref().is_none_or(|e| !e.agents_only())),
        "the visitor never gets agents-only messages: {handoff:?}"
    );
    agent.assigned(conversation, alice_id);

    // From now on the bot is silent, even for a question it knows.
    visitor.say(Some(conversation), "v2", "and are you open on sundays?");
    visitor.ack("v2");
    agent.sync(conversation, 0);
    agent.say(Some(conversation), "a1", "Yes, from noon.");
    agent.ack("a1");
    let after = messages_until(&mut visitor, |m| m.body == "Yes, from noon.");
    assert!(
        after.iter().all(|m| m.author.kind != AuthorKind::Bot),
        "the bot spoke after the hand-off: {after:?}"
    );
    let history = agent.sync(conversation, 0);
    let events: Vec<_> = history.iter().filter_map(|m| m.event.clone()).collect();
    assert!(events.contains(&ConversationEvent::Feedback {
        seq: answer.seq,
        helpful: true
    }));
    assert!(events.contains(&ConversationEvent::HandedOff {
        reason: HandoffReason::HumanRequested
    }));
    assert_eq!(
        history
            .iter()
            .filter(|m| m.author.kind == AuthorKind::Bot)
            .count(),
        1,
        "one bot answer in all: {history:?}"
    );
}

#[test]
fn no_answer_below_the_threshold_and_suggestions_go_to_agents_only() {
    let server = TestServer::start_with(|c| {
        let mut bot = BotSettings::default();
        bot.thresholds.answer_threshold = 0.95;
        c.bot = Some(bot);
    });
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (hours, _) = save_faq(&server, &admin);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);

    // Off topic: handed over with no answer at all.
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "can you recommend a good pizza place nearby?");
    let (first, _) = visitor.ack("v1");
    let seen = messages_until(&mut visitor, |m| handed_off(m).is_some());
    assert_eq!(
        seen.last().and_then(handed_off),
        Some(HandoffReason::LowConfidence)
    );
    assert!(
        seen.iter().all(|m| m.author.kind != AuthorKind::Bot),
        "{seen:?}"
    );
    agent.assigned(first, alice_id);

    // A known question under a very high answer threshold: suggested to the agent, and
    // offered to the visitor as a question only ("Did you mean…?", no answer text).
    let (mut other, _) = Client::visitor(server.addr, Encoding::Binary, None);
    other.say(None, "o1", "when are you open on saturday?");
    let (second, _) = other.ack("o1");
    let seen = messages_until(&mut other, |m| handed_off(m).is_some());
    let from_bot: Vec<&Message> = seen
        .iter()
        .filter(|m| m.author.kind == AuthorKind::Bot)
        .collect();
    assert!(
        matches!(
            from_bot.as_slice(),
            [m] if matches!(&m.event, Some(ConversationEvent::Choices { choices }) if choices[0].faq_id == hours)
        ),
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|m| m.body.contains(HOURS_ANSWER)),
        "{seen:?}"
    );
    agent.assigned(second, alice_id);
    // The assignment is announced before the messages before it are committed: the
    // suggestions come in the replay or right after it.
    let mut history = agent.sync(second, 0);
    let suggestions = |m: &Message| match &m.event {
        Some(ConversationEvent::Suggestions { replies }) => Some(replies.clone()),
        _ => None,
    };
    if !history.iter().any(|m| suggestions(m).is_some()) {
        history = messages_until(&mut agent, |m| suggestions(m).is_some());
    }
    let suggested = history
        .iter()
        .find_map(suggestions)
        .expect("suggestions for the agent");
    assert_eq!(suggested[0].faq_id, hours, "{suggested:?}");
    assert_eq!(suggested[0].answer, HOURS_ANSWER);
    assert!((33..95).contains(&suggested[0].score_pct), "{suggested:?}");
    // One click: the agent sends it as an ordinary message.
    agent.say(Some(second), "a1", &suggested[0].answer);
    agent.ack("a1");
    let got = other.message(HOURS_ANSWER);
    assert_eq!(got.author.kind, AuthorKind::Agent);
    let replay = other.sync(second, 0);
    assert!(
        replay
            .iter()
            .all(|m| m.event.as_ref().is_none_or(|e| !e.agents_only())),
        "{replay:?}"
    );
}

#[test]
fn small_talk_keeps_the_bot_and_a_claim_silences_it() {
    let server = with_bot();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    save_faq(&server, &admin);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "hello!");
    let (conversation, _) = visitor.ack("v1");
    let greeting = messages_until(&mut visitor, |m| m.author.kind == AuthorKind::Bot);
    assert_eq!(greeting.last().and_then(|m| m.event.clone()), None);

    agent.send(&ClientFrame::Claim(ConversationRef { conversation }));
    agent.assigned(conversation, alice_id);
    visitor.say(Some(conversation), "v2", "what is your return policy?");
    visitor.ack("v2");
    agent.sync(conversation, 0);
    agent.say(Some(conversation), "a1", "Hi, Alice here.");
    agent.ack("a1");
    let after = messages_until(&mut visitor, |m| m.body == "Hi, Alice here.");
    assert!(
        after.iter().all(|m| m.author.kind != AuthorKind::Bot),
        "{after:?}"
    );
    visitor.quiet_for(Duration::from_millis(500), "nothing more");
}

#[test]
fn the_faq_api_checks_entries_and_the_faq_survives_restarts_without_the_bot() {
    let mut server = with_bot();
    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    for bad in [
        json!({"questions": [], "answer": "x"}),
        json!({"questions": ["   "], "answer": "x"}),
        json!({"questions": ["q"], "answer": ""}),
        json!({"questions": vec!["q"; 21], "answer": "x"}),
        json!({"questions": ["q"], "answer": "x", "extra": 1}),
    ] {
        let (status, body) = http(server.addr, "POST", "/api/faq", Some(&admin), &bad);
        assert_eq!(status, 400, "{bad} → {body}");
    }
    let entry = json!({"questions": ["What is your return policy?"], "answer": RETURNS_ANSWER});
    let (status, _) = http(server.addr, "POST", "/api/faq", Some(&alice), &entry);
    assert_eq!(status, 403, "agents cannot edit the FAQ");
    let (status, _) = http(server.addr, "PUT", "/api/faq/99", Some(&admin), &entry);
    assert_eq!(status, 404);
    let (hours, returns) = save_faq(&server, &admin);
    let (status, _) = http(
        server.addr,
        "DELETE",
        &format!("/api/faq/{returns}"),
        Some(&admin),
        &Value::Null,
    );
    assert_eq!(status, 200);
    let (status, listed) = http(server.addr, "GET", "/api/faq", Some(&admin), &Value::Null);
    assert_eq!(status, 200);
    assert_eq!(listed["bot"]["enabled"], true);
    assert_eq!(listed["entries"].as_array().map(Vec::len), Some(2));
    let (status, seen) = http(server.addr, "GET", "/api/faq", Some(&alice), &Value::Null);
    assert_eq!(status, 200, "agents read the FAQ: {seen}");
    assert_eq!(seen["entries"], listed["entries"]);
    let (status, _) = http(server.addr, "GET", "/api/faq", None, &Value::Null);
    assert_eq!(status, 401, "but not strangers");

    // Without the bot: conversations go straight to the queue, the FAQ stays editable.
    server.restart_with(|c| c.bot = None);
    let admin = server.login("admin", "correct horse battery");
    let (status, _) = try_question(&server, &admin, "when are you open?");
    assert_eq!(status, 409);
    let (_, widget) = http(server.addr, "GET", "/api/widget", None, &Value::Null);
    assert_eq!(widget["bot"], false);
    let returns = save_entry(
        &server,
        &admin,
        &["What is your return policy?", "Can I return an item?"],
        RETURNS_ANSWER,
    );
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "what is your return policy?");
    visitor.ack("v1");
    let queued = visitor.expect("queue position", |f| match f {
        ServerFrame::QueuePosition(q) => Some(q.position),
        ServerFrame::Message(m) => panic!("no bot without the bot: {m:?}"),
        _ => None,
    });
    assert_eq!(queued, 1, "straight into the queue");

    // With the bot again: both the old entry and the one saved meanwhile are answered.
    server.restart_with(|c| c.bot = Some(BotSettings::default()));
    let admin = server.login("admin", "correct horse battery");
    for (question, id) in [
        ("when are you open on saturday?", hours),
        ("can I send back a jumper I bought?", returns),
    ] {
        let (_, tried) = try_question(&server, &admin, question);
        assert_eq!(tried["decision"]["faq_id"], id, "{question}: {tried}");
    }
}

/// Appends a visitor message to `conversation` in a stopped data directory: what a server
/// killed between committing the message and the bot's decision leaves behind.
fn append_offline(dir: &Path, conversation: u64, visitor: u64, body: &str) {
    let message = NewMessage {
        attachments: Vec::new(),
        author_kind: AuthorKind::Visitor.into(),
        author_id: visitor,
        author_name: String::new(),
        body: body.into(),
        client_id: Some("before-the-crash".into()),
        event: None,
        at_ms: deskbell::timer::unix_ms(),
    };
    let appended = writer::write_offline(
        dir,
        WriteOp::Append {
            conversation,
            message,
        },
    );
    assert!(appended.is_ok(), "{appended:?}");
}

#[test]
fn a_question_the_bot_had_not_answered_before_a_restart_is_answered_after_it() {
    let mut server = with_bot();
    let admin = server.admin();
    save_faq(&server, &admin);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Binary, None);
    visitor.say(None, "v1", "when are you open on saturday?");
    let (conversation, _) = visitor.ack("v1");
    visitor.message(HOURS_ANSWER);
    visitor.close();

    // The server stops after committing the visitor's next question, before the bot
    // decided it.
    let token = welcome.visitor_token.expect("a new visitor gets a token");
    server.restart_after(
        |dir| append_offline(dir, conversation, welcome.id, "what is your return policy?"),
        |c| c.bot = Some(BotSettings::default()),
    );

    // The answer may come before the visitor is back: read the history until it is there.
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, Some(&token));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let bot_answers = loop {
        // By seq: a live message that arrives before the replay is in both.
        let answers: Vec<String> = visitor
            .sync(conversation, 0)
            .into_iter()
            .filter(|m| m.author.kind == AuthorKind::Bot)
            .map(|m| (m.seq, m.body))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_values()
            .collect();
        if answers.len() >= 2 || std::time::Instant::now() > deadline {
            break answers;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        bot_answers,
        [HOURS_ANSWER, RETURNS_ANSWER],
        "each question answered once, the one from before the restart too"
    );
}
