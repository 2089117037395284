//! `GET` and `PATCH /api/v1/visitors/ID` with API keys (the articles' "SyncUser"): any
//! key reads, write and admin keys change name, email and attributes, a site key only
//! for visitors seen on its site (404 for the others, as for conversations), and the
//! change is in the audit log by key. The console's sessions keep working.

use serde_json::{Value, json};

use super::conversations::conversation_on;
use super::{create_key, get};
use crate::harness::{TestServer, http};

fn visitor_of(server: &TestServer, key: &str, conversation: u64) -> u64 {
    let (status, c) = get(
        server,
        &format!("/api/v1/conversations/{conversation}"),
        key,
    );
    assert_eq!(status, 200, "{c}");
    c["visitor"].as_u64().expect("visitor")
}

fn patch(server: &TestServer, token: &str, visitor: u64, body: &Value) -> (u16, Value) {
    let path = format!("/api/v1/visitors/{visitor}");
    http(server.addr, "PATCH", &path, Some(token), body)
}

#[test]
fn keys_read_and_sync_visitors_within_their_site() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, read) = create_key(&server, &admin, "read", None);
    let (write_id, write) = create_key(&server, &admin, "write", None);
    let (_, shop_write) = create_key(&server, &admin, "write", Some("shop"));
    let (_, shop_read) = create_key(&server, &admin, "read", Some("shop"));
    let on_shop = conversation_on(&server, "shop", "hello shop");
    let on_blog = conversation_on(&server, "blog", "hello blog");
    let shopper = visitor_of(&server, &read, on_shop);
    let blogger = visitor_of(&server, &read, on_blog);

    // Any key reads; a site key only its site's visitors.
    let path = |v: u64| format!("/api/v1/visitors/{v}");
    let (status, seen) = get(&server, &path(shopper), &read);
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["conversations"][0]["id"].as_u64(), Some(on_shop));
    assert_eq!(get(&server, &path(shopper), &shop_read).0, 200);
    let (status, hidden) = get(&server, &path(blogger), &shop_read);
    assert_eq!((status, hidden["error"].as_str()), (404, Some("not_found")));
    assert_eq!(get(&server, &path(999_999), &read).0, 404);

    // SyncUser: write keys change name, email and attributes.
    let sync = json!({"name": "Ada", "email": "ada@example.com",
                      "attributes": {"vip": "gold", "orders": "3"}});
    let (status, changed) = patch(&server, &write, shopper, &sync);
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["name"], "Ada");
    assert_eq!(changed["attributes"], json!({"vip": "gold", "orders": "3"}));
    let (status, changed) = patch(
        &server,
        &shop_write,
        shopper,
        &json!({"attributes": {"orders": null}}),
    );
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["attributes"], json!({"vip": "gold"}));
    // Outside its site, a site key finds nothing to change, and nothing changes.
    let (status, _) = patch(&server, &shop_write, blogger, &json!({"name": "Eve"}));
    assert_eq!(status, 404);
    let (_, untouched) = get(&server, &path(blogger), &read);
    assert!(untouched["name"].is_null(), "{untouched}");
    // Read keys do not change; bad values are still refused.
    let (status, said) = patch(&server, &read, shopper, &json!({"name": "Mallory"}));
    assert_eq!((status, said["error"].as_str()), (403, Some("forbidden")));
    let (status, _) = patch(
        &server,
        &write,
        shopper,
        &json!({"email": "not an address"}),
    );
    assert_eq!(status, 400);
    assert_eq!(
        patch(&server, &write, 999_999, &json!({"name": "x"})).0,
        404
    );

    // The audit log names the key and the fields, never the values.
    let (_, audit) = get(&server, "/api/audit", &admin);
    let entry = &audit["entries"][1];
    assert_eq!(entry["action"], "visitor.changed", "{audit}");
    assert_eq!(entry["actor"], json!({"kind": "key", "id": write_id}));
    assert!(!audit.to_string().contains("ada@example.com"), "{audit}");
}

#[test]
fn the_console_keeps_its_visitor_rules() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, agent) = server.agent(&admin, "bea", None);
    let (_, read) = create_key(&server, &admin, "read", None);
    let conversation = conversation_on(&server, "default", "hi");
    let visitor = visitor_of(&server, &read, conversation);
    let path = format!("/api/visitors/{visitor}");
    assert_eq!(get(&server, &path, &agent).0, 200, "agents read");
    assert_eq!(
        patch(&server, &agent, visitor, &json!({"name": "x"})).0,
        403
    );
    assert_eq!(
        patch(&server, &admin, visitor, &json!({"name": "Al"})).0,
        200
    );
    let (status, _) = http(server.addr, "GET", &path, None, &json!(null));
    assert_eq!(status, 401);
}
