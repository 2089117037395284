//! API keys (issue #14): created by admins and shown once, stored hashed, listed
//! without the secret, revoked at once; `Authorization: Bearer dk_…` judged by the key
//! alone (never a cookie), scopes and sites enforced, rate limits per key and for
//! wrong keys per address. The audit log, the REST v1 conversation reads and the
//! actions in a conversation are in the submodules.

mod actions;
mod audit;
mod conversations;
mod erase;
mod export;
mod visitors;

use serde_json::{Value, json};

use deskbell::protocol::{ClientFrame, Encoding, HelloVisitor, ServerFrame};

use crate::harness::{Client, TestServer, header, http, http_full};

/// Creates a key as `token` (a session or an admin key); returns (id, key).
pub fn create_key(
    server: &TestServer,
    token: &str,
    scope: &str,
    site: Option<&str>,
) -> (u64, String) {
    let (status, body) = http(
        server.addr,
        "POST",
        "/api/keys",
        Some(token),
        &json!({"name": format!("{scope} key"), "scope": scope, "site": site}),
    );
    assert_eq!(status, 201, "{body}");
    let key = body["key"]
        .as_str()
        .expect("the key, shown once")
        .to_string();
    (body["id"].as_u64().expect("id"), key)
}

/// A visitor on `site` who has started a conversation with `text`; returns the
/// visitor's connection and the conversation.
pub fn visitor_on(server: &TestServer, site: &str, text: &str) -> (Client, u64) {
    let mut client = Client::connect(server.addr, Encoding::Json);
    client.send(&ClientFrame::HelloVisitor(HelloVisitor {
        site: site.into(),
        token: None,
        page: None,
        referrer: None,
        language: Some("en".into()),
        utc_offset_min: None,
    }));
    client.expect("welcome", |f| {
        matches!(f, ServerFrame::Welcome(_)).then_some(())
    });
    client.say(None, "first", text);
    let (conversation, _) = client.ack("first");
    (client, conversation)
}

fn get(server: &TestServer, path: &str, token: &str) -> (u16, Value) {
    http(server.addr, "GET", path, Some(token), &json!(null))
}

#[test]
fn a_key_is_shown_once_works_and_is_listed_without_its_secret() {
    let server = TestServer::start();
    let admin = server.admin();
    let (id, key) = create_key(&server, &admin, "admin", None);
    assert!(key.starts_with("dk_") && key.len() == 67, "{key}");
    let (status, list) = get(&server, "/api/keys", &key);
    assert_eq!(status, 200, "the key works: {list}");
    let listed = &list[0];
    assert_eq!(listed["id"].as_u64(), Some(id));
    assert_eq!(listed["scope"], "admin");
    assert_eq!(listed["prefix"].as_str(), Some(&key[..11]));
    assert!(listed.get("key").is_none(), "{listed}");
    assert!(
        !list.to_string().contains(&key[11..]),
        "the secret is never listed"
    );
    // Its use is recorded (once a minute at most; not awaited by the request).
    let used = (0..100).find_map(|_| {
        let (_, list) = get(&server, "/api/keys", &admin);
        std::thread::sleep(std::time::Duration::from_millis(20));
        list[0]["last_used_at"].as_str().map(str::to_string)
    });
    assert!(used.is_some(), "last use recorded");
}

#[test]
fn keys_are_stored_hashed() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "read", None);
    let file = std::fs::read(server.data_dir().join("deskbell.redb")).expect("read db");
    let contains = |needle: &[u8]| file.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(key.as_bytes()), "the key is not in the file");
    assert!(!contains(&key.as_bytes()[3..]), "nor its hex");
    let digest = deskbell::auth::token_digest(&key);
    assert!(
        contains(&digest),
        "its SHA-256 is (so the search above can find things)"
    );
}

#[test]
fn a_revoked_or_wrong_key_gets_401() {
    let server = TestServer::start();
    let admin = server.admin();
    let (id, key) = create_key(&server, &admin, "read", None);
    assert_eq!(get(&server, "/api/v1/conversations", &key).0, 200);
    let (status, _) = http(
        server.addr,
        "DELETE",
        &format!("/api/keys/{id}"),
        Some(&admin),
        &json!(null),
    );
    assert_eq!(status, 204);
    let (status, body) = get(&server, "/api/v1/conversations", &key);
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized")),
        "{body}"
    );
    // Revoking twice: nothing left to revoke.
    let path = format!("/api/keys/{id}");
    assert_eq!(
        http(server.addr, "DELETE", &path, Some(&admin), &json!(null)).0,
        404
    );
    let (_, list) = get(&server, "/api/keys", &admin);
    assert!(list[0]["revoked_at"].is_string(), "{list}");
    let wrong = format!("dk_{}", "0".repeat(64));
    assert_eq!(get(&server, "/api/v1/conversations", &wrong).0, 401);
    assert_eq!(get(&server, "/api/v1/conversations", "dk_short").0, 401);
}

#[test]
fn scopes_are_enforced() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, read) = create_key(&server, &admin, "read", None);
    let (_, write) = create_key(&server, &admin, "write", None);
    let (_, site_admin) = create_key(&server, &admin, "admin", Some("shop"));
    let body = json!({"name": "x", "scope": "read"});
    for key in [&read, &write, &site_admin] {
        let (status, said) = http(server.addr, "POST", "/api/keys", Some(key), &body);
        assert_eq!(
            (status, said["error"].as_str()),
            (403, Some("forbidden")),
            "{said}"
        );
    }
    // The scope is checked before any endpoint is (whatever the endpoint would say).
    let (_, said) = http(server.addr, "POST", "/api/keys", Some(&read), &body);
    assert_eq!(said["message"], "a read key may only read (GET)");
    let (_, said) = http(
        server.addr,
        "PUT",
        "/api/settings",
        Some(&write),
        &json!({}),
    );
    assert_eq!(
        said["message"],
        "a write key may only read, act in conversations and change visitors"
    );
    assert_eq!(
        http(
            server.addr,
            "DELETE",
            "/api/keys/1",
            Some(&read),
            &json!(null)
        )
        .0,
        403
    );
    assert_eq!(
        http(
            server.addr,
            "PUT",
            "/api/settings",
            Some(&write),
            &json!({})
        )
        .0,
        403
    );
    // Reading admin pages needs an admin key for every site.
    assert_eq!(get(&server, "/api/keys", &read).0, 403);
    assert_eq!(get(&server, "/api/audit", &site_admin).0, 403);
    // Keys never act as an agent (their inbox, their profile).
    assert_eq!(get(&server, "/api/me", &read).0, 403);
    // An admin key may do what an admin may: here, make another key.
    let (_, full_admin) = create_key(&server, &admin, "admin", None);
    create_key(&server, &full_admin, "read", None);
}

#[test]
fn a_key_request_is_judged_by_the_key_alone() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, read) = create_key(&server, &admin, "read", None);
    let cookie = format!("deskbell_session={admin}");
    let wrong = format!("Bearer dk_{}", "1".repeat(64));
    // A wrong key beside a valid admin cookie: 401, the cookie does not rescue it.
    let (status, _, body) = http_full(
        server.addr,
        "GET",
        "/api/keys",
        &[("Authorization", &wrong), ("Cookie", &cookie)],
        "",
    );
    assert_eq!(status, 401, "{body}");
    // A read key beside an admin cookie: still only what the read key may do, and no
    // CSRF rules (no Origin, no JSON content type needed) since the key is the caller.
    let bearer = format!("Bearer {read}");
    let (status, _, body) = http_full(
        server.addr,
        "POST",
        "/api/keys",
        &[
            ("Authorization", &bearer),
            ("Cookie", &cookie),
            ("Content-Type", "text/plain"),
        ],
        r#"{"name":"x","scope":"admin"}"#,
    );
    assert_eq!(status, 403, "{body}");
    // A key in the session cookie is not a key (and not a session).
    let in_cookie = format!("deskbell_session={read}");
    let (status, _, _) = http_full(
        server.addr,
        "GET",
        "/api/v1/conversations",
        &[("Cookie", &in_cookie)],
        "",
    );
    assert_eq!(status, 401);
}

#[test]
fn keys_are_rate_limited_and_wrong_keys_per_address() {
    let server = TestServer::start();
    let admin = server.admin();
    let (id, key) = create_key(&server, &admin, "read", None);
    let burst = deskbell::keys::limits::KEY_BURST;
    for i in 0..burst {
        let (status, _) = get(&server, "/api/v1/conversations", &key);
        assert_eq!(status, 200, "request {i}");
    }
    let bearer = format!("Bearer {key}");
    let (status, head, _) = http_full(
        server.addr,
        "GET",
        "/api/v1/conversations",
        &[("Authorization", &bearer)],
        "",
    );
    assert_eq!(status, 429);
    assert_eq!(header(&head, "retry-after"), Some("1"));
    server.advance(1000);
    assert_eq!(get(&server, "/api/v1/conversations", &key).0, 200);

    // Wrong keys: an address that failed too often is refused before any lookup,
    // even with a right key never used yet; time lets it try again. A key that worked
    // before still works from there: a stranger sharing the address locks nobody out.
    let (_, other) = create_key(&server, &admin, "read", None);
    for _ in 0..deskbell::keys::limits::FAILURE_BURST {
        let wrong = format!("dk_{}", "2".repeat(64));
        assert_eq!(get(&server, "/api/v1/conversations", &wrong).0, 401);
    }
    let (status, body) = get(&server, "/api/v1/conversations", &other);
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("rate_limited")),
        "{body}"
    );
    server.advance(1000);
    assert_eq!(get(&server, "/api/v1/conversations", &key).0, 200);
    let wrong = format!("dk_{}", "3".repeat(64));
    assert_eq!(get(&server, "/api/v1/conversations", &wrong).0, 401);
    assert_eq!(get(&server, "/api/v1/conversations", &wrong).0, 429);
    assert_eq!(
        get(&server, "/api/v1/conversations", &key).0,
        200,
        "a key that worked before is not locked out"
    );
    // Once revoked, it is an unknown key like any other: blocked with the address.
    let revoke = format!("/api/keys/{id}");
    assert_eq!(
        http(server.addr, "DELETE", &revoke, Some(&admin), &json!(null)).0,
        204
    );
    assert_eq!(get(&server, "/api/v1/conversations", &key).0, 401);
    assert_eq!(get(&server, "/api/v1/conversations", &key).0, 429);
    // Sessions are not affected by wrong keys.
    assert_eq!(get(&server, "/api/keys", &admin).0, 200);
    server.advance(1000);
    assert_eq!(get(&server, "/api/v1/conversations", &other).0, 200);
}

#[test]
fn bad_key_requests_are_refused() {
    let server = TestServer::start();
    let admin = server.admin();
    for body in [
        json!({"name": "", "scope": "read"}),
        json!({"name": "x", "scope": "owner"}),
        json!({"name": "x", "scope": "read", "site": "no spaces"}),
        json!({"name": "x", "scope": "read", "extra": 1}),
    ] {
        let (status, said) = http(server.addr, "POST", "/api/keys", Some(&admin), &body);
        assert_eq!(status, 400, "{body}: {said}");
    }
    let (_, agent) = server.agent(&admin, "bea", None);
    let (status, _) = get(&server, "/api/keys", &agent);
    assert_eq!(status, 403, "agents who are not admins see no keys");
    assert_eq!(
        http(server.addr, "GET", "/api/keys", None, &json!(null)).0,
        401
    );
}
