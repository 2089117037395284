//! Full-text search (issue #15), `GET /api/v1/search`: English words by stem and by
//! prefix, Chinese by character pairs, mixed text; notes and visitors' names, emails
//! and attributes; filters; who may search what (sessions, read keys, site keys); a
//! committed message is searchable at once (same commit) and a purged one is gone; the
//! index survives a restart, is built at start for an older data directory and can
//! be rebuilt; bad queries get stable codes; searching is rate-limited.

use std::time::{Duration, Instant};

use deskbell::protocol::*;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use crate::harness::{Client, TestServer, http, http_full};
use crate::keys::{create_key, visitor_on};

/// `GET /api/v1/search?q=QUERY&EXTRA` as `token`.
fn search(server: &TestServer, token: &str, q: &str, extra: &str) -> (u16, Value) {
    let q = utf8_percent_encode(q, NON_ALPHANUMERIC);
    let path = format!("/api/v1/search?q={q}&{extra}");
    http(server.addr, "GET", &path, Some(token), &json!(null))
}

/// The conversation ids found, best first (asserting 200).
pub fn found(server: &TestServer, token: &str, q: &str, extra: &str) -> Vec<u64> {
    let (status, body) = search(server, token, q, extra);
    assert_eq!(status, 200, "{q}: {body}");
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["conversation"]["id"].as_u64().expect("id"))
        .collect()
}

/// The marked pieces of a snippet (offsets are UTF-16 code units).
fn marked(snippet: &Value) -> Vec<String> {
    let units: Vec<u16> = snippet["text"]
        .as_str()
        .expect("text")
        .encode_utf16()
        .collect();
    snippet["marks"]
        .as_array()
        .expect("marks")
        .iter()
        .map(|m| {
            let (a, b) = (m[0].as_u64().expect("a"), m[1].as_u64().expect("b"));
            String::from_utf16_lossy(&units[a as usize..b as usize])
        })
        .collect()
}

fn visitor_of(server: &TestServer, token: &str, conversation: u64) -> u64 {
    let path = format!("/api/v1/conversations/{conversation}");
    let (status, body) = http(server.addr, "GET", &path, Some(token), &json!(null));
    assert_eq!(status, 200, "{body}");
    body["visitor"].as_u64().expect("visitor")
}

#[test]
fn english_chinese_and_mixed_text_are_found_at_once_with_marks() {
    let server = TestServer::start();
    let admin = server.admin();
    // Each is searched right after its ack: the index is written in the same commit.
    let (_v1, teapot) = visitor_on(
        &server,
        "shop",
        "My 😀 TEAPOTS arrived broken, café au lait spilt",
    );
    assert_eq!(found(&server, &admin, "teapot", ""), [teapot], "stem");
    let (_v2, chinese) = visitor_on(&server, "shop", "我的茶壶坏了，怎么办？");
    assert_eq!(found(&server, &admin, "茶壶坏", ""), [chinese], "bigrams");
    let (_v3, mixed) = visitor_on(&server, "shop", "iPhone手机壳 arrived too");

    assert_eq!(found(&server, &admin, "broken tea", ""), [teapot], "prefix");
    assert_eq!(found(&server, &admin, "CAFE", ""), [teapot], "folded");
    assert_eq!(found(&server, &admin, "茶", ""), [chinese], "one character");
    assert_eq!(found(&server, &admin, "手机壳", ""), [mixed]);
    assert_eq!(found(&server, &admin, "iphone 手机", ""), [mixed], "mixed");
    assert!(
        found(&server, &admin, "teapot 茶壶", "").is_empty(),
        "every term"
    );
    assert!(found(&server, &admin, "broken teacup ", "").is_empty());
    let both = found(&server, &admin, "arrived", "");
    assert_eq!(both.len(), 2, "{both:?}");

    let (_, body) = search(&server, &admin, "broken tea", "");
    let hit = &body["results"][0];
    assert_eq!(hit["snippet"]["source"], "message");
    assert_eq!(hit["snippet"]["author_kind"], "visitor");
    assert_eq!(hit["snippet"]["seq"], 1);
    assert_eq!(marked(&hit["snippet"]), ["TEAPOTS", "broken"]);
    assert_eq!(body["complete"], true);
    let (_, body) = search(&server, &admin, "茶壶坏", "");
    assert_eq!(marked(&body["results"][0]["snippet"]), ["茶壶坏"]);
}

#[test]
fn notes_and_visitor_profiles_are_found_and_ranked() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, write) = create_key(&server, &admin, "write", None);
    let (_v1, first) = visitor_on(&server, "shop", "hello, a question about delivery");
    let (_v2, second) = visitor_on(&server, "shop", "delivery delivery delivery please");
    let note = json!({"client_id": "n1", "body": "VIP: refund the parcel", "author": "note"});
    let path = format!("/api/v1/conversations/{first}/messages");
    let (status, body) = http(server.addr, "POST", &path, Some(&write), &note);
    assert_eq!(status, 201, "{body}");

    let (_, body) = search(&server, &admin, "refund", "");
    assert_eq!(body["results"][0]["snippet"]["source"], "note", "{body}");
    assert_eq!(
        found(&server, &admin, "delivery", ""),
        [second, first],
        "tf ranks"
    );

    let visitor = visitor_of(&server, &admin, first);
    let profile = json!({"name": "María Ortega", "email": "maria@example.com",
        "attributes": {"plan": "Gold Tier"}});
    let path = format!("/api/visitors/{visitor}");
    let (status, body) = http(server.addr, "PATCH", &path, Some(&admin), &profile);
    assert_eq!(status, 200, "{body}");
    let (_, body) = search(&server, &admin, "maria", "");
    let hit = &body["results"][0];
    assert_eq!(hit["conversation"]["id"].as_u64(), Some(first), "{body}");
    assert_eq!(hit["snippet"]["source"], "visitor_name");
    assert_eq!(hit["visitor_name"], "María Ortega");
    assert_eq!(marked(&hit["snippet"]), ["María"]);
    assert_eq!(found(&server, &admin, "example.com", ""), [first]);
    let (_, body) = search(&server, &admin, "gold", "");
    let snippet = &body["results"][0]["snippet"];
    assert_eq!(
        (&snippet["source"], &snippet["key"]),
        (&json!("visitor_attribute"), &json!("plan"))
    );
    // Words from the visitor and from a message together.
    assert_eq!(found(&server, &admin, "ortega question", ""), [first]);
    // A changed name is found by the new one only.
    let (status, _) = http(
        server.addr,
        "PATCH",
        &path,
        Some(&admin),
        &json!({"name": "Lena"}),
    );
    assert_eq!(status, 200);
    assert!(found(&server, &admin, "ortega", "").is_empty());
    assert_eq!(found(&server, &admin, "lena", ""), [first]);
}

#[test]
fn filters_and_keys_see_only_what_they_may() {
    let server = TestServer::start();
    let admin = server.admin();
    let (ann, ann_token) = server.agent(&admin, "ann", Some(1));
    let (_, shop_key) = create_key(&server, &admin, "read", Some("shop"));
    let (_, any_key) = create_key(&server, &admin, "read", None);
    let (mut ann_ws, _) = Client::agent(server.addr, Encoding::Json, &ann_token);
    let (_v1, in_shop) = visitor_on(&server, "shop", "cinnamon rolls for Friday?");
    ann_ws.assigned(in_shop, ann);
    let (_v2, in_blog) = visitor_on(&server, "blog", "cinnamon rolls recipe?");

    assert_eq!(
        found(&server, &ann_token, "cinnamon", "").len(),
        2,
        "agents see all"
    );
    assert_eq!(found(&server, &any_key, "cinnamon", "").len(), 2);
    assert_eq!(
        found(&server, &shop_key, "cinnamon", ""),
        [in_shop],
        "site key"
    );
    let (status, body) = search(&server, &shop_key, "cinnamon", "site=blog");
    assert_eq!((status, &body["error"]), (403, &json!("forbidden")));
    assert_eq!(
        found(&server, &ann_token, "cinnamon", "site=blog"),
        [in_blog]
    );
    assert_eq!(
        found(&server, &ann_token, "cinnamon", &format!("agent={ann}")),
        [in_shop]
    );
    assert_eq!(
        found(&server, &ann_token, "cinnamon", "status=assigned"),
        [in_shop]
    );
    assert!(found(&server, &ann_token, "cinnamon", "status=closed").is_empty());
    assert_eq!(
        found(&server, &ann_token, "cinnamon", "from=2000-01-01T00:00:00Z").len(),
        2
    );
    assert!(
        found(
            &server,
            &ann_token,
            "cinnamon",
            "until=2000-01-01T00:00:00Z"
        )
        .is_empty()
    );
    let page = found(&server, &ann_token, "cinnamon", "limit=1");
    let (_, body) = search(&server, &ann_token, "cinnamon", "limit=1");
    let cursor = body["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_string();
    let rest = found(
        &server,
        &ann_token,
        "cinnamon",
        &format!("limit=1&cursor={cursor}"),
    );
    assert_eq!(page.len() + rest.len(), 2);
    assert_ne!(page, rest);
    // By label: only the conversation carrying it (a label id must be a number).
    let vip = crate::labels::label_id(&server, &admin, "vip", json!({}));
    crate::labels::tag(&mut ann_ws, in_shop, vip, true);
    assert_eq!(crate::labels::labels_of(&mut ann_ws, in_shop), [vip]);
    assert_eq!(
        found(&server, &ann_token, "cinnamon", &format!("label={vip}")),
        [in_shop]
    );
    assert_eq!(
        found(&server, &any_key, "cinnamon", &format!("label={vip}")).len(),
        1
    );
    let (status, body) = search(&server, &ann_token, "cinnamon", "label=vip");
    assert_eq!((status, &body["error"]), (400, &json!("invalid_field")));

    // No session or key: nothing.
    let (status, _) = http(
        server.addr,
        "GET",
        "/api/v1/search?q=cinnamon",
        None,
        &json!(null),
    );
    assert_eq!(status, 401);
}

#[test]
fn bad_queries_get_stable_codes_and_searching_is_rate_limited() {
    let server = TestServer::start();
    let admin = server.admin();
    let long = "x".repeat(201);
    let many = "aa bb cc dd ee ff gg hh ii jj kk";
    let bad = [
        ("", ""),
        (" ;,. ", ""),
        (long.as_str(), ""),
        (many, ""),
        ("tea", "cursor=abc"),
        ("tea", "cursor=5000"),
        ("tea", "status=lost"),
        ("tea", "from=yesterday"),
    ];
    for (q, extra) in bad {
        let (status, body) = search(&server, &admin, q, extra);
        assert_eq!(
            (status, &body["error"]),
            (400, &json!("invalid_field")),
            "{q} {extra}: {body}"
        );
        assert_eq!(body["code"], 4002);
    }
    let (status, body) = http(
        server.addr,
        "GET",
        "/api/v1/search?q=%FF",
        Some(&admin),
        &json!(null),
    );
    assert_eq!(status, 400, "{body}");
    // The budget was spent by the refusals too; the rest of the burst, then 429.
    let spent = bad.len() + 1;
    for _ in spent..deskbell::search::limits::SEARCH_BURST as usize {
        assert_eq!(search(&server, &admin, "tea", "").0, 200);
    }
    let auth = format!("Bearer {admin}");
    let (status, head, body) = http_full(
        server.addr,
        "GET",
        "/api/v1/search?q=tea",
        &[("Authorization", &auth)],
        "",
    );
    assert_eq!(status, 429, "{body}");
    assert!(
        head.to_ascii_lowercase().contains("retry-after: 1"),
        "{head}"
    );
    // Another caller has a budget of its own.
    let (_, key) = create_key(&server, &admin, "read", None);
    assert_eq!(search(&server, &key, "tea", "").0, 200);
    server.advance(1000);
    assert_eq!(search(&server, &admin, "tea", "").0, 200, "refilled");
}

#[test]
fn purged_conversations_leave_the_index_and_the_index_survives_restarts() {
    let mut server = TestServer::start_with(|c| {
        c.retain_days = Some(0);
        c.retention_interval_ms = 200;
    });
    let admin = server.admin();
    let (alice, alice_token) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice_token);
    let (mut leaving, closed) = visitor_on(&server, "shop", "sourdough starter question");
    agent.assigned(closed, alice);
    let (_staying, open) = visitor_on(&server, "shop", "sourdough loaf order");
    assert_eq!(found(&server, &admin, "sourdough", "").len(), 2);
    agent.send(&ClientFrame::Close(ConversationRef {
        conversation: closed,
    }));
    leaving.message("Alice closed the conversation");
    let deadline = Instant::now() + Duration::from_secs(10);
    while found(&server, &admin, "starter", "") == [closed] && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        found(&server, &admin, "starter", "").is_empty(),
        "purged: gone"
    );
    assert_eq!(found(&server, &admin, "sourdough", ""), [open]);

    server.restart_with(|c| c.retain_days = None);
    let admin = server.login("admin", "correct horse battery");
    assert_eq!(
        found(&server, &admin, "sourdough loaf", ""),
        [open],
        "after a restart"
    );
    // `deskbell reindex` on the stopped directory builds the same index again.
    server.restart_after(
        |dir| {
            let totals = deskbell::indexing::rebuild(dir).expect("reindex");
            assert_eq!(totals.conversations, 1, "{totals:?}");
        },
        |c| c.retain_days = None,
    );
    let admin = server.login("admin", "correct horse battery");
    assert_eq!(
        found(&server, &admin, "sourdough loaf", ""),
        [open],
        "after a rebuild"
    );
    assert!(found(&server, &admin, "starter", "").is_empty());
}

#[test]
fn an_older_data_directory_is_indexed_at_start() {
    let (dir, fx) = crate::old_data::fixture("data-v1");
    let server = TestServer::start_in(dir, |_| {});
    let name = fx["admin"]["name"].as_str().expect("name");
    let admin = server.login(name, fx["admin"]["password"].as_str().expect("password"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while search(&server, &admin, "rye", "").1["complete"] != true && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        found(&server, &admin, "rye loaves", ""),
        [1],
        "visitor and agent words"
    );
    assert_eq!(
        found(&server, &admin, "maria", ""),
        [1],
        "the visitor's name"
    );
    assert_eq!(found(&server, &admin, "order 1042", ""), [2]);
    assert!(
        found(&server, &admin, "joined", "").is_empty(),
        "system lines are not indexed"
    );
}

#[test]
fn data_written_with_indexing_off_is_indexed_at_the_next_start() {
    let mut server = TestServer::start_with(|c| c.search_index = false);
    let admin = server.admin();
    let (_visitor, conversation) = visitor_on(&server, "shop", "pumpernickel please");
    let (status, body) = search(&server, &admin, "pumpernickel", "");
    assert_eq!(status, 200);
    assert_eq!(
        (body["results"].as_array().map(Vec::len), &body["complete"]),
        (Some(0), &json!(false))
    );

    server.restart();
    let admin = server.login("admin", "correct horse battery");
    let deadline = Instant::now() + Duration::from_secs(10);
    while found(&server, &admin, "pumpernickel", "").is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(found(&server, &admin, "pumpernickel", ""), [conversation]);
    assert_eq!(
        search(&server, &admin, "pumpernickel", "").1["complete"],
        true
    );
}
