//! Routing end to end: least-busy assignment with capacity, the queue and its positions,
//! requeue after an agent's grace period, claim, transfer and presence.

use deskbell::protocol::*;

use crate::harness::{Client, TestServer};

/// Starts a conversation as a new visitor; returns the client and conversation id.
fn new_conversation(server: &TestServer, text: &str) -> (Client, u64) {
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, None);
    visitor.say(None, "first", text);
    let (conversation, _) = visitor.ack("first");
    (visitor, conversation)
}

/// Waits for the next assignment notice and returns (conversation, agent).
fn next_assignment(agent: &mut Client) -> (u64, u64) {
    agent.expect("an assignment", |f| match f {
        ServerFrame::Conversation(c) if c.status == ConversationStatus::Assigned => {
            Some((c.id, c.agent.unwrap_or(0)))
        }
        _ => None,
    })
}

fn queue_position(visitor: &mut Client) -> u32 {
    visitor.expect("queue position", |f| match f {
        ServerFrame::QueuePosition(q) => Some(q.position),
        _ => None,
    })
}

#[test]
fn least_busy_agent_gets_the_next_conversation_up_to_capacity() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", Some(2));
    let (bob_id, bob) = server.agent(&admin, "Bob", Some(2));
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (_bob_ws, _) = Client::agent(server.addr, Encoding::Json, &bob);

    let mut owners = Vec::new();
    let mut visitors = Vec::new();
    for i in 0..4 {
        let (visitor, conversation) = new_conversation(&server, &format!("question {i}"));
        let (c, agent) = next_assignment(&mut alice_ws);
        assert_eq!(c, conversation);
        owners.push(agent);
        visitors.push(visitor);
    }
    // Alternating: each new conversation goes to whoever has fewer.
    assert_eq!(
        owners.iter().filter(|a| **a == alice_id).count(),
        2,
        "{owners:?}"
    );
    assert_eq!(
        owners.iter().filter(|a| **a == bob_id).count(),
        2,
        "{owners:?}"
    );
    assert_ne!(owners[0], owners[1]);

    // Both are full: the fifth waits, first in line.
    let (mut waiting, fifth) = new_conversation(&server, "anyone there?");
    assert_eq!(queue_position(&mut waiting), 1);

    // Closing one of Alice's frees a slot: the waiting one goes to her.
    let alices = owners
        .iter()
        .position(|a| *a == alice_id)
        .map(|i| i as u64 + 1)
        .expect("alice has one");
    alice_ws.send(&ClientFrame::Close(ConversationRef {
        conversation: alices,
    }));
    alice_ws.assigned(fifth, alice_id);
    assert_eq!(queue_position(&mut waiting), 0, "no longer waiting");
    let joined = waiting.message("Alice joined the conversation");
    assert_eq!(
        joined.event,
        Some(ConversationEvent::Assigned { agent: alice_id })
    );
}

#[test]
fn visitors_wait_in_order_until_an_agent_comes_online() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut first, c1) = new_conversation(&server, "one");
    assert_eq!(queue_position(&mut first), 1);
    let (mut second, c2) = new_conversation(&server, "two");
    assert_eq!(queue_position(&mut second), 2);

    let (mut alice_ws, welcome) = Client::agent(server.addr, Encoding::Binary, &alice);
    let queued: Vec<u64> = welcome
        .conversations
        .iter()
        .filter(|c| c.status == ConversationStatus::Queued)
        .map(|c| c.id)
        .collect();
    assert_eq!(queued, [c1, c2], "the welcome lists the queue");
    let got: Vec<(u64, u64)> = (0..2).map(|_| next_assignment(&mut alice_ws)).collect();
    assert_eq!(
        got,
        [(c1, alice_id), (c2, alice_id)],
        "drained oldest first"
    );
    assert_eq!(queue_position(&mut first), 0);
    assert_eq!(queue_position(&mut second), 0);
}

#[test]
fn an_absent_agent_keeps_conversations_for_the_grace_period_then_they_move() {
    let server = TestServer::start_with(|c| c.agent_grace_ms = 30_000);
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (bob_id, bob) = server.agent(&admin, "Bob", None);
    let (mut bob_ws, _) = Client::agent(server.addr, Encoding::Json, &bob);
    bob_ws.send(&ClientFrame::Presence(SetPresence {
        presence: Presence::Away,
    }));
    let (alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, conversation) = new_conversation(&server, "help");
    visitor.message("Alice joined the conversation");
    bob_ws.send(&ClientFrame::Presence(SetPresence {
        presence: Presence::Online,
    }));
    alice_ws.close();
    let offline = |f: &ServerFrame| match f {
        ServerFrame::Agent(a) if a.id == alice_id && a.presence == Presence::Offline => Some(()),
        _ => None,
    };
    bob_ws.expect("Alice offline", offline);

    server.advance(10_000);
    // Alice comes back within the grace period: she keeps it.
    let (alice_ws, welcome) = Client::agent(server.addr, Encoding::Json, &alice);
    let mine = welcome
        .conversations
        .iter()
        .find(|c| c.id == conversation)
        .expect("listed");
    assert_eq!(mine.agent, Some(alice_id));
    alice_ws.close();
    bob_ws.expect("Alice offline again", offline);

    server.advance(31_000);
    bob_ws.assigned(conversation, bob_id);
    visitor.message("Bob joined the conversation");
}

#[test]
fn transfer_hands_over_and_the_previous_agent_can_no_longer_write() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (bob_id, bob) = server.agent(&admin, "Bob", None);
    let (carol_id, _carol) = server.agent(&admin, "Carol", None);
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, conversation) = new_conversation(&server, "refund please");
    alice_ws.assigned(conversation, alice_id);
    let (mut bob_ws, _) = Client::agent(server.addr, Encoding::Json, &bob);

    // Carol is offline: refused.
    alice_ws.send(&ClientFrame::Transfer(Transfer {
        conversation,
        to_agent: carol_id,
    }));
    assert_eq!(alice_ws.error().error, "conflict");

    alice_ws.send(&ClientFrame::Transfer(Transfer {
        conversation,
        to_agent: bob_id,
    }));
    bob_ws.assigned(conversation, bob_id);
    let note = visitor.message("Alice handed the conversation to Bob");
    assert_eq!(
        note.event,
        Some(ConversationEvent::Transferred {
            from: alice_id,
            to: bob_id
        })
    );

    alice_ws.say(Some(conversation), "late", "still me");
    let refused = alice_ws.error();
    assert_eq!(
        (refused.error.as_str(), refused.client_id.as_deref()),
        ("not_assigned", Some("late"))
    );
    bob_ws.sync(conversation, 0);
    bob_ws.say(Some(conversation), "b1", "Bob here");
    bob_ws.ack("b1");
    visitor.message("Bob here");
}

#[test]
fn claim_and_presence() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", Some(1));
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Binary, &alice);
    alice_ws.send(&ClientFrame::Presence(SetPresence {
        presence: Presence::Away,
    }));
    alice_ws.expect("away", |f| match f {
        ServerFrame::Agent(a) if a.id == alice_id && a.presence == Presence::Away => Some(()),
        _ => None,
    });
    // Away: new conversations wait…
    let (mut visitor, conversation) = new_conversation(&server, "hello?");
    assert_eq!(queue_position(&mut visitor), 1);
    // …until she claims one by hand (manual claims ignore presence and capacity).
    alice_ws.send(&ClientFrame::Claim(ConversationRef { conversation }));
    alice_ws.assigned(conversation, alice_id);
    assert_eq!(queue_position(&mut visitor), 0);
    // Claiming again is a conflict, and agents cannot go "offline" by frame.
    alice_ws.send(&ClientFrame::Claim(ConversationRef { conversation }));
    assert_eq!(alice_ws.error().error, "conflict");
    alice_ws.send(&ClientFrame::Presence(SetPresence {
        presence: Presence::Offline,
    }));
    assert_eq!(alice_ws.error().error, "invalid_field");
}

#[test]
fn close_and_reopen() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, conversation) = new_conversation(&server, "thanks, bye");
    alice_ws.assigned(conversation, alice_id);
    alice_ws.send(&ClientFrame::Close(ConversationRef { conversation }));
    alice_ws.expect("closed notice", |f| match f {
        ServerFrame::Conversation(c)
            if c.id == conversation && c.status == ConversationStatus::Closed =>
        {
            Some(())
        }
        _ => None,
    });
    let closed = visitor.message("Alice closed the conversation");
    assert_eq!(
        closed.event,
        Some(ConversationEvent::Closed { by: alice_id })
    );

    alice_ws.send(&ClientFrame::Reopen(ConversationRef { conversation }));
    alice_ws.assigned(conversation, alice_id);
    visitor.message("Alice reopened the conversation");
    visitor.say(None, "again", "one more thing");
    assert_eq!(
        visitor.ack("again").0,
        conversation,
        "the reopened conversation continues"
    );

    alice_ws.send(&ClientFrame::Close(ConversationRef { conversation }));
    visitor.message("Alice closed the conversation");
    visitor.say(None, "new", "a new question");
    let (next, seq) = visitor.ack("new");
    assert!(
        next > conversation && seq == 1,
        "a message after closing starts a new conversation"
    );
}

#[test]
fn an_away_agent_who_reconnects_stays_away() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    alice_ws.send(&ClientFrame::Presence(SetPresence {
        presence: Presence::Away,
    }));
    alice_ws.expect("away", |f| match f {
        ServerFrame::Agent(a) if a.id == alice_id && a.presence == Presence::Away => Some(()),
        _ => None,
    });
    alice_ws.close();
    let (mut again, welcome) = Client::agent(server.addr, Encoding::Json, &alice);
    let me = welcome
        .agents
        .iter()
        .find(|a| a.id == alice_id)
        .expect("listed");
    assert_eq!(me.presence, Presence::Away, "back as away, not online");
    let (mut visitor, conversation) = new_conversation(&server, "hello?");
    assert_eq!(
        queue_position(&mut visitor),
        1,
        "an away agent gets nothing new"
    );
    again.send(&ClientFrame::Presence(SetPresence {
        presence: Presence::Online,
    }));
    again.assigned(conversation, alice_id);
}

#[test]
fn visitors_learn_when_someone_can_answer() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Binary, None);
    assert!(!welcome.agents_online);
    let availability = |visitor: &mut Client| {
        visitor.expect("availability", |f| match f {
            ServerFrame::Availability(a) => Some(a.agents_online),
            _ => None,
        })
    };
    let (mut alice_ws, _) = Client::agent(server.addr, Encoding::Json, &alice);
    assert!(availability(&mut visitor), "an agent came online");
    alice_ws.send(&ClientFrame::Presence(SetPresence {
        presence: Presence::Away,
    }));
    assert!(!availability(&mut visitor), "the only agent went away");
}
