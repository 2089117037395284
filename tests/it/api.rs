//! The HTTP API the widget and console use: public widget settings, admin settings
//! (applied at once: business hours, allowed origins), canned replies, agent changes,
//! closed conversations and visitor details.

use deskbell::protocol::*;
use serde_json::json;

use crate::harness::{Client, TestServer, http, http_full};

fn settings_with(overrides: serde_json::Value) -> serde_json::Value {
    let mut base = json!({
        "title": "Ask Bea's Bikes", "greeting": "Hi!", "colour": "#10B981", "position": "left",
        "prechat": true, "away_message": "Back at 9.", "utc_offset_min": 0,
        "business_hours": [], "allowed_origins": []
    });
    for (k, v) in overrides.as_object().expect("object") {
        base[k] = v.clone();
    }
    base
}

#[test]
fn widget_settings_are_public_and_follow_the_admin() {
    let server = TestServer::start();
    let (status, head, body) = http_full(server.addr, "GET", "/api/widget?site=default", &[], "");
    assert_eq!(status, 200);
    assert!(
        head.to_lowercase()
            .contains("access-control-allow-origin: *")
    );
    let widget: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        (
            widget["open_now"].as_bool(),
            widget["agents_online"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert_eq!(
        widget["visitor_emails"].as_bool(),
        Some(false),
        "no SMTP here"
    );

    let admin = server.admin();
    let (status, saved) = http(
        server.addr,
        "PUT",
        "/api/settings",
        Some(&admin),
        &settings_with(json!({})),
    );
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["colour"], "#10b981");
    // Closed all day today and every day but tomorrow-ish: a day that is not today.
    let today = ((deskbell::timer::unix_ms() / 86_400_000 + 4) % 7) as u8;
    let other_day = (today + 3) % 7;
    let hours = json!([{ "day": other_day, "open": "09:00", "close": "17:00" }]);
    let (status, _) = http(
        server.addr,
        "PUT",
        "/api/settings",
        Some(&admin),
        &settings_with(json!({ "business_hours": hours })),
    );
    assert_eq!(status, 200);
    let (_, widget) = http(server.addr, "GET", "/api/widget", None, &json!(null));
    assert_eq!(widget["title"], "Ask Bea's Bikes");
    assert_eq!(widget["prechat"], true);
    assert_eq!(widget["open_now"], false, "outside business hours");

    let (_, alice) = server.agent(&admin, "Alice", None);
    let (_agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    std::thread::sleep(std::time::Duration::from_millis(100));
    let (_, widget) = http(server.addr, "GET", "/api/widget", None, &json!(null));
    assert_eq!(widget["agents_online"], true);

    let (status, error) = http(
        server.addr,
        "PUT",
        "/api/settings",
        Some(&admin),
        &settings_with(json!({ "colour": "red" })),
    );
    assert_eq!(
        (status, error["error"].as_str()),
        (400, Some("invalid_field"))
    );
    let (status, _) = http(
        server.addr,
        "PUT",
        "/api/settings",
        Some(&alice),
        &settings_with(json!({})),
    );
    assert_eq!(status, 403, "agents cannot change settings");
}

#[test]
fn allowed_origins_from_the_settings_apply_to_new_visitors() {
    let server = TestServer::start();
    let admin = server.admin();
    let origins = json!({ "allowed_origins": ["https://shop.example"] });
    let (status, _) = http(
        server.addr,
        "PUT",
        "/api/settings",
        Some(&admin),
        &settings_with(origins),
    );
    assert_eq!(status, 200);
    let hello = ClientFrame::HelloVisitor(HelloVisitor {
        site: "default".into(),
        token: None,
        page: None,
        referrer: None,
        language: None,
        utc_offset_min: None,
    });
    let mut stranger = Client::try_connect(
        server.addr,
        Encoding::Json,
        &[("Origin", "https://evil.example")],
    )
    .expect("ws");
    stranger.send(&hello);
    assert_eq!(stranger.error().error, "forbidden");
    let mut shop = Client::try_connect(
        server.addr,
        Encoding::Json,
        &[("Origin", "https://shop.example")],
    )
    .expect("ws");
    shop.send(&hello);
    assert!(matches!(shop.recv(), ServerFrame::Welcome(_)));
}

#[test]
fn canned_replies_are_managed_by_admins_and_read_by_agents() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    let reply = json!({ "shortcut": "/Hours", "text": "Mon-Fri 9-17." });
    let (status, _) = http(server.addr, "POST", "/api/canned", Some(&alice), &reply);
    assert_eq!(status, 403);
    let (status, created) = http(server.addr, "POST", "/api/canned", Some(&admin), &reply);
    assert_eq!((status, created["shortcut"].as_str()), (201, Some("hours")));
    let id = created["id"].as_u64().expect("id");
    let (status, _) = http(
        server.addr,
        "PUT",
        &format!("/api/canned/{id}"),
        Some(&admin),
        &json!({ "shortcut": "hours", "text": "Mon-Sat 9-17." }),
    );
    assert_eq!(status, 200);
    let (status, list) = http(
        server.addr,
        "GET",
        "/api/canned",
        Some(&alice),
        &json!(null),
    );
    assert_eq!(status, 200);
    assert_eq!(
        list,
        json!([{ "id": id, "shortcut": "hours", "text": "Mon-Sat 9-17." }])
    );
    let (status, _) = http(
        server.addr,
        "DELETE",
        &format!("/api/canned/{id}"),
        Some(&admin),
        &json!(null),
    );
    assert_eq!(status, 200);
    let (status, _) = http(
        server.addr,
        "DELETE",
        &format!("/api/canned/{id}"),
        Some(&admin),
        &json!(null),
    );
    assert_eq!(status, 404);
    let (status, _) = http(
        server.addr,
        "POST",
        "/api/canned",
        Some(&admin),
        &json!({ "shortcut": "a b", "text": "x" }),
    );
    assert_eq!(status, 400);
}

#[test]
fn admins_change_agents_and_disabling_takes_effect_at_once() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (status, me) = http(server.addr, "GET", "/api/me", Some(&alice), &json!(null));
    assert_eq!(
        (status, me["name"].as_str(), me["admin"].as_bool()),
        (200, Some("Alice"), Some(false))
    );

    let path = format!("/api/agents/{alice_id}");
    let (status, changed) = http(
        server.addr,
        "PATCH",
        &path,
        Some(&admin),
        &json!({ "capacity": 2, "password": "new password 1" }),
    );
    assert_eq!((status, changed["capacity"].as_u64()), (200, Some(2)));
    let (status, _) = http(
        server.addr,
        "POST",
        "/api/login",
        None,
        &json!({ "name": "Alice", "password": "password123" }),
    );
    assert_eq!(status, 401, "the old password no longer works");
    let alice = server.login("Alice", "new password 1");

    let (mut socket, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (status, _) = http(
        server.addr,
        "PATCH",
        &path,
        Some(&admin),
        &json!({ "disabled": true }),
    );
    assert_eq!(status, 200);
    assert_eq!(
        socket.closed_with(),
        1008,
        "a disabled agent is disconnected"
    );
    let (status, _) = http(server.addr, "GET", "/api/me", Some(&alice), &json!(null));
    assert_eq!(status, 401);
    let (status, _) = http(
        server.addr,
        "POST",
        "/api/login",
        None,
        &json!({ "name": "Alice", "password": "new password 1" }),
    );
    assert_eq!(status, 401);
    let (status, _) = http(
        server.addr,
        "PATCH",
        &path,
        Some(&alice),
        &json!({ "disabled": false }),
    );
    assert_eq!(status, 401);
    let (status, _) = http(
        server.addr,
        "PATCH",
        "/api/agents/999",
        Some(&admin),
        &json!({ "capacity": 3 }),
    );
    assert_eq!(status, 404);
}

#[test]
fn closed_conversations_and_visitor_details() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.send(&ClientFrame::Profile(Profile {
        name: Some("Maria".into()),
        email: Some("maria@example.com".into()),
    }));
    let mut closed = Vec::new();
    for i in 0..3 {
        visitor.say(None, &format!("q{i}"), &format!("question {i}"));
        let (conversation, _) = visitor.ack(&format!("q{i}"));
        agent.assigned(conversation, alice_id);
        agent.send(&ClientFrame::Close(ConversationRef { conversation }));
        visitor.message("Alice closed the conversation");
        closed.push(conversation);
    }
    let (status, page) = http(
        server.addr,
        "GET",
        "/api/conversations?status=closed&limit=2",
        Some(&alice),
        &json!(null),
    );
    assert_eq!(status, 200);
    let ids: Vec<u64> = page
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["id"].as_u64().expect("id"))
        .collect();
    assert_eq!(ids, [closed[2], closed[1]], "newest first");
    assert_eq!(page[0]["preview"], "question 2");
    let (_, older) = http(
        server.addr,
        "GET",
        &format!("/api/conversations?status=closed&before={}", closed[1]),
        Some(&alice),
        &json!(null),
    );
    assert_eq!(older.as_array().map(Vec::len), Some(1));

    let (status, details) = http(
        server.addr,
        "GET",
        &format!("/api/visitors/{}", welcome.id),
        Some(&alice),
        &json!(null),
    );
    assert_eq!(status, 200, "{details}");
    assert_eq!(details["name"], "Maria");
    assert_eq!(details["email"], "maria@example.com");
    assert_eq!(details["page"], "https://shop.test/shoes");
    assert_eq!(details["language"], "en-GB");
    assert_eq!(details["conversations"].as_array().map(Vec::len), Some(3));
    let (status, _) = http(
        server.addr,
        "GET",
        &format!("/api/visitors/{}", welcome.id),
        None,
        &json!(null),
    );
    assert_eq!(status, 401);
}

#[test]
fn setup_status_is_public() {
    let server = TestServer::start();
    let (_, before) = http(server.addr, "GET", "/api/setup", None, &json!(null));
    assert_eq!(before["needed"], true);
    server.admin();
    let (_, after) = http(server.addr, "GET", "/api/setup", None, &json!(null));
    assert_eq!(after["needed"], false);
}
