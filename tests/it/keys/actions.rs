//! The REST v1 actions with API keys: messages posted as an agent, as the bot or as a
//! note reach WebSocket clients live and are answered after the commit with their seq,
//! once per client id; assign, transfer and close are seen live by console agents;
//! scopes, sites, revoked keys and bad bodies are refused with stable codes.

use std::time::Duration;

use deskbell::protocol::*;
use serde_json::{Value, json};

use super::{create_key, get, visitor_on};
use crate::harness::{Client, Receiver, TestServer, WAIT, http};

/// `POST /api/v1/conversations/ID/WHAT` with `body` as `token`.
fn post(server: &TestServer, id: u64, what: &str, token: &str, body: &Value) -> (u16, Value) {
    let path = format!("/api/v1/conversations/{id}/{what}");
    http(server.addr, "POST", &path, Some(token), body)
}

/// A message body from `author` (`agent` names one).
fn message(client_id: &str, text: &str, author: &str, agent: Option<u64>) -> Value {
    json!({"client_id": client_id, "body": text, "author": author, "agent": agent})
}

/// The stored messages of a conversation, as the API lists them.
fn stored(server: &TestServer, key: &str, id: u64) -> Vec<Value> {
    let (status, detail) = get(server, &format!("/api/v1/conversations/{id}"), key);
    assert_eq!(status, 200, "{detail}");
    detail["messages"].as_array().expect("messages").clone()
}

fn error_of(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["error"].as_str().unwrap_or(""))
}

#[test]
fn a_posted_message_reaches_the_visitor_live_once_per_client_id() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "write", None);
    let (ann, ann_token) = server.agent(&admin, "ann", None);
    let (bob, _) = server.agent(&admin, "bob", None);
    let (mut ann_ws, _) = Client::agent(server.addr, Encoding::Json, &ann_token);
    let (mut visitor, conversation) = visitor_on(&server, "shop", "where is my order?");
    ann_ws.assigned(conversation, ann);
    ann_ws.sync(conversation, 0); // The console opens it: its messages come live.

    // As the agent who holds it: acked with its seq, seen live by visitor and agent.
    let body = message("order-1", "Your parcel left today", "agent", Some(ann));
    let (status, first) = post(&server, conversation, "messages", &key, &body);
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["conversation"].as_u64(), Some(conversation));
    assert_eq!(first["duplicate"], false);
    let seq = first["seq"].as_u64().expect("seq");
    let seen = visitor.message("Your parcel left today");
    assert_eq!((seen.seq, seen.author.kind), (seq, AuthorKind::Agent));
    assert_eq!((seen.author.id, seen.author.name.as_str()), (ann, "ann"));
    assert_eq!(seen.client_id.as_deref(), Some("order-1"));
    assert_eq!(ann_ws.message("Your parcel left today").seq, seq);

    // A retry: the same seq, and still one message.
    let (status, retry) = post(&server, conversation, "messages", &key, &body);
    assert_eq!(status, 201, "{retry}");
    assert_eq!(
        (retry["seq"].as_u64(), &retry["duplicate"]),
        (Some(seq), &json!(true))
    );
    visitor.quiet_for(Duration::from_millis(200), "a retry sends nothing");
    let copies = stored(&server, &key, conversation)
        .iter()
        .filter(|m| m["client_id"] == "order-1")
        .count();
    assert_eq!(copies, 1);

    // An agent who does not hold it is refused, as over WebSocket.
    let body = message("order-2", "me too", "agent", Some(bob));
    let answer = post(&server, conversation, "messages", &key, &body);
    assert_eq!(error_of(&answer), (403, "not_assigned"), "{}", answer.1);

    // The bot: shown to the visitor as the bot's.
    let body = message("bot-1", "Tracking: https://example.com/t/1", "bot", None);
    let (status, said) = post(&server, conversation, "messages", &key, &body);
    assert_eq!(status, 201, "{said}");
    let seen = visitor.message("Tracking: https://example.com/t/1");
    assert_eq!(seen.author.kind, AuthorKind::Bot);
    assert_eq!(seen.seq, said["seq"].as_u64().expect("seq"));

    // Notes (by the key, or by an agent): agents see them, the visitor never does.
    for (id, author) in [("note-1", None), ("note-2", Some(bob))] {
        let body = message(id, &format!("VIP customer ({id})"), "note", author);
        let (status, said) = post(&server, conversation, "messages", &key, &body);
        assert_eq!(status, 201, "{said}");
        let note = ann_ws.message(&format!("VIP customer ({id})"));
        assert_eq!(note.event, Some(ConversationEvent::Note));
    }
    let note = stored(&server, &key, conversation)
        .into_iter()
        .find(|m| m["client_id"] == "note-1")
        .expect("stored note");
    assert_eq!(note["author_name"], "write key", "named after the key");
    visitor.quiet_for(Duration::from_millis(200), "notes are for agents");
    let replayed = visitor.sync(conversation, 0);
    assert!(
        replayed.iter().all(|m| !m.body.starts_with("VIP customer")),
        "{replayed:?}"
    );
}

#[test]
fn assign_transfer_and_close_are_seen_live_by_console_agents() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "write", None);
    let (ann, _) = server.agent(&admin, "ann", None);
    let (bob, bob_token) = server.agent(&admin, "bob", None);
    // The admin watches, away, so nothing is assigned to them.
    let (mut watcher, _) = Client::agent(server.addr, Encoding::Json, &admin);
    watcher.send(&ClientFrame::Presence(SetPresence {
        presence: Presence::Away,
    }));
    watcher.expect("away", |f| match f {
        ServerFrame::Agent(a) if a.presence == Presence::Away => Some(()),
        _ => None,
    });
    let (mut visitor, conversation) = visitor_on(&server, "shop", "where is my order?");
    watcher.expect("queued", |f| match f {
        ServerFrame::Conversation(c) if c.id == conversation => Some(()),
        _ => None,
    });

    let (status, said) = post(
        &server,
        conversation,
        "assign",
        &key,
        &json!({"agent": ann}),
    );
    assert_eq!(status, 200, "{said}");
    assert_eq!(
        (said["status"].as_str(), said["agent"].as_u64()),
        (Some("assigned"), Some(ann))
    );
    watcher.assigned(conversation, ann);
    let joined = visitor.message("ann joined the conversation");
    assert_eq!(joined.seq, said["seq"].as_u64().expect("seq"));
    // Claiming what someone holds is refused, as the console's claim is.
    let again = post(
        &server,
        conversation,
        "assign",
        &key,
        &json!({"agent": bob}),
    );
    assert_eq!(error_of(&again), (409, "conflict"), "{}", again.1);

    // A transfer goes to an agent who is online, as in the console.
    let offline = post(
        &server,
        conversation,
        "transfer",
        &key,
        &json!({"agent": bob}),
    );
    assert_eq!(error_of(&offline), (409, "conflict"), "{}", offline.1);
    let (mut bob_ws, _) = Client::agent(server.addr, Encoding::Json, &bob_token);
    let (status, said) = post(
        &server,
        conversation,
        "transfer",
        &key,
        &json!({"agent": bob}),
    );
    assert_eq!(status, 200, "{said}");
    watcher.assigned(conversation, bob);
    bob_ws.assigned(conversation, bob);

    let before = message("before-close", "One moment", "bot", None);
    let (status, first) = post(&server, conversation, "messages", &key, &before);
    assert_eq!(status, 201, "{first}");
    let (status, said) = post(&server, conversation, "close", &key, &json!({"agent": bob}));
    assert_eq!(
        (status, said["status"].as_str()),
        (200, Some("closed")),
        "{said}"
    );
    watcher.expect("closed", |f| match f {
        ServerFrame::Conversation(c)
            if c.id == conversation && c.status == ConversationStatus::Closed =>
        {
            Some(())
        }
        _ => None,
    });
    visitor.message("bob closed the conversation");

    // A retry of what was stored before the close still gets its seq, and nothing more.
    let (status, retry) = post(&server, conversation, "messages", &key, &before);
    assert_eq!(status, 201, "{retry}");
    assert_eq!(
        (&retry["seq"], &retry["duplicate"]),
        (&first["seq"], &json!(true))
    );
    // A closed conversation takes nothing new, as over WebSocket.
    let body = message("late", "hello?", "bot", None);
    let late = post(&server, conversation, "messages", &key, &body);
    assert_eq!(error_of(&late), (409, "conflict"), "{}", late.1);
    let closed = post(&server, conversation, "close", &key, &json!({"agent": bob}));
    assert_eq!(error_of(&closed), (409, "conflict"), "{}", closed.1);
}

#[test]
fn only_write_keys_for_the_site_may_act() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, read) = create_key(&server, &admin, "read", None);
    let (_, blog) = create_key(&server, &admin, "write", Some("blog"));
    let (shop_id, shop) = create_key(&server, &admin, "write", Some("shop"));
    let (ann, _) = server.agent(&admin, "ann", None);
    let (_, conversation) = visitor_on(&server, "shop", "where is my order?");
    let actions = [
        ("messages", message("c1", "hi", "bot", None)),
        ("assign", json!({"agent": ann})),
        ("transfer", json!({"agent": ann})),
        ("close", json!({"agent": ann})),
    ];
    for (what, body) in &actions {
        let refused = post(&server, conversation, what, &read, body);
        assert_eq!(
            error_of(&refused),
            (403, "forbidden"),
            "{what}: {}",
            refused.1
        );
        let elsewhere = post(&server, conversation, what, &blog, body);
        assert_eq!(
            error_of(&elsewhere),
            (404, "not_found"),
            "{what}: {}",
            elsewhere.1
        );
        // A session is not a key: the console acts over its WebSocket.
        let session = post(&server, conversation, what, &admin, body);
        assert_eq!(error_of(&session), (401, "unauthorized"), "{what}");
    }
    assert_eq!(
        post(&server, conversation, "messages", &shop, &actions[0].1).0,
        201
    );
    let path = format!("/api/keys/{shop_id}");
    assert_eq!(
        http(server.addr, "DELETE", &path, Some(&admin), &json!(null)).0,
        204
    );
    let revoked = post(&server, conversation, "messages", &shop, &actions[0].1);
    assert_eq!(error_of(&revoked), (401, "unauthorized"));
}

#[test]
fn bad_requests_are_refused_with_stable_codes() {
    let server = TestServer::start_with(|c| c.max_body_bytes = 100);
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "write", None);
    let (ann, _) = server.agent(&admin, "ann", None);
    let (gone, _) = server.agent(&admin, "gone", None);
    let path = format!("/api/agents/{gone}");
    let disable = json!({"disabled": true});
    assert_eq!(
        http(server.addr, "PATCH", &path, Some(&admin), &disable).0,
        200
    );
    let (_, conversation) = visitor_on(&server, "shop", "where is my order?");
    let long_id = "x".repeat(65);
    let cases = [
        (message("c", "hi", "bot", None), "messages", 201, ""),
        (
            json!({"client_id": "c", "body": "hi"}),
            "messages",
            400,
            "bad_frame",
        ),
        (
            json!({"client_id": "c", "body": "hi", "author": "bot", "x": 1}),
            "messages",
            400,
            "bad_frame",
        ),
        (
            json!({"client_id": "c", "body": "hi", "author": "visitor"}),
            "messages",
            400,
            "bad_frame",
        ),
        (
            message("c", " \n", "bot", None),
            "messages",
            400,
            "invalid_field",
        ),
        (
            message("", "hi", "bot", None),
            "messages",
            400,
            "invalid_field",
        ),
        (
            message(&long_id, "hi", "bot", None),
            "messages",
            400,
            "invalid_field",
        ),
        (
            message("c", &"é".repeat(51), "bot", None),
            "messages",
            413,
            "too_large",
        ),
        (
            message("c", "hi", "agent", None),
            "messages",
            400,
            "invalid_field",
        ),
        (
            message("c", "hi", "bot", Some(ann)),
            "messages",
            400,
            "invalid_field",
        ),
        (
            message("c", "hi", "agent", Some(999)),
            "messages",
            400,
            "invalid_field",
        ),
        (
            message("c", "hi", "note", Some(gone)),
            "messages",
            400,
            "invalid_field",
        ),
        (json!({"agent": 999}), "assign", 400, "invalid_field"),
        (json!({"agent": gone}), "assign", 400, "invalid_field"),
        (json!({}), "assign", 400, "bad_frame"),
        (
            json!({"agent": ann, "to": ann}),
            "transfer",
            400,
            "bad_frame",
        ),
        (json!({"agent": "ann"}), "close", 400, "bad_frame"),
    ];
    for (body, what, status, code) in cases {
        let answer = post(&server, conversation, what, &key, &body);
        assert_eq!(answer.0, status, "{what} {body}: {}", answer.1);
        if status >= 400 {
            assert_eq!(
                answer.1["error"].as_str(),
                Some(code),
                "{what} {body}: {}",
                answer.1
            );
        }
    }
    let unknown = post(
        &server,
        999,
        "messages",
        &key,
        &message("c", "hi", "bot", None),
    );
    assert_eq!(error_of(&unknown), (404, "not_found"));
    let unknown = post(&server, 999, "close", &key, &json!({"agent": ann}));
    assert_eq!(error_of(&unknown), (404, "not_found"));
    // A huge body is refused before it is read.
    let huge = message("c", &"a".repeat(4096), "bot", None);
    let answer = post(&server, conversation, "messages", &key, &huge);
    assert_eq!(error_of(&answer), (413, "too_large"));
    let bearer = format!("Bearer {key}");
    let path = format!("/api/v1/conversations/{conversation}/messages");
    let (status, _, said) = crate::harness::http_full(
        server.addr,
        "POST",
        &path,
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        "{not json",
    );
    assert_eq!(status, 400, "{said}");
}

#[test]
fn actions_count_against_the_keys_rate() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "write", None);
    let (_, conversation) = visitor_on(&server, "shop", "where is my order?");
    for i in 0..deskbell::keys::limits::KEY_BURST {
        let body = message(&format!("r{i}"), "hi", "bot", None);
        let (status, said) = post(&server, conversation, "messages", &key, &body);
        assert_eq!(status, 201, "request {i}: {said}");
    }
    let body = message("over", "hi", "bot", None);
    let answer = post(&server, conversation, "messages", &key, &body);
    assert_eq!(error_of(&answer), (429, "rate_limited"));
    assert!(
        stored(&server, &admin, conversation)
            .iter()
            .all(|m| m["client_id"] != "over")
    );
}

#[test]
fn actions_fire_webhooks_as_websocket_ones_do() {
    let server = TestServer::start_with(|c| c.allow_private_webhooks = true);
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "write", None);
    let receiver = Receiver::start();
    let events = ["message.agent", "message.bot", "conversation.assigned"];
    let hook = json!({"url": receiver.url("/hook"), "events": events});
    let (status, created) = http(server.addr, "POST", "/api/webhooks", Some(&admin), &hook);
    assert_eq!(status, 201, "{created}");
    receiver.set_secret(created["secret"].as_str().expect("secret"));
    let (ann, _) = server.agent(&admin, "ann", None);
    let (_, conversation) = visitor_on(&server, "shop", "hello");
    assert_eq!(
        post(
            &server,
            conversation,
            "assign",
            &key,
            &json!({"agent": ann})
        )
        .0,
        200
    );
    let body = message("a1", "Hi, Ann here", "agent", Some(ann));
    let (_, agent_said) = post(&server, conversation, "messages", &key, &body);
    let (_, bot_said) = post(
        &server,
        conversation,
        "messages",
        &key,
        &message("b1", "Tracking: 1042", "bot", None),
    );
    // The retry of a message fires nothing more.
    assert_eq!(
        post(&server, conversation, "messages", &key, &body).1["duplicate"],
        true
    );
    let got = receiver.wait_for(3, WAIT);
    // Deliveries run side by side: their order is not the messages' order.
    let mut kinds: Vec<(String, Option<u64>)> = got
        .iter()
        .map(|r| {
            let event = r.json();
            let kind = event["type"].as_str().unwrap_or("").to_string();
            let seq = event["data"]["message"]["seq"].as_u64();
            (kind.clone(), seq.filter(|_| kind.starts_with("message.")))
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("conversation.assigned".to_string(), None),
            ("message.agent".to_string(), agent_said["seq"].as_u64()),
            ("message.bot".to_string(), bot_said["seq"].as_u64()),
        ]
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(receiver.received().len(), 3, "one event per message");
}
