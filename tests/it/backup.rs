//! Keeping data safe: a backup taken through the running server under load restores into
//! a fresh directory with every message acknowledged before it; export writes JSON lines
//! and CSV; restore refuses a running server's directory.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use deskbell::protocol::*;

use crate::harness::{Client, TestServer, test_config};

fn deskbell(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_deskbell"))
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn a_backup_under_load_restores_every_acknowledged_message() {
    // The test clock stands still, so the frame bucket never refills: give each visitor
    // room for all its messages however long a slow machine's backup takes.
    let server = TestServer::start_with(|c| c.rate_burst = 10_000);
    let addr = server.addr;
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<(String, u64, u64)>>> = Arc::default();
    let mut senders = Vec::new();
    for v in 0..3 {
        let (stop, acked) = (stop.clone(), acked.clone());
        senders.push(thread::spawn(move || {
            let (mut visitor, welcome) = Client::visitor(addr, Encoding::Binary, None);
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) && i < 2_000 {
                let id = format!("v{v}-{i}");
                visitor.say(None, &id, &format!("message {id}"));
                let (conversation, seq) = visitor.ack(&id);
                acked.lock().expect("lock").push((id, conversation, seq));
                i += 1;
            }
            welcome.visitor_token.expect("token")
        }));
    }
    thread::sleep(Duration::from_millis(500));
    let before_backup: Vec<(String, u64, u64)> = acked.lock().expect("lock").clone();
    let backups = tempfile::tempdir().expect("tempdir");
    let backup = backups.path().join("backup.redb");
    let out = deskbell(&[
        "backup",
        "--data",
        &server.data_dir().display().to_string(),
        "--to",
        &backup.display().to_string(),
    ]);
    assert!(
        out.status.success(),
        "backup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stop.store(true, Ordering::Relaxed);
    let tokens: Vec<String> = senders
        .into_iter()
        .map(|s| s.join().expect("sender"))
        .collect();
    assert!(
        before_backup.len() > 10,
        "traffic ran before the backup ({})",
        before_backup.len()
    );

    // Restore into a fresh directory and start a server there.
    let fresh = tempfile::tempdir().expect("tempdir");
    let out = deskbell(&[
        "restore",
        "--data",
        &fresh.path().display().to_string(),
        "--from",
        &backup.display().to_string(),
    ]);
    assert!(
        out.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restored = deskbell::server::Server::start(test_config(fresh.path(), server.clock.clone()))
        .expect("starts");
    let mut found = std::collections::HashMap::new();
    for token in &tokens {
        let (mut visitor, welcome) = Client::visitor(restored.addr(), Encoding::Json, Some(token));
        let conversation = welcome.conversation.expect("conversation restored").id;
        for m in visitor.sync(conversation, 0) {
            found.insert(
                m.client_id.clone().unwrap_or_default(),
                (m.conversation, m.seq),
            );
        }
    }
    for (id, conversation, seq) in &before_backup {
        assert_eq!(
            found.get(id),
            Some(&(*conversation, *seq)),
            "{id} acknowledged before the backup is restored"
        );
    }
    restored.shutdown();
}

#[test]
fn restore_refuses_a_running_server_and_bad_files() {
    let server = TestServer::start();
    let dir = server.data_dir().display().to_string();
    let not_a_backup = server.dir.path().join("notes.txt");
    std::fs::write(&not_a_backup, "hello").expect("write");
    let out = deskbell(&[
        "restore",
        "--data",
        &dir,
        "--from",
        &not_a_backup.display().to_string(),
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("stop it first"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let empty = tempfile::tempdir().expect("tempdir");
    let out = deskbell(&[
        "restore",
        "--data",
        &empty.path().display().to_string(),
        "--from",
        &not_a_backup.display().to_string(),
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a deskbell backup"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn export_writes_json_lines_and_csv_while_running_and_offline() {
    let mut server = TestServer::start();
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.send(&ClientFrame::Profile(Profile {
        name: Some("Zoë".into()),
        email: None,
    }));
    visitor.say(None, "q", "Hello, \"world\"\nsecond line");
    visitor.ack("q");
    let dir = server.data_dir().display().to_string();
    let out = deskbell(&["export", "--data", &dir]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().expect("line"))
            .expect("json");
    assert_eq!(line["visitor"]["name"], "Zoë");
    assert_eq!(line["messages"][0]["body"], "Hello, \"world\"\nsecond line");
    assert_eq!(line["messages"][0]["author"], "visitor");

    visitor.close();
    server.server.take().expect("running").shutdown();
    let out = deskbell(&["export", "--data", &dir, "--format", "csv"]);
    assert!(
        out.status.success(),
        "offline export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).expect("utf-8");
    assert!(csv.starts_with("conversation,site,status,"));
    assert!(
        csv.contains("\"Hello, \"\"world\"\"\nsecond line\""),
        "{csv}"
    );
    server.restart();
}

#[test]
fn retention_purges_old_closed_conversations_and_keeps_open_ones() {
    let server = TestServer::start_with(|c| {
        c.retain_days = Some(0);
        c.retention_interval_ms = 200;
    });
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut leaving, _) = Client::visitor(server.addr, Encoding::Json, None);
    leaving.say(None, "bye", "thanks, that's all");
    let (closed, _) = leaving.ack("bye");
    let (mut staying, _) = Client::visitor(server.addr, Encoding::Json, None);
    staying.say(None, "hi", "still here");
    let (open, _) = staying.ack("hi");
    agent.assigned(closed, alice_id);
    agent.send(&ClientFrame::Close(ConversationRef {
        conversation: closed,
    }));
    leaving.message("Alice closed the conversation");

    let listed = |server: &TestServer| {
        let (_, list) = crate::harness::http(
            server.addr,
            "GET",
            "/api/conversations?status=closed",
            Some(&admin),
            &serde_json::json!(null),
        );
        list.as_array().map(Vec::len).unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while listed(&server) > 0 && std::time::Instant::now() < deadline {
        thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(listed(&server), 0, "the closed conversation was purged");
    agent.send(&ClientFrame::Sync(Sync {
        conversation: closed,
        after_seq: 0,
    }));
    assert_eq!(agent.error().error, "not_found", "its messages are gone");
    let kept = agent.sync(open, 0);
    assert!(
        kept.iter().any(|m| m.body == "still here"),
        "open conversations are kept"
    );
}
