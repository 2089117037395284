//! `GET`/`PUT /api/responder`: admins only, the key write-only (never shown, kept
//! unless replaced), every field checked, private addresses only with the opt-in, and
//! the settings kept across a restart.

use serde_json::{Value, json};

use super::Shop;
use crate::harness::http;

fn body(extra: Value) -> Value {
    let mut body = json!({
        "mode": "when_unsure",
        "kind": "openai",
        "url": "https://api.deepseek.com",
        "key": "sk-very-secret",
        "model": "deepseek-chat",
        "timeout_ms": 8000,
        "per_conversation": 10,
        "per_day": 500,
    });
    super::merge(&mut body, extra);
    body
}

#[test]
fn the_key_is_write_only_and_every_field_is_checked() {
    let mut shop = Shop::open();
    let addr = shop.server.addr;
    let (status, shown) = http(
        addr,
        "GET",
        "/api/responder",
        Some(&shop.admin),
        &json!(null),
    );
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["mode"], "never", "off by default: {shown}");
    assert_eq!(shown["key_set"], false);

    let shown = shop.configure(&body(json!({})));
    assert_eq!(shown["key_set"], true);
    assert!(!shown.to_string().contains("sk-very-secret"), "{shown}");
    let mut without_key = body(json!({"model": "deepseek-reasoner"}));
    without_key.as_object_mut().expect("object").remove("key");
    shop.configure(&without_key);
    let (_, shown) = http(
        addr,
        "GET",
        "/api/responder",
        Some(&shop.admin),
        &json!(null),
    );
    assert!(!shown.to_string().contains("sk-very-secret"), "{shown}");
    assert_eq!(shown["key_set"], true, "kept when not given: {shown}");
    assert_eq!(shown["model"], "deepseek-reasoner");

    let (_, agent) = shop.server.agent(&shop.admin, "Bob", None);
    for (token, want) in [(None, 401), (Some(agent.as_str()), 403)] {
        let (status, _) = http(addr, "GET", "/api/responder", token, &json!(null));
        assert_eq!(status, want);
        let (status, _) = http(addr, "PUT", "/api/responder", token, &body(json!({})));
        assert_eq!(status, want);
    }

    for bad in [
        json!({"url": "http://127.0.0.1:11434/v1"}),
        json!({"url": "http://192.168.1.5/v1"}),
        json!({"url": "file:///etc/passwd"}),
        json!({"timeout_ms": 10}),
        json!({"per_conversation": 0}),
        json!({"per_day": 0}),
        json!({"model": ""}),
        json!({"mode": "sometimes"}),
        json!({"kind": "signed", "key": "not-a-whsec"}),
        json!({"surprise": true}),
    ] {
        let (status, answer) = http(
            addr,
            "PUT",
            "/api/responder",
            Some(&shop.admin),
            &body(bad.clone()),
        );
        assert_eq!(status, 400, "{bad}: {answer}");
    }
    let local = body(json!({"url": "http://127.0.0.1:11434/v1", "allow_private": true}));
    assert_eq!(
        shop.configure(&local)["allow_private"],
        true,
        "with the opt-in"
    );

    shop.server.restart();
    let (_, shown) = http(
        shop.server.addr,
        "GET",
        "/api/responder",
        Some(&shop.admin),
        &json!(null),
    );
    assert_eq!(shown["url"], "http://127.0.0.1:11434/v1", "{shown}");
    assert_eq!(shown["key_set"], true);
    assert_eq!(shown["mode"], "when_unsure");
}
