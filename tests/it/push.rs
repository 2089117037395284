//! Web Push: the key and subscription API, and pushes through the real server to a fake
//! push service, checked the way a push service and a browser check them (VAPID JWT,
//! RFC 8291 payload); a 410 removes the device; a visible console stops pushes.

use deskbell::protocol::{ClientFrame, ConversationRef, Encoding, Visibility};
use serde_json::{Value, json};

use crate::harness::{
    Client, Device, PushService, TestServer, WAIT, eventually, http, http_full, http_raw,
    verify_vapid,
};

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

/// An agent (bob) with one device at a fake push service, on a server that pushes to it.
struct Setup {
    server: TestServer,
    /// The first admin's token.
    admin: String,
    service: PushService,
    phone: Device,
    key: String,
    bob: (u64, String),
}

fn setup() -> Setup {
    setup_with(None)
}

/// [`setup`], bob taking at most `capacity` conversations.
fn setup_with(capacity: Option<u32>) -> Setup {
    let server = TestServer::start_with(|c| {
        c.push_allow_insecure = true;
        c.push_contact = Some("mailto:owner@shop.example".into());
    });
    let admin = server.admin();
    let bob = server.agent(&admin, "bob", capacity);
    let service = PushService::start();
    let phone = Device::new(service.endpoint("bobs-phone"));
    assert_eq!(subscribe(&server, &bob.1, &phone).0, 201);
    let key = server_key(&server, &bob.1);
    Setup {
        server,
        admin,
        service,
        phone,
        key,
        bob,
    }
}

/// Unix seconds now.
fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[test]
fn a_waiting_conversation_is_pushed_encrypted_and_signed() {
    let s = setup();
    // Nobody has a console open: the conversation waits in the queue.
    let (mut visitor, welcome) = Client::visitor(s.server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "Do you ship to Norway?");
    let (conversation, _) = visitor.ack("v1");

    let pushes = s.service.wait_for(1, WAIT);
    let push = &pushes[0];
    assert_eq!(push.path, "/push/bobs-phone");
    assert_eq!(push.header("content-encoding"), Some("aes128gcm"));
    assert_eq!(
        push.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(push.header("ttl"), Some("14400"));
    assert_eq!(push.header("urgency"), Some("high"));
    assert!(push.header("topic").is_some_and(|t| t.len() <= 32));
    // The push service's checks: a VAPID token for its own origin, from our key.
    let claims = verify_vapid(push.header("authorization").expect("authorization"), &s.key);
    assert_eq!(claims["aud"], format!("http://{}", s.service.addr));
    assert_eq!(claims["sub"], "mailto:owner@shop.example");
    let exp = claims["exp"].as_u64().expect("exp");
    assert!(exp > now_s() && exp <= now_s() + 24 * 3600, "exp {exp}");
    // The browser's: the payload decrypts with the device's key.
    let payload = s.phone.open(&push.body);
    assert_eq!(
        payload["title"],
        format!(
            "{} is waiting",
            deskbell::visitor_alias::visitor_alias(welcome.id).en
        )
    );
    assert_eq!(payload["body"], "Do you ship to Norway?");
    assert_eq!(payload["conversation"], conversation);
    assert_eq!(payload["url"], format!("/console/#/c/{conversation}"));
    assert!(
        payload["event"]
            .as_str()
            .is_some_and(|e| e.starts_with("evt_"))
    );

    // Once bob takes it and hides his console, the visitor's messages reach his phone.
    let (mut bob, _) = Client::agent(s.server.addr, Encoding::Json, &s.bob.1);
    bob.send(&ClientFrame::Claim(ConversationRef { conversation }));
    bob.assigned(conversation, s.bob.0);
    hide(&mut bob, conversation, false);
    visitor.say(None, "v3", "Are you there?");
    visitor.ack("v3");
    let pushes = s.service.wait_for(2, WAIT);
    assert_eq!(pushes.len(), 2, "{pushes:?}");
    let payload = s.phone.open(&pushes[1].body);
    assert_eq!(payload["body"], "Are you there?");
    assert_eq!(pushes[1].header("ttl"), Some("3600"));
}

#[test]
fn a_push_speaks_the_agents_console_language() {
    let s = setup();
    let (status, _) = http(
        s.server.addr,
        "PATCH",
        "/api/me",
        Some(&s.bob.1),
        &json!({ "console_language": "zh-CN" }),
    );
    assert_eq!(status, 200);
    let (mut visitor, welcome) = Client::visitor(s.server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "你好，在吗？");
    visitor.ack("v1");
    let pushes = s.service.wait_for(1, WAIT);
    let payload = s.phone.open(&pushes[0].body);
    assert_eq!(
        payload["title"],
        format!(
            "{} 正在等待接入",
            deskbell::visitor_alias::visitor_alias(welcome.id).zh
        )
    );
    assert_eq!(payload["body"], "你好，在吗？");
}

/// Says whether the console page is visible, then syncs: a barrier, since the hub
/// handles one connection's frames in order.
fn hide(agent: &mut Client, conversation: u64, visible: bool) {
    agent.send(&ClientFrame::Visibility(Visibility { visible }));
    agent.sync(conversation, 0);
}

/// Pushes to carol (an agent with a device and no console) mark how far the outbox has
/// planned: it plans events in order, so once carol hears of a new waiting conversation,
/// every earlier event was decided. Bob takes one conversation at most, so each new one
/// waits in the queue and reaches carol.
struct Marker {
    /// Carol's device.
    service: PushService,
    /// Markers so far.
    sent: usize,
}

impl Marker {
    fn new(s: &Setup) -> Marker {
        let (_, carol) = s.server.agent(&s.admin, "carol", None);
        let service = PushService::start();
        assert_eq!(
            subscribe(&s.server, &carol, &Device::new(service.endpoint("carol"))).0,
            201
        );
        Marker { service, sent: 0 }
    }

    /// A new visitor writes; returns once carol was pushed about it.
    fn wait(&mut self, s: &Setup) {
        let (mut visitor, _) = Client::visitor(s.server.addr, Encoding::Json, None);
        visitor.say(None, "m", "marker");
        visitor.ack("m");
        self.sent += 1;
        self.service.wait_for(self.sent, WAIT);
    }
}

#[test]
fn a_visible_console_gets_no_push_and_a_hidden_one_does() {
    let s = setup_with(Some(1));
    let mut marker = Marker::new(&s);
    // Bob's console is open (a tab counts as visible until it says otherwise): the new
    // conversation is his at once.
    let (mut bob, _) = Client::agent(s.server.addr, Encoding::Json, &s.bob.1);
    let (mut visitor, _) = Client::visitor(s.server.addr, Encoding::Binary, None);
    visitor.say(None, "v1", "first, while he looks");
    let (conversation, _) = visitor.ack("v1");
    bob.assigned(conversation, s.bob.0);
    visitor.say(None, "v2", "second, while he looks");
    visitor.ack("v2");
    marker.wait(&s);
    assert!(s.service.received().is_empty(), "nothing while he looks");
    // He switches to another tab: the next message reaches his phone.
    hide(&mut bob, conversation, false);
    visitor.say(None, "v3", "third, tab hidden");
    visitor.ack("v3");
    let pushes = s.service.wait_for(1, WAIT);
    let payload = s.phone.open(&pushes[0].body);
    assert_eq!(payload["body"], "third, tab hidden");
    assert!(
        payload["title"]
            .as_str()
            .is_some_and(|t| t.ends_with(" wrote"))
    );
    // Back at the console: quiet again; hidden again: pushed again.
    hide(&mut bob, conversation, true);
    visitor.say(None, "v4", "fourth, visible again");
    visitor.ack("v4");
    marker.wait(&s);
    assert_eq!(
        s.service.received().len(),
        1,
        "nothing while he looks again"
    );
    hide(&mut bob, conversation, false);
    visitor.say(None, "v5", "fifth, hidden again");
    visitor.ack("v5");
    let pushes = s.service.wait_for(2, WAIT);
    assert_eq!(s.phone.open(&pushes[1].body)["body"], "fifth, hidden again");
    // A closed console counts as not looking.
    hide(&mut bob, conversation, true);
    bob.close();
    visitor.say(None, "v6", "sixth, console closed");
    visitor.ack("v6");
    let pushes = s.service.wait_for(3, WAIT);
    assert_eq!(
        s.phone.open(&pushes[2].body)["body"],
        "sixth, console closed"
    );
    assert_eq!(pushes.len(), 3, "each message once");
}

#[test]
fn a_device_the_push_service_calls_gone_is_removed() {
    let s = setup();
    s.service.answer(410);
    let (mut visitor, _) = Client::visitor(s.server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "anyone?");
    visitor.ack("v1");
    s.service.wait_for(1, WAIT);
    eventually(|| {
        let (_, devices) = http(
            s.server.addr,
            "GET",
            "/api/push/subscriptions",
            Some(&s.bob.1),
            &Value::Null,
        );
        (devices == json!([]))
            .then_some(())
            .ok_or(format!("still subscribed: {devices}"))
    });
    assert_eq!(
        s.service.received().len(),
        1,
        "a gone device is not retried"
    );
}

#[test]
fn a_name_that_resolves_to_a_private_address_is_not_pushed_to() {
    // Without --allow-insecure-push, a https endpoint passes the subscription check
    // (a name, not an address) but is refused after DNS resolution: no connection.
    let server = TestServer::start();
    let admin = server.admin();
    let service = PushService::start();
    let endpoint = format!("https://localhost:{}/push/x", service.addr.port());
    assert_eq!(subscribe(&server, &admin, &Device::new(endpoint)).0, 201);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "hello");
    visitor.ack("v1");
    let given_up = r#"deskbell_outbox_given_up_total{sink="push"} 1"#;
    eventually(|| {
        let (_, _, metrics) = http_full(server.addr, "GET", "/metrics", &[], "");
        (metrics.contains(given_up))
            .then_some(())
            .ok_or(format!("not given up:\n{metrics}"))
    });
    assert!(
        service.received().is_empty(),
        "nothing reached the private address"
    );
}
