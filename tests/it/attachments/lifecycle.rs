//! A file's life: a backup taken from the running server carries it and a restore brings
//! it back (and `export` lists it); retention deletes it with its conversation; a
//! SIGKILL right after the acknowledgement loses nothing.

use std::process::Command;
use std::time::{Duration, Instant};

use deskbell::protocol::*;

use super::*;
use crate::harness::{Binary, Client, TestServer, WAIT, test_config};

fn deskbell(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_deskbell"))
        .args(args)
        .output()
        .expect("runs")
}

/// A visitor's conversation with one sent file: (visitor token, conversation, file).
fn sent_file(addr: std::net::SocketAddr, bytes: &[u8]) -> (String, u64, Attachment) {
    let (mut visitor, welcome) = Client::visitor(addr, Encoding::Json, None);
    let token = welcome.visitor_token.expect("token");
    let id = upload_id(&upload_as_visitor(
        addr,
        &token,
        "receipt.pdf",
        "application/pdf",
        bytes,
    ));
    send_files(&mut visitor, None, "v1", "my receipt", &[&id]);
    let (conversation, seq) = visitor.ack("v1");
    let replay = visitor.sync(conversation, 0);
    let file = files_of(replay.iter().find(|m| m.seq == seq).expect("the message"))[0].clone();
    (token, conversation, file)
}

#[test]
fn a_backup_carries_the_files_and_a_restore_brings_them_back() {
    let server = TestServer::start();
    let (token, conversation, file) = sent_file(server.addr, PDF);
    let backups = tempfile::tempdir().expect("tempdir");
    let backup = backups.path().join("backup.redb");
    let data = server.data_dir().display().to_string();
    let out = deskbell(&[
        "backup",
        "--data",
        &data,
        "--to",
        &backup.display().to_string(),
    ]);
    assert!(
        out.status.success(),
        "backup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = deskbell(&["export", "--data", &data]);
    let exported = String::from_utf8_lossy(&out.stdout);
    assert!(
        exported.contains(&format!("/api/files/{}", file.id)) && exported.contains("receipt.pdf"),
        "export lists the file: {exported}"
    );
    let out = deskbell(&["export", "--data", &data, "--format", "csv"]);
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.lines()
            .next()
            .is_some_and(|h| h.ends_with(",body,attachments")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(
            "receipt.pdf (application/pdf, {} bytes) /api/files/{}",
            PDF.len(),
            file.id
        )),
        "{csv}"
    );

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
    assert_eq!(files_on_disk(fresh.path()), 1);
    let restored = deskbell::server::Server::start(test_config(fresh.path(), server.clock.clone()))
        .expect("starts");
    let (status, _, bytes) = download(restored.addr(), &file.id);
    assert_eq!((status, bytes.as_slice()), (200, PDF));
    let (mut visitor, welcome) = Client::visitor(restored.addr(), Encoding::Json, Some(&token));
    assert_eq!(welcome.conversation.expect("restored").id, conversation);
    let replay = visitor.sync(conversation, 0);
    let sent = replay.iter().find(|m| m.client_id.as_deref() == Some("v1"));
    assert_eq!(files_of(sent.expect("the message"))[0], file);
    restored.shutdown();
}

#[test]
fn retention_deletes_the_files_with_their_conversation() {
    let server = TestServer::start_with(|c| {
        c.retain_days = Some(0);
        c.retention_interval_ms = 50;
    });
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (_, shared, file) = sent_file(server.addr, PDF);
    // A second conversation has the same bytes: they stay for it.
    let (_, _, kept) = sent_file(server.addr, PDF);
    let (_, own, gone) = sent_file(server.addr, b"only in this conversation");
    assert_eq!(files_on_disk(&server.data_dir()), 2);
    for conversation in [shared, own] {
        agent.assigned(conversation, alice_id);
        agent.send(&ClientFrame::Close(ConversationRef { conversation }));
    }
    let deadline = Instant::now() + WAIT;
    while download(server.addr, &file.id).0 != 404 || download(server.addr, &gone.id).0 != 404 {
        assert!(
            Instant::now() < deadline,
            "the closed conversations were not purged"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        download(server.addr, &kept.id).0,
        200,
        "still named by the other"
    );
    assert_eq!(
        files_on_disk(&server.data_dir()),
        1,
        "the file nothing names is gone"
    );
}

#[test]
fn an_acknowledged_file_survives_sigkill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Binary::serve(dir.path(), &[]);
    let (token, conversation, file) = sent_file(server.addr, PHOTO_FREE_PDF);
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");

    let server = Binary::serve(dir.path(), &[]);
    let (status, _, bytes) = download(server.addr, &file.id);
    assert_eq!((status, bytes.as_slice()), (200, PHOTO_FREE_PDF));
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, Some(&token));
    let replay = visitor.sync(conversation, 0);
    let sent = replay.iter().find(|m| m.client_id.as_deref() == Some("v1"));
    assert_eq!(files_of(sent.expect("the message"))[0], file);
    // A retry of the acknowledged send is the same message.
    send_files(
        &mut visitor,
        None,
        "v1",
        "my receipt",
        &["00112233445566778899aabbccddeeff"],
    );
    let ack = visitor.expect("ack of the retry", |f| match f {
        ServerFrame::Ack(a) => Some(a.clone()),
        ServerFrame::Error(e) => panic!("refused: {e:?}"),
        _ => None,
    });
    assert!(ack.duplicate);
}

/// A PDF different from [`PDF`], so this test's file is its own.
const PHOTO_FREE_PDF: &[u8] = b"%PDF-1.4\n% crash test\n%%EOF\n";
