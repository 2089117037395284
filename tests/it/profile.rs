//! The agent's own profile (issue #13): a new password needs the current one, wrong ones
//! are throttled like logins, and it signs out the agent's other sessions but not this
//! one; an avatar of initials on a colour, which visitors' widgets fetch by agent id.

use deskbell::avatar::PALETTE;
use serde_json::{Value, json};

use crate::harness::{TestServer, http, http_full};

fn patch_me(server: &TestServer, token: &str, body: Value) -> (u16, Value) {
    http(server.addr, "PATCH", "/api/me", Some(token), &body)
}

fn me(server: &TestServer, token: &str) -> (u16, Value) {
    http(server.addr, "GET", "/api/me", Some(token), &json!(null))
}

#[test]
fn a_new_password_signs_out_the_other_sessions_and_wrong_current_ones_are_throttled() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, bob) = server.agent(&admin, "Bob", None);
    let bob_phone = server.login("Bob", "password123");

    // Five wrong guesses are free (as at the login form), the sixth makes the account
    // wait, and while it waits even the right password is not tried.
    let guess = |current: &str| {
        patch_me(
            &server,
            &bob,
            json!({"password": "a new password 1", "current_password": current}),
        )
    };
    for _ in 0..6 {
        assert_eq!(guess("wrong password").0, 403);
    }
    let (status, head, body) = http_full(
        server.addr,
        "PATCH",
        "/api/me",
        &[("Authorization", &format!("Bearer {bob}"))],
        &json!({"password": "a new password 1", "current_password": "wrong again"}).to_string(),
    );
    assert_eq!(status, 429, "{body}");
    assert!(head.to_lowercase().contains("retry-after: "), "{head}");
    assert_eq!(
        guess("password123").0,
        429,
        "not even tried while throttled"
    );
    let login = json!({"name": "bob", "password": "password123"});
    let (status, body) = http(server.addr, "POST", "/api/login", None, &login);
    assert_eq!(status, 429, "the same throttle as the login form: {body}");

    server.advance(2_000);
    assert_eq!(guess("password123").0, 200);
    assert_eq!(me(&server, &bob).0, 200, "this session stays signed in");
    assert_eq!(
        me(&server, &bob_phone).0,
        401,
        "the other one is signed out"
    );
    server.login("Bob", "a new password 1");
}

#[test]
fn agents_choose_an_avatar_that_visitors_widgets_can_fetch() {
    let server = TestServer::start();
    let admin = server.admin();
    let (bob_id, bob) = server.agent(&admin, "Bob Builder", None);
    let (_, shown) = me(&server, &bob);
    assert_eq!(
        shown["avatar"],
        json!({"initials": "BB", "colour": PALETTE[bob_id as usize % PALETTE.len()], "chosen": false})
    );

    let (status, saved) = patch_me(
        &server,
        &bob,
        json!({"avatar": {"initials": "rb", "colour": "#047857"}}),
    );
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["avatar"],
        json!({"initials": "RB", "colour": "#047857", "chosen": true})
    );
    for bad in [
        json!({"avatar": {"initials": "<b>", "colour": "#047857"}}),
        json!({"avatar": {"initials": "RB", "colour": "#ffffff"}}),
        json!({"avatar": {"initials": "RB"}}),
    ] {
        assert_eq!(patch_me(&server, &bob, bad.clone()).0, 400, "{bad}");
    }

    // Public, from any origin: what a visitor's widget draws next to Bob's messages.
    let path = format!("/api/agents/{bob_id}/avatar");
    let shop = [("Origin", "https://shop.example")];
    let (status, head, body) = http_full(server.addr, "GET", &path, &shop, "");
    assert_eq!(status, 200, "{body}");
    assert!(
        head.to_lowercase()
            .contains("access-control-allow-origin: *")
    );
    let card: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        card,
        json!({"id": bob_id, "initials": "RB", "colour": "#047857"}),
        "not the name: it is also the login"
    );

    let (status, saved) = patch_me(&server, &bob, json!({"avatar": null}));
    assert_eq!(
        (status, saved["avatar"]["chosen"].as_bool()),
        (200, Some(false))
    );
    let disable = json!({"disabled": true});
    let (status, _) = http(
        server.addr,
        "PATCH",
        &format!("/api/agents/{bob_id}"),
        Some(&admin),
        &disable,
    );
    assert_eq!(status, 200);
    let (status, _) = http(server.addr, "GET", &path, None, &json!(null));
    assert_eq!(status, 404, "disabled agents are nobody's business");
    let (status, _) = http(
        server.addr,
        "GET",
        "/api/agents/999/avatar",
        None,
        &json!(null),
    );
    assert_eq!(status, 404);
}
