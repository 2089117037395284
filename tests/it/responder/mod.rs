//! The external responder behind the FAQ bot (issue #14), end to end: a real server
//! with the built-in model and the shop's FAQ, the responder configured through the
//! admin API, and the harness's [`ModelServer`] standing in for OpenAI or the shop's
//! own service (no real provider is reachable here).
//!
//! - `answers`: who answers what (the built-in bot when confident, the responder
//!   otherwise), the request's context, the signed form, hand-offs and limits.
//! - `failures`: every failure hands off cleanly with an agent told, and a slow call
//!   holds up nobody else.
//! - `examples`: the shop's own service of `docs/BOT.md`, run as written.
//! - `settings`: the admin endpoint (the key never shown, checks, who may call it).

mod answers;
mod examples;
mod failures;
mod settings;

use deskbell::config::{BotSettings, Config};
use deskbell::protocol::{AuthorKind, ClientFrame, Encoding, HandoffReason, Message, ServerFrame};
use serde_json::{Value, json};

use crate::bot::{handed_off, messages_until, save_faq};
use crate::harness::{Client, ModelServer, TestServer, http};

/// A question the shop's FAQ does not cover.
pub const GIFT_CARDS: &str = "Do you sell gift cards?";
/// The model's answer to it.
pub const GIFT_ANSWER: &str = "Yes: gift cards from 10 EUR, sent by email.";

/// A server with the bot, the shop's FAQ, an admin token, and agent Alice online.
pub struct Shop {
    /// The server.
    pub server: TestServer,
    /// An admin's token.
    pub admin: String,
    /// Alice's id.
    pub alice: u64,
    /// Alice's console.
    pub agent: Client,
}

impl Shop {
    /// Opens the shop.
    pub fn open() -> Shop {
        Shop::open_with(|_| {})
    }

    /// Opens the shop with the test's changes to the config.
    pub fn open_with(adjust: impl FnOnce(&mut Config)) -> Shop {
        let server = TestServer::start_with(|c| {
            c.bot = Some(BotSettings::default());
            adjust(c);
        });
        let admin = server.admin();
        let (alice, token) = server.agent(&admin, "Alice", Some(20));
        save_faq(&server, &admin);
        let (agent, _) = Client::agent(server.addr, Encoding::Json, &token);
        Shop {
            server,
            admin,
            alice,
            agent,
        }
    }

    /// `PUT /api/responder` with the chat-completions form on `model`, `extra` fields
    /// replacing the defaults; panics unless it is accepted.
    pub fn openai(&self, model: &ModelServer, extra: Value) -> Value {
        let mut body = json!({
            "mode": "when_unsure",
            "kind": "openai",
            "url": model.base_url(),
            "key": "sk-test-key",
            "model": "test-model",
            "timeout_ms": 8000,
            "per_conversation": 10,
            "per_day": 500,
            "allow_private": true,
        });
        merge(&mut body, extra);
        self.configure(&body)
    }

    /// `PUT /api/responder` with `body`; panics unless it is accepted.
    pub fn configure(&self, body: &Value) -> Value {
        let (status, shown) = http(
            self.server.addr,
            "PUT",
            "/api/responder",
            Some(&self.admin),
            body,
        );
        assert_eq!(status, 200, "{shown}");
        shown
    }

    /// A new visitor asks `text`: their client and the conversation.
    pub fn visitor_asks(&self, text: &str) -> (Client, u64) {
        let (mut visitor, _) = Client::visitor(self.server.addr, Encoding::Json, None);
        visitor.say(None, "q1", text);
        let (conversation, _) = visitor.ack("q1");
        (visitor, conversation)
    }

    /// `deskbell_responder_calls_total{outcome}`.
    pub fn calls(&self, outcome: &str) -> u64 {
        let server = self.server.server.as_ref().expect("running");
        server.metrics().responder.get(outcome)
    }

    /// Waits for the visitor's hand-off and checks Alice was given the conversation and
    /// the bot said nothing to the visitor meanwhile.
    pub fn handed_to_alice(&mut self, visitor: &mut Client, conversation: u64) -> HandoffReason {
        let seen = messages_until(visitor, |m| handed_off(m).is_some());
        assert!(
            seen.iter().all(|m| m.author.kind != AuthorKind::Bot),
            "the bot spoke: {seen:?}"
        );
        self.agent.assigned(conversation, self.alice);
        seen.last().and_then(handed_off).expect("a hand-off")
    }
}

/// Overwrites `body`'s fields with `extra`'s.
fn merge(body: &mut Value, extra: Value) {
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
}

/// Waits for the bot's "typing" on the visitor's side.
pub fn bot_typing(visitor: &mut Client) {
    visitor.expect("the bot typing", |f| match f {
        ServerFrame::Typing(t) if t.author.kind == AuthorKind::Bot && t.on => Some(()),
        _ => None,
    });
}

/// Reads the visitor's frames for `ms` milliseconds: none is a message from the bot or
/// a hand-off.
pub fn bot_silent_for(visitor: &mut Client, ms: u64) {
    let until = std::time::Instant::now() + std::time::Duration::from_millis(ms);
    loop {
        let left = until.saturating_duration_since(std::time::Instant::now());
        match visitor.try_recv(left) {
            Err(e) if e == "timeout" => return,
            Err(e) => panic!("the connection broke: {e}"),
            Ok(ServerFrame::Message(m)) => {
                assert!(m.author.kind != AuthorKind::Bot, "the bot spoke: {m:?}");
                assert!(handed_off(&m).is_none(), "handed off: {m:?}");
            }
            Ok(_) => {}
        }
    }
}

/// The visitor's next message from the bot.
pub fn bot_says(visitor: &mut Client) -> Message {
    visitor.expect("a bot message", |f| match f {
        ServerFrame::Message(m) if m.author.kind == AuthorKind::Bot => Some(m.clone()),
        _ => None,
    })
}

/// The visitor asks for a person ("Talk to a person" under message `seq`).
pub fn talk_to_a_person(visitor: &mut Client, conversation: u64, seq: u64) {
    visitor.send(&ClientFrame::BotFeedback(deskbell::protocol::BotFeedback {
        conversation,
        seq,
        helpful: false,
    }));
}
