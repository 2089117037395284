//! The shop's own responder service of `docs/BOT.md` (Python, standard library only),
//! run as written against a real server: it verifies deskbell's signature, answers
//! what it knows, hands off the rest, and refuses calls signed with another secret
//! (which deskbell then hands off as a failure). Skipped without `python3` unless `CI`
//! is set.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use deskbell::protocol::HandoffReason;
use serde_json::json;

use super::{GIFT_ANSWER, GIFT_CARDS, Shop, bot_says};
use crate::identity_examples::example;

const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

/// The example service on a free port; killed when dropped.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_service(dir: &std::path::Path) -> Option<(Service, u16)> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/BOT.md"))
        .expect("docs/BOT.md");
    let file = dir.join("responder.py");
    std::fs::write(&file, example(&doc, "python-responder")).expect("write the example");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new("python3")
        .arg(&file)
        .env("DESKBELL_RESPONDER_SECRET", SECRET)
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match child {
        Ok(c) => Service(c),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: python3 is missing ({e})");
            return None;
        }
        Err(e) => panic!("python3: {e}"),
    };
    let until = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < until,
            "the example service does not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((child, port))
}

#[test]
fn the_documented_python_service_answers_and_hands_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some((_service, port)) = start_service(dir.path()) else {
        return;
    };
    let mut shop = Shop::open();
    let settings = |key: &str| {
        json!({
            "mode": "when_unsure", "kind": "signed", "url": format!("http://127.0.0.1:{port}/ask"),
            "key": key, "timeout_ms": 8000, "per_conversation": 10, "per_day": 500,
            "allow_private": true,
        })
    };
    shop.configure(&settings(SECRET));
    let (mut visitor, conversation) = shop.visitor_asks(GIFT_CARDS);
    assert_eq!(bot_says(&mut visitor).body, GIFT_ANSWER);
    visitor.say(Some(conversation), "q2", "Where is my parcel number 1234?");
    visitor.ack("q2");
    let reason = shop.handed_to_alice(&mut visitor, conversation);
    assert_eq!(
        reason,
        HandoffReason::LowConfidence,
        "the service's handoff"
    );

    // Signed with another secret: the service refuses (401), deskbell hands off.
    shop.configure(&settings("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    let (mut other, conversation) = shop.visitor_asks(GIFT_CARDS);
    let reason = shop.handed_to_alice(&mut other, conversation);
    assert_eq!(reason, HandoffReason::BotUnavailable);
    assert_eq!(shop.calls("answered"), 1);
    assert_eq!(shop.calls("handoff"), 1);
    assert_eq!(shop.calls("error"), 1);
}
