//! The REST v1 conversation reads with API keys: filters, cursor pages, bounded page
//! sizes, a site key's view, one conversation with its messages paged by seq.

use deskbell::protocol::*;
use serde_json::{Value, json};

use super::{create_key, get, visitor_on};
use crate::harness::{Client, TestServer, http};

/// A visitor on `site` who starts a conversation with `text`; returns its id.
pub(super) fn conversation_on(server: &TestServer, site: &str, text: &str) -> u64 {
    visitor_on(server, site, text).1
}

fn ids(page: &Value) -> Vec<u64> {
    page["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .map(|c| c["id"].as_u64().expect("id"))
        .collect()
}

#[test]
fn conversations_are_listed_by_filter_and_cursor() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "read", None);
    let shop: Vec<u64> = (0..5)
        .map(|i| conversation_on(&server, "shop", &format!("hi {i}")))
        .collect();
    let blog = conversation_on(&server, "blog", "hello blog");

    let (status, page) = get(&server, "/api/v1/conversations", &key);
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        ids(&page),
        [blog, shop[4], shop[3], shop[2], shop[1], shop[0]]
    );
    assert!(page["next_before"].is_null());
    let first = &page["conversations"][0];
    assert_eq!(
        (first["site"].as_str(), first["status"].as_str()),
        (Some("blog"), Some("queued"))
    );

    // Pages of two, following the cursor, see every shop conversation once.
    let mut seen = Vec::new();
    let mut path = "/api/v1/conversations?site=shop&limit=2".to_string();
    loop {
        let (status, page) = get(&server, &path, &key);
        assert_eq!(status, 200, "{page}");
        assert!(ids(&page).len() <= 2);
        seen.extend(ids(&page));
        match page["next_before"].as_u64() {
            Some(next) => path = format!("/api/v1/conversations?site=shop&limit=2&before={next}"),
            None => break,
        }
    }
    assert_eq!(seen, shop.iter().rev().copied().collect::<Vec<_>>());

    // Filters: status, visitor, time; a huge limit is bounded; bad values are refused.
    let (_, closed) = get(&server, "/api/v1/conversations?status=closed", &key);
    assert!(ids(&closed).is_empty());
    let (_, one) = get(&server, &format!("/api/v1/conversations/{blog}"), &key);
    let visitor = one["visitor"].as_u64().expect("visitor");
    let (_, mine) = get(
        &server,
        &format!("/api/v1/conversations?visitor={visitor}"),
        &key,
    );
    assert_eq!(ids(&mine), [blog]);
    let (_, future) = get(
        &server,
        "/api/v1/conversations?from=2999-01-01T00:00:00Z",
        &key,
    );
    assert!(ids(&future).is_empty());
    let (_, past) = get(
        &server,
        "/api/v1/conversations?until=2999-01-01T00:00:00Z&limit=100000",
        &key,
    );
    assert_eq!(ids(&past).len(), 6);
    // Times as URL libraries write them: percent-encoded colons, an offset's `+` kept.
    let (status, encoded) = get(
        &server,
        "/api/v1/conversations?until=2999-01-01T00%3A00%3A00%2B01%3A00&limit=100",
        &key,
    );
    assert_eq!(status, 200, "{encoded}");
    assert_eq!(ids(&encoded).len(), 6);
    let (_, offset) = get(
        &server,
        "/api/v1/conversations?from=2999-01-01T00:00:00+01:00",
        &key,
    );
    assert!(ids(&offset).is_empty());
    for bad in ["status=open", "agent=x", "from=yesterday", "before=-1"] {
        let (status, _) = get(&server, &format!("/api/v1/conversations?{bad}"), &key);
        assert_eq!(status, 400, "{bad}");
    }
}

#[test]
fn a_site_key_sees_only_its_site() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "read", Some("shop"));
    let mine = conversation_on(&server, "shop", "hi");
    let theirs = conversation_on(&server, "blog", "hi");
    let (_, page) = get(&server, "/api/v1/conversations", &key);
    assert_eq!(ids(&page), [mine]);
    assert_eq!(get(&server, "/api/v1/conversations?site=blog", &key).0, 403);
    assert_eq!(
        get(&server, &format!("/api/v1/conversations/{theirs}"), &key).0,
        404
    );
    assert_eq!(
        get(&server, &format!("/api/v1/conversations/{mine}"), &key).0,
        200
    );
    // The console's own list (a session) is unchanged: closed conversations, an array.
    let (status, list) = http(
        server.addr,
        "GET",
        "/api/conversations",
        Some(&admin),
        &json!(null),
    );
    assert_eq!((status, list.is_array()), (200, true), "{list}");
}

#[test]
fn a_conversation_comes_with_its_messages_paged_by_seq() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "read", None);
    let mut client = Client::connect(server.addr, Encoding::Json);
    client.hello_visitor(None);
    client.say(None, "m0", "message 0");
    let (conversation, _) = client.ack("m0");
    for i in 1..5 {
        client.say(
            Some(conversation),
            &format!("m{i}"),
            &format!("message {i}"),
        );
        client.ack(&format!("m{i}"));
    }
    let path = format!("/api/v1/conversations/{conversation}?limit=2");
    let (status, first) = get(&server, &path, &key);
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["id"].as_u64(), Some(conversation));
    let mut bodies = Vec::new();
    let mut page = first;
    loop {
        let messages = page["messages"].as_array().expect("messages");
        assert!(messages.len() <= 2);
        for m in messages {
            if m["author_kind"] == "visitor" {
                bodies.push(m["body"].as_str().expect("body").to_string());
            }
        }
        let Some(after) = page["next_after"].as_u64() else {
            break;
        };
        let path = format!("/api/v1/conversations/{conversation}?limit=2&after={after}");
        page = get(&server, &path, &key).1;
    }
    let expected: Vec<String> = (0..5).map(|i| format!("message {i}")).collect();
    assert_eq!(bodies, expected);
    assert_eq!(get(&server, "/api/v1/conversations/999", &key).0, 404);
    // An agent's session reads it too; nobody else does.
    assert_eq!(
        get(
            &server,
            &format!("/api/v1/conversations/{conversation}"),
            &admin
        )
        .0,
        200
    );
    let anonymous = http(
        server.addr,
        "GET",
        &format!("/api/v1/conversations/{conversation}"),
        None,
        &json!(null),
    );
    assert_eq!(anonymous.0, 401);
}
