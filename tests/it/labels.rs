//! Labels (issue #15): admins define them (names unique in any case, `#rrggbb`
//! colours, at most 100), agents add and remove them on a conversation over the
//! WebSocket and every agent sees it live, lists filter by them, a hand-off reason can
//! add one by itself, and deleting one takes it off every conversation.

use serde_json::{Value, json};

use deskbell::protocol::*;

use crate::harness::{Client, TestServer, http};
use crate::keys::create_key;

fn create(server: &TestServer, token: &str, body: Value) -> (u16, Value) {
    http(server.addr, "POST", "/api/labels", Some(token), &body)
}

pub fn label_id(server: &TestServer, admin: &str, name: &str, extra: Value) -> u64 {
    let mut body = json!({"name": name, "colour": "#1C7ED6"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let (status, made) = create(server, admin, body);
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["colour"], "#1c7ed6", "stored in lower case: {made}");
    made["id"].as_u64().expect("id")
}

fn get(server: &TestServer, path: &str, token: &str) -> (u16, Value) {
    http(server.addr, "GET", path, Some(token), &json!(null))
}

pub fn tag(client: &mut Client, conversation: u64, label: u64, on: bool) {
    client.send(&ClientFrame::Label(SetLabel {
        conversation,
        label,
        on,
    }));
}

/// The next `labels` frame about `conversation`.
pub fn labels_of(client: &mut Client, conversation: u64) -> Vec<u64> {
    client.expect("labels", |f| match f {
        ServerFrame::Labels(l) if l.conversation == conversation => Some(l.labels.clone()),
        _ => None,
    })
}

fn audit_actions(server: &TestServer, admin: &str) -> Vec<String> {
    let (status, page) = get(server, "/api/audit", admin);
    assert_eq!(status, 200, "{page}");
    page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn admins_define_labels_and_everyone_else_only_reads_them() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    let vip = label_id(&server, &admin, "VIP", json!({}));
    let (status, body) = create(&server, &admin, json!({"name": "vip", "colour": "#000000"}));
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    for bad in [
        json!({"name": "", "colour": "#000000"}),
        json!({"name": "x".repeat(33), "colour": "#000000"}),
        json!({"name": "ok", "colour": "red"}),
        json!({"name": "ok", "colour": "#000000", "on_handoff": ["bored"]}),
    ] {
        let (status, body) = create(&server, &admin, bad.clone());
        assert_eq!(status, 400, "{bad} gave {body}");
    }
    let (status, _) = create(
        &server,
        &alice,
        json!({"name": "mine", "colour": "#000000"}),
    );
    assert_eq!(status, 403, "agents do not define labels");
    let path = format!("/api/labels/{vip}");
    let rename = json!({"name": "Gold", "colour": "#f08c00", "on_faq": [4]});
    assert_eq!(
        http(server.addr, "PUT", &path, Some(&alice), &rename).0,
        403
    );
    assert_eq!(
        http(server.addr, "DELETE", &path, Some(&alice), &json!(null)).0,
        403
    );
    let (status, saved) = http(server.addr, "PUT", &path, Some(&admin), &rename);
    assert_eq!(status, 200, "{saved}");
    let missing = http(server.addr, "PUT", "/api/labels/999", Some(&admin), &rename);
    assert_eq!(missing.0, 404);

    // Agents and read keys list them.
    let (status, list) = get(&server, "/api/labels", &alice);
    assert_eq!(status, 200, "{list}");
    assert_eq!(list[0]["name"], "Gold");
    assert_eq!(list[0]["on_faq"], json!([4]));
    let (_, key) = create_key(&server, &admin, "read", None);
    assert_eq!(get(&server, "/api/v1/labels", &key).0, 200);
    let (status, _) = create(&server, &key, json!({"name": "k", "colour": "#000000"}));
    assert_eq!(status, 403, "a read key does not define labels");
    assert_eq!(get(&server, "/api/labels", "nobody").0, 401);

    let actions = audit_actions(&server, &admin);
    assert!(
        actions.contains(&"label.created".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"label.changed".to_string()),
        "{actions:?}"
    );
    let (status, _) = http(server.addr, "DELETE", &path, Some(&admin), &json!(null));
    assert_eq!(status, 200);
    assert!(audit_actions(&server, &admin).contains(&"label.deleted".to_string()));
}

#[test]
fn agents_label_conversations_live_and_lists_filter_by_label() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (_, bob) = server.agent(&admin, "Bob", None);
    let urgent = label_id(&server, &admin, "urgent", json!({}));
    let other = label_id(&server, &admin, "other", json!({}));
    let (mut a, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut b, _) = Client::agent(server.addr, Encoding::Binary, &bob);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, None);
    visitor.say(None, "v1", "my teapot arrived broken");
    let (conversation, _) = visitor.ack("v1");
    a.assigned(conversation, alice_id);

    tag(&mut a, conversation, urgent, true);
    assert_eq!(
        labels_of(&mut b, conversation),
        vec![urgent],
        "Bob sees it live"
    );
    assert_eq!(labels_of(&mut a, conversation), vec![urgent]);
    // A colleague who connects later hears it after the welcome.
    let (mut late, _) = Client::agent(server.addr, Encoding::Json, &bob);
    assert_eq!(labels_of(&mut late, conversation), vec![urgent]);

    // Visitors cannot label; unknown labels and conversations are not found.
    tag(&mut visitor, conversation, urgent, true);
    assert_eq!(visitor.error().error, "forbidden");
    tag(&mut a, conversation, 999, true);
    assert_eq!(a.error().error, "not_found");
    tag(&mut a, 999, urgent, true);
    assert_eq!(a.error().error, "not_found");

    // The REST API filters by label and shows the labels.
    let (_, key) = create_key(&server, &admin, "read", None);
    let (status, page) = get(
        &server,
        &format!("/api/v1/conversations?label={urgent}"),
        &key,
    );
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["conversations"][0]["id"], conversation, "{page}");
    assert_eq!(
        page["conversations"][0]["labels"][0]["name"], "urgent",
        "{page}"
    );
    let (_, none) = get(
        &server,
        &format!("/api/v1/conversations?label={other}"),
        &key,
    );
    assert_eq!(none["conversations"], json!([]), "{none}");
    let (_, one) = get(
        &server,
        &format!("/api/v1/conversations/{conversation}"),
        &key,
    );
    assert_eq!(one["labels"][0]["id"], urgent, "{one}");

    // Closed conversations keep their labels, and the console's list filters by them.
    a.send(&ClientFrame::Close(ConversationRef { conversation }));
    visitor.message("Alice closed the conversation");
    tag(&mut b, conversation, other, true);
    assert_eq!(labels_of(&mut a, conversation), vec![urgent, other]);
    assert_eq!(labels_of(&mut b, conversation), vec![urgent, other]);
    let closed = |label: u64| {
        let path = format!("/api/conversations?status=closed&label={label}");
        get(&server, &path, &alice).1
    };
    assert_eq!(closed(urgent)[0]["id"], conversation);
    assert_eq!(closed(urgent)[0]["labels"], json!([urgent, other]));
    tag(&mut a, conversation, urgent, false);
    assert_eq!(labels_of(&mut b, conversation), vec![other]);
    assert_eq!(closed(urgent), json!([]));
}

#[test]
fn deleting_a_label_takes_it_off_every_conversation() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    let gone = label_id(&server, &admin, "gone", json!({}));
    let kept = label_id(&server, &admin, "kept", json!({}));
    let (mut a, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let mut conversations = Vec::new();
    for n in 0..2 {
        let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
        visitor.say(None, "v1", &format!("question {n}"));
        let (conversation, _) = visitor.ack("v1");
        tag(&mut a, conversation, gone, true);
        labels_of(&mut a, conversation);
        conversations.push(conversation);
    }
    tag(&mut a, conversations[0], kept, true);
    assert_eq!(labels_of(&mut a, conversations[0]), vec![gone, kept]);
    let path = format!("/api/labels/{gone}");
    let (status, body) = http(server.addr, "DELETE", &path, Some(&admin), &json!(null));
    assert_eq!(
        (status, body["conversations"].as_u64()),
        (200, Some(2)),
        "{body}"
    );
    assert_eq!(labels_of(&mut a, conversations[1]), Vec::<u64>::new());
    assert_eq!(labels_of(&mut a, conversations[0]), vec![kept]);
    let (_, key) = create_key(&server, &admin, "read", None);
    let (_, page) = get(
        &server,
        &format!("/api/v1/conversations?label={gone}"),
        &key,
    );
    assert_eq!(page["conversations"], json!([]));
    tag(&mut a, conversations[1], gone, true);
    assert_eq!(
        a.error().error,
        "not_found",
        "a deleted label cannot be added"
    );
    let (status, _) = http(server.addr, "DELETE", &path, Some(&admin), &json!(null));
    assert_eq!(status, 404);
}

#[test]
fn at_most_ten_labels_on_a_conversation_and_a_hundred_in_all() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    let ids: Vec<u64> = (0..100)
        .map(|n| label_id(&server, &admin, &format!("label {n}"), json!({})))
        .collect();
    let (status, body) = create(&server, &admin, json!({"name": "101", "colour": "#000000"}));
    assert_eq!(status, 409, "{body}");
    let (mut a, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "hello");
    let (conversation, _) = visitor.ack("v1");
    for label in &ids[..10] {
        tag(&mut a, conversation, *label, true);
        labels_of(&mut a, conversation);
    }
    tag(&mut a, conversation, ids[10], true);
    let refused = a.error();
    assert_eq!(refused.error, "conflict");
    assert_eq!(refused.conversation, Some(conversation));
}

#[test]
fn a_hand_off_reason_adds_its_label_by_itself() {
    let server = crate::bot::with_bot();
    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    let person = label_id(
        &server,
        &admin,
        "wants a person",
        json!({"on_handoff": ["human_requested", "frustrated"]}),
    );
    label_id(
        &server,
        &admin,
        "unrelated",
        json!({"on_handoff": ["bot_unavailable"]}),
    );
    let (mut a, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "I want to talk to a human please");
    let (conversation, _) = visitor.ack("v1");
    assert_eq!(labels_of(&mut a, conversation), vec![person]);
    let history = a.sync(conversation, 0);
    assert!(
        history.iter().any(|m| matches!(
            m.event,
            Some(ConversationEvent::HandedOff {
                reason: HandoffReason::HumanRequested
            })
        )),
        "{history:?}"
    );
}
