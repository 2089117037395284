//! The route table over a real server: every `/api/X` is also `/api/v1/X` (the same
//! handlers, guards and `Allow` lists), and nothing else answers under `/api/`.

use serde_json::json;

use crate::harness::{TestServer, header, http, http_full};

#[test]
fn every_api_path_is_also_served_under_v1() {
    let server = TestServer::start();
    let admin = server.admin();
    let (status, me) = http(server.addr, "GET", "/api/v1/me", Some(&admin), &json!(null));
    assert_eq!(status, 200, "{me}");
    let (status, _) = http(server.addr, "GET", "/api/v1/me", None, &json!(null));
    assert_eq!(status, 401, "the same guard");
    let new = json!({"name": "Vera", "password": "correct horse battery"});
    let (status, created) = http(server.addr, "POST", "/api/v1/agents", Some(&admin), &new);
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_u64().expect("id");
    let patch = json!({"capacity": 2});
    let path = format!("/api/v1/agents/{id}");
    let (status, patched) = http(server.addr, "PATCH", &path, Some(&admin), &patch);
    assert_eq!(status, 200, "{patched}");
    let (status, agents) = http(
        server.addr,
        "GET",
        "/api/agents",
        Some(&admin),
        &json!(null),
    );
    assert_eq!(status, 200);
    let vera = agents
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == id))
        .cloned();
    assert_eq!(vera.map(|v| v["capacity"].clone()), Some(json!(2)));

    let (status, head, _) = http_full(server.addr, "OPTIONS", "/api/v1/agents", &[], "");
    assert_eq!(status, 204, "{head}");
    assert_eq!(header(&head, "Allow"), Some("GET, POST"));
    let (status, head, _) = http_full(server.addr, "GET", "/api/v1/canned/3", &[], "");
    assert_eq!(status, 405, "{head}");
    assert_eq!(header(&head, "Allow"), Some("PUT, DELETE"));
    let (status, head, _) = http_full(server.addr, "OPTIONS", "/api/v1/widget", &[], "");
    assert_eq!(status, 204, "{head}");
    assert_eq!(header(&head, "Access-Control-Allow-Origin"), Some("*"));
}

#[test]
fn unknown_versions_and_malformed_ids_are_not_found() {
    let server = TestServer::start();
    let admin = server.admin();
    for path in [
        "/api/v2/me",
        "/api/v1",
        "/api/v1/v1/me",
        "/api/agents/+1",
        "/api/v1/agents/1/more",
    ] {
        let (status, body) = http(server.addr, "PATCH", path, Some(&admin), &json!({}));
        assert_eq!(status, 404, "{path}: {body}");
    }
}
