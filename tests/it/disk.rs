//! Keeping data safe when the disk fills up: sends are refused with a clear
//! `storage_unavailable` error (the client keeps them and retries), `/healthz` says why,
//! the server recovers by itself once space returns, and every acknowledged message is
//! stored exactly once, in order, also after a restart.
//!
//! The first test injects "no space left on device" through the store's fault switch;
//! the second fills a real 4 MB tmpfs (needs root, so it is ignored by default).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use deskbell::protocol::*;
use deskbell::server::Server;
use deskbell::store::FaultSwitch;
use deskbell::timer::ManualClock;
use serde_json::Value;

use crate::harness::{Client, TestServer, WAIT, http, metric_line, test_config};

/// An acknowledged send: (client id, body, seq).
type Acked = (String, String, u64);

fn healthz(addr: std::net::SocketAddr) -> (u16, Value) {
    http(addr, "GET", "/healthz", None, &Value::Null)
}

/// Polls `/healthz` until it answers `status`; returns the body.
fn health_becomes(addr: std::net::SocketAddr, status: u16) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let (now, body) = healthz(addr);
        if now == status {
            return body;
        }
        assert!(Instant::now() < deadline, "/healthz stays {now}: {body}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits for the answer to the send `client_id`: its refusal (the test expects one).
fn refused(client: &mut Client, client_id: &str) -> ErrorFrame {
    client.expect(&format!("refusal of {client_id}"), |f| match f {
        ServerFrame::Error(e) if e.client_id.as_deref() == Some(client_id) => Some(e.clone()),
        ServerFrame::Ack(a) if a.client_id == client_id => {
            panic!("{client_id} was acknowledged while the disk was full: {a:?}")
        }
        _ => None,
    })
}

/// Sends and waits for the ack (not a duplicate); records it.
fn send_acked(
    client: &mut Client,
    conversation: u64,
    client_id: &str,
    body: &str,
    acked: &mut Vec<Acked>,
) {
    client.say(Some(conversation), client_id, body);
    let ack = client.expect(&format!("ack {client_id}"), |f| match f {
        ServerFrame::Ack(a) if a.client_id == client_id => Some(a.clone()),
        ServerFrame::Error(e) if e.client_id.as_deref() == Some(client_id) => {
            panic!("send refused: {e:?}")
        }
        _ => None,
    });
    assert!(
        !ack.duplicate,
        "{client_id} was never stored before: {ack:?}"
    );
    assert_eq!(ack.conversation, conversation);
    acked.push((client_id.into(), body.into(), ack.seq));
}

/// The conversation's chat messages (system messages left out) are exactly the acked
/// ones, each once, in acknowledgement order, with the acknowledged sequence numbers.
fn assert_stored(client: &mut Client, conversation: u64, acked: &[Acked]) {
    let stored: Vec<Acked> = client
        .sync(conversation, 0)
        .into_iter()
        .filter(|m| m.author.kind != AuthorKind::System)
        .map(|m| (m.client_id.unwrap_or_default(), m.body, m.seq))
        .collect();
    assert_eq!(stored, acked);
}

#[test]
fn disk_full_refuses_sends_clearly_and_recovers_without_losing_acked_messages() {
    let faults = FaultSwitch::new();
    let switch = faults.clone();
    let mut server = TestServer::start_with(move |c| c.storage_faults = Some(switch));
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Binary, None);
    let token = welcome.visitor_token.expect("token");
    let mut acked = Vec::new();
    visitor.say(None, "m0", "before the disk fills");
    let (conversation, seq) = visitor.ack("m0");
    acked.push(("m0".into(), "before the disk fills".into(), seq));
    agent.assigned(conversation, alice_id);
    agent.sync(conversation, 0);
    send_acked(&mut visitor, conversation, "m1", "still fine", &mut acked);
    assert_eq!(healthz(server.addr).0, 200);
    assert_eq!(
        metric_line(server.addr, "deskbell_storage_ok"),
        "deskbell_storage_ok 1"
    );

    // The disk fills: every send is refused with a clear, retryable error.
    faults.set_full(true);
    let outbox = [("f0", "sent while full"), ("f1", "also while full")];
    for (id, body) in outbox {
        visitor.say(Some(conversation), id, body);
        let e = refused(&mut visitor, id);
        assert_eq!((e.code, e.error.as_str()), (5070, "storage_unavailable"));
        assert!(e.message.contains("full or read-only"), "{e:?}");
    }
    assert!(faults.injected() > 0, "the fault switch was hit");
    let body = health_becomes(server.addr, 503);
    assert_eq!(body["status"], "storage_unavailable");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("full or read-only") && message.contains("no space left"),
        "{body}"
    );
    assert_eq!(
        metric_line(server.addr, "deskbell_storage_ok"),
        "deskbell_storage_ok 0"
    );
    // Reads fail clearly as well (the database is being reopened), and nothing crashed.
    let (status, body) = http(
        server.addr,
        "GET",
        "/api/canned",
        Some(&admin),
        &Value::Null,
    );
    assert_eq!(
        (status, &body["error"]),
        (507, &Value::from("storage_unavailable"))
    );

    // While the disk stays full the writer keeps trying to reopen, and keeps failing.
    let hits = faults.injected();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(healthz(server.addr).0, 503);
    assert!(faults.injected() > hits, "reopening was attempted");

    // Space returns: the server recovers by itself and the client's retries are acked.
    faults.set_full(false);
    health_becomes(server.addr, 200);
    assert_eq!(
        metric_line(server.addr, "deskbell_storage_ok"),
        "deskbell_storage_ok 1"
    );
    for (id, body) in outbox {
        send_acked(&mut visitor, conversation, id, body, &mut acked);
        agent.message(body);
    }
    send_acked(
        &mut visitor,
        conversation,
        "m2",
        "after recovery",
        &mut acked,
    );
    // A retry of something already acked is recognised, not stored twice.
    visitor.say(Some(conversation), "f0", "sent while full");
    let again = visitor.expect("duplicate ack", |f| match f {
        ServerFrame::Ack(a) if a.client_id == "f0" => Some(a.clone()),
        _ => None,
    });
    assert!(again.duplicate && again.seq == acked[2].2, "{again:?}");
    let (mut reader, _) = Client::agent(server.addr, Encoding::Json, &alice);
    assert_stored(&mut reader, conversation, &acked);

    // And after a restart.
    drop((agent, visitor, reader));
    server.restart();
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, Some(&token));
    assert_stored(&mut visitor, conversation, &acked);
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).expect("mount point");
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mounting a tmpfs needs root (CAP_SYS_ADMIN); this test is meant to be run on \
             purpose with --ignored"
        );
        Tmpfs(dir.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

/// Fills the file system holding `dir` with a ballast file until it is full.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("ballast");
    let mut file = std::fs::File::create(&path).expect("ballast");
    let chunk = vec![0x5a_u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    let small = [0x5a_u8; 512];
    while file.write_all(&small).is_ok() {}
    let _ = file.sync_all();
    path
}

#[test]
#[ignore = "needs root: mounts a 4 MB tmpfs and fills it; run `cargo test --test it disk -- --ignored` as root"]
fn a_really_full_tmpfs_is_survived_and_every_acked_message_is_kept() {
    crate::harness::init_logging();
    let outer = tempfile::tempdir().expect("tempdir");
    let data = outer.path().join("data");
    let _tmpfs = Tmpfs::mount(&data, "4m");
    let clock = Arc::new(ManualClock::new(1_000));
    let server = Server::start(test_config(&data, clock.clone())).expect("server starts");
    let addr = server.addr();
    let code = server.setup_code().expect("setup code");
    let setup =
        serde_json::json!({"code": code, "name": "admin", "password": "correct horse battery"});
    assert_eq!(http(addr, "POST", "/api/setup", None, &setup).0, 201);

    let (mut visitor, welcome) = Client::visitor(addr, Encoding::Binary, None);
    let token = welcome.visitor_token.expect("token");
    let mut acked = Vec::new();
    visitor.say(None, "m0", "before the disk fills");
    let (conversation, seq) = visitor.ack("m0");
    acked.push(("m0".to_string(), "before the disk fills".to_string(), seq));

    // Fill the file system, then keep sending until a send is refused.
    let ballast = fill(&data);
    let body = "x".repeat(4000);
    let mut refused_id = None;
    for i in 0..2_000 {
        let id = format!("m{}", i + 1);
        visitor.say(Some(conversation), &id, &body);
        let answer = visitor.expect(&format!("answer to {id}"), |f| match f {
            ServerFrame::Ack(a) if a.client_id == id => Some(Ok(a.seq)),
            ServerFrame::Error(e) if e.client_id.as_deref() == Some(&id) => Some(Err(e.clone())),
            _ => None,
        });
        match answer {
            Ok(seq) => acked.push((id, body.clone(), seq)),
            Err(e) => {
                assert_eq!(e.error, "storage_unavailable", "{e:?}");
                assert!(e.message.contains("full or read-only"), "{e:?}");
                refused_id = Some(id);
                break;
            }
        }
    }
    let refused_id = refused_id.expect("a send was refused once the tmpfs was full");
    tracing::info!(acked = acked.len(), "the full tmpfs refused {refused_id}");
    let health = health_becomes(addr, 503);
    assert!(
        health["message"]
            .as_str()
            .unwrap_or_default()
            .contains("No space left"),
        "{health}"
    );

    // Still full a while later: reopening keeps failing, and keeps being reported.
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(healthz(addr).0, 503);

    // Free the space: the server recovers and the retry is acked.
    std::fs::remove_file(ballast).expect("remove the ballast");
    health_becomes(addr, 200);
    send_acked(&mut visitor, conversation, &refused_id, &body, &mut acked);
    send_acked(
        &mut visitor,
        conversation,
        "last",
        "after recovery",
        &mut acked,
    );
    assert_stored(&mut visitor, conversation, &acked);

    visitor.close();
    server.shutdown();
    let server = Server::start(test_config(&data, clock)).expect("server restarts");
    let (mut visitor, _) = Client::visitor(server.addr(), Encoding::Json, Some(&token));
    assert_stored(&mut visitor, conversation, &acked);
    visitor.close();
    server.shutdown();
}
