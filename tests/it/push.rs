//! Web Push: the key and subscription API, and pushes through the real server to a fake
//! push service, checked the way a push service and a browser check them (VAPID JWT,
//! RFC 8291 payload); a 410 removes the device; a visible console stops pushes.

use serde_json::{Value, json};

use crate::harness::{Device, PushService, TestServer, http, http_raw};

/// The server's VAPID public key, as the console fetches it.
fn server_key(server: &TestServer, token: &str) -> String {
    let (status, body) = http(
        server.addr,
        "GET",
        "/api/push/key",
        Some(token),
        &Value::Null,
    );
    assert_eq!(status, 200, "{body}");
    body["public_key"].as_str().expect("public_key").to_string()
}

/// Posts a device's subscription; returns status and body.
fn subscribe(server: &TestServer, token: &str, device: &Device) -> (u16, Value) {
    let mut body = device.subscription();
    body["label"] = json!("Test phone");
    http(
        server.addr,
        "POST",
        "/api/push/subscriptions",
        Some(token),
        &body,
    )
}

fn insecure() -> TestServer {
    TestServer::start_with(|c| c.push_allow_insecure = true)
}

#[test]
fn agents_manage_their_own_devices() {
    let server = insecure();
    let admin = server.admin();
    let (_, bob) = server.agent(&admin, "bob", None);
    let (status, _) = http_raw(server.addr, "GET", "/api/push/key", None, "");
    assert_eq!(status, 401, "the key is for logged-in agents");
    let key = server_key(&server, &admin);
    assert_eq!(key.len(), 87, "65 bytes in base64url: {key}");
    assert_eq!(server_key(&server, &bob), key, "one key per server");

    let service = PushService::start();
    let phone = Device::new(service.endpoint("phone"));
    let (status, body) = subscribe(&server, &bob, &phone);
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_u64().expect("id");
    assert_eq!(body["label"], "Test phone");
    assert_eq!(body["service"], "127.0.0.1");
    assert!(
        body.get("endpoint").is_none(),
        "the capability URL is not shown"
    );
    // The same device again keeps its id.
    let (status, again) = subscribe(&server, &bob, &phone);
    assert_eq!((status, again["id"].as_u64()), (201, Some(id)));

    let (_, mine) = http(
        server.addr,
        "GET",
        "/api/push/subscriptions",
        Some(&bob),
        &Value::Null,
    );
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    let (_, theirs) = http(
        server.addr,
        "GET",
        "/api/push/subscriptions",
        Some(&admin),
        &Value::Null,
    );
    assert_eq!(theirs, json!([]), "nobody sees another agent's devices");
    let path = format!("/api/push/subscriptions/{id}");
    let (status, _) = http(server.addr, "DELETE", &path, Some(&admin), &Value::Null);
    assert_eq!(status, 404, "nobody removes another agent's device");
    let (status, _) = http(server.addr, "DELETE", &path, Some(&bob), &Value::Null);
    assert_eq!(status, 200);
    let (_, mine) = http(
        server.addr,
        "GET",
        "/api/push/subscriptions",
        Some(&bob),
        &Value::Null,
    );
    assert_eq!(mine, json!([]));

    // At most ten devices per agent.
    for n in 0..10 {
        let device = Device::new(service.endpoint(&format!("d{n}")));
        assert_eq!(subscribe(&server, &bob, &device).0, 201);
    }
    let (status, body) = subscribe(&server, &bob, &Device::new(service.endpoint("d10")));
    assert_eq!(status, 409, "{body}");
}

#[test]
fn bad_subscriptions_are_refused() {
    // Without --allow-insecure-push: https only, and no private addresses.
    let server = TestServer::start();
    let admin = server.admin();
    let refused = |body: Value| {
        let (status, answer) = http(
            server.addr,
            "POST",
            "/api/push/subscriptions",
            Some(&admin),
            &body,
        );
        assert_eq!(status, 400, "{body} → {answer}");
        answer["message"].as_str().unwrap_or_default().to_string()
    };
    let device = Device::new("https://push.example/abc".into());
    let with = |field: &str, value: Value| {
        let mut body = device.subscription();
        body[field] = value;
        body
    };
    assert!(refused(with("endpoint", json!("http://push.example/abc"))).contains("https"));
    assert!(refused(with("endpoint", json!("https://127.0.0.1/abc"))).contains("loopback"));
    assert!(refused(with("endpoint", json!("https://192.168.1.2/abc"))).contains("private"));
    let mut short_auth = device.subscription();
    short_auth["keys"]["auth"] = json!("AAAA");
    assert!(refused(short_auth).contains("16 bytes"));
    let mut bad_key = device.subscription();
    bad_key["keys"]["p256dh"] = json!("BAAA");
    assert!(refused(bad_key).contains("p256dh"));
    let (status, _) = http(
        server.addr,
        "POST",
        "/api/push/subscriptions",
        Some(&admin),
        &json!({"endpoint": "https://push.example/x"}),
    );
    assert_eq!(status, 400, "keys are required");
    // A well-formed https subscription is accepted.
    let (status, body) = http(
        server.addr,
        "POST",
        "/api/push/subscriptions",
        Some(&admin),
        &device.subscription(),
    );
    assert_eq!(status, 201, "{body}");
}
