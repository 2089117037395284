//! Friendly visitor names (issue #13): `GET /api/visitors?ids=` gives agents each
//! visitor's generated name and colour (the same the push and email texts use) and the
//! page they are on; strangers get nothing, and one request is bounded.

use deskbell::protocol::*;
use deskbell::visitor_alias::visitor_alias;
use serde_json::json;

use crate::harness::{Client, TestServer, http};

#[test]
fn agents_get_each_visitors_friendly_name_colour_and_page() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "Hello");
    visitor.ack("v1");
    let id = welcome.id;
    let unknown = id + 1000;

    let path = format!("/api/visitors?ids={id},{unknown},{id}");
    let (status, cards) = http(server.addr, "GET", &path, Some(&alice), &json!(null));
    assert_eq!(status, 200, "{cards}");
    let alias = visitor_alias(id);
    assert_eq!(
        cards,
        json!([
            { "id": id, "name": null, "page": "https://shop.test/shoes",
              "alias": { "en": alias.en, "zh": alias.zh, "colour": alias.colour } },
            { "id": unknown, "name": null, "page": null,
              "alias": serde_json::to_value(visitor_alias(unknown)).expect("json") },
        ])
    );
    let (_, one) = http(
        server.addr,
        "GET",
        &format!("/api/visitors/{id}"),
        Some(&alice),
        &json!(null),
    );
    assert_eq!(one["alias"]["en"], alias.en, "the visitor panel agrees");

    let (status, _) = http(server.addr, "GET", &path, None, &json!(null));
    assert_eq!(status, 401, "strangers learn nothing");
    let many: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    for bad in [
        format!("/api/visitors?ids={}", many.join(",")),
        "/api/visitors?ids=1,x".to_string(),
        "/api/visitors".to_string(),
    ] {
        let (status, error) = http(server.addr, "GET", &bad, Some(&alice), &json!(null));
        assert_eq!(
            (status, error["error"].as_str()),
            (400, Some("invalid_field")),
            "{bad}"
        );
    }
}
