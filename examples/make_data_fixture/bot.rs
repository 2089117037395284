//! The FAQ-bot part of the fixture (since data-v2): FAQ entries with their embeddings,
//! a conversation the bot answered, one it handed over after "Talk to a person", and
//! one handed over with suggestions for the agents (then closed and reopened).

use std::net::SocketAddr;

use deskbell::protocol::*;
use serde_json::{Value, json};

use super::{Client, Encoding, Error, expect, http};

/// The questions of the fixture's FAQ entries and their answers.
const FAQ: [(&[&str], &str); 3] = [
    (
        &[
            "What are your opening hours?",
            "When is the bakery open?",
            "Are you open on Sundays?",
        ],
        "We are open Monday 7-18 and Saturday 8-12:30.",
    ),
    (
        &[
            "Do you bake gluten-free bread?",
            "Is there bread without gluten?",
        ],
        "Yes: a gluten-free loaf every Friday, please order a day ahead.",
    ),
    (
        &["Do you deliver?", "Can you bring bread to my house?"],
        "We deliver within 5 km for orders over 20 EUR.",
    ),
];

/// A question the bot answers itself (entry 1), one it answers and the visitor then
/// asks for a person (entry 2), and one it only suggests to the agents.
const ANSWERED: &str = "What are your opening hours?";
/// See [`ANSWERED`].
const HANDED: &str = "Do you bake gluten-free bread?";
/// See [`ANSWERED`].
const SUGGESTED: &str = "could somebody drive the cake over to my place tomorrow?";

/// What the bot part stored.
pub struct Bot {
    /// FAQ entry ids in the order of [`FAQ`].
    pub faq_ids: Vec<u64>,
    /// What `/api/faq/try` said for the three questions.
    pub tried: Value,
    /// The conversation the bot answered (still with the bot).
    pub answered: u64,
    /// Its visitor's token.
    pub answered_token: String,
    /// The conversation handed over after a bot answer and "Talk to a person".
    pub handed: u64,
    /// Its visitor's token.
    pub handed_token: String,
    /// The conversation handed over with suggestions.
    pub suggested: u64,
    /// Its visitor's token.
    pub suggested_token: String,
}

/// Saves the FAQ and plays the three bot conversations; `alice` is an agent connection.
pub fn fill(
    addr: SocketAddr,
    admin: &str,
    alice: &mut Client,
    alice_id: u64,
) -> Result<Bot, Error> {
    let mut faq_ids = Vec::new();
    for (questions, answer) in FAQ {
        let entry = json!({"questions": questions, "answer": answer});
        let saved = expect(http(addr, "POST", "/api/faq", Some(admin), &entry)?, 201)?;
        faq_ids.push(saved["id"].as_u64().ok_or("faq id")?);
    }
    let mut tried = serde_json::Map::new();
    for (text, want) in [
        (ANSWERED, "answer"),
        (HANDED, "answer"),
        (SUGGESTED, "suggest"),
    ] {
        let answer = expect(
            http(
                addr,
                "POST",
                "/api/faq/try",
                Some(admin),
                &json!({"text": text}),
            )?,
            200,
        )?;
        if answer["decision"]["action"] != want {
            return Err(format!("{text:?}: wanted {want}, the bot says {answer}").into());
        }
        tried.insert(text.into(), answer);
    }

    // 4. Answered by the bot; the visitor says it helped. It stays with the bot.
    let (mut dana, answered_token) = Client::visitor(addr, Encoding::Json)?;
    let answered = dana.say(None, "d1", ANSWERED)?;
    let answer = dana.bot_answer(answered)?;
    alice.sync(answered)?;
    dana.send(&ClientFrame::BotFeedback(BotFeedback {
        conversation: answered,
        seq: answer,
        helpful: true,
    }))?;
    alice.event(answered, |e| {
        matches!(e, ConversationEvent::Feedback { .. })
    })?;

    // 5. Answered, then "Talk to a person": handed over and assigned.
    let (mut emil, handed_token) = Client::visitor(addr, Encoding::Binary)?;
    let handed = emil.say(None, "e1", HANDED)?;
    let answer = emil.bot_answer(handed)?;
    emil.send(&ClientFrame::BotFeedback(BotFeedback {
        conversation: handed,
        seq: answer,
        helpful: false,
    }))?;
    alice.assigned(handed, alice_id)?;
    alice.sync(handed)?;
    alice.say(Some(handed), "a5", "Friday it is: shall I put one aside?")?;

    // 6. Not sure enough to answer: handed over, the agents get suggestions.
    let (mut finn, suggested_token) = Client::visitor(addr, Encoding::Json)?;
    let suggested = finn.say(None, "f1", SUGGESTED)?;
    alice.assigned(suggested, alice_id)?;
    let history = alice.sync(suggested)?;
    if !history
        .iter()
        .any(|m| matches!(m.event, Some(ConversationEvent::Suggestions { .. })))
    {
        alice.event(suggested, |e| {
            matches!(e, ConversationEvent::Suggestions { .. })
        })?;
    }
    alice.say(Some(suggested), "a6", FAQ[2].1)?;
    // Closed too early, and reopened (each waits for its system message: committed).
    alice.send(&ClientFrame::Close(ConversationRef {
        conversation: suggested,
    }))?;
    alice.event(suggested, |e| matches!(e, ConversationEvent::Closed { .. }))?;
    alice.send(&ClientFrame::Reopen(ConversationRef {
        conversation: suggested,
    }))?;
    alice.event(suggested, |e| {
        matches!(e, ConversationEvent::Reopened { .. })
    })?;

    Ok(Bot {
        faq_ids,
        tried: Value::Object(tried),
        answered,
        answered_token,
        handed,
        handed_token,
        suggested,
        suggested_token,
    })
}

impl Client {
    /// Waits for the bot's answer in `conversation`; returns its seq.
    fn bot_answer(&mut self, conversation: u64) -> Result<u64, Error> {
        self.wait_for("the bot's answer", |f| match f {
            ServerFrame::Message(m)
                if m.conversation == conversation
                    && matches!(m.event, Some(ConversationEvent::BotAnswer { .. })) =>
            {
                Some(m.seq)
            }
            _ => None,
        })
    }

    /// Waits for a message in `conversation` whose event satisfies `pick`.
    fn event(
        &mut self,
        conversation: u64,
        pick: impl Fn(&ConversationEvent) -> bool,
    ) -> Result<(), Error> {
        self.wait("an event", |f| {
            matches!(f, ServerFrame::Message(m)
                if m.conversation == conversation && m.event.as_ref().is_some_and(&pick))
        })
    }
}
