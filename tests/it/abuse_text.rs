//! A stranger cannot fill the disk through the chat: each visitor, and each client
//! address, may send `--text-kb-per-hour` of message text an hour. Beyond it a `send`
//! is refused with `text_quota` (its client id, when to retry) and nothing of it is
//! stored; other visitors at the address share the budget, agents have none, and the
//! next hour starts afresh.

use deskbell::protocol::*;

use crate::harness::{Client, TestServer};

/// Bytes each test text has.
const TEXT: usize = 1000;

#[test]
fn text_beyond_the_hourly_budget_is_refused_and_not_stored() {
    let server = TestServer::start_with(|c| c.text_bytes_per_hour = 3 * TEXT as u64);
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    let token = welcome.visitor_token.expect("token");
    let text = "a".repeat(TEXT);
    visitor.say(None, "v1", &text);
    let (conversation, _) = visitor.ack("v1");
    for id in ["v2", "v3"] {
        visitor.say(Some(conversation), id, &text);
        visitor.ack(id);
    }
    visitor.say(Some(conversation), "v4", &text);
    let refused = visitor.error();
    assert_eq!((refused.code, refused.error.as_str()), (4292, "text_quota"));
    assert_eq!(refused.client_id.as_deref(), Some("v4"));
    assert!(refused.message.contains("60 min"), "{}", refused.message);
    // Another visitor at the same address shares the address's budget.
    let (mut neighbour, _) = Client::visitor(server.addr, Encoding::Binary, None);
    neighbour.say(None, "n1", "hello?");
    assert_eq!(neighbour.error().client_id.as_deref(), Some("n1"));
    // The agent answers as much as they like, and saw exactly the three texts.
    agent.assigned(conversation, alice_id);
    let bodies: Vec<String> = agent
        .sync(conversation, 0)
        .into_iter()
        .filter(|m| m.author.kind == AuthorKind::Visitor)
        .map(|m| m.body)
        .collect();
    assert_eq!(bodies, vec![text.clone(), text.clone(), text.clone()]);
    for id in ["a1", "a2", "a3", "a4"] {
        agent.say(Some(conversation), id, &text);
        agent.ack(id);
    }
    // An hour later the visitor may write again (the idle connections were dropped).
    server.advance(3_600_000);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, Some(&token));
    visitor.say(Some(conversation), "v5", &text);
    visitor.ack("v5");
}
