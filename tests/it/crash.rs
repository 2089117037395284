//! Promise 1 under a real crash: the built binary is SIGKILLed mid-traffic and restarted
//! on the same data directory; every acknowledged message must be there exactly once.
//! And a graceful stop: SIGTERM closes sockets with 1001 and exits 0.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deskbell::protocol::*;

use crate::harness::{Binary, Client};

/// Visitors sending at the same time.
const VISITORS: usize = 4;
/// Sends a visitor keeps in flight before waiting for acks (so the kill finds several).
const WINDOW: usize = 3;
/// Upper bound on sends per visitor, whatever the speed of the machine.
const MAX_SENDS: usize = 20_000;
/// Flags for the server under test: rate limits out of the way of the load, and no bot
/// (only the visitors write, so every stored message is one a visitor was told about).
const FLAGS: [&str; 7] = [
    "--no-bot",
    "--threads",
    "2",
    "--rate-per-sec",
    "100000",
    "--rate-burst",
    "100000",
];
/// Traffic before the kill.
const TRAFFIC: Duration = Duration::from_millis(1_500);

/// An acknowledged send.
#[derive(Debug, Clone)]
struct Acked {
    client_id: String,
    conversation: u64,
    seq: u64,
    body: String,
}

/// What one visitor did before the server died.
#[derive(Debug, Default)]
struct Run {
    token: String,
    encoding: Option<Encoding>,
    acked: Vec<Acked>,
    /// Sent but never acknowledged: (client id, body).
    in_flight: VecDeque<(String, String)>,
}

fn body_of(visitor: usize, n: usize) -> String {
    format!("visitor {visitor} says #{n}: {}", "x".repeat(n % 40))
}

/// Sends continuously (keeping [`WINDOW`] sends in flight) until the connection dies.
fn keep_sending(addr: SocketAddr, visitor: usize, ready: std::sync::mpsc::Sender<()>) -> Run {
    let encoding = if visitor.is_multiple_of(2) {
        Encoding::Binary
    } else {
        Encoding::Json
    };
    let (mut client, welcome) = Client::visitor(addr, encoding, None);
    let mut run = Run {
        token: welcome.visitor_token.expect("new visitor gets a token"),
        encoding: Some(encoding),
        ..Run::default()
    };
    let _ = ready.send(());
    let mut sent = 0;
    loop {
        while run.in_flight.len() < WINDOW && sent < MAX_SENDS {
            let client_id = format!("v{visitor}-{sent}");
            let body = body_of(visitor, sent);
            sent += 1;
            run.in_flight.push_back((client_id.clone(), body.clone()));
            let frame = ClientFrame::Send(Send {
                conversation: None,
                client_id,
                body,
            });
            if client.try_send(&frame).is_err() {
                return run;
            }
        }
        match client.try_recv(Duration::from_secs(10)) {
            Ok(ServerFrame::Ack(ack)) => {
                let i = run
                    .in_flight
                    .iter()
                    .position(|(id, _)| *id == ack.client_id)
                    .unwrap_or_else(|| panic!("ack for an unknown send: {ack:?}"));
                let (client_id, body) = run.in_flight.remove(i).expect("present");
                assert!(!ack.duplicate, "first sends are never duplicates: {ack:?}");
                run.acked.push(Acked {
                    client_id,
                    conversation: ack.conversation,
                    seq: ack.seq,
                    body,
                });
            }
            Ok(ServerFrame::Error(e)) => panic!("send refused before the crash: {e:?}"),
            Ok(_) => {}
            // The server is gone (killed): stop here with what we know.
            Err(_) => return run,
        }
    }
}

/// Checks a replayed conversation against what one visitor was told, returning the
/// stored (seq, body) by client id.
fn check_replay(run: &Run, replay: &[Message]) -> HashMap<String, (u64, String)> {
    let seqs: Vec<u64> = replay.iter().map(|m| m.seq).collect();
    assert_eq!(
        seqs,
        (1..=replay.len() as u64).collect::<Vec<_>>(),
        "sequence numbers are 1..n with no gaps"
    );
    let mut stored = HashMap::new();
    for m in replay {
        assert_eq!(
            m.author.kind,
            AuthorKind::Visitor,
            "only the visitor wrote: {m:?}"
        );
        let id = m
            .client_id
            .clone()
            .expect("visitor messages keep their client id");
        let previous = stored.insert(id.clone(), (m.seq, m.body.clone()));
        assert!(previous.is_none(), "{id} stored twice");
    }
    for a in &run.acked {
        assert_eq!(
            stored.get(&a.client_id),
            Some(&(a.seq, a.body.clone())),
            "acknowledged {} must survive with its seq and body",
            a.client_id
        );
    }
    for id in stored.keys() {
        let known = run.acked.iter().any(|a| a.client_id == *id)
            || run.in_flight.iter().any(|(f, _)| f == id);
        assert!(known, "{id} was stored but never sent");
    }
    stored
}

#[test]
fn acknowledged_messages_survive_sigkill_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Binary::serve(dir.path(), &FLAGS);
    let addr = server.addr;
    let (ready_tx, ready) = std::sync::mpsc::channel();
    let senders: Vec<_> = (0..VISITORS)
        .map(|v| {
            let ready_tx = ready_tx.clone();
            std::thread::Builder::new()
                .name(format!("crash-visitor-{v}"))
                .spawn(move || keep_sending(addr, v, ready_tx))
                .expect("thread")
        })
        .collect();
    for _ in 0..VISITORS {
        ready
            .recv_timeout(Duration::from_secs(10))
            .expect("visitor ready");
    }
    std::thread::sleep(TRAFFIC);
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    let runs: Vec<Run> = senders
        .into_iter()
        .map(|t| t.join().expect("visitor thread"))
        .collect();
    for (v, run) in runs.iter().enumerate() {
        assert!(
            !run.acked.is_empty(),
            "visitor {v} had traffic acknowledged before the kill"
        );
    }

    let server = Binary::serve(dir.path(), &FLAGS);
    let mut conversations = Vec::new();
    for run in &runs {
        let encoding = run.encoding.expect("encoding");
        let (mut client, welcome) = Client::visitor(server.addr, encoding, Some(&run.token));
        assert!(welcome.visitor_token.is_none(), "the token still works");
        let summary = welcome.conversation.expect("the conversation survived");
        if let Some(first) = run.acked.first() {
            assert_eq!(summary.id, first.conversation);
            assert!(run.acked.iter().all(|a| a.conversation == summary.id));
        }
        conversations.push(summary.id);
        let stored = check_replay(run, &client.sync(summary.id, 0));
        assert_eq!(summary.last_seq, stored.len() as u64);

        // Retry everything that was in flight, twice: each ends up stored exactly once.
        for round in 0..2 {
            for (client_id, body) in &run.in_flight {
                client.say(None, client_id, body);
                let ack = client.expect("retry ack", |f| match f {
                    ServerFrame::Ack(a) if a.client_id == *client_id => Some(a.clone()),
                    ServerFrame::Error(e) => panic!("retry refused: {e:?}"),
                    _ => None,
                });
                let was_stored = stored.contains_key(client_id) || round == 1;
                assert_eq!(ack.duplicate, was_stored, "{client_id} round {round}");
                if let Some((seq, _)) = stored.get(client_id) {
                    assert_eq!(ack.seq, *seq, "a duplicate ack names the stored seq");
                }
            }
        }
        let after = check_replay(run, &client.sync(summary.id, 0));
        for (client_id, body) in &run.in_flight {
            let (_, stored_body) = after.get(client_id).expect("stored once retried");
            assert_eq!(stored_body, body);
        }
    }
    conversations.sort_unstable();
    conversations.dedup();
    assert_eq!(
        conversations.len(),
        VISITORS,
        "one conversation per visitor"
    );
    assert!(!server.stderr_text().contains("panicked"));
}

#[test]
fn sigterm_closes_sockets_with_1001_and_exits_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Binary::serve(dir.path(), &[]);
    let (mut binary, welcome) = Client::visitor(server.addr, Encoding::Binary, None);
    let token = welcome.visitor_token.expect("token");
    binary.say(None, "before", "sent before the stop");
    let (conversation, seq) = binary.ack("before");
    let (mut json, _) = Client::visitor(server.addr, Encoding::Json, None);
    let mut silent = Client::connect(server.addr, Encoding::Json);

    let started = Instant::now();
    let status = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(server.child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success());
    assert_eq!(
        binary.closed_with(),
        1001,
        "visitor told the server is going away"
    );
    assert_eq!(json.closed_with(), 1001);
    assert_eq!(silent.closed_with(), 1001, "even before its hello");
    let exit = server
        .wait_exit(Duration::from_secs(5))
        .expect("exits within a few seconds");
    assert!(exit.success(), "exit status {exit:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!server.stderr_text().contains("panicked"));

    let server = Binary::serve(dir.path(), &[]);
    let (mut again, welcome) = Client::visitor(server.addr, Encoding::Binary, Some(&token));
    assert_eq!(welcome.conversation.map(|c| c.id), Some(conversation));
    // The bot runs here (the default): it may have handed the conversation over, but
    // the visitor's message is the first one.
    let replay = again.sync(conversation, 0);
    assert_eq!(
        (replay[0].seq, replay[0].body.as_str()),
        (seq, "sent before the stop")
    );
    assert!(
        replay[1..]
            .iter()
            .all(|m| m.author.kind != AuthorKind::Visitor),
        "{replay:?}"
    );
}
