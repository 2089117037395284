//! Promise 4 on the HTTP API: wrong credentials, brute force, malformed bodies and
//! missing rights get clear JSON errors with stable codes, and the server carries on.

use serde_json::{Value, json};

use crate::harness::{TestServer, header, http, http_full, server_panics};

const ADMIN_PASSWORD: &str = "correct horse battery";

/// `POST /api/login` with a raw body; returns status, response head and parsed body.
fn login_raw(server: &TestServer, body: &str) -> (u16, String, Value) {
    let (status, head, text) = http_full(
        server.addr,
        "POST",
        "/api/login",
        &[("Content-Type", "application/json")],
        body,
    );
    let parsed = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, head, parsed)
}

fn login(server: &TestServer, name: &str, password: &str) -> (u16, String, Value) {
    login_raw(
        server,
        &json!({"name": name, "password": password}).to_string(),
    )
}

/// A JSON error body with this stable code, and a message for humans.
fn assert_error(body: &Value, name: &str, number: u64) {
    assert_eq!(body["error"], name, "{body}");
    assert_eq!(body["code"], number, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// `Retry-After` in whole seconds, at least 1.
fn retry_after(head: &str) -> u64 {
    let value = header(head, "Retry-After").expect("Retry-After header");
    let secs: u64 = value.parse().expect("Retry-After is a number of seconds");
    assert!(secs >= 1, "{head}");
    secs
}

#[test]
fn a_wrong_password_is_401_and_repeated_failures_lock_the_account() {
    server_panics();
    let server = TestServer::start();
    let admin = server.admin();
    server.agent(&admin, "alice", None);
    let (status, head, body) = login(&server, "admin", "wrong password");
    assert_eq!(status, 401);
    assert_error(&body, "unauthorized", 4010);
    assert!(
        header(&head, "Set-Cookie").is_none(),
        "no session for a failure"
    );
    let (status, _, body) = login(&server, "nobody", "wrong password");
    assert_eq!(status, 401, "an unknown account looks the same");
    assert_error(&body, "unauthorized", 4010);

    for _ in 0..5 {
        assert_eq!(login(&server, "ADMIN ", "still wrong").0, 401);
    }
    // Six failures against the account: even the right password is refused now.
    let (status, head, body) = login(&server, "admin", ADMIN_PASSWORD);
    assert_eq!(status, 429, "{body}");
    assert_error(&body, "rate_limited", 4290);
    let wait = retry_after(&head);
    assert_eq!(
        login(&server, "admin", ADMIN_PASSWORD).0,
        429,
        "still locked"
    );
    // A colleague on the same address is not locked out.
    assert_eq!(login(&server, "alice", "password123").0, 200);
    server.advance(wait * 1000);
    assert_eq!(
        login(&server, "admin", ADMIN_PASSWORD).0,
        200,
        "unlocked after the wait"
    );
    assert_eq!(server_panics(), 0);
}

#[test]
fn many_failures_from_one_address_are_throttled_across_accounts() {
    let server = TestServer::start();
    server.admin();
    for i in 0..21 {
        let (status, _, body) = login(&server, &format!("guess{i}"), "hunter22");
        assert_eq!(status, 401, "attempt {i}: {body}");
    }
    let (status, head, body) = login(&server, "admin", ADMIN_PASSWORD);
    assert_eq!(
        status, 429,
        "the address is blocked, whatever the account: {body}"
    );
    assert_error(&body, "rate_limited", 4290);
    let wait = retry_after(&head);
    server.advance(wait * 1000);
    assert_eq!(login(&server, "admin", ADMIN_PASSWORD).0, 200);
}

#[test]
fn login_bodies_that_are_not_the_expected_json_get_a_clear_4xx() {
    server_panics();
    let server = TestServer::start();
    server.admin();
    let cases = [
        ("name=admin&password=x".to_string(), 400, "bad_frame", ""),
        (String::new(), 400, "bad_frame", ""),
        (
            r#"{"name":"admin"}"#.to_string(),
            400,
            "bad_frame",
            "password",
        ),
        (
            r#"{"name":"admin","password":"x","remember":true}"#.to_string(),
            400,
            "bad_frame",
            "remember",
        ),
        (
            json!({"name": "admin", "password": "p".repeat(17 * 1024)}).to_string(),
            413,
            "too_large",
            "",
        ),
    ];
    for (body, status, error, mentions) in &cases {
        let (got, head, reply) = login_raw(&server, body);
        assert_eq!(got, *status, "{body:.60}: {reply}");
        assert_eq!(reply["error"], *error, "{reply}");
        assert_eq!(
            header(&head, "Content-Type"),
            Some("application/json"),
            "{head}"
        );
        let message = reply["message"].as_str().unwrap_or_default();
        assert!(message.contains(mentions), "{message}");
    }
    // None of this counted as a failed password: the account is not locked.
    assert_eq!(login(&server, "admin", ADMIN_PASSWORD).0, 200);
    assert_eq!(server_panics(), 0);
}

#[test]
fn agent_management_needs_a_login_and_an_admin() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, agent) = server.agent(&admin, "Alice", None);
    let new_agent = json!({"name": "Mallory", "password": "password123"});
    for token in [None, Some("forged-token")] {
        let (status, body) = http(server.addr, "GET", "/api/agents", token, &Value::Null);
        assert_eq!(status, 401, "{body}");
        assert_error(&body, "unauthorized", 4010);
        let (status, body) = http(server.addr, "POST", "/api/agents", token, &new_agent);
        assert_eq!(status, 401, "{body}");
    }
    let (status, body) = http(server.addr, "POST", "/api/agents", Some(&agent), &new_agent);
    assert_eq!(status, 403, "{body}");
    assert_error(&body, "forbidden", 4030);
    let (status, list) = http(
        server.addr,
        "GET",
        "/api/agents",
        Some(&agent),
        &Value::Null,
    );
    assert_eq!(status, 200, "agents may list colleagues");
    let names: Vec<&str> = list
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(names, ["admin", "Alice"], "Mallory was not created");
    let (status, body) = http(server.addr, "POST", "/api/agents", Some(&admin), &new_agent);
    assert_eq!(status, 201, "{body}");
}

#[test]
fn setup_needs_the_code_and_happens_once() {
    let server = TestServer::start();
    let code = server.setup_code();
    let setup = |code: &str, name: &str| {
        http(
            server.addr,
            "POST",
            "/api/setup",
            None,
            &json!({"code": code, "name": name, "password": ADMIN_PASSWORD}),
        )
    };
    let (status, body) = setup("WRONG-CODE", "eve");
    assert_eq!(status, 401, "{body}");
    assert_error(&body, "unauthorized", 4010);
    let (status, body) = setup(&code, "owner");
    assert_eq!(status, 201, "{body}");
    let (status, body) = setup(&code, "second");
    assert_eq!(status, 409, "{body}");
    assert_error(&body, "conflict", 4090);
    assert_eq!(login(&server, "owner", ADMIN_PASSWORD).0, 200);
    assert_eq!(login(&server, "second", ADMIN_PASSWORD).0, 401);
    assert_eq!(login(&server, "eve", ADMIN_PASSWORD).0, 401);
}
