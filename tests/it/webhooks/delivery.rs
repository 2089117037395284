//! Events delivered end to end: chat through the WebSocket, the outbox, the webhook
//! sink, and a real receiver that verifies every signature. Retries are driven with
//! the server's manual clock (the outbox's backoff moves with it).

use std::time::Duration;

use deskbell::config::BotSettings;
use deskbell::outbox::EventKind;
use deskbell::outbox::backoff::DELAYS_MS;
use deskbell::protocol::{BotFeedback, ClientFrame, ConversationRef, Encoding, Profile, Rate};
use serde_json::{Value, json};

use super::{create, list, server};
use crate::harness::{Client, Received, Receiver, TestServer, WAIT, http};

/// The JSON example under "### `kind`" in docs/WEBHOOKS.md.
fn documented(kind: &str) -> Value {
    let doc = include_str!("../../../docs/WEBHOOKS.md");
    let heading = format!("### `{kind}`");
    let after = &doc[doc.find(&heading).expect("documented") + heading.len()..];
    let block = &after[after.find("```json\n").expect("example") + 8..];
    serde_json::from_str(&block[..block.find("```").expect("fence")]).expect("valid JSON")
}

/// Fails unless `real` has the documented fields, no more and no fewer (objects that
/// are null on one side are not compared further).
fn same_shape(real: &Value, doc: &Value, path: &str) {
    if let (Some(a), Some(b)) = (real.as_object(), doc.as_object()) {
        let mut keys_a: Vec<&String> = a.keys().collect();
        let mut keys_b: Vec<&String> = b.keys().collect();
        keys_a.sort();
        keys_b.sort();
        assert_eq!(keys_a, keys_b, "fields of {path}");
        for (k, v) in a {
            same_shape(v, &b[k], &format!("{path}.{k}"));
        }
    }
}

fn of_type<'a>(got: &'a [Received], kind: &str) -> Vec<&'a Received> {
    got.iter().filter(|r| r.json()["type"] == kind).collect()
}

/// Waits until the endpoint's delivery log satisfies `done`; returns it.
fn log_until(
    server: &TestServer,
    token: &str,
    id: u64,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let until = std::time::Instant::now() + WAIT;
    loop {
        let path = format!("/api/webhooks/{id}/deliveries");
        let (status, log) = http(server.addr, "GET", &path, Some(token), &json!(null));
        assert_eq!(status, 200, "{log}");
        let log = log.as_array().cloned().unwrap_or_default();
        if done(&log) || std::time::Instant::now() > until {
            return log;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An endpoint for `events` on `receiver`, which verifies with its secret.
fn endpoint(server: &TestServer, admin: &str, receiver: &Receiver, events: &[&str]) -> u64 {
    let (status, created) = create(server, admin, &receiver.url("/hook"), events);
    assert_eq!(status, 201, "{created}");
    receiver.set_secret(created["secret"].as_str().expect("secret"));
    created["id"].as_u64().expect("id")
}

#[test]
fn chat_events_reach_the_receiver_signed_and_as_documented() {
    let server = server();
    let admin = server.admin();
    let receiver = Receiver::start();
    let events = ["conversation.created", "message.visitor", "message.agent"];
    let id = endpoint(&server, &admin, &receiver, &events);
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);

    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "Do you ship to Norway?");
    let (conversation, seq) = visitor.ack("v1");
    agent.assigned(conversation, alice_id);
    agent.say(Some(conversation), "a1", "Yes, in 3-5 days.");
    agent.ack("a1");

    let got = receiver.wait_for(3, WAIT);
    assert_eq!(got.len(), 3, "created, visitor and agent message: {got:?}");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        receiver.received().len(),
        3,
        "conversation.assigned was not asked for"
    );
    for r in &got {
        assert!(r.verified, "signature: {:?}", r.headers);
        assert!(r.id().starts_with("evt_"), "{}", r.id());
        let kind = r.json()["type"].as_str().unwrap_or("").to_string();
        same_shape(&r.json(), &documented(&kind), &kind);
    }
    let ids: std::collections::HashSet<&str> = got.iter().map(Received::id).collect();
    assert_eq!(ids.len(), 3, "one id per event");

    let message = of_type(&got, "message.visitor")[0].json();
    assert_eq!(message["data"]["conversation"]["id"], conversation);
    assert_eq!(message["data"]["message"]["seq"], seq);
    assert_eq!(message["data"]["message"]["author_kind"], "visitor");
    assert_eq!(message["data"]["message"]["text"], "Do you ship to Norway?");
    let visitor_id = message["data"]["visitor"]["id"]
        .as_u64()
        .expect("visitor id");
    assert_eq!(
        message["data"]["visitor"]["alias"],
        deskbell::visitor_alias::visitor_alias(visitor_id).en,
        "the console's name for them"
    );
    let created = of_type(&got, "conversation.created")[0].json();
    assert_eq!(created["data"]["message"]["seq"], 1);
    let reply = of_type(&got, "message.agent")[0].json();
    assert_eq!(
        reply["data"]["agent"],
        json!({"id": alice_id, "name": "Alice"})
    );
    assert_eq!(reply["data"]["message"]["text"], "Yes, in 3-5 days.");

    let log = log_until(&server, &admin, id, |log| log.len() == 3);
    assert!(
        log.iter()
            .all(|a| a["outcome"] == "delivered" && a["status"] == 200),
        "{log:?}"
    );
}

#[test]
fn a_receiver_that_was_down_gets_the_event_when_it_is_back() {
    let server = server();
    let admin = server.admin();
    let mut receiver = Receiver::start();
    let id = endpoint(&server, &admin, &receiver, &["message.visitor"]);
    receiver.down();

    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "Anyone there?");
    visitor.ack("v1");
    let log = log_until(&server, &admin, id, |log| !log.is_empty());
    assert_eq!(log[0]["outcome"], "retry", "{log:?}");
    assert!(
        log[0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("connection"),
        "{log:?}"
    );
    assert!(list(&server, &admin)[0]["failing_since"].is_string());

    receiver.up();
    server.advance(DELAYS_MS[0] * 11 / 10);
    let got = receiver.wait_for(1, WAIT);
    assert_eq!(got.len(), 1);
    assert!(got[0].verified);
    assert_eq!(
        got[0].id(),
        log[0]["event_id"].as_str().expect("id"),
        "same webhook-id"
    );
    let log = log_until(&server, &admin, id, |log| log.len() == 2);
    assert_eq!(log[0]["outcome"], "delivered", "{log:?}");
    assert!(
        list(&server, &admin)[0]["failing_since"].is_null(),
        "recovered"
    );
}

#[test]
fn a_failing_receiver_is_retried_with_backoff_then_redelivered_on_request() {
    let server = server();
    let admin = server.admin();
    let receiver = Receiver::start();
    let id = endpoint(&server, &admin, &receiver, &["message.visitor"]);
    receiver.answer(500);

    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "Hello?");
    visitor.ack("v1");
    assert_eq!(receiver.wait_for(1, WAIT).len(), 1);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(receiver.received().len(), 1, "no retry before the backoff");
    server.advance(DELAYS_MS[0] * 11 / 10);
    assert_eq!(receiver.wait_for(2, WAIT).len(), 2, "the first retry");
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(receiver.received().len(), 2, "the second waits longer");
    receiver.answer(200);
    server.advance(DELAYS_MS[1] * 11 / 10);
    let got = receiver.wait_for(3, WAIT);
    assert_eq!(got.len(), 3, "the second retry");
    assert!(
        got.iter().all(|r| r.verified && r.id() == got[0].id()),
        "one event"
    );
    let statuses: Vec<u16> = got.iter().map(|r| r.answered).collect();
    assert_eq!(statuses, [500, 500, 200]);
    let log = log_until(&server, &admin, id, |log| log.len() == 3);
    let outcomes: Vec<&str> = log
        .iter()
        .map(|a| a["outcome"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(outcomes, ["delivered", "retry", "retry"]);
    assert_eq!(log[1]["error"], "HTTP 500");

    // Redeliver the logged delivery: the same event, the same id, once more.
    let n = log[0]["n"].as_u64().expect("n");
    let path = format!("/api/webhooks/{id}/deliveries/{n}/redeliver");
    let (status, answer) = http(server.addr, "POST", &path, Some(&admin), &json!({}));
    assert_eq!(status, 202, "{answer}");
    let got = receiver.wait_for(4, WAIT);
    assert_eq!(got.len(), 4);
    assert_eq!((got[3].id(), got[3].verified), (got[0].id(), true));
    let path = format!("/api/webhooks/{id}/deliveries/99999/redeliver");
    let (status, _) = http(server.addr, "POST", &path, Some(&admin), &json!({}));
    assert_eq!(status, 404);
}

#[test]
fn gone_or_three_days_of_failures_disable_an_endpoint() {
    let server = server();
    let admin = server.admin();
    let gone = Receiver::start();
    let failing = Receiver::start();
    endpoint(&server, &admin, &gone, &["message.visitor"]);
    endpoint(&server, &admin, &failing, &["message.visitor"]);
    gone.answer(410);
    failing.answer(503);

    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "First");
    visitor.ack("v1");
    assert_eq!(gone.wait_for(1, WAIT).len(), 1);
    assert_eq!(failing.wait_for(1, WAIT).len(), 1);
    let until = std::time::Instant::now() + WAIT;
    while list(&server, &admin)[0]["disabled"] != true && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let shown = list(&server, &admin);
    assert_eq!(shown[0]["disabled"], true, "410 Gone: {shown}");
    assert_eq!(
        shown[0]["disabled_reason"],
        "the receiver answered 410 Gone"
    );
    assert_eq!(shown[1]["disabled"], false, "one failure is not enough");

    // Three days later, every attempt since has failed: the next one disables it.
    server.clock.advance(3 * 24 * 3_600_000);
    visitor.say(None, "v2", "Second");
    visitor.ack("v2");
    let until = std::time::Instant::now() + WAIT;
    while list(&server, &admin)[1]["disabled"] != true && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let shown = list(&server, &admin);
    assert_eq!(shown[1]["disabled"], true, "{shown}");
    let reason = shown[1]["disabled_reason"].as_str().unwrap_or("");
    assert!(reason.contains("3 days"), "{reason}");
    assert_eq!(
        gone.received().len(),
        1,
        "nothing more to a disabled endpoint"
    );
}

#[test]
fn every_event_kind_arrives_signed_and_as_documented() {
    let server = TestServer::start_with(|c| {
        c.allow_private_webhooks = true;
        c.bot = Some(BotSettings::default());
    });
    let admin = server.admin();
    let receiver = Receiver::start();
    let all: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
    endpoint(&server, &admin, &receiver, &all);
    let hours = "We are open Monday to Saturday, 9:00-18:00.";
    let questions = ["What are your opening hours?", "When is the shop open?"];
    let (status, saved) = http(
        server.addr,
        "POST",
        "/api/faq",
        Some(&admin),
        &json!({"questions": questions, "answer": hours}),
    );
    assert_eq!(status, 201, "{saved}");
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);

    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "What are your opening hours?");
    let (conversation, _) = visitor.ack("v1");
    let answer = visitor.message(hours);
    visitor.send(&ClientFrame::Profile(Profile {
        name: Some("Maria".into()),
        email: Some("maria@example.com".into()),
    }));
    visitor.send(&ClientFrame::BotFeedback(BotFeedback {
        conversation,
        seq: answer.seq,
        helpful: false,
    }));
    agent.assigned(conversation, alice_id);
    agent.say(Some(conversation), "a1", "Hi Maria, how can I help?");
    agent.ack("a1");
    agent.send(&ClientFrame::Close(ConversationRef { conversation }));
    visitor.message("Alice closed the conversation");
    visitor.send(&ClientFrame::Rate(Rate {
        conversation,
        score: 5,
        comment: Some("Thank you!".into()),
    }));

    let until = std::time::Instant::now() + WAIT;
    let mut got = receiver.received();
    while all.iter().any(|k| of_type(&got, k).is_empty()) && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(50));
        got = receiver.received();
    }
    for kind in &all {
        let sent = of_type(&got, kind);
        assert!(
            !sent.is_empty(),
            "no {kind} among {:?}",
            got.iter().map(Received::json).collect::<Vec<_>>()
        );
        for r in sent {
            assert!(r.verified, "{kind}: signature");
            same_shape(&r.json(), &documented(kind), kind);
            let at = r.json()["timestamp"].as_str().unwrap_or("").to_string();
            assert!(at.starts_with("20"), "{kind}: timestamp {at}");
        }
    }
    let first = |kind: &str| of_type(&got, kind)[0].json()["data"].clone();
    assert_eq!(first("message.bot")["message"]["text"], hours);
    assert_eq!(
        first("conversation.handed_off")["message"]["handoff_reason"],
        "human_requested"
    );
    assert_eq!(first("conversation.assigned")["agent"]["name"], "Alice");
    assert_eq!(first("conversation.closed")["agent"]["id"], alice_id);
    assert_eq!(
        first("conversation.closed")["conversation"]["status"],
        "closed"
    );
    assert_eq!(
        first("visitor.email_left")["visitor"]["email"],
        "maria@example.com"
    );
    assert_eq!(first("message.agent")["visitor"]["name"], "Maria");
}

#[test]
fn the_admins_are_emailed_when_an_endpoint_is_disabled() {
    let smtp = crate::harness::SmtpServer::start();
    let server = TestServer::start_with(|c| {
        crate::email::adjust_email(c, &smtp);
        c.allow_private_webhooks = true;
    });
    let admin = server.admin();
    let (status, me) = http(
        server.addr,
        "PATCH",
        "/api/me",
        Some(&admin),
        &json!({"email": "owner@shop.example"}),
    );
    assert_eq!(status, 200, "{me}");
    let gone = Receiver::start();
    endpoint(&server, &admin, &gone, &["message.visitor"]);
    gone.answer(410);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "Hello");
    visitor.ack("v1");
    // The "visitor is waiting" email goes to the admin too: wait for the notice.
    let is_notice = |m: &&crate::harness::Mail| {
        m.header("Subject")
            .is_some_and(|s| s.contains("webhook endpoint was disabled"))
    };
    let until = std::time::Instant::now() + WAIT;
    let mut mails = smtp.mails();
    while !mails.iter().any(|m| is_notice(&m)) && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
        mails = smtp.mails();
    }
    std::thread::sleep(Duration::from_millis(300));
    let mails = smtp.mails();
    let notices: Vec<_> = mails.iter().filter(is_notice).collect();
    assert_eq!(notices.len(), 1, "{mails:?}");
    assert_eq!(notices[0].to(), ["owner@shop.example"]);
    let text = notices[0].text();
    assert!(text.contains(&gone.url("/hook")), "{text}");
    assert!(text.contains("410 Gone"), "{text}");
    assert!(
        text.contains("https://chat.shop.example/console/#/admin/webhooks"),
        "{text}"
    );
}
