//! Issue #9, item 7: a burst of connections must not grow the server's threads. Storage
//! reads at hello run on the server's fixed reader pool, never on `smol::unblock`'s
//! pool (threads named `blocking-N`, which grew to one per waiting read).
//!
//! It counts the whole test process's threads, and other tests may rightly use that
//! pool meanwhile (a webhook's address check at creation does): so it is ignored in the
//! parallel run and `scripts/test.sh` runs it alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use deskbell::protocol::Encoding;

use crate::harness::{Client, TestServer};

/// Client threads opening connections at once, and connections each of them opens.
const CLIENTS: usize = 25;
const PER_CLIENT: usize = 20;

/// Names of this process's threads whose name starts with `prefix`.
fn threads_named(prefix: &str) -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|t| t.ok())
        .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
        .filter(|name| name.starts_with(prefix))
        .count()
}

#[test]
#[ignore = "counts the process's threads: run alone (scripts/test.sh does)"]
fn a_burst_of_hellos_starts_no_threads() {
    let server = TestServer::start_with(|c| {
        c.reader_threads = 3;
        // Every client here is 127.0.0.1: the per-address cap is not what this tests.
        c.max_connections_per_address = 1_000;
    });
    let addr = server.addr;
    // Watches for blocking-pool threads for as long as the burst lasts.
    let done = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicUsize::new(0));
    let watcher = {
        let (done, peak) = (done.clone(), peak.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(threads_named("blocking-"), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let welcomed = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let welcomed = welcomed.clone();
            std::thread::spawn(move || {
                let open: Vec<Client> = (0..PER_CLIENT)
                    .map(|_| Client::visitor(addr, Encoding::Binary, None).0)
                    .collect();
                welcomed.fetch_add(open.len(), Ordering::Relaxed);
                for client in open {
                    client.close();
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("client thread");
    }
    done.store(true, Ordering::Relaxed);
    watcher.join().expect("watcher");
    assert_eq!(welcomed.load(Ordering::Relaxed), CLIENTS * PER_CLIENT);
    assert_eq!(
        peak.load(Ordering::Relaxed),
        0,
        "reads at hello started blocking-pool threads"
    );
    // This server's third reader (other tests' servers have two) is still the only one.
    assert_eq!(threads_named("deskbell-read-2"), 1);
    // Shutdown joins the pools.
    drop(server);
    assert_eq!(threads_named("deskbell-read-2"), 0);
}

/// The nice value of each of this process's threads whose name starts with `prefix`.
fn nice_of_threads(prefix: &str) -> Vec<i64> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    tasks
        .filter_map(|t| t.ok())
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm"))
                .is_ok_and(|name| name.starts_with(prefix))
        })
        .filter_map(|t| std::fs::read_to_string(t.path().join("stat")).ok())
        // Field 19 is the nice value; fields are counted after the ")" ending the name.
        .filter_map(|stat| {
            let after = stat.rsplit_once(')')?.1;
            after.split_whitespace().nth(16)?.parse().ok()
        })
        .collect()
}

#[test]
fn the_outbox_threads_run_below_the_chat() {
    let _server = TestServer::start();
    let outbox = nice_of_threads("deskbell-outbox");
    let webhook = nice_of_threads("deskbell-webhoo");
    assert!(!outbox.is_empty() && !webhook.is_empty(), "threads found");
    let wanted = deskbell::outbox::OUTBOX_NICE;
    let own = nice_of_threads("deskbell-writer");
    assert!(
        own.iter().all(|n| *n < i64::from(wanted)),
        "the writer keeps its priority: {own:?}"
    );
    assert!(
        outbox
            .iter()
            .chain(&webhook)
            .all(|n| *n == i64::from(wanted)),
        "outbox {outbox:?}, webhook delivery {webhook:?}"
    );
}
