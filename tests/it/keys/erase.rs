//! `DELETE /api/v1/visitors/ID`, the GDPR erasure: the visitor, their conversations,
//! messages, files (bytes kept while another conversation shares them), verified
//! identity and token go in one durable commit; their connections are closed, agents see
//! the conversations leave; the audit entry has ids and counts only; nothing comes back
//! after a restart, and a backup made afterwards holds none of it.

use std::process::Command;

use deskbell::identity::expected_hash;
use deskbell::protocol::*;
use serde_json::{Value, json};

use super::{create_key, get};
use crate::attachments::{
    PDF, contains, download, files_of, files_on_disk, send_files, upload_as_visitor, upload_id,
};
use crate::harness::{Client, TestServer, http, http_full};

/// Bytes no one else sends (a PDF with its own comment).
const OWN_PDF: &[u8] =
    b"%PDF-1.4\n% only the erased visitor sent this\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
const SECRET_TEXT: &str = "my order 77-ZEBRA never came";
const EMAIL: &str = "zebra.customer@example.com";

fn erase(server: &TestServer, token: &str, visitor: u64) -> (u16, Value) {
    let path = format!("/api/v1/visitors/{visitor}");
    let token = (!token.is_empty()).then_some(token);
    http(server.addr, "DELETE", &path, token, &json!(null))
}

/// A verified customer of "default" saying `SECRET_TEXT` with two files (one shared
/// with nobody, one `PDF`); returns (client, visitor id, token, conversation, files).
fn customer_with_files(
    server: &TestServer,
    secret: &str,
) -> (Client, u64, String, u64, Vec<String>) {
    let mut client = Client::connect(server.addr, Encoding::Json);
    client.send(&ClientFrame::HelloCustomer(HelloCustomer {
        hello: HelloVisitor {
            site: "default".into(),
            token: None,
            page: Some("https://shop.test/account".into()),
            referrer: None,
            language: Some("en".into()),
            utc_offset_min: None,
        },
        customer: Customer {
            id: "zebra-1".into(),
            name: Some("Zebra Customer".into()),
            email: Some(EMAIL.into()),
            avatar: None,
            attributes: vec![],
            hash: Some(expected_hash(secret, "zebra-1")),
        },
    }));
    let welcome = client.expect("welcome", |f| match f {
        ServerFrame::Welcome(w) => Some(w.clone()),
        _ => None,
    });
    let token = welcome.visitor_token.clone().expect("token");
    client.say(None, "t1", SECRET_TEXT);
    let (conversation, _) = client.ack("t1");
    let own = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "own.pdf",
        "application/pdf",
        OWN_PDF,
    ));
    let shared = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "shared.pdf",
        "application/pdf",
        PDF,
    ));
    send_files(
        &mut client,
        Some(conversation),
        "f1",
        "receipts",
        &[&own, &shared],
    );
    let (_, seq) = client.ack("f1");
    let replay = client.sync(conversation, 0);
    let files = files_of(replay.iter().find(|m| m.seq == seq).expect("the message"))
        .into_iter()
        .map(|f| f.id)
        .collect();
    (client, welcome.id, token, conversation, files)
}

#[test]
fn an_erasure_removes_the_visitor_and_everything_of_theirs() {
    let mut server = TestServer::start();
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "admin", None);
    let (status, made) = http(
        server.addr,
        "POST",
        "/api/identity",
        Some(&admin),
        &json!({"site": "default"}),
    );
    assert_eq!(status, 201, "{made}");
    let secret = made["secret"].as_str().expect("secret").to_string();
    // Someone else sends the same bytes as one of the customer's files.
    let (mut other, other_welcome) = Client::visitor(server.addr, Encoding::Json, None);
    let other_token = other_welcome.visitor_token.expect("token");
    let upload = upload_id(&upload_as_visitor(
        server.addr,
        &other_token,
        "mine.pdf",
        "application/pdf",
        PDF,
    ));
    send_files(&mut other, None, "o1", "", &[&upload]);
    let (other_conversation, _) = other.ack("o1");

    let (mut client, visitor, token, conversation, files) = customer_with_files(&server, &secret);
    // And a file uploaded but never sent.
    let unsent = b"%PDF-1.4\n% uploaded, never sent\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "draft.pdf",
        "application/pdf",
        unsent,
    ));
    assert_eq!(files_on_disk(&server.data_dir()), 3);
    // An agent watches the conversation.
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &admin);

    let (status, erased) = erase(&server, &key, visitor);
    assert_eq!(status, 200, "{erased}");
    assert_eq!(
        (
            &erased["visitor"],
            &erased["conversations"],
            &erased["files"]
        ),
        (&json!(visitor), &json!(1), &json!(3)),
        "{erased}"
    );
    let messages = erased["messages"].as_u64().expect("messages");
    assert!(messages >= 2, "their two, and the system's: {erased}");
    assert_eq!(
        client.closed_with(),
        1008,
        "the visitor's connection is closed"
    );
    agent.expect("the conversation leaves the inbox", |f| match f {
        ServerFrame::Conversation(c) if c.id == conversation => {
            (c.status == ConversationStatus::Closed && c.preview.is_empty()).then_some(())
        }
        _ => None,
    });

    let check_gone = |server: &TestServer| {
        let visitor_path = format!("/api/v1/visitors/{visitor}");
        assert_eq!(get(server, &visitor_path, &key).0, 404);
        assert_eq!(get(server, &visitor_path, &admin).0, 404);
        let conversation_path = format!("/api/v1/conversations/{conversation}");
        assert_eq!(get(server, &conversation_path, &key).0, 404);
        for file in &files {
            assert_eq!(download(server.addr, file).0, 404, "file {file}");
        }
        // The shared bytes stay for the other conversation; the customer's own go.
        assert_eq!(files_on_disk(&server.data_dir()), 1);
        let other_path = format!("/api/v1/conversations/{other_conversation}");
        assert_eq!(get(server, &other_path, &key).0, 200);
        let (status, again) = erase(server, &key, visitor);
        assert_eq!((status, again["error"].as_str()), (404, Some("not_found")));
    };
    check_gone(&server);
    let (mut agent_sync, _) = Client::agent(server.addr, Encoding::Json, &admin);
    agent_sync.send(&ClientFrame::Sync(Sync {
        conversation,
        after_seq: 0,
    }));
    agent_sync.expect("not found", |f| match f {
        ServerFrame::Error(e) if e.error == "not_found" => Some(()),
        _ => None,
    });

    // The audit log: who, the ids and counts; no name, address or text.
    let (_, audit) = get(&server, "/api/audit", &admin);
    let entry = &audit["entries"][0];
    assert_eq!(entry["action"], "visitor.erased", "{audit}");
    assert_eq!(entry["target"], erased);
    let logged = audit.to_string();
    for personal in ["Zebra", EMAIL, "zebra-1", "77-ZEBRA"] {
        assert!(!logged.contains(personal), "{personal} in {logged}");
    }

    // The old token finds nobody: no uploads, and a hello with it is a new visitor.
    let refused = upload_as_visitor(server.addr, &token, "x.pdf", "application/pdf", PDF);
    assert_eq!(refused.0, 401, "{}", refused.1);
    let (_, fresh) = Client::visitor(server.addr, Encoding::Json, Some(&token));
    assert_ne!(fresh.id, visitor);
    assert!(fresh.conversation.is_none());

    // Nothing comes back after a restart, and a backup made now holds none of it.
    server.restart();
    check_gone(&server);
    let (_, fresh) = Client::visitor(server.addr, Encoding::Json, Some(&token));
    assert_ne!(fresh.id, visitor, "also after a restart");
    let backups = tempfile::tempdir().expect("tempdir");
    let backup = backups.path().join("backup.redb");
    let out = Command::new(env!("CARGO_BIN_EXE_deskbell"))
        .args(["backup", "--data", &server.data_dir().display().to_string()])
        .args(["--to", &backup.display().to_string()])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&backup).expect("backup");
    // `zebra` as the search index writes a word (lower case): the erased messages and
    // profile left the index too.
    for personal in [
        SECRET_TEXT.as_bytes(),
        EMAIL.as_bytes(),
        b"zebra-1",
        b"zebra",
        OWN_PDF,
    ] {
        assert!(
            !contains(&bytes, personal),
            "{:?} in the backup",
            String::from_utf8_lossy(personal)
        );
    }
    assert!(
        contains(&bytes, PDF),
        "the shared file is in the backup (the search works)"
    );
}

#[test]
fn only_admins_erase() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, agent) = server.agent(&admin, "bea", None);
    let (mut client, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    client.say(None, "m1", "hello");
    client.ack("m1");
    let visitor = welcome.id;
    for scope in ["read", "write"] {
        let (_, key) = create_key(&server, &admin, scope, None);
        let (status, said) = erase(&server, &key, visitor);
        assert_eq!(
            (status, said["error"].as_str()),
            (403, Some("forbidden")),
            "{scope}: {said}"
        );
    }
    let (_, site_admin) = create_key(&server, &admin, "admin", Some("default"));
    assert_eq!(
        erase(&server, &site_admin, visitor).0,
        403,
        "an erasure reaches every site"
    );
    assert_eq!(erase(&server, &agent, visitor).0, 403);
    assert_eq!(erase(&server, "", visitor).0, 401);
    // Nothing was erased by the refusals.
    assert_eq!(
        get(&server, &format!("/api/v1/visitors/{visitor}"), &admin).0,
        200
    );
    // An admin's console session erases, with the CSRF rules of every console call:
    // a cookie from another site is refused, the console's own page is not.
    let path = format!("/api/v1/visitors/{visitor}");
    let cookie = format!("deskbell_session={admin}");
    let from = |site: &'static str| {
        [
            ("Cookie", cookie.as_str()),
            ("Content-Type", "application/json"),
            ("Sec-Fetch-Site", site),
        ]
    };
    let (status, _, _) = http_full(server.addr, "DELETE", &path, &from("cross-site"), "");
    assert_eq!(status, 403, "a cross-site request");
    assert_eq!(get(&server, &path, &admin).0, 200, "nothing was erased");
    let (status, _, body) = http_full(server.addr, "DELETE", &path, &from("same-origin"), "");
    assert_eq!(status, 200, "{body}");
    assert_eq!(erase(&server, &admin, 999_999).0, 404);
}

/// An admin key for every site, stored in `data` before the server starts.
fn offline_admin_key(data: &std::path::Path) -> String {
    use deskbell::store::key_records::{ApiKeyV1, KeyOp, StoredActor, StoredKeyScope};
    let key = deskbell::keys::new_key().expect("key");
    let record = ApiKeyV1 {
        name: "crash".into(),
        scope: StoredKeyScope::Admin,
        site: None,
        prefix: deskbell::keys::shown_prefix(&key),
        created_ms: 1,
        created_by: StoredActor::Agent(1),
        last_used_ms: None,
        revoked_ms: None,
    };
    let op = deskbell::store::WriteOp::Keys(KeyOp::Create {
        digest: deskbell::keys::key_digest(&key),
        record,
    });
    deskbell::store::writer::write_offline(data, op).expect("key stored");
    key
}

#[test]
fn an_erasure_answered_survives_sigkill() {
    use crate::harness::Binary;
    let dir = tempfile::tempdir().expect("tempdir");
    let key = offline_admin_key(dir.path());
    let mut server = Binary::serve(dir.path(), &["--no-bot"]);
    let (mut client, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    client.say(None, "m1", SECRET_TEXT);
    let (conversation, _) = client.ack("m1");
    let path = format!("/api/v1/visitors/{}", welcome.id);
    let (status, erased) = http(server.addr, "DELETE", &path, Some(&key), &json!(null));
    assert_eq!(status, 200, "{erased}");
    server.child.kill().expect("SIGKILL right after the answer");
    server.child.wait().expect("reaped");

    let server = Binary::serve(dir.path(), &["--no-bot"]);
    let (status, _) = http(server.addr, "GET", &path, Some(&key), &json!(null));
    assert_eq!(status, 404, "the visitor stays erased");
    let conversation_path = format!("/api/v1/conversations/{conversation}");
    let (status, _) = http(
        server.addr,
        "GET",
        &conversation_path,
        Some(&key),
        &json!(null),
    );
    assert_eq!(status, 404, "and their conversation");
    let token = welcome.visitor_token.expect("token");
    let (_, fresh) = Client::visitor(server.addr, Encoding::Json, Some(&token));
    assert_ne!(fresh.id, welcome.id);
}
