//! Promise 4 on the WebSocket: malformed, oversized, out-of-order, unauthorised and
//! flooding input is refused with a stable error code (or closed with the right close
//! code), nothing of it is stored, and everyone else carries on undisturbed.

use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::Message as WsMessage;
use deskbell::protocol::*;

use crate::harness::{Client, TestServer, http, server_panics};

/// A visitor connected before the abuse starts, whose chat must keep working.
struct Bystander {
    client: Client,
    sent: u32,
}

impl Bystander {
    fn new(server: &TestServer) -> Bystander {
        let (client, _) = Client::visitor(server.addr, Encoding::Json, None);
        Bystander { client, sent: 0 }
    }

    /// The abuse left the server healthy: the bystander's round trip, a brand-new
    /// visitor's round trip and `/healthz` work, and no server thread panicked.
    fn still_served(&mut self, server: &TestServer) {
        self.sent += 1;
        let id = format!("bystander-{}", self.sent);
        self.client.say(None, &id, "still there?");
        self.client.ack(&id);
        let (mut fresh, _) = Client::visitor(server.addr, Encoding::Binary, None);
        fresh.say(None, "fresh", "hello");
        assert_eq!(fresh.ack("fresh").1, 1);
        let (status, _) = http(
            server.addr,
            "GET",
            "/healthz",
            None,
            &serde_json::Value::Null,
        );
        assert_eq!(status, 200);
        assert_eq!(server_panics(), 0, "a server thread panicked");
    }
}

/// Starts a server with a bystander (and the panic counter armed).
fn start(adjust: impl FnOnce(&mut deskbell::config::Config)) -> (TestServer, Bystander) {
    server_panics();
    let server = TestServer::start_with(adjust);
    let bystander = Bystander::new(&server);
    (server, bystander)
}

/// Waits for an error frame and checks its code name and number.
fn refused(client: &mut Client, name: &str, number: u16) -> ErrorFrame {
    let e = client.error();
    assert_eq!((e.error.as_str(), e.code), (name, number), "{e:?}");
    e
}

fn send(client_id: &str, body: &str) -> ClientFrame {
    ClientFrame::Send(Send {
        conversation: None,
        client_id: client_id.into(),
        body: body.into(),
    })
}

fn hello() -> ClientFrame {
    ClientFrame::HelloVisitor(HelloVisitor {
        site: "default".into(),
        token: None,
        page: None,
        referrer: None,
        language: None,
        utc_offset_min: None,
    })
}

#[test]
fn malformed_json_is_refused_and_the_connection_lives_on() {
    let (server, mut bystander) = start(|_| {});
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.send_raw(WsMessage::text("{not json"));
    refused(&mut visitor, "bad_frame", 4000);
    visitor.send_raw(WsMessage::text(r#"{"shout":{"loud":true}}"#));
    assert!(
        refused(&mut visitor, "bad_frame", 4000)
            .message
            .contains("shout")
    );
    visitor.send_raw(WsMessage::text(
        r#"{"send":{"client_id":"u1","body":"hi","colour":"red"}}"#,
    ));
    assert!(
        refused(&mut visitor, "bad_frame", 4000)
            .message
            .contains("colour")
    );
    visitor.send_raw(WsMessage::binary(vec![2, 0, 1, b'a', 2, b'h', b'i']));
    refused(&mut visitor, "bad_frame", 4000);
    let deep = format!(r#"{{"send":{}"#, "[".repeat(8000));
    visitor.send_raw(WsMessage::text(deep));
    refused(&mut visitor, "bad_frame", 4000);
    visitor.say(None, "ok", "a real message");
    assert_eq!(visitor.ack("ok").1, 1, "none of the bad frames was stored");

    // Endless garbage is cut off.
    for _ in 0..60 {
        if visitor.try_send_raw(WsMessage::text("][")).is_err() {
            break;
        }
    }
    assert_eq!(visitor.closed_with(), 1008);
    bystander.still_served(&server);
}

#[test]
fn malformed_postcard_and_trailing_bytes_are_refused() {
    let (server, mut bystander) = start(|_| {});
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, None);
    for garbage in [vec![200, 1, 2], vec![99], vec![2, 0, 5, b'a'], vec![]] {
        visitor.send_raw(WsMessage::binary(garbage));
        refused(&mut visitor, "bad_frame", 4000);
    }
    let Encoded::Binary(mut bytes) = Encoding::Binary.encode(&send("t1", "with a tail")) else {
        panic!("binary encoding gives bytes");
    };
    bytes.push(0);
    visitor.send_raw(WsMessage::binary(bytes));
    let e = refused(&mut visitor, "bad_frame", 4000);
    assert!(e.message.contains("trailing"), "{e:?}");
    visitor.send_raw(WsMessage::text(
        r#"{"send":{"client_id":"j","body":"json"}}"#,
    ));
    let e = refused(&mut visitor, "bad_frame", 4000);
    assert!(
        e.message.contains("text"),
        "a text frame on a binary connection: {e:?}"
    );

    visitor.say(None, "good", "the only stored message");
    let (conversation, seq) = visitor.ack("good");
    assert_eq!(seq, 1);
    let stored = visitor.sync(conversation, 0);
    assert_eq!(stored.len(), 1, "{stored:?}");
    bystander.still_served(&server);
}

#[test]
fn an_oversized_websocket_message_is_closed_with_1009() {
    let (server, mut bystander) = start(|c| {
        c.max_body_bytes = 1000;
        c.max_frame_bytes = 4096;
    });
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, None);
    let _ = visitor.try_send_raw(WsMessage::binary(vec![7u8; 5000]));
    // More input right behind it must not cost the client its close frame.
    for i in 0..20 {
        let _ = visitor.try_send(&send(&format!("behind{i}"), "x"));
    }
    assert_eq!(visitor.closed_with(), 1009);
    let (mut json, _) = Client::visitor(server.addr, Encoding::Json, None);
    let _ = json.try_send(&send("huge", &"y".repeat(4200)));
    assert_eq!(json.closed_with(), 1009);
    bystander.still_served(&server);
}

#[test]
fn bad_sends_are_refused_with_their_client_id_and_not_stored() {
    let (server, mut bystander) = start(|c| {
        c.max_body_bytes = 1000;
        c.max_frame_bytes = 4096;
    });
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    let long_id = "x".repeat(65);
    let cases = [
        ("big", "a".repeat(1001), "too_large", 4130),
        ("euro", "€".repeat(334), "too_large", 4130),
        ("empty", String::new(), "invalid_field", 4002),
        ("blank", " \n\t ".to_string(), "invalid_field", 4002),
        (long_id.as_str(), "hi".to_string(), "invalid_field", 4002),
        ("", "hi".to_string(), "invalid_field", 4002),
    ];
    for (client_id, body, name, number) in &cases {
        visitor.send(&send(client_id, body));
        let e = refused(&mut visitor, name, *number);
        assert_eq!(e.client_id.as_deref(), Some(*client_id), "{e:?}");
    }
    visitor.say(None, &"k".repeat(64), &"b".repeat(1000));
    let (conversation, seq) = visitor.ack(&"k".repeat(64));
    assert_eq!(
        seq, 1,
        "the limits themselves are allowed; nothing else was stored"
    );
    assert_eq!(visitor.sync(conversation, 0).len(), 1);
    bystander.still_served(&server);
}

#[test]
fn frames_before_hello_and_a_second_hello_are_unexpected() {
    let (server, mut bystander) = start(|_| {});
    let mut visitor = Client::connect(server.addr, Encoding::Binary);
    visitor.send(&send("early", "too soon"));
    refused(&mut visitor, "unexpected_frame", 4001);
    visitor.send(&ClientFrame::Sync(Sync {
        conversation: 1,
        after_seq: 0,
    }));
    refused(&mut visitor, "unexpected_frame", 4001);
    visitor.send(&hello());
    visitor.expect("welcome", |f| {
        matches!(f, ServerFrame::Welcome(_)).then_some(())
    });
    visitor.send(&hello());
    refused(&mut visitor, "unexpected_frame", 4001);
    visitor.send(&ClientFrame::HelloAgent(HelloAgent { token: None }));
    refused(&mut visitor, "unexpected_frame", 4001);
    visitor.say(None, "late", "now it works");
    assert_eq!(visitor.ack("late").1, 1, "the early send was not stored");

    let mut stranger = Client::connect(server.addr, Encoding::Json);
    let ClientFrame::HelloVisitor(mut bad_site) = hello() else {
        unreachable!()
    };
    bad_site.site = "<script>".into();
    stranger.send(&ClientFrame::HelloVisitor(bad_site));
    refused(&mut stranger, "invalid_field", 4002);
    assert_eq!(stranger.closed_with(), 1008);
    bystander.still_served(&server);
}

#[test]
fn an_agent_hello_with_a_wrong_token_is_refused_and_closed() {
    let (server, mut bystander) = start(|_| {});
    let admin = server.admin();
    server.agent(&admin, "Alice", None);
    for token in [Some("not-a-token".to_string()), None, Some(String::new())] {
        let mut agent = Client::connect(server.addr, Encoding::Json);
        agent.send(&ClientFrame::HelloAgent(HelloAgent { token }));
        refused(&mut agent, "unauthorized", 4010);
        assert_eq!(agent.closed_with(), 1008);
    }
    // A visitor token is not an agent token either.
    let (_, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    let mut agent = Client::connect(server.addr, Encoding::Binary);
    agent.send(&ClientFrame::HelloAgent(HelloAgent {
        token: welcome.visitor_token,
    }));
    refused(&mut agent, "unauthorized", 4010);
    assert_eq!(agent.closed_with(), 1008);
    bystander.still_served(&server);
}

#[test]
fn a_visitor_cannot_touch_someone_elses_conversation() {
    let (server, mut bystander) = start(|_| {});
    let (mut owner, _) = Client::visitor(server.addr, Encoding::Json, None);
    owner.say(None, "o1", "my private question");
    let (theirs, _) = owner.ack("o1");
    let (mut snoop, _) = Client::visitor(server.addr, Encoding::Binary, None);
    for conversation in [theirs, 999] {
        snoop.send(&ClientFrame::Sync(Sync {
            conversation,
            after_seq: 0,
        }));
        // Someone else's or missing: the same answer, so ids are not revealed.
        let e = refused(&mut snoop, "not_found", 4040);
        assert_eq!(e.conversation, Some(conversation));
        snoop.send(&ClientFrame::History(HistoryRequest {
            conversation,
            before_seq: 0,
            limit: 50,
        }));
        refused(&mut snoop, "not_found", 4040);
    }
    snoop.say(Some(theirs), "s1", "injected");
    let e = refused(&mut snoop, "not_found", 4040);
    assert_eq!(e.client_id.as_deref(), Some("s1"));
    snoop.send(&ClientFrame::Read(Read {
        conversation: Some(theirs),
        seq: 1,
    }));
    refused(&mut snoop, "not_found", 4040);
    snoop.send(&ClientFrame::Close(ConversationRef {
        conversation: theirs,
    }));
    refused(&mut snoop, "forbidden", 4030);

    owner.say(None, "o2", "still mine");
    owner.ack("o2");
    let stored = owner.sync(theirs, 0);
    let bodies: Vec<&str> = stored.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["my private question", "still mine"]);
    snoop.quiet_for(Duration::from_millis(300), "nothing leaks to the snoop");
    bystander.still_served(&server);
}

#[test]
fn an_agent_cannot_send_into_a_colleagues_conversation() {
    let (server, mut bystander) = start(|_| {});
    let admin = server.admin();
    let (alice_id, alice_token) = server.agent(&admin, "Alice", None);
    let (_, bob_token) = server.agent(&admin, "Bob", None);
    let (mut alice, _) = Client::agent(server.addr, Encoding::Json, &alice_token);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, None);
    visitor.say(None, "v1", "hello?");
    let (conversation, _) = visitor.ack("v1");
    alice.assigned(conversation, alice_id);

    let (mut bob, _) = Client::agent(server.addr, Encoding::Binary, &bob_token);
    bob.say(Some(conversation), "b1", "I am not Alice");
    let e = refused(&mut bob, "not_assigned", 4031);
    assert_eq!(
        (e.client_id.as_deref(), e.conversation),
        (Some("b1"), Some(conversation))
    );
    bob.say(None, "b2", "no conversation named");
    refused(&mut bob, "invalid_field", 4002);
    bob.send(&ClientFrame::Claim(ConversationRef { conversation }));
    refused(&mut bob, "conflict", 4090);

    alice.say(Some(conversation), "a1", "Alice here");
    alice.ack("a1");
    let first_agent_message = visitor.expect("agent message", |f| match f {
        ServerFrame::Message(m) if m.author.kind == AuthorKind::Agent => Some(m.clone()),
        _ => None,
    });
    assert_eq!(
        first_agent_message.body, "Alice here",
        "Bob's send never arrived"
    );
    let stored = alice.sync(conversation, 0);
    assert!(stored.iter().all(|m| m.author.name != "Bob"), "{stored:?}");
    bystander.still_served(&server);
}

#[test]
fn a_flood_is_rate_limited_and_then_cut_off() {
    let (per_sec, burst) = (2, 5);
    let (server, mut bystander) = start(|c| {
        c.rate_per_sec = per_sec;
        c.rate_burst = burst;
    });
    let (mut flooder, welcome) = Client::visitor(server.addr, Encoding::Binary, None);
    let started = Instant::now();
    for i in 0..70 {
        if flooder.try_send(&send(&format!("f{i}"), "spam")).is_err() {
            break;
        }
    }
    let mut limited = 0;
    let close = loop {
        match flooder.try_recv(Duration::from_secs(10)) {
            Ok(ServerFrame::Error(e)) => {
                assert_eq!(e.error, "rate_limited", "{e:?}");
                assert!(e.client_id.is_some(), "the refused send is named: {e:?}");
                limited += 1;
            }
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert_eq!(close, "close 1008");
    assert!(
        limited >= 50,
        "{limited} rate_limited errors before the close"
    );
    let allowed = u64::from(burst) + u64::from(per_sec) * (started.elapsed().as_secs() + 1);

    // At most what the bucket let through was stored. (Acks, and sends the hub had
    // not handled yet, may die with the socket: the client retries those.)
    let token = welcome.visitor_token.expect("token");
    let (mut again, _) = Client::visitor(server.addr, Encoding::Binary, Some(&token));
    again.say(None, "after", "calm again");
    let (conversation, seq) = again.ack("after");
    let stored = seq - 1;
    assert!(stored <= allowed, "{stored} stored, at most {allowed}");
    let replay = again.sync(conversation, 0);
    let mut ids: Vec<String> = replay.iter().filter_map(|m| m.client_id.clone()).collect();
    assert_eq!(ids.pop().as_deref(), Some("after"));
    assert_eq!(ids.len() as u64, stored, "{replay:?}");
    let burst_ids: Vec<String> = (0..burst).map(|i| format!("f{i}")).collect();
    assert!(ids.iter().all(|id| burst_ids.contains(id)), "{ids:?}");
    bystander.still_served(&server);
}

#[test]
fn foreign_origins_and_unknown_subprotocols_are_turned_away() {
    server_panics();
    let server = TestServer::start_with(|c| c.allowed_origins = vec!["https://shop.test".into()]);
    let shop = [("Origin", "https://shop.test")];
    let mut customer = Client::try_connect(server.addr, Encoding::Json, &shop).expect("upgrade");
    customer.send(&hello());
    customer.expect("welcome", |f| {
        matches!(f, ServerFrame::Welcome(_)).then_some(())
    });
    for origin in [Some("https://evil.test"), None] {
        let headers: Vec<(&str, &str)> = origin.map(|o| ("Origin", o)).into_iter().collect();
        let mut visitor =
            Client::try_connect(server.addr, Encoding::Json, &headers).expect("upgrade");
        visitor.send(&hello());
        refused(&mut visitor, "forbidden", 4030);
        assert_eq!(visitor.closed_with(), 1008);
    }
    let mqtt = [("Sec-WebSocket-Protocol", "mqtt")];
    let error = Client::try_connect(server.addr, Encoding::Json, &mqtt)
        .err()
        .expect("no shared subprotocol: no upgrade");
    assert!(error.contains("400"), "{error}");

    customer.say(None, "c1", "the shop's own page still works");
    assert_eq!(customer.ack("c1").1, 1);
    assert_eq!(server_panics(), 0);
}
