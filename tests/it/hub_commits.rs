//! The hub changes live state only when a commit returns: a status change (a close, a
//! claim, a transfer, an automatic assignment) whose commit fails leaves the conversation
//! exactly as the store has it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use deskbell::config::{BotSettings, Config};
use deskbell::protocol::*;
use deskbell::store::FaultSwitch;
use serde_json::Value;

use crate::harness::{Client, TestServer, WAIT, http};

/// A server whose storage faults the test switches on and off.
fn faulty_server(adjust: impl FnOnce(&mut Config)) -> (TestServer, Arc<FaultSwitch>) {
    let faults = FaultSwitch::new();
    let switch = faults.clone();
    let server = TestServer::start_with(move |c| {
        c.storage_faults = Some(switch);
        adjust(c);
    });
    (server, faults)
}

/// A visitor whose first message `body` opened a conversation.
fn open_conversation(server: &TestServer, body: &str) -> (Client, u64) {
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", body);
    let (conversation, _) = visitor.ack("v1");
    (visitor, conversation)
}

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
    let (server, faults) = faulty_server(|_| {});
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, conversation) = open_conversation(&server, "hello");
    agent.assigned(conversation, alice_id);
    agent.sync(conversation, 0);

    // The disk fills while Alice closes: the close is not stored, and she is told so.
    faults.set_full(true);
    agent.send(&ClientFrame::Close(ConversationRef { conversation }));
    assert_eq!(refusal(&mut agent, conversation), "storage_unavailable");
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
    let (server, faults) = faulty_server(|c| {
        c.idle_close_ms = 60_000;
        // No heartbeat gets in the way of the idle periods the clock jumps over.
        c.ping_interval_ms = 600_000;
        c.dead_after_ms = 1_200_000;
    });
    let (mut visitor, conversation) = open_conversation(&server, "anyone?");
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

/// Sets an agent's presence and waits until the hub has applied it.
fn set_presence(agent: &mut Client, id: u64, presence: Presence) {
    agent.send(&ClientFrame::Presence(SetPresence { presence }));
    agent.expect("the presence applied", |f| match f {
        ServerFrame::Agent(a) if a.id == id && a.presence == presence => Some(()),
        _ => None,
    });
}

/// Waits for the refusal of an action on `conversation` and returns its code.
fn refusal(agent: &mut Client, conversation: u64) -> String {
    agent.expect("the action refused", |f| match f {
        ServerFrame::Error(e) if e.conversation == Some(conversation) => Some(e.error.clone()),
        _ => None,
    })
}

/// Reads frames for `wait` and fails if one says `conversation` has an agent.
fn never_assigned(client: &mut Client, conversation: u64, wait: Duration, what: &str) {
    let deadline = Instant::now() + wait;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        match client.try_recv(remaining) {
            Err(e) if e == "timeout" => return,
            Err(e) => panic!("{what}: the connection ended or broke instead: {e}"),
            Ok(ServerFrame::Conversation(c)) if c.id == conversation && c.agent.is_some() => {
                panic!("{what}: told of an agent: {c:?}")
            }
            Ok(ServerFrame::QueuePosition(q))
                if q.conversation == conversation && q.position == 0 =>
            {
                panic!("{what}: the visitor was told an agent took it")
            }
            Ok(ServerFrame::Message(m)) if m.conversation == conversation => {
                panic!("{what}: a message arrived: {m:?}")
            }
            Ok(_) => {}
        }
    }
}

/// Fills the disk, then empties it, waiting for the server to see each.
fn disk_full_then_back(server: &TestServer, faults: &Arc<FaultSwitch>, during: impl FnOnce()) {
    faults.set_full(true);
    during();
    health_becomes(server.addr, 503);
    faults.set_full(false);
    health_becomes(server.addr, 200);
}

#[test]
fn a_claim_whose_commit_fails_leaves_the_conversation_queued() {
    let (server, faults) = faulty_server(|_| {});
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (bob_id, bob) = server.agent(&admin, "Bob", None);
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    set_presence(&mut alice_ws, alice_id, Presence::Away);
    let (mut bob_ws, _) = Client::agent(server.addr, Encoding::Json, &bob);
    set_presence(&mut bob_ws, bob_id, Presence::Away);
    let (mut visitor, conversation) = open_conversation(&server, "hello");
    let first = visitor.expect("a place in line", |f| match f {
        ServerFrame::QueuePosition(p) => Some(p.position),
        _ => None,
    });
    assert_eq!(first, 1);

    // Alice claims while the disk is full: she is told it was not stored, and nobody
    // hears of an agent.
    disk_full_then_back(&server, &faults, || {
        alice_ws.send(&ClientFrame::Claim(ConversationRef { conversation }));
        assert_eq!(refusal(&mut alice_ws, conversation), "storage_unavailable");
    });
    let quiet = Duration::from_millis(200);
    never_assigned(&mut visitor, conversation, quiet, "visitor");
    never_assigned(&mut bob_ws, conversation, quiet, "Bob");

    // Still queued for everyone: Bob claims it for real.
    bob_ws.send(&ClientFrame::Claim(ConversationRef { conversation }));
    bob_ws.assigned(conversation, bob_id);
    visitor.message("Bob joined the conversation");
}

#[test]
fn a_transfer_whose_commit_fails_leaves_the_conversation_with_the_first_agent() {
    let (server, faults) = faulty_server(|_| {});
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (bob_id, bob) = server.agent(&admin, "Bob", None);
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, conversation) = open_conversation(&server, "refund please");
    alice_ws.assigned(conversation, alice_id);
    visitor.message("Alice joined the conversation");
    let (mut bob_ws, _) = Client::agent(server.addr, Encoding::Json, &bob);

    disk_full_then_back(&server, &faults, || {
        alice_ws.send(&ClientFrame::Transfer(Transfer {
            conversation,
            to_agent: bob_id,
        }));
        assert_eq!(refusal(&mut alice_ws, conversation), "storage_unavailable");
    });
    let quiet = Duration::from_millis(200);
    bob_ws.expect("Bob online", |f| match f {
        ServerFrame::Agent(a) if a.id == bob_id => Some(()),
        _ => None,
    });
    never_assigned(&mut bob_ws, conversation, quiet, "Bob");
    visitor.quiet_for(quiet, "the failed transfer told the visitor nothing");

    // Still Alice's: she writes in it, Bob may not.
    alice_ws.sync(conversation, 0);
    alice_ws.say(Some(conversation), "a1", "still me");
    alice_ws.ack("a1");
    visitor.message("still me");
    bob_ws.say(Some(conversation), "b1", "me?");
    assert_eq!(bob_ws.error().error, "not_assigned");
}

#[test]
fn an_automatic_assignment_whose_commit_fails_is_tried_again_later() {
    let (server, faults) = faulty_server(|_| {});
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    set_presence(&mut alice_ws, alice_id, Presence::Away);
    let (mut visitor, conversation) = open_conversation(&server, "anyone?");
    visitor.expect("a place in line", |f| match f {
        ServerFrame::QueuePosition(p) => Some(p.position),
        _ => None,
    });

    // Alice comes back while the disk is full: the drain gives her the conversation,
    // but its commit fails (and so do the retries on each tick), so nobody is told.
    disk_full_then_back(&server, &faults, || {
        alice_ws.send(&ClientFrame::Presence(SetPresence {
            presence: Presence::Online,
        }));
        let quiet = Duration::from_millis(300);
        never_assigned(&mut alice_ws, conversation, quiet, "Alice");
        never_assigned(&mut visitor, conversation, quiet, "visitor");
    });

    // A later tick tries again, and now it is stored.
    server.advance(200);
    alice_ws.assigned(conversation, alice_id);
    visitor.message("Alice joined the conversation");
}

#[test]
fn a_hand_off_whose_commit_fails_leaves_the_conversation_with_the_bot() {
    let (server, faults) = faulty_server(|c| c.bot = Some(BotSettings::default()));
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, conversation) = open_conversation(&server, "hello!");
    let talk_to_a_person = ClientFrame::BotFeedback(BotFeedback {
        conversation,
        seq: 1,
        helpful: false,
    });

    // The visitor asks for a person while the disk is full: neither the hand-off nor
    // Alice's assignment is stored, so nobody hears of either.
    disk_full_then_back(&server, &faults, || {
        visitor.send(&talk_to_a_person);
        let quiet = Duration::from_millis(300);
        never_assigned(&mut alice_ws, conversation, quiet, "Alice");
    });

    // Still the bot's, not in line: a tick gives it to nobody, and asking again hands
    // it over for real.
    server.advance(200);
    never_assigned(
        &mut alice_ws,
        conversation,
        Duration::from_millis(300),
        "Alice",
    );
    visitor.send(&talk_to_a_person);
    alice_ws.assigned(conversation, alice_id);
    visitor.message("Alice joined the conversation");
}

#[test]
fn a_requeue_whose_commit_fails_is_tried_again_after_another_grace_period() {
    let (server, faults) = faulty_server(|c| {
        // No heartbeat gets in the way of the grace periods the clock jumps over.
        c.ping_interval_ms = 600_000;
        c.dead_after_ms = 1_200_000;
        c.agent_grace_ms = 30_000;
    });
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (bob_id, bob) = server.agent(&admin, "Bob", None);
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, conversation) = open_conversation(&server, "hello");
    alice_ws.assigned(conversation, alice_id);
    visitor.message("Alice joined the conversation");
    let (mut bob_ws, _) = Client::agent(server.addr, Encoding::Json, &bob);
    alice_ws.close();
    bob_ws.expect("Alice offline", |f| match f {
        ServerFrame::Agent(a) if a.id == alice_id && a.presence == Presence::Offline => Some(()),
        _ => None,
    });

    // Alice's grace period ends while the disk is full: her conversation is not moved.
    disk_full_then_back(&server, &faults, || {
        server.advance(31_000);
        let quiet = Duration::from_millis(300);
        never_assigned(&mut bob_ws, conversation, quiet, "Bob");
    });
    visitor.quiet_for(
        Duration::from_millis(100),
        "the failed requeue told nothing",
    );

    // One grace period later it is tried again, and stored.
    server.advance(31_000);
    bob_ws.assigned(conversation, bob_id);
    visitor.message("Bob joined the conversation");
}
