//! Verified customers (issue #14): `hello_customer` with `hex(HMAC-SHA256(secret, id))`
//! maps a shop's user to one visitor per site (same history on every device); forged
//! or replayed hashes and unverified claims are never trusted; `--require-identity`
//! and the per-site setting refuse them; the admin endpoints and `PATCH
//! /api/visitors/ID` are admin-only and bounded.

use std::net::SocketAddr;

use deskbell::identity::expected_hash;
use deskbell::protocol::*;
use serde_json::{Value, json};

use crate::harness::{Client, TestServer, http};

/// Makes (or rotates) the identity secret of `site` as an admin; returns it.
fn make_secret(server: &TestServer, admin: &str, site: &str) -> String {
    let (status, body) = http(
        server.addr,
        "POST",
        "/api/identity",
        Some(admin),
        &json!({"site": site}),
    );
    assert_eq!(status, 201, "{body}");
    let secret = body["secret"].as_str().expect("secret").to_string();
    assert_eq!(secret.len(), 64);
    secret
}

fn customer(id: &str, hash: Option<String>, attributes: &[(&str, &str)]) -> Customer {
    Customer {
        id: id.into(),
        name: Some(format!("Customer {id}")),
        email: Some(format!("{id}@example.com")),
        avatar: Some("https://cdn.example/a.png".into()),
        attributes: attributes
            .iter()
            .map(|(k, v)| Attribute {
                key: k.to_string(),
                value: v.to_string(),
            })
            .collect(),
        hash,
    }
}

fn hello(token: Option<&str>, who: Customer) -> ClientFrame {
    ClientFrame::HelloCustomer(HelloCustomer {
        hello: HelloVisitor {
            site: "default".into(),
            token: token.map(str::to_string),
            page: Some("https://shop.test/account".into()),
            referrer: None,
            language: Some("en-GB".into()),
            utc_offset_min: Some(60),
        },
        customer: who,
    })
}

/// Connects and says `frame`; returns the client and the welcome.
fn connect(addr: SocketAddr, frame: ClientFrame) -> (Client, Welcome) {
    let mut client = Client::connect(addr, Encoding::Binary);
    client.send(&frame);
    let welcome = client.expect("welcome", |f| match f {
        ServerFrame::Welcome(w) => Some(w.clone()),
        _ => None,
    });
    (client, welcome)
}

fn visitor_view(server: &TestServer, token: &str, id: u64) -> Value {
    let path = format!("/api/visitors/{id}");
    let (status, body) = http(server.addr, "GET", &path, Some(token), &json!(null));
    assert_eq!(status, 200, "{body}");
    body
}

#[test]
fn a_verified_customer_sees_the_same_history_on_two_devices() {
    let server = TestServer::start();
    let admin = server.admin();
    let secret = make_secret(&server, &admin, "default");
    let hash = || Some(expected_hash(&secret, "cust-7"));
    let attrs = [("vip", "gold"), ("orders", "12")];
    let (mut phone, first) = connect(server.addr, hello(None, customer("cust-7", hash(), &attrs)));
    phone.say(None, "p1", "Where is my order?");
    let (conversation, _) = phone.ack("p1");
    // Another browser, no token of its own: the same visitor, the same conversation.
    let (mut laptop, second) =
        connect(server.addr, hello(None, customer("cust-7", hash(), &attrs)));
    assert_eq!(second.id, first.id, "one visitor per customer and site");
    assert_eq!(
        second.visitor_token, first.visitor_token,
        "the customer's own token"
    );
    assert_eq!(
        second.conversation.as_ref().map(|c| c.id),
        Some(conversation)
    );
    let replayed = laptop.sync(conversation, 0);
    assert!(
        replayed.iter().any(|m| m.body == "Where is my order?"),
        "{replayed:?}"
    );
    // Agents see who it is.
    let view = visitor_view(&server, &admin, first.id);
    assert_eq!(view["verified"], true, "{view}");
    assert_eq!(view["customer"]["user_id"], "cust-7");
    assert_eq!(view["attributes"], json!({"vip": "gold", "orders": "12"}));
    assert_eq!(view["name"], "Customer cust-7");
}

#[test]
fn forged_and_replayed_hashes_are_never_trusted_and_keep_nothing() {
    let server = TestServer::start();
    let admin = server.admin();
    let secret = make_secret(&server, &admin, "default");
    let (mut alice, real) = connect(
        server.addr,
        hello(
            None,
            customer("alice", Some(expected_hash(&secret, "alice")), &[]),
        ),
    );
    alice.say(None, "a1", "my address is secret");
    alice.ack("a1");
    let forged = "ab".repeat(32);
    let replayed = expected_hash(&secret, "mallory"); // mallory's own valid hash
    let wrong_secret = expected_hash("guessed", "alice");
    for hash in [forged, replayed, wrong_secret, String::new()] {
        let (mut mallory, welcome) = connect(
            server.addr,
            hello(
                None,
                customer("alice", Some(hash.clone()), &[("vip", "platinum")]),
            ),
        );
        assert_ne!(welcome.id, real.id, "{hash:?}: no impersonation");
        assert!(
            welcome.conversation.is_none(),
            "{hash:?}: alice's chat stays hers"
        );
        // Nothing claimed is kept: the visitor is an ordinary anonymous one.
        mallory.say(None, "m1", "hi");
        mallory.ack("m1");
        let view = visitor_view(&server, &admin, welcome.id);
        assert_eq!(view["verified"], false, "{view}");
        assert_eq!(view["attributes"], json!({}), "{view}");
        assert_eq!(view["name"], Value::Null, "{view}");
        assert_eq!(view["customer"], Value::Null, "{view}");
    }
    // Alice's record was not touched by the attempts.
    let view = visitor_view(&server, &admin, real.id);
    assert_eq!(view["attributes"], json!({}));
    assert_eq!(view["name"], "Customer alice");
}

#[test]
fn attributes_of_an_unverified_identify_are_not_kept_when_no_secret_exists() {
    let server = TestServer::start();
    let admin = server.admin();
    // No secret made: every identify is unverified, whatever the hash.
    let hash = Some(expected_hash("", "bob"));
    let (mut bob, welcome) = connect(
        server.addr,
        hello(None, customer("bob", hash, &[("vip", "gold")])),
    );
    assert!(welcome.visitor_token.is_some(), "an anonymous visitor");
    bob.say(None, "b1", "hello");
    bob.ack("b1");
    let view = visitor_view(&server, &admin, welcome.id);
    assert_eq!(
        (view["verified"].clone(), view["attributes"].clone()),
        (json!(false), json!({}))
    );
}

#[test]
fn require_identity_refuses_unverified_identify_calls() {
    let server = TestServer::start_with(|c| c.require_identity = true);
    let admin = server.admin();
    let secret = make_secret(&server, &admin, "default");
    let mut refused = Client::connect(server.addr, Encoding::Binary);
    refused.send(&hello(None, customer("eve", Some("00".repeat(32)), &[])));
    assert_eq!(refused.error().error, "unauthorized");
    assert_eq!(refused.closed_with(), 1008);
    // A verified customer and an anonymous visitor (no identify) are both welcome.
    connect(
        server.addr,
        hello(
            None,
            customer("eve", Some(expected_hash(&secret, "eve")), &[]),
        ),
    );
    Client::visitor(server.addr, Encoding::Binary, None);

    // Without the flag, the site's own setting does the same.
    let server = TestServer::start();
    let admin = server.admin();
    make_secret(&server, &admin, "default");
    let no_hash = || hello(None, customer("eve", None, &[]));
    connect(server.addr, no_hash()); // accepted as anonymous
    let patch = json!({"site": "default", "require": true});
    let (status, body) = http(server.addr, "PATCH", "/api/identity", Some(&admin), &patch);
    assert_eq!(
        (status, body["require"].clone()),
        (200, json!(true)),
        "{body}"
    );
    let mut refused = Client::connect(server.addr, Encoding::Binary);
    refused.send(&no_hash());
    assert_eq!(refused.error().code, 4010);
}

#[test]
fn a_guest_who_logs_in_keeps_their_chat_but_is_never_merged_into_an_existing_customer() {
    let server = TestServer::start();
    let admin = server.admin();
    let secret = make_secret(&server, &admin, "default");
    let signed = |id: &str| customer(id, Some(expected_hash(&secret, id)), &[]);
    // A guest asks, then logs in as a customer new to the chat: the guest becomes them.
    let (mut guest, anon) = Client::visitor(server.addr, Encoding::Binary, None);
    guest.say(None, "g1", "question before login");
    let (conversation, _) = guest.ack("g1");
    let token = anon.visitor_token.clone().expect("token");
    let (_, carol) = connect(server.addr, hello(Some(&token), signed("carol")));
    assert_eq!(carol.id, anon.id, "the guest's visitor is now carol's");
    assert_eq!(carol.conversation.map(|c| c.id), Some(conversation));
    // Another guest logs in as carol: carol's history, and the guest's chat stays the guest's.
    let (mut other, anon2) = Client::visitor(server.addr, Encoding::Binary, None);
    other.say(None, "o1", "someone else's words");
    let (other_conv, _) = other.ack("o1");
    let token2 = anon2.visitor_token.clone().expect("token");
    let (_, again) = connect(server.addr, hello(Some(&token2), signed("carol")));
    assert_eq!(again.id, carol.id);
    assert_eq!(
        again.conversation.map(|c| c.id),
        Some(conversation),
        "not merged"
    );
    let (_, back) = Client::visitor(server.addr, Encoding::Binary, Some(&token2));
    assert_eq!(back.conversation.map(|c| c.id), Some(other_conv));
    // Carol's browser, not logged out, identifies as dave (new): carol's visitor is
    // bound, so dave gets a visitor of his own and nothing of carol's.
    let (_, dave) = connect(server.addr, hello(Some(&token), signed("dave")));
    assert_ne!(
        dave.id, carol.id,
        "a customer's visitor is never adopted by another"
    );
    assert!(dave.conversation.is_none());
    // Logout: the widget forgets the token; a hello without one is a fresh visitor.
    let (_, fresh) = Client::visitor(server.addr, Encoding::Binary, None);
    assert_ne!(fresh.id, carol.id);
    assert!(
        fresh.conversation.is_none(),
        "a fresh visitor sees nothing of carol's"
    );
}

#[test]
fn admins_set_attributes_with_patch_within_limits() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, agent) = server.agent(&admin, "Alice", None);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "hi");
    visitor.ack("v1");
    let path = format!("/api/visitors/{}", welcome.id);
    let body = json!({"name": "Dana", "attributes": {"vip": "gold", "orders": "3"}});
    let (status, view) = http(server.addr, "PATCH", &path, Some(&admin), &body);
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["attributes"], json!({"vip": "gold", "orders": "3"}));
    let (status, view) = http(
        server.addr,
        "PATCH",
        &path,
        Some(&admin),
        &json!({"attributes": {"vip": null}}),
    );
    assert_eq!(
        (status, view["attributes"].clone()),
        (200, json!({"orders": "3"}))
    );
    assert_eq!(
        visitor_view(&server, &agent, welcome.id)["name"],
        "Dana",
        "agents see it"
    );
    // Both changes are in the audit log, by field name, never by value.
    make_secret(&server, &admin, "default");
    let (status, audit) = http(server.addr, "GET", "/api/audit", Some(&admin), &json!(null));
    assert_eq!(status, 200, "{audit}");
    let text = audit.to_string();
    assert!(!text.contains("Dana") && !text.contains("gold"), "{text}");
    let entries = audit["entries"].as_array().cloned().unwrap_or_default();
    let changed: Vec<&Value> = entries
        .iter()
        .filter(|e| e["action"] == "visitor.changed")
        .collect();
    assert_eq!(changed.len(), 2, "{text}");
    assert_eq!(
        changed[1]["target"],
        json!({"visitor": welcome.id, "fields": ["name", "attributes"]})
    );
    assert!(
        entries.iter().any(|e| e["action"] == "identity.changed"
            && e["target"] == json!({"site": "default", "rotated": true, "require": false})),
        "{text}"
    );

    let (status, _) = http(server.addr, "PATCH", &path, Some(&agent), &body);
    assert_eq!(status, 403, "agents may not");
    let (status, _) = http(server.addr, "PATCH", &path, None, &body);
    assert_eq!(status, 401);
    let many: serde_json::Map<String, Value> =
        (0..31).map(|i| (format!("k{i}"), json!("v"))).collect();
    let long = json!({"attributes": {"note": "x".repeat(201)}});
    let nested = json!({"attributes": {"vip": {"level": 1}}});
    for bad in [
        json!({"attributes": many}),
        long,
        json!({"email": "nope"}),
        nested,
    ] {
        let (status, error) = http(server.addr, "PATCH", &path, Some(&admin), &bad);
        assert_eq!(status, 400, "{bad}: {error}");
    }
    // 29 more keys next to "orders" make 30: fine; one more is refused with a clear error.
    let fill: serde_json::Map<String, Value> =
        (0..29).map(|i| (format!("k{i}"), json!("v"))).collect();
    let (status, _) = http(
        server.addr,
        "PATCH",
        &path,
        Some(&admin),
        &json!({"attributes": fill}),
    );
    assert_eq!(status, 200);
    let (status, error) = http(
        server.addr,
        "PATCH",
        &path,
        Some(&admin),
        &json!({"attributes": {"x": "1"}}),
    );
    assert_eq!(status, 409, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("at most 30"),
        "{error}"
    );
    let (status, _) = http(
        server.addr,
        "PATCH",
        "/api/visitors/999999",
        Some(&admin),
        &json!({"name": "x"}),
    );
    assert_eq!(status, 404);
}

#[test]
fn only_admins_read_or_rotate_secrets_and_a_rotation_stops_the_old_one() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, agent) = server.agent(&admin, "Alice", None);
    let old = make_secret(&server, &admin, "default");
    let (status, list) = http(
        server.addr,
        "GET",
        "/api/identity",
        Some(&admin),
        &json!(null),
    );
    assert_eq!(
        (status, list["sites"][0]["secret"].clone()),
        (200, json!(old))
    );
    for (method, body) in [("GET", json!(null)), ("POST", json!({"site": "default"}))] {
        let (status, _) = http(server.addr, method, "/api/identity", Some(&agent), &body);
        assert_eq!(status, 403, "{method} as an agent");
        let (status, _) = http(server.addr, method, "/api/identity", None, &body);
        assert_eq!(status, 401, "{method} as a stranger");
    }
    let (status, _) = http(
        server.addr,
        "POST",
        "/api/identity",
        Some(&admin),
        &json!({"site": "no spaces"}),
    );
    assert_eq!(status, 400);
    let (_, first) = connect(
        server.addr,
        hello(None, customer("u", Some(expected_hash(&old, "u")), &[])),
    );
    let new = make_secret(&server, &admin, "default");
    assert_ne!(new, old);
    let (_, stale) = connect(
        server.addr,
        hello(None, customer("u", Some(expected_hash(&old, "u")), &[])),
    );
    assert_ne!(stale.id, first.id, "the old secret no longer verifies");
    let (_, fresh) = connect(
        server.addr,
        hello(None, customer("u", Some(expected_hash(&new, "u")), &[])),
    );
    assert_eq!(
        fresh.id, first.id,
        "the customer keeps their visitor across a rotation"
    );
}
