//! Webhooks for integrators: the admin API (secret shown once, bounds, CSRF, admins
//! only), SSRF refusals at creation and again at delivery, and real signed deliveries
//! to a receiver that verifies them as the Standard Webhooks spec says.
//!
//! - this file: the admin API, test pings, SSRF refusals;
//! - `delivery`: chat events delivered end to end, retries, redelivery, disabling;
//! - `examples`: the verification examples of `docs/WEBHOOKS.md`, run for real.

mod delivery;
mod examples;

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Receiver, TestServer, WAIT, http, http_full};

/// A server whose webhooks may reach 127.0.0.1 (the receiver).
pub fn server() -> TestServer {
    TestServer::start_with(|c| c.allow_private_webhooks = true)
}

pub fn create(server: &TestServer, token: &str, url: &str, events: &[&str]) -> (u16, Value) {
    http(
        server.addr,
        "POST",
        "/api/webhooks",
        Some(token),
        &json!({"url": url, "events": events, "description": "CRM"}),
    )
}

pub fn ping(server: &TestServer, token: &str, id: u64) -> (u16, Value) {
    let path = format!("/api/webhooks/{id}/test");
    http(server.addr, "POST", &path, Some(token), &json!({}))
}

pub fn list(server: &TestServer, token: &str) -> Value {
    let (status, list) = http(
        server.addr,
        "GET",
        "/api/webhooks",
        Some(token),
        &json!(null),
    );
    assert_eq!(status, 200, "{list}");
    list
}

fn set_disabled(server: &TestServer, token: &str, id: u64, disabled: bool) -> (u16, Value) {
    let path = format!("/api/webhooks/{id}");
    http(
        server.addr,
        "PATCH",
        &path,
        Some(token),
        &json!({ "disabled": disabled }),
    )
}

#[test]
fn a_new_endpoint_shows_its_secret_once_and_a_test_ping_arrives_signed() {
    let server = server();
    let admin = server.admin();
    let mut receiver = Receiver::start();
    let (status, created) = create(&server, &admin, &receiver.url("/in"), &["message.visitor"]);
    assert_eq!(status, 201, "{created}");
    let secret = created["secret"].as_str().expect("secret").to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(created["events"], json!(["message.visitor"]));
    assert_eq!(created["disabled"], false);
    let id = created["id"].as_u64().expect("id");
    receiver.set_secret(&secret);

    // The list never shows the secret again.
    let (status, _, text) = http_full(
        server.addr,
        "GET",
        "/api/webhooks",
        &[("Authorization", &format!("Bearer {admin}"))],
        "",
    );
    assert_eq!(status, 200);
    let secret_b64 = secret.trim_start_matches("whsec_");
    assert!(
        !text.contains(secret_b64),
        "the list shows the secret: {text}"
    );
    let shown: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(shown[0]["id"], id);
    assert_eq!(shown[0]["url"], receiver.url("/in"));
    assert!(shown[0].get("secret").is_none());

    // A test ping: a real POST, signed, with the event id receivers deduplicate on.
    let (status, result) = ping(&server, &admin, id);
    assert_eq!(status, 200, "{result}");
    assert_eq!(
        (result["ok"].as_bool(), result["status"].as_u64()),
        (Some(true), Some(200))
    );
    let got = receiver.wait_for(1, WAIT);
    assert_eq!(got.len(), 1);
    assert!(
        got[0].verified,
        "signature does not verify: {:?}",
        got[0].headers
    );
    assert!(got[0].id().starts_with("evt_test_"), "{}", got[0].id());
    assert!(!got[0].id().contains('.'));
    assert_eq!(got[0].json()["type"], "webhook.test");
    assert_eq!(got[0].json()["data"]["endpoint"], id);
    assert_eq!(
        got[0].headers.get("content-type").map(String::as_str),
        Some("application/json")
    );

    // What the ping reports when the receiver fails or is down.
    receiver.answer(503);
    let (_, result) = ping(&server, &admin, id);
    assert_eq!(
        (result["ok"].as_bool(), result["status"].as_u64()),
        (Some(false), Some(503))
    );
    assert_eq!(result["error"], "HTTP 503");
    receiver.down();
    let (_, result) = ping(&server, &admin, id);
    assert_eq!(result["ok"], false);
    assert!(result["status"].is_null());
    assert!(
        result["error"]
            .as_str()
            .unwrap_or("")
            .contains("connection"),
        "{result}"
    );

    // Disable and enable again; then delete.
    let path = format!("/api/webhooks/{id}");
    let (status, patched) = set_disabled(&server, &admin, id, true);
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["disabled"], true);
    assert_eq!(patched["disabled_reason"], "disabled by an admin");
    let (_, patched) = set_disabled(&server, &admin, id, false);
    assert_eq!(
        (
            patched["disabled"].as_bool(),
            patched["disabled_reason"].is_null()
        ),
        (Some(false), true)
    );
    let (status, _) = http(server.addr, "DELETE", &path, Some(&admin), &json!(null));
    assert_eq!(status, 200);
    let (status, _) = http(server.addr, "DELETE", &path, Some(&admin), &json!(null));
    assert_eq!(status, 404);
    let (status, _) = ping(&server, &admin, id);
    assert_eq!(status, 404);
    assert_eq!(list(&server, &admin), json!([]));
}

/// A host name of this machine that resolves to loopback (from /etc/hosts), if any.
fn name_resolving_to_loopback() -> Option<String> {
    use std::net::ToSocketAddrs;
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let name = hostname.trim().to_string();
    let addrs: Vec<_> = (name.as_str(), 80).to_socket_addrs().ok()?.collect();
    (!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())).then_some(name)
}

#[test]
fn urls_reaching_this_machine_or_private_networks_are_refused() {
    let server = TestServer::start();
    let admin = server.admin();
    let mut refused = vec![
        "http://127.0.0.1:9/".to_string(),
        "http://127.0.0.1.:9/".into(),
        "http://[::1]:9/".into(),
        "http://[::ffff:127.0.0.1]:9/".into(),
        "http://[::ffff:7f00:1]/".into(),
        "http://localhost:9/".into(),
        "http://2130706433/".into(),
        "http://0x7f000001/".into(),
        "http://0x7f.1/".into(),
        "http://0177.0.0.1/".into(),
        "http://10.0.0.1/".into(),
        "http://192.168.1.1/".into(),
        "http://100.64.0.1/".into(),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://[fd00::1]/".into(),
        "http://[fe80::1]/".into(),
        "http://0.0.0.0:9/".into(),
        "ftp://example.com/".into(),
        "http://user:pass@example.com/".into(),
    ];
    if let Some(name) = name_resolving_to_loopback() {
        refused.push(format!("http://{name}:9/"));
    }
    for url in &refused {
        let (status, body) = create(&server, &admin, url, &["message.visitor"]);
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_field")),
            "{url}: {body}"
        );
    }
    assert_eq!(list(&server, &admin), json!([]), "nothing was stored");
}

#[test]
fn stored_endpoints_are_checked_again_at_every_delivery() {
    let mut server = server();
    let admin = server.admin();
    let receiver = Receiver::start();
    let mut urls = vec![receiver.url("/literal")];
    // A name (not an address) that resolves to loopback: only the resolver can refuse it.
    if let Some(name) = name_resolving_to_loopback() {
        urls.push(format!("http://{name}:{}/by-name", receiver.addr.port()));
    }
    let mut ids = Vec::new();
    for url in &urls {
        let (status, created) = create(&server, &admin, url, &["message.visitor"]);
        assert_eq!(status, 201, "{created}");
        ids.push(created["id"].as_u64().expect("id"));
    }
    for &id in &ids {
        assert_eq!(
            ping(&server, &admin, id).1["ok"],
            true,
            "reachable while allowed"
        );
    }
    // The same stored endpoints, after a restart without --allow-private-webhooks.
    server.restart_with(|_| {});
    let admin = server.login("admin", "correct horse battery");
    for &id in &ids {
        let (status, result) = ping(&server, &admin, id);
        assert_eq!(status, 200);
        assert_eq!(result["ok"], false);
        let error = result["error"].as_str().unwrap_or("");
        assert!(error.contains("refused"), "{error}");
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(receiver.received().len(), ids.len(), "nothing more arrived");
}

#[test]
fn the_api_is_for_admins_bounded_and_strict() {
    let server = server();
    let admin = server.admin();
    let receiver = Receiver::start();
    let url = receiver.url("/");
    let (_, agent) = server.agent(&admin, "Alice", None);

    // Admins only.
    let (status, _) = create(&server, &agent, &url, &["message.visitor"]);
    assert_eq!(status, 403);
    for (method, path) in [
        ("GET", "/api/webhooks"),
        ("POST", "/api/webhooks/1/test"),
        ("PATCH", "/api/webhooks/1"),
        ("DELETE", "/api/webhooks/1"),
        ("GET", "/api/webhooks/1/deliveries"),
        ("POST", "/api/webhooks/1/deliveries/1/redeliver"),
    ] {
        let (status, _) = http(server.addr, method, path, Some(&agent), &json!({}));
        assert_eq!(status, 403, "{method} {path}");
        let (status, _) = http(server.addr, method, path, None, &json!({}));
        assert_eq!(status, 401, "{method} {path}");
    }
    // The console's cookie from another site: refused before anything else.
    let cookie = format!("deskbell_session={admin}");
    let body = json!({"url": url, "events": ["message.visitor"]}).to_string();
    let (status, _, _) = http_full(
        server.addr,
        "POST",
        "/api/webhooks",
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/json"),
            ("Origin", "https://evil.example"),
        ],
        &body,
    );
    assert_eq!(status, 403);

    // Bad bodies.
    let post = |body: &Value| http(server.addr, "POST", "/api/webhooks", Some(&admin), body);
    let cases = [
        (
            json!({"url": url, "events": ["message.visitor"], "secret": "mine"}),
            400,
        ),
        (json!({"url": url}), 400),
        (json!({"url": url, "events": []}), 400),
        (json!({"url": url, "events": ["message.created"]}), 400),
        (
            json!({"url": url, "events": ["message.visitor"], "description": "x".repeat(201)}),
            400,
        ),
        (
            json!({"url": format!("{url}{}", "a".repeat(2100)), "events": ["message.bot"]}),
            400,
        ),
        (
            json!({"url": url, "events": ["message.visitor"], "description": "x".repeat(20_000)}),
            413,
        ),
    ];
    for (body, want) in cases {
        let (status, answer) = post(&body);
        assert_eq!(status, want, "{answer}");
    }

    // At most 20 endpoints.
    for i in 0..20 {
        let (status, answer) = create(
            &server,
            &admin,
            &receiver.url(&format!("/{i}")),
            &["message.bot"],
        );
        assert_eq!(status, 201, "{i}: {answer}");
    }
    let (status, answer) = create(&server, &admin, &url, &["message.bot"]);
    assert_eq!(
        (status, answer["error"].as_str()),
        (409, Some("conflict")),
        "{answer}"
    );
}
