//! The hub changes live state only when a commit returns: a status change whose commit
//! fails leaves the conversation exactly as the store has it.

use std::time::{Duration, Instant};

use deskbell::protocol::*;
use deskbell::store::FaultSwitch;
use serde_json::Value;

use crate::harness::{Client, TestServer, WAIT, http};

/// Polls `/healthz` until it answers `status`.
fn health_becomes(addr: std::net::SocketAddr, status: u16) {
    let deadline = Instant::now() + WAIT;
    loop {
        let (now, body) = http(addr, "GET", "/healthz", None, &Value::Null);
        if now == status {
            return;
        }
        assert!(Instant::now() < deadline, "/healthz stays {now}: {body}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_close_whose_commit_fails_leaves_the_conversation_open() {
    let faults = FaultSwitch::new();
    let switch = faults.clone();
    let server = TestServer::start_with(move |c| c.storage_faults = Some(switch));
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "hello");
    let (conversation, _) = visitor.ack("v1");
    agent.assigned(conversation, alice_id);
    agent.sync(conversation, 0);

    // The disk fills while Alice closes: the close is not stored, and she is told so.
    faults.set_full(true);
    agent.send(&ClientFrame::Close(ConversationRef { conversation }));
    let refused = agent.expect("the close refused", |f| match f {
        ServerFrame::Error(e) if e.conversation == Some(conversation) => Some(e.clone()),
        _ => None,
    });
    assert_eq!(refused.error, "storage_unavailable", "{refused:?}");
    health_becomes(server.addr, 503);
    faults.set_full(false);
    health_becomes(server.addr, 200);

    // The store still has the conversation open, and so does the hub: the visitor's
    // next message goes into it, and Alice can close it for real.
    visitor.say(Some(conversation), "v2", "are you there?");
    let (same, _) = visitor.ack("v2");
    assert_eq!(same, conversation);
    agent.message("are you there?");
    agent.send(&ClientFrame::Close(ConversationRef { conversation }));
    let closed = visitor.message("Alice closed the conversation");
    assert_eq!(
        closed.event,
        Some(ConversationEvent::Closed { by: alice_id })
    );
}

#[test]
fn an_idle_close_whose_commit_fails_is_tried_again_later() {
    let faults = FaultSwitch::new();
    let switch = faults.clone();
    let server = TestServer::start_with(move |c| {
        c.storage_faults = Some(switch);
        c.idle_close_ms = 60_000;
        // No heartbeat gets in the way of the idle periods the clock jumps over.
        c.ping_interval_ms = 600_000;
        c.dead_after_ms = 1_200_000;
    });
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "anyone?");
    let (conversation, _) = visitor.ack("v1");
    visitor.expect("a place in line", |f| match f {
        ServerFrame::QueuePosition(p) => Some(p.position),
        _ => None,
    });

    faults.set_full(true);
    server.advance(61_000);
    health_becomes(server.addr, 503);
    faults.set_full(false);
    health_becomes(server.addr, 200);
    visitor.quiet_for(Duration::from_millis(100), "the failed close sent nothing");

    // Still open, and still closed for inactivity once another idle period has passed.
    server.advance(61_000);
    let closed = visitor.message("Closed after a period of inactivity");
    assert_eq!(
        (closed.conversation, closed.event),
        (conversation, Some(ConversationEvent::Closed { by: 0 }))
    );
}
