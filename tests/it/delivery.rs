//! The heart: round trips, acknowledgements, replay after reconnect, deduplicated
//! retries, history across restarts.

use deskbell::protocol::*;

use crate::harness::{Client, TestServer};

fn round_trip(visitor_encoding: Encoding, agent_encoding: Encoding) {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, welcome) = Client::agent(server.addr, agent_encoding, &alice);
    assert_eq!(welcome.role, Role::Agent);
    assert_eq!(welcome.name, "Alice");

    let (mut visitor, welcome) = Client::visitor(server.addr, visitor_encoding, None);
    assert_eq!(welcome.role, Role::Visitor);
    assert!(
        welcome.visitor_token.is_some(),
        "a new visitor gets a token"
    );
    visitor.say(None, "v1", "Do you ship to Norway?");
    let (conversation, seq) = visitor.ack("v1");
    assert_eq!(seq, 1);

    agent.assigned(conversation, alice_id);
    let replay = agent.sync(conversation, 0);
    assert_eq!(replay[0].body, "Do you ship to Norway?");
    assert_eq!(replay[0].author.kind, AuthorKind::Visitor);

    agent.say(Some(conversation), "a1", "Yes, in 3-5 days.");
    let (_, reply_seq) = agent.ack("a1");
    let reply = visitor.message("Yes, in 3-5 days.");
    assert_eq!(reply.seq, reply_seq);
    assert_eq!(reply.author.kind, AuthorKind::Agent);
    assert_eq!(reply.author.name, "Alice");

    visitor.send(&ClientFrame::Read(Read {
        conversation: None,
        seq: reply_seq,
    }));
    let read = agent.expect("read receipt", |f| match f {
        ServerFrame::ReadUpTo(r) => Some(*r),
        _ => None,
    });
    assert_eq!((read.reader, read.seq), (AuthorKind::Visitor, reply_seq));
}

#[test]
fn visitor_and_agent_round_trip_in_json() {
    round_trip(Encoding::Json, Encoding::Json);
}

#[test]
fn visitor_and_agent_round_trip_in_binary() {
    round_trip(Encoding::Binary, Encoding::Binary);
}

#[test]
fn binary_visitor_talks_to_json_agent() {
    round_trip(Encoding::Binary, Encoding::Json);
}

#[test]
fn a_reconnect_receives_exactly_the_missed_messages() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Binary, &alice);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Binary, None);
    let token = welcome.visitor_token.expect("token");
    visitor.say(None, "v1", "hello");
    let (conversation, last_seen_by_visitor) = visitor.ack("v1");
    visitor.close();
    agent.assigned(conversation, alice_id);
    agent.sync(conversation, 0);

    for i in 0..3 {
        agent.say(Some(conversation), &format!("a{i}"), &format!("missed {i}"));
        agent.ack(&format!("a{i}"));
    }
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Binary, Some(&token));
    assert!(
        welcome.visitor_token.is_none(),
        "a known visitor keeps their token"
    );
    let summary = welcome.conversation.expect("open conversation");
    assert_eq!(summary.id, conversation);
    let missed = visitor.sync(conversation, last_seen_by_visitor);
    let bodies: Vec<&str> = missed.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        [
            "Alice joined the conversation",
            "missed 0",
            "missed 1",
            "missed 2"
        ]
    );
    let seqs: Vec<u64> = missed.iter().map(|m| m.seq).collect();
    assert_eq!(
        seqs,
        (last_seen_by_visitor + 1..=last_seen_by_visitor + 4).collect::<Vec<_>>()
    );
    assert_eq!(summary.last_seq, last_seen_by_visitor + 4);

    // Live messages continue after the replay, with no duplicates in between.
    agent.say(Some(conversation), "a9", "live");
    let live = visitor.message("live");
    assert_eq!(live.seq, last_seen_by_visitor + 5);
}

#[test]
fn a_retried_send_is_stored_once() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "same-id", "only once please");
    let (conversation, seq) = visitor.ack("same-id");
    visitor.say(Some(conversation), "same-id", "only once please");
    let again = visitor.expect("duplicate ack", |f| match f {
        ServerFrame::Ack(a) => Some(a.clone()),
        _ => None,
    });
    assert_eq!((again.seq, again.duplicate), (seq, true));

    // The same retry from a new connection (the first ack was lost with the network).
    visitor.close();
    let token = welcome.visitor_token.expect("token");
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, Some(&token));
    visitor.say(Some(conversation), "same-id", "only once please");
    let third = visitor.expect("duplicate ack", |f| match f {
        ServerFrame::Ack(a) => Some(a.clone()),
        _ => None,
    });
    assert_eq!((third.seq, third.duplicate), (seq, true));

    agent.assigned(conversation, alice_id);
    let all = agent.sync(conversation, 0);
    let copies = all.iter().filter(|m| m.body == "only once please").count();
    assert_eq!(copies, 1, "stored once: {all:?}");
}

#[test]
fn history_survives_a_restart() {
    let mut server = TestServer::start();
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Binary, None);
    let token = welcome.visitor_token.expect("token");
    for i in 0..5 {
        visitor.say(None, &format!("m{i}"), &format!("message {i}"));
        visitor.ack(&format!("m{i}"));
    }
    visitor.close();
    server.restart();
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Binary, Some(&token));
    let summary = welcome.conversation.expect("conversation kept");
    assert_eq!(
        summary.status,
        ConversationStatus::Queued,
        "nobody is online: still waiting"
    );
    let history = visitor.sync(summary.id, 0);
    let bodies: Vec<&str> = history.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        [
            "message 0",
            "message 1",
            "message 2",
            "message 3",
            "message 4"
        ]
    );
    // Sequence numbers continue after the restart.
    visitor.say(None, "after", "after restart");
    assert_eq!(visitor.ack("after").1, 6);
}

#[test]
fn several_tabs_of_one_visitor_all_receive_everything() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut tab1, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    let token = welcome.visitor_token.expect("token");
    let (mut tab2, _) = Client::visitor(server.addr, Encoding::Binary, Some(&token));
    tab1.say(None, "t1", "from tab one");
    let (conversation, _) = tab1.ack("t1");
    assert_eq!(
        tab2.message("from tab one").conversation,
        conversation,
        "second tab sees the first tab's message"
    );
    agent.assigned(conversation, alice_id);
    agent.sync(conversation, 0);
    let (mut agent_tab2, _) = Client::agent(server.addr, Encoding::Binary, &alice);
    agent_tab2.sync(conversation, 0);
    agent.say(Some(conversation), "r", "reply to both");
    tab1.message("reply to both");
    tab2.message("reply to both");
    agent_tab2.message("reply to both");
}
