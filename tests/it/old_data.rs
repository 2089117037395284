//! Old data keeps opening: data directories written by earlier builds
//! (`tests/fixtures/data-v1/`, schema version 1, and `data-v2/`, schema version 2 with
//! the FAQ bot; both made by `scripts/make-data-fixture.sh`) are copied, served by this
//! build, and everything in them must still be there, exactly as the old build reported
//! it (`fixture.json`); new messages are stored and acked. After a schema bump this is
//! the test of the migration.

use std::path::Path;

use deskbell::config::{BotSettings, Config};
use deskbell::protocol::*;
use deskbell::store::{DB_FILE, Store};
use serde_json::{Value, json};

use crate::harness::{Client, TestServer, http};

/// Copies the fixture's database into a fresh temporary data directory; returns it and
/// what the old build reported about the data (`fixture.json`).
pub fn fixture(name: &str) -> (tempfile::TempDir, Value) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(source.join(DB_FILE), dir.path().join(DB_FILE)).expect("copy the fixture");
    let text = std::fs::read_to_string(source.join("fixture.json")).expect("fixture.json");
    (
        dir,
        serde_json::from_str(&text).expect("fixture.json parses"),
    )
}

/// `expected` without its `preview` fields: since issue #13 a preview is the visitor's
/// latest words, not the latest message the old build showed (checked on its own in
/// [`previews_quote_the_visitor`]).
fn without_previews(expected: &Value) -> Value {
    match expected {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(key, _)| key.as_str() != "preview")
                .map(|(key, v)| (key.clone(), without_previews(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_previews).collect()),
        other => other.clone(),
    }
}

/// Each open conversation's preview is the body of its latest visitor message.
fn previews_quote_the_visitor(open: &Value, messages: &serde_json::Map<String, Value>) {
    for conversation in open.as_array().expect("a list") {
        let id = conversation["id"].to_string();
        let said = messages[&id]
            .as_array()
            .expect("messages")
            .iter()
            .rev()
            .find(|m| m["author"]["kind"] == "visitor" && m["event"].is_null())
            .map_or("", |m| m["body"].as_str().unwrap_or(""));
        assert_eq!(conversation["preview"], said, "conversation {id}");
    }
}

/// Every field of `expected` is in `actual` with the same value; arrays have the same
/// length and order. Fields added since the fixture was made are allowed.
fn assert_contains(actual: &Value, expected: &Value, at: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (key, want) in e {
                let got = a.get(key).unwrap_or(&Value::Null);
                assert_contains(got, want, &format!("{at}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(
                a.len(),
                e.len(),
                "{at}: length\n got {actual}\nwant {expected}"
            );
            for (i, (got, want)) in a.iter().zip(e).enumerate() {
                assert_contains(got, want, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(actual, expected, "{at}"),
    }
}

fn get(server: &TestServer, token: &str, path: &str) -> Value {
    let (status, body) = http(server.addr, "GET", path, Some(token), &Value::Null);
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("fixture.json has no {pointer}"))
}

fn number(value: &Value, pointer: &str) -> u64 {
    value
        .pointer(pointer)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("fixture.json has no {pointer}"))
}

/// What the version 1 fixture's old build reported through its API, checked whole.
const V1_API: &[&str] = &["agents", "canned", "settings", "closed", "visitor_open"];

#[test]
fn a_version_1_data_directory_opens_with_everything_in_it() {
    let (dir, fx) = fixture("data-v1");
    serve_and_check(dir, &fx, V1_API, |_| {});
}

#[test]
fn a_backup_made_by_an_older_build_restores_and_upgrades() {
    // A backup is a redb file like a data directory's database: the version 1 fixture's
    // stands for a backup taken before schema 8 (issue #16 changed the key layout).
    let (old, fx) = fixture("data-v1");
    let fresh = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_deskbell"))
        .args(["restore", "--data"])
        .arg(fresh.path())
        .arg("--from")
        .arg(old.path().join(DB_FILE))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Everything the old build reported, and retries of old messages deduplicated.
    serve_and_check(fresh, &fx, V1_API, |_| {});
}

#[test]
fn a_version_2_data_directory_opens_with_its_faq_and_bot_conversations() {
    let (dir, mut fx) = fixture("data-v2");
    // The bot's thresholds in `GET /api/faq` are the running build's defaults (set anew
    // for the multilingual model), not data of the directory.
    if let Some(bot) = fx
        .pointer_mut("/api/faq/bot")
        .and_then(Value::as_object_mut)
    {
        bot.remove("answer_threshold");
        bot.remove("suggest_threshold");
    }
    let fx = &fx;
    // The FAQ entries come with the embeddings the old build computed.
    let store = Store::open(dir.path()).expect("opens");
    let entries = store.faq_entries().expect("FAQ entries decode");
    drop(store);
    let ids: Vec<u64> = entries.iter().map(|(e, _)| e.entry.id).collect();
    assert_eq!(json!(ids), fx["faq_ids"]);
    for (entry, embeddings) in &entries {
        let embeddings = embeddings.as_ref().expect("stored with embeddings");
        assert_eq!(
            embeddings.vectors.len(),
            entry.entry.questions.len(),
            "{entry:?}"
        );
        assert_eq!(
            (entry.revision, entry.answers.len()),
            (0, 0),
            "version 1 records: no revision, no other languages"
        );
        assert_eq!(
            embeddings.model_id.len(),
            64,
            "a sha256: {}",
            embeddings.model_id
        );
    }
    let bot = |c: &mut Config| c.bot = Some(BotSettings::default());
    let keys = [
        "agents",
        "canned",
        "faq",
        "settings",
        "closed",
        "visitor_open",
    ];
    let server = serve_and_check(dir, fx, &keys, bot);

    // The old build's embeddings came from another model (all-MiniLM-L6-v2, 384-d):
    // they were recomputed at start, and the bot still takes the same decisions on
    // the same entries: the same answer, or a suggestion that still offers the entry
    // it offered first.
    let admin = server.login(text(fx, "/admin/name"), text(fx, "/admin/password"));
    let tried = fx["faq_try"].as_object().expect("faq_try");
    for (question, before) in tried {
        let (status, now) = http(
            server.addr,
            "POST",
            "/api/faq/try",
            Some(&admin),
            &json!({ "text": question }),
        );
        assert_eq!(status, 200, "{now}");
        let (now, before) = (&now["decision"], &before["decision"]);
        for key in ["action", "faq_id", "intent", "reason", "text"] {
            assert_eq!(now[key], before[key], "{question}: {key}");
        }
        // The scoring changed with the model (the answer became a prototype), so the
        // old first suggestion must still be offered, not necessarily first.
        if let Some(first) = before["candidates"].get(0) {
            let offered = now["candidates"].as_array().expect("candidates");
            assert!(
                offered.contains(first),
                "{question}: {first} still offered in {now}"
            );
        }
    }
    let mut server = server;
    if let Some(running) = server.server.take() {
        running.shutdown();
    }
    let store = Store::open(&server.data_dir()).expect("reopens");
    drop(store);
    // Upgraded to this build's schema, so an older binary refuses the directory rather
    // than failing on a record it cannot decode.
    let db = redb::Database::open(server.data_dir().join(DB_FILE)).expect("opens");
    let meta: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
    let version = {
        use redb::ReadableDatabase;
        let tx = db.begin_read().expect("read");
        let table = tx.open_table(meta).expect("meta");
        let value = table.get("schema_version").expect("get").expect("present");
        u64::from_le_bytes(value.value().try_into().expect("8 bytes"))
    };
    drop(db);
    assert_eq!(version, deskbell::store::SCHEMA_VERSION);
    assert_eq!(version, 10);
    let store = Store::open(&server.data_dir()).expect("reopens");
    let now = store.faq_entries().expect("decode");
    assert_eq!(now.len(), entries.len());
    for ((entry, fresh), (old_entry, old)) in now.iter().zip(&entries) {
        // Written again as version 2 records, each at a new revision.
        assert_eq!(entry.entry, old_entry.entry);
        assert_eq!(entry.answers, old_entry.answers);
        assert!(entry.revision > 0, "{entry:?}");
        let (fresh, old) = (
            fresh.as_ref().expect("stored"),
            old.as_ref().expect("stored"),
        );
        assert_ne!(
            fresh.model_id, old.model_id,
            "recomputed by the current model"
        );
        // One per question and one for the answer (`FaqEntry::prototypes`).
        assert_eq!(fresh.vectors.len(), entry.entry.questions.len() + 1);
        assert!(
            fresh
                .vectors
                .iter()
                .all(|v| v.values.len() == deskbell::intent::DIM)
        );
    }
}

/// Serves the copied fixture `dir` with `adjust`ed config and checks it against `fx`
/// (the API answers under `api_keys`, every message, visitors, new messages, a
/// restart); returns the running server.
fn serve_and_check(
    dir: tempfile::TempDir,
    fx: &Value,
    api_keys: &[&str],
    adjust: impl Fn(&mut Config),
) -> TestServer {
    let mut server = TestServer::start_in(dir, &adjust);
    assert_eq!(
        server.server.as_ref().and_then(|s| s.setup_code()),
        None,
        "the fixture has an admin: no setup code"
    );

    // Accounts, settings, canned replies, closed conversations, a visitor's profile.
    let admin = server.login(text(fx, "/admin/name"), text(fx, "/admin/password"));
    assert_eq!(get(&server, &admin, "/api/me")["admin"], true);
    let visitor_id = number(fx, "/api/visitor_open/id");
    for key in api_keys {
        let path = match *key {
            "closed" => "/api/conversations?status=closed".to_string(),
            "visitor_open" => format!("/api/visitors/{visitor_id}"),
            other => format!("/api/{other}"),
        };
        let expected = without_previews(&fx["api"][key]);
        assert_contains(&get(&server, &admin, &path), &expected, key);
    }
    // Accounts and settings from before the console's language and the texts per
    // language have neither: the browser's language, the default texts. Changing them
    // writes the newer record versions into the old file (read again after the restart).
    assert_eq!(
        get(&server, &admin, "/api/me")["console_language"],
        Value::Null
    );
    let mut settings = get(&server, &admin, "/api/settings");
    let empty = json!({ "title": "", "greeting": "", "away_message": "" });
    assert_eq!(settings["texts"], json!({ "en": empty, "zh": empty }));
    // Settings from before named time zones keep their fixed offset (issue #13).
    assert_eq!(settings["time_zone"], "");
    assert_eq!(
        settings["utc_offset_min"],
        fx["api"]["settings"]["utc_offset_min"]
    );
    let (status, _) = http(
        server.addr,
        "PATCH",
        "/api/me",
        Some(&admin),
        &json!({ "console_language": "zh-CN" }),
    );
    assert_eq!(status, 200);
    settings["texts"]["zh"]["greeting"] = json!("您好！");
    let (status, saved) = http(server.addr, "PUT", "/api/settings", Some(&admin), &settings);
    assert_eq!(status, 200, "{saved}");

    // Every message of every conversation, notes included, as the agent sees them.
    let alice = server.login(text(fx, "/agent/name"), text(fx, "/agent/password"));
    let alice_id = number(fx, "/agent/id");
    let (mut agent, welcome) = Client::agent(server.addr, Encoding::Json, &alice);
    let mut open = welcome.conversations.clone();
    open.sort_by_key(|c| c.id);
    let open = serde_json::to_value(open).expect("json");
    let expected = without_previews(&fx["open_conversations"]);
    assert_contains(&open, &expected, "open conversations");
    let messages = fx["messages"].as_object().expect("messages");
    previews_quote_the_visitor(&open, messages);
    for (id, expected) in messages {
        let id: u64 = id.parse().expect("conversation id");
        let replay = serde_json::to_value(agent.sync(id, 0)).expect("json");
        assert_contains(&replay, expected, &format!("conversation {id}"));
    }

    // Visitors come back with their old tokens to their conversations; notes stay hidden.
    let origin = text(fx, "/origin");
    let visitors = fx["visitors"].as_array().expect("visitors");
    let mut clients = Vec::new();
    for v in visitors {
        let conversation = number(v, "/conversation");
        let (mut client, welcome) = Client::visitor_with(
            server.addr,
            Encoding::Binary,
            Some(text(v, "/token")),
            &[("Origin", origin)],
        );
        assert_eq!(
            welcome.conversation.as_ref().map(|c| c.id),
            Some(conversation),
            "visitor {v} is recognised"
        );
        let seen: Vec<u64> = client.sync(conversation, 0).iter().map(|m| m.seq).collect();
        let not_notes: Vec<u64> = messages[&conversation.to_string()]
            .as_array()
            .expect("list")
            .iter()
            .filter(|m| {
                let event: Option<ConversationEvent> =
                    serde_json::from_value(m["event"].clone()).expect("an event");
                !event.is_some_and(|e| e.agents_only())
            })
            .map(|m| m["seq"].as_u64().expect("seq"))
            .collect();
        assert_eq!(
            seen, not_notes,
            "the visitor sees everything but agents-only events"
        );
        clients.push((client, conversation));
    }

    // New messages after the upgrade: acked with the next seq, delivered, and stored.
    let open_id = number(fx, "/conversations/open");
    let last_seq = messages[&open_id.to_string()]
        .as_array()
        .and_then(|m| m.last())
        .map(|m| m["seq"].as_u64().expect("seq"))
        .expect("messages");
    let (maria, _) = &mut clients[0];
    // A retry of a message stored before the upgrade is recognised by its client id
    // (schema 8 dropped the client-id table; the messages carry the ids).
    let (old_seq, old_id, old_body) = messages[&open_id.to_string()]
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["author"]["kind"] == "visitor" && m["client_id"].is_string())
        .map(|m| (number(m, "/seq"), text(m, "/client_id"), text(m, "/body")))
        .expect("a visitor's message with a client id");
    maria.say(Some(open_id), old_id, old_body);
    assert_eq!(
        maria.ack(old_id),
        (open_id, old_seq),
        "the retry is the old message"
    );
    maria.say(Some(open_id), "after-1", "still fresh after the upgrade?");
    assert_eq!(maria.ack("after-1"), (open_id, last_seq + 1));
    agent.message("still fresh after the upgrade?");
    agent.say(Some(open_id), "after-2", "Always.");
    assert_eq!(agent.ack("after-2"), (open_id, last_seq + 2));
    // A returning visitor whose conversation was closed starts a new one with a new id.
    let (bob, closed_id) = &mut clients[1];
    bob.say(None, "after-3", "one more order please");
    let (fresh, seq) = bob.ack("after-3");
    assert!(fresh > number(fx, "/conversations/noted") && fresh != *closed_id);
    assert_eq!(seq, 1);
    agent.assigned(fresh, alice_id);
    drop(clients);
    agent.close();

    // And after a restart everything, old and new, is there exactly once.
    server.restart_with(&adjust);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Binary, &alice);
    let replay = agent.sync(open_id, 0);
    let old = serde_json::to_value(&replay[..replay.len() - 2]).expect("json");
    assert_contains(&old, &messages[&open_id.to_string()], "after restart");
    let new: Vec<(&str, u64)> = replay[replay.len() - 2..]
        .iter()
        .map(|m| (m.body.as_str(), m.seq))
        .collect();
    assert_eq!(
        new,
        [
            ("still fresh after the upgrade?", last_seq + 1),
            ("Always.", last_seq + 2)
        ]
    );
    assert_eq!(agent.sync(fresh, 0)[0].body, "one more order please");
    let admin = server.login(text(fx, "/admin/name"), text(fx, "/admin/password"));
    assert_eq!(get(&server, &admin, "/api/me")["console_language"], "zh-CN");
    let settings = get(&server, &admin, "/api/settings");
    assert_eq!(settings["texts"]["zh"]["greeting"], "您好！");
    assert_contains(&settings, &fx["api"]["settings"], "settings kept");
    server
}
