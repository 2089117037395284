//! Internal notes stay among agents; visitor contact details reach agents.

use std::time::Duration;

use deskbell::protocol::*;

use crate::harness::{Client, TestServer};

#[test]
fn internal_notes_are_never_shown_to_the_visitor() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut colleague, _) = Client::agent(server.addr, Encoding::Binary, &alice);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Binary, None);
    visitor.say(None, "v1", "my order is late");
    let (conversation, _) = visitor.ack("v1");
    agent.assigned(conversation, alice_id);
    agent.sync(conversation, 0);
    colleague.sync(conversation, 0);
    visitor.message("Alice joined the conversation");

    agent.send(&ClientFrame::Note(Note {
        conversation,
        client_id: "n1".into(),
        body: "VIP customer".into(),
    }));
    let (_, note_seq) = agent.ack("n1");
    let seen = colleague.message("VIP customer");
    assert_eq!(seen.event, Some(ConversationEvent::Note));
    agent.say(Some(conversation), "a1", "Sorry, checking now");
    agent.ack("a1");
    let reply = visitor.message("Sorry, checking now");
    assert_eq!(
        reply.seq,
        note_seq + 1,
        "the visitor skips the note's number"
    );

    // Not in the visitor's replay or history either; agents do get it.
    let token = welcome.visitor_token.expect("token");
    visitor.close();
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, Some(&token));
    let replay = visitor.sync(conversation, 0);
    assert!(
        replay.iter().all(|m| m.body != "VIP customer"),
        "{replay:?}"
    );
    visitor.send(&ClientFrame::History(HistoryRequest {
        conversation,
        before_seq: 0,
        limit: 50,
    }));
    let page = visitor.expect("history", |f| match f {
        ServerFrame::History(h) => Some(h.clone()),
        _ => None,
    });
    assert!(page.messages.iter().all(|m| m.body != "VIP customer"));
    assert_eq!(page.messages.len(), replay.len());
    let agent_view = agent.sync(conversation, 0);
    assert!(agent_view.iter().any(|m| m.body == "VIP customer"));

    // Visitors cannot write notes.
    visitor.send(&ClientFrame::Note(Note {
        conversation,
        client_id: "x".into(),
        body: "hi".into(),
    }));
    assert_eq!(visitor.error().error, "forbidden");
}

#[test]
fn a_visitor_name_reaches_agents_and_bad_emails_are_refused() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "hello");
    let (conversation, _) = visitor.ack("v1");
    agent.assigned(conversation, alice_id);

    visitor.send(&ClientFrame::Profile(Profile {
        name: Some("Maria".into()),
        email: Some("not-an-email".into()),
    }));
    assert_eq!(visitor.error().error, "invalid_field");
    visitor.send(&ClientFrame::Profile(Profile {
        name: Some("Maria".into()),
        email: Some("maria@example.com".into()),
    }));
    agent.expect("visitor name", |f| match f {
        ServerFrame::Conversation(c)
            if c.id == conversation && c.visitor_name.as_deref() == Some("Maria") =>
        {
            Some(())
        }
        _ => None,
    });

    // Remembered: a returning visitor's new conversation carries the name.
    agent.send(&ClientFrame::Close(ConversationRef { conversation }));
    visitor.message("Alice closed the conversation");
    visitor.close();
    std::thread::sleep(Duration::from_millis(100));
    let token = welcome.visitor_token.expect("token");
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, Some(&token));
    visitor.say(None, "v2", "me again");
    let (second, _) = visitor.ack("v2");
    let name = agent.expect("named new conversation", |f| match f {
        ServerFrame::Conversation(c) if c.id == second => Some(c.visitor_name.clone()),
        _ => None,
    });
    assert_eq!(name.as_deref(), Some("Maria"));
}

#[test]
fn a_reopened_conversation_keeps_its_name_preview_and_read_state() {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.send(&ClientFrame::Profile(Profile {
        name: Some("Ines".into()),
        email: None,
    }));
    visitor.say(None, "v1", "where is my parcel?");
    let (conversation, seq) = visitor.ack("v1");
    agent.assigned(conversation, alice_id);
    agent.send(&ClientFrame::Read(Read {
        conversation: Some(conversation),
        seq,
    }));
    agent.send(&ClientFrame::Close(ConversationRef { conversation }));
    visitor.message("Alice closed the conversation");
    agent.send(&ClientFrame::Reopen(ConversationRef { conversation }));
    let summary = agent.expect("reopened summary", |f| match f {
        ServerFrame::Conversation(c)
            if c.id == conversation && c.status == ConversationStatus::Assigned =>
        {
            Some(c.clone())
        }
        _ => None,
    });
    assert_eq!(summary.visitor_name.as_deref(), Some("Ines"));
    assert_eq!(summary.preview, "where is my parcel?");
    assert_eq!(summary.read_agent, seq);
}

#[test]
fn syncing_an_unknown_conversation_is_not_found() {
    let server = TestServer::start();
    let admin = server.admin();
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &admin);
    agent.send(&ClientFrame::Sync(Sync {
        conversation: 4242,
        after_seq: 0,
    }));
    let error = agent.error();
    assert_eq!(
        (error.error.as_str(), error.conversation),
        ("not_found", Some(4242))
    );
}
