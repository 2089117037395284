//! The outbox across `kill -9` of the real binary: an event recorded in the commit of
//! its message is delivered after the restart, to a receiver that verifies signatures
//! and deduplicates by `webhook-id`, once per event.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use deskbell::protocol::Encoding;
use serde_json::json;

use crate::harness::{Binary, Client, Receiver, http};

/// Server flags: webhooks may reach the loopback receiver; no bot (faster start).
const FLAGS: [&str; 2] = ["--allow-private-webhooks", "--no-bot"];

/// Sets up the admin with the code in the data directory and logs in.
fn admin(binary: &Binary, data: &Path) -> String {
    let code = std::fs::read_to_string(data.join("setup-code.txt")).expect("setup code");
    let setup = json!({"code": code.trim(), "name": "admin", "password": "a long password"});
    assert_eq!(http(binary.addr, "POST", "/api/setup", None, &setup).0, 201);
    let login = json!({"name": "admin", "password": "a long password"});
    let (status, body) = http(binary.addr, "POST", "/api/login", None, &login);
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().expect("token").to_string()
}

/// Registers the receiver for visitor messages; returns its secret.
fn register(binary: &Binary, token: &str, receiver: &Receiver) {
    let body = json!({"url": receiver.url("/hook"), "events": ["message.visitor"]});
    let (status, created) = http(binary.addr, "POST", "/api/webhooks", Some(token), &body);
    assert_eq!(status, 201, "{created}");
    receiver.set_secret(created["secret"].as_str().expect("secret"));
}

/// Verified deliveries by event id → the message text they carry.
fn delivered(receiver: &Receiver) -> BTreeMap<String, String> {
    let mut by_id = BTreeMap::new();
    for r in receiver.received() {
        assert!(r.verified, "every delivery is signed: {:?}", r.headers);
        let text = r.json()["data"]["message"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(earlier) = by_id.insert(r.id().to_string(), text.clone()) {
            assert_eq!(earlier, text, "one id, one event");
        }
    }
    by_id
}

/// Waits until the receiver holds deliveries of exactly `texts`.
fn wait_for_texts(receiver: &Receiver, texts: &BTreeSet<String>, wait: Duration) {
    let until = std::time::Instant::now() + wait;
    loop {
        let got: BTreeSet<String> = delivered(receiver).into_values().collect();
        if &got == texts {
            return;
        }
        assert!(
            std::time::Instant::now() < until,
            "delivered {got:?}, expected {texts:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn events_recorded_before_a_sigkill_are_delivered_after_the_restart_once_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut receiver = Receiver::start();
    let mut server = Binary::serve(dir.path(), &FLAGS);
    let token = admin(&server, dir.path());
    register(&server, &token, &receiver);

    // 1. The receiver is down: the first attempts fail and wait 5 s for a retry; the
    //    process is killed in between.
    receiver.down();
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    let resume = welcome.visitor_token.expect("a visitor token");
    let mut texts = BTreeSet::new();
    let mut conversation = None;
    for i in 0..5 {
        let text = format!("before the kill {i}");
        visitor.say(conversation, &format!("a{i}"), &text);
        conversation = Some(visitor.ack(&format!("a{i}")).0);
        texts.insert(text);
    }
    std::thread::sleep(Duration::from_millis(500));
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    receiver.up();
    let server = Binary::serve(dir.path(), &FLAGS);
    wait_for_texts(&receiver, &texts, Duration::from_secs(20));

    // 2. The receiver is up: kill right after each acknowledgement, three times, so
    //    some kills land between the commit and the delivery.
    let mut server = server;
    for round in 0..3 {
        let (mut v, _) = Client::visitor(server.addr, Encoding::Json, Some(&resume));
        for i in 0..4 {
            let text = format!("round {round} message {i}");
            v.say(conversation, &format!("r{round}m{i}"), &text);
            v.ack(&format!("r{round}m{i}"));
            texts.insert(text);
        }
        server.child.kill().expect("SIGKILL");
        server.child.wait().expect("reaped");
        server = Binary::serve(dir.path(), &FLAGS);
    }
    wait_for_texts(&receiver, &texts, Duration::from_secs(30));
    // Nothing more arrives: one id per event, and every id carries its own message.
    std::thread::sleep(Duration::from_secs(1));
    let by_id = delivered(&receiver);
    assert_eq!(
        by_id.len(),
        texts.len(),
        "one event id per acknowledged message"
    );
    drop(server);
}
