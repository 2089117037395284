//! `GET /api/v1/reports` over a history built through the real server: visitors, the
//! FAQ bot answering and handing off, an agent replying, writing a note and closing,
//! idle closes on the manual clock. The server stamps messages with the wall clock, so
//! the counts are checked exactly here and the times only for what they can be
//! (`reports_exact` checks every duration, day and hour exactly). Also: who may ask,
//! a key bound to one site, bad parameters.

use deskbell::config::BotSettings;
use deskbell::protocol::*;
use serde_json::{Value, json};

use crate::bot::{handed_off, messages_until, save_faq};
use crate::harness::{Client, TestServer, http};
use crate::keys::{create_key, visitor_on};

const HOUR: u64 = 3_600_000;

/// The report (or an error) as `token` sees it.
pub fn report(server: &TestServer, token: &str, query: &str) -> (u16, Value) {
    let path = format!("/api/v1/reports{query}");
    http(server.addr, "GET", &path, Some(token), &json!(null))
}

/// `?from=yesterday&until=tomorrow` by the wall clock in UTC (the shop's default zone):
/// the days the server's messages are stamped on, whenever the test runs.
pub fn around_today() -> String {
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date();
    let day = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    format!(
        "?from={}&until={}",
        day(today.yesterday().ok()),
        day(today.tomorrow().ok())
    )
}

/// A visitor who asks `text` in a new conversation; returns the socket and the id.
fn ask(server: &TestServer, text: &str) -> (Client, u64) {
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "q", text);
    let (conversation, _) = visitor.ack("q");
    (visitor, conversation)
}

/// Waits until the bot hands the visitor's conversation off; returns why.
fn hand_off(visitor: &mut Client) -> Option<HandoffReason> {
    messages_until(visitor, |m| handed_off(m).is_some())
        .last()
        .and_then(handed_off)
}

fn say(agent: &mut Client, conversation: u64, id: &str, text: &str) {
    agent.say(Some(conversation), id, text);
    agent.ack(id);
}

fn close(agent: &mut Client, visitor: &mut Client, conversation: u64) {
    agent.send(&ClientFrame::Close(ConversationRef { conversation }));
    messages_until(visitor, |m| {
        matches!(m.event, Some(ConversationEvent::Closed { .. }))
    });
}

/// Polls until conversation `id` is closed (idle closes run on the hub's timer).
fn wait_closed(server: &TestServer, admin: &str, id: u64) {
    let path = format!("/api/v1/conversations/{id}");
    for _ in 0..200 {
        let (_, c) = http(server.addr, "GET", &path, Some(admin), &json!(null));
        if c["status"] == "closed" {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("conversation {id} was not closed");
}

#[test]
fn a_history_made_through_the_server_is_counted_exactly() {
    let server = TestServer::start_with(|c| {
        c.bot = Some(BotSettings::default());
        c.idle_close_ms = HOUR;
    });
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (hours, _) = save_faq(&server, &admin);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);

    // 1: the bot answers; nobody else comes (closed idle at the end).
    let (mut v1, c1) = ask(&server, "What are your opening hours?");
    messages_until(&mut v1, |m| {
        matches!(m.event, Some(ConversationEvent::BotAnswer { .. }))
    });
    // 2: off topic, handed to Alice, who answers and closes.
    let (mut v2, c2) = ask(&server, "Can you recommend a good pizza place nearby?");
    assert_eq!(hand_off(&mut v2), Some(HandoffReason::LowConfidence));
    agent.assigned(c2, alice_id);
    say(&mut agent, c2, "a2", "Try Luigi's.");
    close(&mut agent, &mut v2, c2);
    // 3: asks for a person; a note (not a reply), then a reply, then closed.
    let (mut v3, c3) = ask(&server, "Can I talk to a person please?");
    assert_eq!(hand_off(&mut v3), Some(HandoffReason::HumanRequested));
    agent.assigned(c3, alice_id);
    agent.send(&ClientFrame::Note(Note {
        conversation: c3,
        client_id: "n3".into(),
        body: "a regular".into(),
    }));
    agent.ack("n3");
    say(&mut agent, c3, "a3", "Hello, Alice here.");
    close(&mut agent, &mut v3, c3);
    // 4 and 5, Alice away: the same question twice, nobody answers.
    agent.send(&ClientFrame::Presence(SetPresence {
        presence: Presence::Away,
    }));
    let (mut v4, c4) = ask(&server, "Do you sell gift cards?");
    assert_eq!(hand_off(&mut v4), Some(HandoffReason::LowConfidence));
    let (mut v5, c5) = ask(&server, "do you sell  GIFT cards");
    assert_eq!(hand_off(&mut v5), Some(HandoffReason::LowConfidence));
    let period = around_today();

    let (status, r) = report(&server, &admin, &period);
    assert_eq!(status, 200, "{r}");
    let totals = json!({"conversations": 5, "bot_only": 1, "handed_off": 2, "agent": 2});
    assert_eq!(r["totals"], totals);
    assert_eq!(r["first_response"]["count"], 2, "{r}");
    assert_eq!(r["resolution"]["count"], 2, "{r}");
    assert_eq!(
        r["deflection"],
        json!({"resolved_by_bot": 0, "conversations": 5, "share": 0.0}),
        "the bot's conversation is still open"
    );
    assert_eq!(
        r["agents"],
        json!([{"agent": alice_id, "name": "Alice", "conversations": 2, "replies": 2}])
    );
    assert_eq!(
        r["faq"],
        json!([{"faq_id": hours, "question": "What are your opening hours?", "answers": 1}])
    );
    assert_eq!(
        r["unanswered"],
        json!([
            {"question": "do you sell  GIFT cards", "count": 2},
            {"question": "Can you recommend a good pizza place nearby?", "count": 1},
        ])
    );
    let visitor_messages: u64 = r["busiest_hours"]
        .as_array()
        .expect("rows")
        .iter()
        .flat_map(|row| row.as_array().expect("hours").iter())
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(visitor_messages, 5);

    // An hour later the idle ones are closed: the bot's counts as resolved by it.
    server.advance(HOUR);
    for id in [c1, c4, c5] {
        wait_closed(&server, &admin, id);
    }
    let (_, r) = report(&server, &admin, &period);
    assert_eq!(r["totals"], totals);
    assert_eq!(r["resolution"]["count"], 5, "{r}");
    assert_eq!(
        r["deflection"],
        json!({"resolved_by_bot": 1, "conversations": 5, "share": 0.2})
    );
}

#[test]
fn keys_see_their_site_agents_are_refused_and_bad_parameters_are_400() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, agent) = server.agent(&admin, "Alice", None);
    let (_shop, _) = visitor_on(&server, "shop", "hello from the shop");
    let (_blog, _) = visitor_on(&server, "blog", "hello from the blog");
    let (_blog2, _) = visitor_on(&server, "blog", "hello again from the blog");
    let day = around_today();
    let day = day.as_str();
    let count = |r: &Value| r["totals"]["conversations"].clone();

    let (_, read) = create_key(&server, &admin, "read", None);
    let (status, r) = report(&server, &read, day);
    assert_eq!((status, count(&r)), (200, json!(3)), "{r}");
    // Without a period: the last 30 days up to today by the wall clock (the days the
    // messages are stamped on), so today's conversations are in it.
    let (status, r) = report(&server, &read, "");
    assert_eq!((status, count(&r)), (200, json!(3)), "{r}");
    let (_, r) = report(&server, &read, &format!("{day}&site=blog"));
    assert_eq!(
        (count(&r), r["period"]["site"].clone()),
        (json!(2), json!("blog"))
    );

    let (_, bound) = create_key(&server, &admin, "read", Some("shop"));
    let (status, r) = report(&server, &bound, day);
    assert_eq!((status, count(&r)), (200, json!(1)), "{r}");
    let (status, r) = report(&server, &bound, &format!("{day}&site=blog"));
    assert_eq!(status, 403, "{r}");

    let (status, _) = report(&server, &agent, day);
    assert_eq!(status, 403, "agents do not see reports");
    let (status, _) = http(server.addr, "GET", "/api/v1/reports", None, &json!(null));
    assert_eq!(status, 401);
    for bad in [
        "?from=2026-13-01",
        "?from=yesterday",
        "?from=2026-12-02&until=2026-12-01",
        "?from=2025-01-01&until=2026-01-02",
        "?from=1969-12-31&until=1970-01-01",
        "?format=csv",
        "?format=csv&table=secrets",
        "?format=xml",
        "?table=days",
    ] {
        let (status, r) = report(&server, &admin, bad);
        assert_eq!(status, 400, "{bad}: {r}");
        assert!(r["code"].is_number(), "{r}");
    }
}
