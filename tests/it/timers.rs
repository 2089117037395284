//! Timer-driven behaviour through the one timing wheel, with the server's manual clock:
//! idle auto-close, typing expiry, heartbeats and the hello deadline.

use std::time::Duration;

use deskbell::protocol::*;

use crate::harness::{Client, TestServer};

#[test]
fn quiet_conversations_close_by_themselves() {
    let server = TestServer::start_with(|c| c.idle_close_ms = 60_000);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "q", "are you open on sunday?");
    let (conversation, _) = visitor.ack("q");
    server.advance(30_000);
    visitor.say(None, "q2", "hello?");
    visitor.ack("q2");
    // 30 s after the last message: not yet.
    server.advance(31_000);
    visitor.quiet_for(Duration::from_millis(200), "still open");
    server.advance(30_000);
    let closed = visitor.message("Closed after a period of inactivity");
    assert_eq!(
        (closed.conversation, closed.event),
        (conversation, Some(ConversationEvent::Closed { by: 0 }))
    );
}

#[test]
fn typing_switches_itself_off() {
    let server = TestServer::start_with(|c| c.typing_expiry_ms = 5_000);
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "q", "hi");
    let (conversation, _) = visitor.ack("q");
    agent.assigned(conversation, alice_id);
    agent.sync(conversation, 0);
    visitor.send(&ClientFrame::Typing(Typing {
        conversation: None,
        on: true,
    }));
    let on = agent.expect("typing on", |f| match f {
        ServerFrame::Typing(t) => Some(t.on),
        _ => None,
    });
    assert!(on);
    server.advance(6_000);
    let on = agent.expect("typing off", |f| match f {
        ServerFrame::Typing(t) => Some(t.on),
        _ => None,
    });
    assert!(!on, "the indicator expired");
}

#[test]
fn silent_connections_are_dropped_and_live_ones_kept() {
    let server = TestServer::start_with(|c| {
        c.ping_interval_ms = 10_000;
        c.dead_after_ms = 25_000;
    });
    let (mut silent, _) = Client::visitor(server.addr, Encoding::Binary, None);
    let (mut chatty, _) = Client::visitor(server.addr, Encoding::Binary, None);
    for _ in 0..3 {
        server.advance(10_000);
        chatty.send(&ClientFrame::Typing(Typing {
            conversation: None,
            on: false,
        }));
        // The refusal (no open conversation to type in) proves the frame was read.
        chatty.expect("the answer to typing", |f| match f {
            ServerFrame::Error(e) if e.error == "not_found" => Some(()),
            _ => None,
        });
    }
    server.advance(10_000);
    let ended = silent
        .try_recv(Duration::from_secs(2))
        .expect_err("no frames for a dropped connection");
    assert_ne!(ended, "timeout", "the silent connection was dropped");
    chatty.say(None, "alive", "still here");
    chatty.ack("alive");
}

#[test]
fn a_connection_that_never_says_hello_is_closed() {
    let server = TestServer::start_with(|c| c.hello_timeout_ms = 5_000);
    let mut mute = Client::connect(server.addr, Encoding::Json);
    // The hub registers the connection a moment after the handshake, and the clock does
    // not wait for it: step until the deadline has passed for it (bounded).
    for _ in 0..20 {
        server.advance(6_000);
        match mute.try_recv(Duration::from_millis(50)) {
            Err(e) if e == "timeout" => continue,
            Err(_) => return,
            Ok(frame) => panic!("no welcome without hello: {frame:?}"),
        }
    }
    panic!("the connection was never closed without a hello");
}
