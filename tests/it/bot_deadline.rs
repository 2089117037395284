//! The bot's deadline end to end: a message the bot's worker reaches only after the
//! hub has given up on it goes to the agents without being embedded, and
//! `/metrics` counts it as late.

use deskbell::config::BotSettings;
use deskbell::protocol::*;

use crate::bot::{handed_off, messages_until, save_faq};
use crate::harness::{Client, TestServer, eventually, metric_line};

fn late_total(server: &TestServer) -> String {
    metric_line(server.addr, "deskbell_bot_late_total")
}

#[test]
fn a_message_past_the_bots_deadline_goes_to_the_agents_unembedded() {
    // A deadline of 0 ms: every message is past it by the time the worker takes it up.
    let server = TestServer::start_with(|c| {
        c.bot = Some(BotSettings::default());
        c.bot_timeout_ms = 0;
    });
    let admin = server.admin();
    save_faq(&server, &admin);
    assert_eq!(late_total(&server), "deskbell_bot_late_total 0");

    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "what is your return policy?");
    visitor.ack("v1");
    let seen = messages_until(&mut visitor, |m| handed_off(m).is_some());
    assert_eq!(
        seen.last().and_then(handed_off),
        Some(HandoffReason::BotUnavailable),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .all(|m| m.author.kind != AuthorKind::Bot || m.event.is_some()),
        "no answer from the bot: {seen:?}"
    );
    // The worker asks whether the message is still wanted when it takes it up, which
    // may be just after the hand-off the visitor saw.
    eventually(|| {
        let late = late_total(&server);
        (late == "deskbell_bot_late_total 1")
            .then_some(())
            .ok_or(format!("the worker skipped the late message: {late}"))
    });
}
