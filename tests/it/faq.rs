//! The FAQ around the bot: answers per language reach the visitors they are written for,
//! the API checks them, an edited entry never answers with its old questions again, and
//! the re-embedding after a model change says how far it is in the log.

use std::path::Path;

use deskbell::config::BotSettings;
use deskbell::protocol::*;
use deskbell::store::DB_FILE;
use serde_json::{Value, json};

use crate::harness::{Binary, Client, TestServer, http};

const HOURS_EN: &str = "We're open Tuesday to Saturday, 10:00-18:30.";
const HOURS_ZH: &str = "我们周二至周六营业，10:00-18:30。";
const RETURNS_EN: &str = "You can return anything within 30 days for a full refund.";

fn with_bot() -> TestServer {
    TestServer::start_with(|c| c.bot = Some(BotSettings::default()))
}

/// `POST /api/faq` with `body`; the answer's status and body.
fn post(server: &TestServer, admin: &str, body: &Value) -> (u16, Value) {
    http(server.addr, "POST", "/api/faq", Some(admin), body)
}

fn save(server: &TestServer, admin: &str, body: &Value) -> u64 {
    let (status, saved) = post(server, admin, body);
    assert_eq!(status, 201, "{saved}");
    saved["id"].as_u64().expect("id")
}

/// The hours (with a Chinese answer) and returns (default answer only) entries.
fn save_shop(server: &TestServer, admin: &str) -> (u64, u64) {
    let hours = save(
        server,
        admin,
        &json!({
            "questions": [
                "What are your opening hours?",
                "When is the shop open?",
                "Are you open on Saturdays?",
                "你们几点开门？",
                "周六营业吗？"
            ],
            "answer": HOURS_EN,
            "answers": {"zh": HOURS_ZH}
        }),
    );
    let returns = save(
        server,
        admin,
        &json!({
            "questions": ["What is your return policy?", "Can I return an item?", "How do I get a refund?"],
            "answer": RETURNS_EN
        }),
    );
    save(
        server,
        admin,
        &json!({
            "questions": ["Do you ship abroad?", "How long does delivery take?"],
            "answer": "We ship worldwide; delivery takes 2-5 working days."
        }),
    );
    (hours, returns)
}

/// A new visitor whose browser reports `language` asks `question`; the bot's reply.
fn bot_reply(server: &TestServer, language: &str, question: &str) -> Message {
    let mut visitor = Client::connect(server.addr, Encoding::Binary);
    visitor.hello_visitor_in(None, language);
    visitor.say(None, "q1", question);
    visitor.ack("q1");
    visitor.expect("the bot's reply", |f| match f {
        ServerFrame::Message(m) if m.author.kind == AuthorKind::Bot => Some(m.clone()),
        ServerFrame::Message(m) if m.event.is_some() => panic!("{question}: {m:?}"),
        _ => None,
    })
}

#[test]
fn faq_answers_come_in_the_visitors_language_else_the_default_one() {
    let server = with_bot();
    let admin = server.admin();
    let (hours, returns) = save_shop(&server, &admin);
    for (browser, question, entry, answer) in [
        // An English browser, an English question: the default (English) answer.
        ("en-GB", "when are you open on saturday?", hours, HOURS_EN),
        // A Chinese question on an English browser: the Chinese answer.
        ("en-US", "你们周六几点开门？", hours, HOURS_ZH),
        // A Chinese browser: the Chinese answer, whatever letters the message uses.
        ("zh-CN", "when are you open on saturday?", hours, HOURS_ZH),
        // No Chinese answer written: the default one.
        ("zh-CN", "can I return an item?", returns, RETURNS_EN),
    ] {
        let m = bot_reply(&server, browser, question);
        assert_eq!(
            m.event,
            Some(ConversationEvent::BotAnswer { faq_id: entry }),
            "{browser}, {question}: {m:?}"
        );
        assert_eq!(m.body, answer, "{browser}, {question}");
        // "Try a question" with the same browser language shows exactly that decision.
        let language = &browser[..2];
        let shown = tried_in(&server, &admin, question, Some(language));
        assert_eq!(shown["action"], "answer", "{browser}, {question}: {shown}");
        assert_eq!(shown["faq_id"], entry, "{browser}, {question}: {shown}");
        assert_eq!(shown["text"], answer, "{browser}, {question}: {shown}");
    }
    // Without a browser language the test box answers in the message's language.
    let decision = tried(&server, &admin, "你们周六几点开门？");
    assert_eq!(decision["text"], HOURS_ZH, "{decision}");
}

#[test]
fn the_faq_api_keeps_answers_per_language_and_refuses_unknown_or_oversized_ones() {
    let server = with_bot();
    let admin = server.admin();
    let entry =
        |answers: Value| json!({"questions": ["Open?"], "answer": "9-5", "answers": answers});
    for (answers, says) in [
        (json!({"fr": "9-5"}), "unknown answer language \"fr\""),
        (json!({"zh-CN": "9-5"}), "unknown answer language \"zh-CN\""),
        (json!({"zh": "长".repeat(2_001)}), "the answer in \"zh\""),
    ] {
        let (status, body) = post(&server, &admin, &entry(answers.clone()));
        assert_eq!(status, 400, "{answers} → {body}");
        assert_eq!(body["error"], "invalid_field", "{body}");
        assert_eq!(body["code"], 4002, "{body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{message}");
    }
    let (status, _) = post(&server, &admin, &entry(json!({"zh": 7})));
    assert_eq!(status, 400, "an answer is text");

    // The longest Chinese answer fits; an empty one is no answer.
    let long = "长".repeat(2_000);
    let id = save(&server, &admin, &entry(json!({"zh": long, "en": "  "})));
    let listed = |server: &TestServer| {
        let (status, list) = http(server.addr, "GET", "/api/faq", Some(&admin), &Value::Null);
        assert_eq!(status, 200);
        list["entries"][0].clone()
    };
    assert_eq!(listed(&server)["id"], id);
    assert_eq!(listed(&server)["answers"], json!({ "zh": long }));
    // A PUT without `answers` has none left (the editor always sends them all).
    let (status, saved) = http(
        server.addr,
        "PUT",
        &format!("/api/faq/{id}"),
        Some(&admin),
        &json!({"questions": ["Open?"], "answer": "9-5"}),
    );
    assert_eq!(status, 200, "{saved}");
    assert_eq!(listed(&server)["answers"], json!({}));
}

/// What the bot decides for `text` according to the console's test box.
fn tried(server: &TestServer, admin: &str, text: &str) -> Value {
    tried_in(server, admin, text, None)
}

/// [`tried`] for a visitor whose browser reports `language`.
fn tried_in(server: &TestServer, admin: &str, text: &str, language: Option<&str>) -> Value {
    let (status, tried) = http(
        server.addr,
        "POST",
        "/api/faq/try",
        Some(admin),
        &json!({ "text": text, "language": language }),
    );
    assert_eq!(status, 200, "{tried}");
    tried["decision"].clone()
}

#[test]
fn an_edited_faq_entry_never_answers_its_old_questions_again() {
    let mut server = with_bot();
    let mut admin = server.admin();
    save_shop(&server, &admin);
    let gifts = save(
        &server,
        &admin,
        &json!({
            "questions": ["Do you sell gift cards?", "Can I buy a gift voucher?"],
            "answer": "Yes, gift cards from 10 to 200 euros."
        }),
    );
    let m = bot_reply(&server, "en-GB", "do you sell gift cards?");
    assert_eq!(m.body, "Yes, gift cards from 10 to 200 euros.");

    // The owner turns the entry into another one.
    let (status, body) = http(
        server.addr,
        "PUT",
        &format!("/api/faq/{gifts}"),
        Some(&admin),
        &json!({
            "questions": ["Do you have a loyalty programme?", "Do I collect points when I buy?"],
            "answer": "Every euro spent is one point; 100 points give 5 euros off."
        }),
    );
    assert_eq!(status, 200, "{body}");
    for _ in 0..2 {
        let old = tried(&server, &admin, "do you sell gift cards?");
        assert_ne!(
            old["faq_id"], gifts,
            "the old question still answers: {old}"
        );
        let mut visitor = Client::visitor(server.addr, Encoding::Json, None).0;
        visitor.say(None, "g1", "do you sell gift cards?");
        visitor.ack("g1");
        let reply = visitor.expect("the bot's decision", |f| match f {
            ServerFrame::Message(m) if m.author.kind == AuthorKind::Bot || m.event.is_some() => {
                Some(m.clone())
            }
            _ => None,
        });
        assert_ne!(
            reply.event,
            Some(ConversationEvent::BotAnswer { faq_id: gifts }),
            "{reply:?}"
        );
        let new = tried(&server, &admin, "do you have a loyalty program?");
        assert_eq!(new["faq_id"], gifts, "{new}");
        // And after a restart, from the store.
        server.restart_with(|c| c.bot = Some(BotSettings::default()));
        admin = server.login("admin", "correct horse battery");
    }
}

#[test]
fn faq_re_embedding_after_a_model_change_says_how_far_it_is_in_the_log() {
    // The version 2 fixture's entries were embedded by the previous model.
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data-v2");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(source.join(DB_FILE), dir.path().join(DB_FILE)).expect("copy");
    let server = Binary::serve(dir.path(), &[]);
    let log = server.stdout.lock().map(|s| s.clone()).unwrap_or_default();
    let before = |needle: &str| {
        let at = log
            .find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in\n{log}"));
        assert!(
            at < log.find("listening on").unwrap_or(0),
            "{needle:?} after listening"
        );
    };
    before("re-embedding 3 FAQ entries (");
    before("before serving; the server listens when this is done");
    before("re-embedding FAQ entries for model ");
    before(": done, 3/3 in ");
    drop(server);
    // The next start finds them current: nothing to re-embed.
    let again = Binary::serve(dir.path(), &[]);
    let log = again.stdout.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(!log.contains("re-embedding"), "{log}");
}
