//! Languages around the chat: each agent's console language on their profile
//! (`console_language`), the widget's title, greeting and away message per language
//! (`texts` in the settings and the public widget settings), and join and transfer
//! notices that name the agent for a widget in any language (`author.name`).

use deskbell::protocol::*;
use serde_json::{Value, json};

use crate::harness::{Client, TestServer, http};

fn settings_with(overrides: Value) -> Value {
    let mut base = json!({
        "title": "Chat with Bea", "greeting": "Hi!", "colour": "#10b981", "position": "right",
        "prechat": false, "away_message": "Back at 9.", "utc_offset_min": 480,
        "business_hours": [], "allowed_origins": []
    });
    for (k, v) in overrides.as_object().expect("object") {
        base[k] = v.clone();
    }
    base
}

fn put_settings(server: &TestServer, token: &str, body: Value) -> (u16, Value) {
    http(server.addr, "PUT", "/api/settings", Some(token), &body)
}

fn get(server: &TestServer, path: &str, token: Option<&str>) -> Value {
    let (status, body) = http(server.addr, "GET", path, token, &json!(null));
    assert_eq!(status, 200, "{path}: {body}");
    body
}

#[test]
fn each_agent_chooses_the_consoles_language_on_their_profile() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, li) = server.agent(&admin, "Li", None);
    let me = get(&server, "/api/me", Some(&li));
    assert_eq!(
        me["console_language"],
        Value::Null,
        "the browser's by default"
    );

    let patch = |body: Value| http(server.addr, "PATCH", "/api/me", Some(&li), &body);
    let (status, saved) = patch(json!({ "console_language": "zh-CN" }));
    assert_eq!(
        (status, saved["console_language"].as_str()),
        (200, Some("zh-CN"))
    );
    assert_eq!(
        get(&server, "/api/me", Some(&li))["console_language"],
        "zh-CN"
    );
    assert_eq!(
        get(&server, "/api/me", Some(&admin))["console_language"],
        Value::Null,
        "one agent's choice only"
    );
    // Other profile changes keep it; the email language is a choice of its own.
    let (status, saved) = patch(json!({ "language": "en" }));
    assert_eq!(
        (status, saved["console_language"].as_str()),
        (200, Some("zh-CN"))
    );

    for bad in [
        json!("zh"),
        json!("fr"),
        json!(""),
        json!("zh-CN".repeat(100)),
    ] {
        let (status, error) = patch(json!({ "console_language": bad }));
        assert_eq!(
            (status, error["error"].as_str()),
            (400, Some("invalid_field")),
            "{bad}"
        );
    }
    let (status, error) = patch(json!({ "console_language": 7 }));
    assert_eq!(
        (status, error["error"].as_str()),
        (400, Some("bad_frame")),
        "not text"
    );
    let (status, error) = patch(json!({ "console_lang": "en" }));
    assert_eq!(status, 400, "unknown fields are refused: {error}");
    assert_eq!(
        get(&server, "/api/me", Some(&li))["console_language"],
        "zh-CN"
    );

    let (status, saved) = patch(json!({ "console_language": null }));
    assert_eq!((status, &saved["console_language"]), (200, &Value::Null));

    // Kept across a restart, like every account field.
    patch(json!({ "console_language": "en" }));
    let mut server = server;
    server.restart();
    assert_eq!(get(&server, "/api/me", Some(&li))["console_language"], "en");
}

#[test]
fn title_greeting_and_away_message_are_set_per_language() {
    let server = TestServer::start();
    let admin = server.admin();
    let widget = get(&server, "/api/widget", None);
    assert_eq!(
        widget["texts"],
        json!({ "en": { "title": "", "greeting": "", "away_message": "" },
                "zh": { "title": "", "greeting": "", "away_message": "" } })
    );

    let zh = json!({ "title": "在线客服", "greeting": " 您好！请问有什么可以帮您？ ", "away_message": "" });
    let (status, saved) = put_settings(
        &server,
        &admin,
        settings_with(json!({ "texts": { "zh": zh } })),
    );
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["texts"]["zh"]["greeting"], "您好！请问有什么可以帮您？",
        "trimmed"
    );
    assert_eq!(
        saved["texts"]["en"]["greeting"], "",
        "a language left out is empty"
    );
    for shown in [
        get(&server, "/api/settings", Some(&admin)),
        get(&server, "/api/widget", None),
    ] {
        assert_eq!(shown["greeting"], "Hi!", "the default stays");
        assert_eq!(shown["texts"]["zh"]["title"], "在线客服");
        assert_eq!(
            shown["texts"]["zh"]["away_message"], "",
            "empty: the default"
        );
    }

    // An older client's PUT without `texts` keeps them.
    let (status, saved) = put_settings(
        &server,
        &admin,
        settings_with(json!({ "greeting": "Hello!" })),
    );
    assert_eq!(
        (status, &saved["texts"]["zh"]["title"]),
        (200, &json!("在线客服"))
    );
    assert_eq!(get(&server, "/api/widget", None)["greeting"], "Hello!");

    // Sizes as for the default texts, in characters.
    let longest = json!({ "zh": { "title": "客".repeat(60), "greeting": "好".repeat(300), "away_message": "忙".repeat(500) } });
    let (status, saved) = put_settings(&server, &admin, settings_with(json!({ "texts": longest })));
    assert_eq!(status, 200, "{saved}");
    for (field, max) in [("title", 60), ("greeting", 300), ("away_message", 500)] {
        let texts = json!({ "en": { field: "x".repeat(max + 1) } });
        let (status, error) =
            put_settings(&server, &admin, settings_with(json!({ "texts": texts })));
        assert_eq!(
            (status, error["error"].as_str()),
            (400, Some("invalid_field")),
            "{field}"
        );
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("texts.en.{field}")), "{message}");
    }
    let control = json!({ "zh": { "title": "a\u{7}b" } });
    let (status, _) = put_settings(&server, &admin, settings_with(json!({ "texts": control })));
    assert_eq!(status, 400, "control characters are refused");

    // Only the widget's languages and fields.
    for unknown in [
        json!({ "fr": { "title": "Bonjour" } }),
        json!({ "zh": { "subtitle": "x" } }),
        json!(["zh"]),
    ] {
        let (status, error) =
            put_settings(&server, &admin, settings_with(json!({ "texts": unknown })));
        assert_eq!(status, 400, "{unknown}: {error}");
    }
    assert_eq!(
        get(&server, "/api/widget", None)["texts"]["zh"]["title"],
        "客".repeat(60)
    );

    // Only admins.
    let (_, alice) = server.agent(&admin, "Alice", None);
    let (status, _) = put_settings(&server, &alice, settings_with(json!({ "texts": {} })));
    assert_eq!(status, 403);

    // Emptying a language clears it; stored across a restart.
    let texts = json!({ "en": { "greeting": "Welcome to Bea's!" }, "zh": {} });
    let (status, _) = put_settings(&server, &admin, settings_with(json!({ "texts": texts })));
    assert_eq!(status, 200);
    let mut server = server;
    server.restart();
    let widget = get(&server, "/api/widget", None);
    assert_eq!(widget["texts"]["en"]["greeting"], "Welcome to Bea's!");
    assert_eq!(widget["texts"]["zh"]["title"], "");
}

#[test]
fn join_and_transfer_notices_name_the_agent_for_the_visitor() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Binary, None);
    let token = welcome.visitor_token.expect("a new visitor's token");
    visitor.say(None, "v1", "你好，在吗？");
    let (conversation, _) = visitor.ack("v1");
    alice_ws.assigned(conversation, alice_id);
    let joined = visitor.message("Alice joined the conversation");
    assert_eq!(
        joined.event,
        Some(ConversationEvent::Assigned { agent: alice_id })
    );
    assert_eq!(
        (
            joined.author.kind,
            joined.author.id,
            joined.author.name.as_str()
        ),
        (AuthorKind::System, 0, "Alice"),
        "the name of who joined, for widgets that say it in their own words"
    );

    let (bob_id, bob) = server.agent(&admin, "Bob", None);
    let (mut bob_ws, _) = Client::agent(server.addr, Encoding::Json, &bob);
    alice_ws.send(&ClientFrame::Transfer(Transfer {
        conversation,
        to_agent: bob_id,
    }));
    bob_ws.assigned(conversation, bob_id);
    let moved = visitor.message("Alice handed the conversation to Bob");
    assert_eq!(moved.author.name, "Bob", "who answers from now on");

    // Replayed to the visitor's next tab (postcard) with the same names.
    let (mut again, _) = Client::visitor(server.addr, Encoding::Binary, Some(&token));
    let replayed = again.sync(conversation, 0);
    let names: Vec<(String, String)> = replayed
        .iter()
        .filter(|m| m.author.kind == AuthorKind::System)
        .map(|m| (m.body.clone(), m.author.name.clone()))
        .collect();
    assert!(
        names.contains(&("Alice joined the conversation".into(), "Alice".into())),
        "{names:?}"
    );
    assert!(
        names.contains(&("Alice handed the conversation to Bob".into(), "Bob".into())),
        "{names:?}"
    );
    bob_ws.send(&ClientFrame::Close(ConversationRef { conversation }));
    let closed = visitor.message("Bob closed the conversation");
    assert_eq!(closed.author.name, "", "a close names nobody");
}
