//! One rule for frames that carry text (`send` and `note`), checked once at the edge:
//! a malformed frame is refused by the session loop before the hub looks at the
//! conversation, with the same codes for both frames and the frame's `client_id`.

use deskbell::protocol::*;

use crate::harness::{Client, TestServer};

fn note(conversation: u64, client_id: &str, body: &str) -> ClientFrame {
    ClientFrame::Note(Note {
        conversation,
        client_id: client_id.into(),
        body: body.into(),
    })
}

fn send(conversation: u64, client_id: &str, body: &str) -> ClientFrame {
    ClientFrame::Send(Send {
        conversation: Some(conversation),
        client_id: client_id.into(),
        body: body.into(),
    })
}

#[test]
fn sends_and_notes_are_refused_alike_before_the_hub_sees_them() {
    let server = TestServer::start_with(|c| c.max_body_bytes = 100);
    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    // Conversation 999 does not exist: the field rule answers first, for both frames.
    let long_id = "x".repeat(65);
    let too_long = "y".repeat(101);
    let cases = [
        ("", "hello", "invalid_field"),
        (long_id.as_str(), "hello", "invalid_field"),
        ("c-empty", " \n ", "invalid_field"),
        ("c-long", too_long.as_str(), "too_large"),
    ];
    for (client_id, body, expected) in cases {
        for frame in [note(999, client_id, body), send(999, client_id, body)] {
            agent.send(&frame);
            let error = agent.error();
            assert_eq!(error.error, expected, "{frame:?}: {error:?}");
            assert_eq!(error.client_id.as_deref(), Some(client_id), "{error:?}");
            assert_eq!(error.conversation, Some(999), "{error:?}");
        }
    }
    // A well-formed note to a conversation that does not exist is the hub's to refuse.
    agent.send(&note(999, "n1", "fine"));
    assert_eq!(agent.error().error, "conflict");
}
