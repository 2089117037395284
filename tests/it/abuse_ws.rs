//! Attacks on the WebSocket side (issue #9): a flood of anonymous hellos must write
//! nothing, new visitors per address are limited, broken text frames are closed with
//! 1007, a stranger cannot tell which conversation ids exist, and a burst of new
//! conversations does not disconnect agents.

use std::collections::HashSet;

use deskbell::protocol::*;
use deskbell::store::Store;

use crate::harness::{Client, TestServer};

/// Hellos in the flood.
const FLOOD: usize = 200;

/// Visitor ids that have a stored record, read from the stopped data directory.
fn stored(dir: &std::path::Path, ids: &[u64]) -> Vec<u64> {
    let store = Store::open(dir).expect("store opens");
    ids.iter()
        .copied()
        .filter(|id| store.visitor(*id).expect("read").is_some())
        .collect()
}

fn new_visitors(server: &TestServer, count: usize) -> Vec<(u64, String)> {
    (0..count)
        .map(|_| {
            let (client, welcome) = Client::visitor(server.addr, Encoding::Json, None);
            client.close();
            let token = welcome.visitor_token.expect("a new visitor gets a token");
            (welcome.id, token)
        })
        .collect()
}

#[test]
fn a_hello_flood_writes_nothing_and_its_tokens_still_work_after_restarts() {
    let mut server = TestServer::start();
    let first = new_visitors(&server, FLOOD);
    let ids: Vec<u64> = first.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        FLOOD,
        "ids are unique"
    );
    // A returning visitor who never said anything: known, nothing written either.
    let (again, welcome) = Client::visitor(server.addr, Encoding::Json, Some(&first[0].1));
    assert_eq!(welcome.id, first[0].0);
    assert_eq!(welcome.visitor_token, None, "a known token is not replaced");
    again.close();

    let mut unwritten = Vec::new();
    server.restart_after(|dir| unwritten = stored(dir, &ids), |_| {});
    assert_eq!(
        unwritten,
        Vec::<u64>::new(),
        "anonymous hellos stored visitors"
    );

    // After the restart: the old token still names the same visitor, and new visitors
    // never get an id handed out before.
    let (mut returning, welcome) =
        Client::visitor(server.addr, Encoding::Binary, Some(&first[7].1));
    assert_eq!(
        welcome.id, first[7].0,
        "an unused token works after a restart"
    );
    assert_eq!(welcome.visitor_token, None);
    let later = new_visitors(&server, 20);
    for (id, _) in &later {
        assert!(
            !ids.contains(id),
            "id {id} handed out twice across a restart"
        );
    }

    // The visitor now says something: kept, with the visitor's record, across restarts.
    returning.say(None, "m1", "Is this still in stock?");
    let (conversation, seq) = returning.ack("m1");
    returning.close();
    let visitor = first[7].0;
    let mut kept = Vec::new();
    server.restart_after(|dir| kept = stored(dir, &[visitor]), |_| {});
    assert_eq!(kept, vec![visitor], "the first message stores its visitor");
    let (mut back, welcome) = Client::visitor(server.addr, Encoding::Json, Some(&first[7].1));
    assert_eq!(welcome.id, visitor);
    assert_eq!(
        welcome.conversation.as_ref().map(|c| c.id),
        Some(conversation)
    );
    let replay = back.sync(conversation, 0);
    assert_eq!(replay.len(), seq as usize);
    assert_eq!(replay[0].body, "Is this still in stock?");
    let third = new_visitors(&server, 5);
    for (id, _) in &third {
        assert!(!ids.contains(id) && later.iter().all(|(l, _)| l != id));
    }
}

#[test]
fn a_forged_token_is_a_new_visitor() {
    let server = TestServer::start();
    let made = new_visitors(&server, 2);
    let ((victim, _), (mine, token)) = (&made[0], &made[1]);
    // My token's signature with the victim's id.
    let forged = token.replacen(&format!("v1.{mine}."), &format!("v1.{victim}."), 1);
    assert_ne!(&forged, token);
    let (_client, welcome) = Client::visitor(server.addr, Encoding::Json, Some(&forged));
    assert!(
        welcome.id != *victim && welcome.id != *mine,
        "a forged token named a visitor"
    );
    assert!(welcome.visitor_token.is_some());
}

#[test]
fn new_visitors_per_address_are_limited() {
    let server = TestServer::start_with(|c| c.new_visitors_per_minute = 5);
    let made = new_visitors(&server, 5);
    let mut sixth = Client::connect(server.addr, Encoding::Json);
    sixth.send(&ClientFrame::HelloVisitor(HelloVisitor {
        site: "default".into(),
        token: None,
        page: None,
        referrer: None,
        language: None,
        utc_offset_min: None,
    }));
    let error = sixth.error();
    assert_eq!(error.code, ErrorCode::RateLimited.number(), "{error:?}");
    assert!(error.message.contains("new visitors"), "{}", error.message);
    // Known visitors are not counted.
    let (_known, welcome) = Client::visitor(server.addr, Encoding::Json, Some(&made[2].1));
    assert_eq!(welcome.id, made[2].0);
    // A minute later the address may create more.
    server.advance(61_000);
    let (_new, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    assert!(welcome.visitor_token.is_some());
}

/// Agents online during the burst.
const BURST_AGENTS: usize = 20;
/// Visitors opening a conversation in the burst.
const BURST_VISITORS: usize = 300;

/// What an agent connection believes about each conversation: (status, agent).
type Inbox = std::collections::HashMap<u64, (ConversationStatus, Option<u64>)>;

fn fold(inbox: &mut Inbox, summary: &ConversationSummary) {
    inbox.insert(summary.id, (summary.status, summary.agent));
}

#[test]
fn a_burst_of_new_conversations_does_not_disconnect_agents() {
    // A small outbound queue stands in for 1,000 visitors against a queue of 1,024.
    let server = TestServer::start_with(|c| {
        c.max_outbound_queue = 32;
        // Every client here is 127.0.0.1: the per-address cap is not what this tests.
        c.max_connections_per_address = 1_000;
    });
    let admin = server.admin();
    // The admin is one of the agents; a second connection of theirs (which changes no
    // presence, so nothing is routed) tells the truth once the burst has settled.
    let connect = |token: &str| {
        let (client, welcome) = Client::agent(server.addr, Encoding::Binary, token);
        let mut inbox = Inbox::new();
        for c in &welcome.conversations {
            fold(&mut inbox, c);
        }
        (client, inbox)
    };
    let mut agents: Vec<(Client, Inbox)> = vec![connect(&admin)];
    for i in 1..BURST_AGENTS {
        let (_, token) = server.agent(&admin, &format!("agent{i}"), Some(5));
        agents.push(connect(&token));
    }
    let mut visitors: Vec<Client> = (0..BURST_VISITORS)
        .map(|_| Client::visitor(server.addr, Encoding::Binary, None).0)
        .collect();
    // Every visitor's first message back to back, then their acks.
    for (i, visitor) in visitors.iter_mut().enumerate() {
        visitor.say(None, &format!("b{i}"), "Is the sale still on?");
    }
    for (i, visitor) in visitors.iter_mut().enumerate() {
        visitor.ack(&format!("b{i}"));
    }
    // An assignment is shown once its commit returns, after the ack: wait until every
    // visitor knows where it is (a place in line, or 0 for an agent), so the observer
    // sees the final state.
    for visitor in visitors.iter_mut() {
        visitor.expect("a placement", |f| {
            matches!(f, ServerFrame::QueuePosition(_)).then_some(())
        });
    }
    let (observer, expected) = connect(&admin);
    observer.close();
    assert_eq!(expected.len(), BURST_VISITORS);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    for (n, (client, inbox)) in agents.iter_mut().enumerate() {
        while *inbox != expected {
            assert!(
                std::time::Instant::now() < deadline,
                "agent {n} never saw every conversation's latest state"
            );
            // Read whatever has arrived; a close (1013 "too slow") fails the test.
            match client.try_recv(std::time::Duration::from_millis(500)) {
                Ok(ServerFrame::Conversation(s)) => fold(inbox, &s),
                Ok(_) => {}
                Err(e) if e == "timeout" => {}
                Err(e) => panic!("agent {n} was disconnected: {e}"),
            }
        }
    }
}

#[test]
fn invalid_utf8_in_a_text_frame_is_closed_with_1007() {
    use async_tungstenite::tungstenite::Message as WsMessage;
    use async_tungstenite::tungstenite::protocol::frame::Frame;
    use async_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let server = TestServer::start();
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    let bytes = b"{\"typing\":{\"conversation\":null,\"on\":\xff\xfe}}".to_vec();
    let frame = Frame::message(bytes, OpCode::Data(Data::Text), true);
    let _ = visitor.try_send_raw(WsMessage::Frame(frame));
    assert_eq!(visitor.closed_with(), 1007);
    // The server is fine.
    let (_other, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    assert!(welcome.visitor_token.is_some());
}

fn refused(client: &mut Client, code: ErrorCode) -> ErrorFrame {
    let error = client.error();
    assert_eq!(error.code, code.number(), "{error:?}");
    error
}

#[test]
fn another_visitors_conversation_is_not_found_and_an_own_closed_one_a_conflict() {
    let server = TestServer::start();
    let admin = server.admin();
    let (mut agent, welcome) = Client::agent(server.addr, Encoding::Json, &admin);
    let admin_id = welcome.id;
    let (mut owner, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    let owner_token = welcome.visitor_token.expect("token");
    owner.say(None, "o1", "mine");
    let (theirs, _) = owner.ack("o1");
    agent.assigned(theirs, admin_id);
    let (mut stranger, _) = Client::visitor(server.addr, Encoding::Binary, None);
    for conversation in [theirs, 999_999] {
        stranger.send(&ClientFrame::Read(Read {
            conversation: Some(conversation),
            seq: 1,
        }));
        refused(&mut stranger, ErrorCode::NotFound);
        stranger.send(&ClientFrame::Typing(Typing {
            conversation: Some(conversation),
            on: true,
        }));
        refused(&mut stranger, ErrorCode::NotFound);
        stranger.say(Some(conversation), "s1", "let me in");
        let e = refused(&mut stranger, ErrorCode::NotFound);
        assert_eq!(e.client_id.as_deref(), Some("s1"));
        assert!(!e.message.contains("closed"), "{}", e.message);
    }

    // The owner's conversation is closed: a conflict, from live state and, after a
    // restart, from storage alone.
    agent.send(&ClientFrame::Close(ConversationRef {
        conversation: theirs,
    }));
    owner.expect("closed", |f| match f {
        ServerFrame::Message(m) if matches!(m.event, Some(ConversationEvent::Closed { .. })) => {
            Some(())
        }
        _ => None,
    });
    own_closed_is_a_conflict(&mut owner, theirs);
    let mut server = server;
    drop((owner, agent, stranger));
    server.restart();
    let (mut owner, _) = Client::visitor(server.addr, Encoding::Json, Some(&owner_token));
    own_closed_is_a_conflict(&mut owner, theirs);
}

fn own_closed_is_a_conflict(owner: &mut Client, closed: u64) {
    owner.send(&ClientFrame::Read(Read {
        conversation: Some(closed),
        seq: 1,
    }));
    refused(owner, ErrorCode::Conflict);
    owner.send(&ClientFrame::Typing(Typing {
        conversation: Some(closed),
        on: true,
    }));
    refused(owner, ErrorCode::Conflict);
    owner.say(Some(closed), "o2", "one more thing");
    let e = refused(owner, ErrorCode::Conflict);
    assert_eq!(e.client_id.as_deref(), Some("o2"));
    assert!(e.message.contains("closed"), "{}", e.message);
}

#[test]
fn a_connection_that_stops_reading_is_dropped_by_the_bytes_it_holds() {
    // Long texts fill a stuck connection's queue long before its count of frames does.
    let server = TestServer::start_with(|c| {
        c.max_body_bytes = 64 * 1024;
        c.max_frame_bytes = 2 * 64 * 1024 + 4096;
        c.max_outbound_bytes = 1 << 20;
        c.text_bytes_per_hour = 0;
        c.rate_per_sec = 10_000;
        c.rate_burst = 10_000;
    });
    let admin = server.admin();
    let (mut agent, welcome) = Client::agent(server.addr, Encoding::Binary, &admin);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, None);
    visitor.say(None, "v0", "hello");
    let (conversation, _) = visitor.ack("v0");
    agent.assigned(conversation, welcome.id);
    agent.sync(conversation, 0);
    // The agent stops reading. 400 texts of 60 kB: 24 MB, more than the sockets'
    // buffers hold, in far fewer frames than the queue's 1,024.
    let text = "a".repeat(60_000);
    for i in 1..=400 {
        let client_id = format!("v{i}");
        visitor.say(Some(conversation), &client_id, &text);
        visitor.ack(&client_id);
    }
    // Dropped as too slow: it reads what the sockets held, then the connection ends
    // (with a close frame 1013 when there was room for one, else cut).
    let mut read = 0;
    let end = loop {
        match agent.try_recv(crate::harness::WAIT) {
            Ok(ServerFrame::Message(m)) if m.body == text => read += 1,
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert_ne!(
        end, "timeout",
        "the stuck agent was not dropped ({read} texts read)"
    );
    assert!(read < 400, "{read} texts read before the end ({end})");
    // Nothing was lost: the visitor's messages are all stored, and a new connection
    // of the agent's gets them.
    let (mut again, _) = Client::agent(server.addr, Encoding::Binary, &admin);
    let replayed = again.sync(conversation, 0);
    let texts = replayed.iter().filter(|m| m.body == text).count();
    assert_eq!(texts, 400);
}
