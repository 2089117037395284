//! Satisfaction ratings (issue #15): after a close the visitor may rate the conversation
//! once, 1 to 5 with an optional comment; only its own visitor, never while it is open;
//! agents see it live and in the REST views; webhooks get `conversation.rated`; admins
//! can turn the question off.

use serde_json::json;

use deskbell::protocol::*;

use crate::harness::{Client, Receiver, TestServer, http};
use crate::keys::create_key;

fn rate(client: &mut Client, conversation: u64, score: u32, comment: Option<&str>) {
    client.send(&ClientFrame::Rate(Rate {
        conversation,
        score,
        comment: comment.map(str::to_string),
    }));
}

fn rating_of(client: &mut Client, conversation: u64) -> Rating {
    client.expect("rating", |f| match f {
        ServerFrame::Rating(r) if r.conversation == conversation => Some(r.clone()),
        _ => None,
    })
}

/// A visitor's conversation with Alice, closed by her; returns (agent, visitor, id).
fn closed_chat(server: &TestServer, admin: &str) -> (Client, Client, u64) {
    let (alice_id, alice) = server.agent(admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, None);
    visitor.say(None, "v1", "where is my teapot?");
    let (conversation, _) = visitor.ack("v1");
    agent.assigned(conversation, alice_id);
    rate(&mut visitor, conversation, 5, None);
    assert_eq!(
        visitor.error().error,
        "conflict",
        "an open chat is not rated"
    );
    agent.send(&ClientFrame::Close(ConversationRef { conversation }));
    visitor.message("Alice closed the conversation");
    (agent, visitor, conversation)
}

#[test]
fn a_closed_conversation_is_rated_once_by_its_own_visitor() {
    let server = crate::webhooks::server();
    let admin = server.admin();
    let receiver = Receiver::start();
    let (status, hook) = crate::webhooks::create(
        &server,
        &admin,
        &receiver.url("/hook"),
        &["conversation.rated"],
    );
    assert_eq!(status, 201, "{hook}");
    receiver.set_secret(hook["secret"].as_str().expect("secret"));
    let (mut agent, mut visitor, conversation) = closed_chat(&server, &admin);

    // Another visitor cannot rate it (not found, as for any id that is not theirs).
    let (mut stranger, _) = Client::visitor(server.addr, Encoding::Json, None);
    rate(&mut stranger, conversation, 1, Some("bad"));
    assert_eq!(stranger.error().error, "not_found");
    // Out of range and too long are refused at the edge.
    rate(&mut visitor, conversation, 6, None);
    assert_eq!(visitor.error().error, "invalid_field");
    rate(&mut visitor, conversation, 0, None);
    assert_eq!(visitor.error().error, "invalid_field");
    rate(&mut visitor, conversation, 3, Some(&"x".repeat(501)));
    assert_eq!(visitor.error().error, "invalid_field");

    rate(&mut visitor, conversation, 4, Some("  Quick and kind "));
    let seen = rating_of(&mut visitor, conversation);
    assert_eq!(
        (seen.score, seen.comment.as_deref()),
        (4, Some("Quick and kind"))
    );
    let live = rating_of(&mut agent, conversation);
    assert_eq!(live, seen, "agents see it live");
    rate(&mut visitor, conversation, 1, None);
    assert_eq!(visitor.error().error, "conflict", "only once");

    // REST and the console's closed list show it.
    let (_, key) = create_key(&server, &admin, "read", None);
    let path = format!("/api/v1/conversations/{conversation}");
    let (status, one) = http(server.addr, "GET", &path, Some(&key), &json!(null));
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["rating"]["score"], 4, "{one}");
    assert_eq!(one["rating"]["comment"], "Quick and kind", "{one}");
    let path = "/api/conversations?status=closed";
    let (_, closed) = http(server.addr, "GET", path, Some(&admin), &json!(null));
    assert_eq!(closed[0]["rating"]["score"], 4, "{closed}");
    // The report's CSAT section counts it.
    let path = format!("/api/v1/reports{}", crate::reports::around_today());
    let (status, report) = http(server.addr, "GET", &path, Some(&admin), &json!(null));
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["csat"]["ratings"], 1, "{report}");
    assert_eq!(report["csat"]["average"], 4.0, "{report}");
    assert_eq!(
        report["csat"]["distribution"],
        json!([0, 0, 0, 1, 0]),
        "{report}"
    );

    // The webhook receiver gets it, once.
    let until = std::time::Instant::now() + crate::harness::WAIT;
    while receiver.received().is_empty() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let got = receiver.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let body = got[0].json();
    assert_eq!(body["type"], "conversation.rated");
    assert_eq!(body["data"]["rating"]["score"], 4);
    assert_eq!(body["data"]["conversation"]["id"], conversation);
    assert!(got[0].verified);
}

#[test]
fn admins_can_stop_asking_and_agents_cannot_rate() {
    let server = TestServer::start();
    let admin = server.admin();
    let (mut agent, mut visitor, conversation) = closed_chat(&server, &admin);
    rate(&mut agent, conversation, 5, None);
    assert_eq!(
        agent.error().error,
        "unexpected_frame",
        "agents do not rate"
    );

    let (_, widget) = http(server.addr, "GET", "/api/widget", None, &json!(null));
    assert_eq!(widget["csat"], true, "asked by default");
    let (_, alice) = server.agent(&admin, "Bob", None);
    let off = json!({"ask": false});
    assert_eq!(
        http(server.addr, "PUT", "/api/csat", Some(&alice), &off).0,
        403
    );
    let (status, body) = http(server.addr, "PUT", "/api/csat", Some(&admin), &off);
    assert_eq!(
        (status, body["ask"].as_bool()),
        (200, Some(false)),
        "{body}"
    );
    let (_, widget) = http(server.addr, "GET", "/api/widget", None, &json!(null));
    assert_eq!(widget["csat"], false);
    rate(&mut visitor, conversation, 5, None);
    assert_eq!(visitor.error().error, "forbidden", "the shop does not ask");

    // Kept across a restart, and back on when the admin says so.
    drop((agent, visitor));
    let mut server = server;
    server.restart();
    let (_, got) = http(server.addr, "GET", "/api/csat", Some(&admin), &json!(null));
    assert_eq!(got["ask"], false, "{got}");
    let on = json!({"ask": true});
    assert_eq!(
        http(server.addr, "PUT", "/api/csat", Some(&admin), &on).0,
        200
    );
}
