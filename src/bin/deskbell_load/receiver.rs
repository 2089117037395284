//! A webhook receiver for the outbox benchmark: accepts HTTP/1.1 POSTs on loopback
//! (keep-alive, one thread per connection), answers 204, counts them and the distinct
//! `webhook-id`s, and stops by itself after the given time.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Largest body read (the rest of a bigger one ends the connection).
const MAX_BODY: usize = 64 * 1024;

/// What the receiver saw.
#[derive(Default)]
struct Counts {
    /// Requests answered.
    requests: AtomicU64,
    /// Distinct webhook ids.
    ids: Mutex<HashSet<String>>,
}

/// Serves on `listen` (loopback only) for `secs` seconds, then prints what it got.
pub fn run(listen: SocketAddr, secs: u64) -> Result<(), String> {
    super::guard::check_target(listen)?;
    let listener = TcpListener::bind(listen).map_err(|e| format!("binding {listen}: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("listener: {e}"))?;
    let counts = Arc::new(Counts::default());
    let deadline = Instant::now() + Duration::from_secs(secs);
    println!("receiver: listening on {listen} for {secs} s");
    let mut next_report = Instant::now();
    while Instant::now() < deadline {
        if Instant::now() >= next_report {
            next_report += Duration::from_secs(1);
            report(&counts);
        }
        match listener.accept() {
            Ok((stream, _)) => {
                let counts = counts.clone();
                std::thread::spawn(move || serve(stream, &counts, deadline));
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(format!("accept: {e}")),
        }
    }
    report(&counts);
    Ok(())
}

/// Prints the counts so far (once a second: whoever stops the receiver reads the last).
fn report(counts: &Counts) {
    let ids = counts.ids.lock().map(|ids| ids.len()).unwrap_or(0);
    println!(
        "RECEIVER requests={} distinct_ids={ids}",
        counts.requests.load(Ordering::Relaxed)
    );
}

/// Answers the requests of one connection until it closes or time is up.
fn serve(stream: TcpStream, counts: &Counts, deadline: Instant) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while Instant::now() < deadline {
        let mut length = 0usize;
        let mut id = None;
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).map_or(true, |n| n == 0) {
                return;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                if name == "content-length" {
                    length = value.trim().parse().unwrap_or(0);
                } else if name == "webhook-id" {
                    id = Some(value.trim().to_string());
                }
            }
        }
        if length > MAX_BODY {
            return;
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        counts.requests.fetch_add(1, Ordering::Relaxed);
        if let (Some(id), Ok(mut ids)) = (id, counts.ids.lock()) {
            ids.insert(id);
        }
        let answer = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
        if writer.write_all(answer).is_err() {
            return;
        }
    }
}
