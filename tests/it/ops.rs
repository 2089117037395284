//! What the shop owner and their monitoring see: `/healthz`, `/metrics` in Prometheus
//! text format with counters that move, the CLI's help, the offline `add-admin`, and a
//! refusal to open data written by a newer version.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::Message as WsMessage;
use deskbell::protocol::*;
use deskbell::server::Server;
use deskbell::timer::ManualClock;
use redb::{ReadableDatabase, TableDefinition};
use serde_json::{Value, json};

use crate::harness::{Client, TestServer, header, http, http_full, test_config};

const BIN: &str = env!("CARGO_BIN_EXE_deskbell");

/// Runs the binary with `stdin` as input; kills it if it has not exited after 20 s.
fn run(args: &[&str], data: Option<&Path>, stdin: &str) -> Output {
    let mut command = Command::new(BIN);
    command.args(args);
    if let Some(dir) = data {
        command.arg("--data").arg(dir);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("deskbell runs");
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("status").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A checked parse of Prometheus text format 0.0.4: every sample belongs to a family
/// declared before it with `# HELP` and `# TYPE`, names and labels are well formed,
/// values are numbers, histogram buckets are cumulative and end with `+Inf` = `_count`.
fn parse_metrics(body: &str) -> HashMap<String, f64> {
    let valid_name = |n: &str| {
        !n.is_empty()
            && !n.starts_with(|c: char| c.is_ascii_digit())
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    let mut types: HashMap<String, String> = HashMap::new();
    let mut samples = HashMap::new();
    let mut buckets: HashMap<String, Vec<(f64, f64)>> = HashMap::new();
    for line in body.lines().filter(|l| !l.is_empty()) {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut parts = comment.splitn(3, ' ');
            let (kind, name, rest) = (parts.next(), parts.next(), parts.next());
            let (Some(kind), Some(name), Some(rest)) = (kind, name, rest) else {
                panic!("bad comment line {line:?}");
            };
            assert!(valid_name(name), "{line:?}");
            match kind {
                "HELP" => assert!(!rest.trim().is_empty(), "{line:?}"),
                "TYPE" => {
                    assert!(
                        ["counter", "gauge", "histogram"].contains(&rest),
                        "{line:?}"
                    );
                    let first = types.insert(name.to_string(), rest.to_string());
                    assert!(first.is_none(), "{name} declared twice");
                }
                _ => panic!("unknown comment {line:?}"),
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("`series value`");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("number in {line:?}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => (name, rest.strip_suffix('}').expect("closing brace")),
            None => (series, ""),
        };
        assert!(valid_name(name), "{line:?}");
        let mut le = None;
        for pair in labels.split(',').filter(|p| !p.is_empty()) {
            let (key, quoted) = pair.split_once('=').expect("label=value");
            assert!(valid_name(key), "{line:?}");
            let inner = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"'));
            let inner = inner.unwrap_or_else(|| panic!("quoted label in {line:?}"));
            if key == "le" {
                le = Some(if inner == "+Inf" {
                    f64::INFINITY
                } else {
                    inner.parse().expect("numeric le")
                });
            }
        }
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|f| types.get(*f).is_some_and(|t| t == "histogram"))
            .unwrap_or(name);
        assert!(types.contains_key(family), "{name} has no # TYPE before it");
        if let Some(le) = le {
            buckets
                .entry(family.to_string())
                .or_default()
                .push((le, value));
        }
        let first = samples.insert(series.to_string(), value);
        assert!(first.is_none(), "{series} appears twice");
    }
    for (family, kind) in &types {
        if kind != "histogram" {
            continue;
        }
        let list = &buckets[family];
        assert!(
            list.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
            "{family}"
        );
        let last = list.last().expect("buckets");
        assert_eq!(last.0, f64::INFINITY, "{family} ends with +Inf");
        assert_eq!(
            last.1,
            samples[&format!("{family}_count")],
            "{family} +Inf = count"
        );
    }
    samples
}

/// Scrapes `/metrics` until `ready` holds (counters move just after acks go out).
fn metrics_when(
    server: &TestServer,
    ready: impl Fn(&HashMap<String, f64>) -> bool,
) -> HashMap<String, f64> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, head, body) = http_full(server.addr, "GET", "/metrics", &[], "");
        assert_eq!(status, 200);
        let content_type = header(&head, "Content-Type").unwrap_or_default();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{head}"
        );
        let samples = parse_metrics(&body);
        if ready(&samples) {
            return samples;
        }
        assert!(
            Instant::now() < deadline,
            "metrics never got there:\n{body}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

const VISITORS: &str = r#"deskbell_connections{role="visitor"}"#;
const AGENTS: &str = r#"deskbell_connections{role="agent"}"#;

#[test]
fn healthz_and_metrics_report_what_happens() {
    let server = TestServer::start();
    let (status, body) = http(server.addr, "GET", "/healthz", None, &Value::Null);
    assert_eq!((status, body), (200, json!({"status": "ok"})));
    let m = metrics_when(&server, |_| true);
    for zero in [
        "deskbell_messages_total",
        VISITORS,
        AGENTS,
        "deskbell_logins_failed_total",
    ] {
        assert_eq!(m[zero], 0.0, "{zero}");
    }

    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    let (_agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Binary, None);
    let m = metrics_when(&server, |m| m[VISITORS] == 1.0 && m[AGENTS] == 1.0);
    assert_eq!(m["deskbell_messages_total"], 0.0);
    for i in 0..3 {
        visitor.say(None, &format!("m{i}"), "hello");
        visitor.ack(&format!("m{i}"));
    }
    visitor.say(None, "m0", "hello");
    visitor.ack("m0");
    let m = metrics_when(&server, |m| m["deskbell_messages_duplicate_total"] == 1.0);
    assert_eq!(
        m["deskbell_messages_total"], 3.0,
        "a retry is not a new message"
    );
    assert!(m["deskbell_ack_seconds_count"] >= 4.0);
    assert!(m["deskbell_commit_batch_size_count"] >= 1.0);
    assert_eq!(
        m["deskbell_queue_length"], 0.0,
        "Alice took the conversation"
    );
    assert_eq!(m["deskbell_open_conversations"], 1.0);

    let rejected = m["deskbell_frames_rejected_total"];
    visitor.send_raw(WsMessage::text("not even binary"));
    visitor.error();
    metrics_when(&server, |m| {
        m["deskbell_frames_rejected_total"] == rejected + 1.0
    });
    let (status, _) = http(
        server.addr,
        "POST",
        "/api/login",
        None,
        &json!({"name": "Alice", "password": "wrong password"}),
    );
    assert_eq!(status, 401);
    metrics_when(&server, |m| m["deskbell_logins_failed_total"] == 1.0);
    visitor.close();
    metrics_when(&server, |m| m[VISITORS] == 0.0 && m[AGENTS] == 1.0);
}

#[test]
fn serve_help_explains_every_flag() {
    let out = run(&["serve", "--help"], None, "");
    assert!(out.status.success(), "{out:?}");
    let help = text(&out.stdout);
    let lines: Vec<&str> = help.lines().map(str::trim).collect();
    let flags = [
        "--listen",
        "--data",
        "--threads",
        "--capacity",
        "--agent-grace-secs",
        "--idle-close-mins",
        "--ping-secs",
        "--max-body-bytes",
        "--rate-per-sec",
        "--rate-burst",
        "--allowed-origin",
        "--quick-repair",
        "--log",
        "--help",
    ];
    for flag in flags {
        let at = lines
            .iter()
            .position(|l| {
                l.split_whitespace().next().map(|w| w.trim_end_matches(',')) == Some(flag)
            })
            .unwrap_or_else(|| panic!("{flag} missing from:\n{help}"));
        let rest = lines[at][flag.len()..].trim();
        let explanation = if rest.is_empty() { lines[at + 1] } else { rest };
        assert!(
            explanation.split_whitespace().count() >= 2 && !explanation.starts_with("--"),
            "{flag} needs an explanation:\n{help}"
        );
    }
    let top = run(&["--help"], None, "");
    let top = text(&top.stdout);
    assert!(top.contains("serve") && top.contains("add-admin"), "{top}");
}

#[test]
fn add_admin_works_offline_and_refuses_a_directory_in_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let short = run(
        &["add-admin", "--name", "Owner"],
        Some(dir.path()),
        "short\n",
    );
    assert!(!short.status.success());
    assert!(
        text(&short.stderr).contains("at least 8 characters"),
        "{short:?}"
    );

    let out = run(
        &["add-admin", "--name", "Owner"],
        Some(dir.path()),
        "a long passphrase\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("created admin Owner"), "{out:?}");

    let clock = Arc::new(ManualClock::new(1_000));
    let server = Server::start(test_config(dir.path(), clock)).expect("starts");
    assert_eq!(server.setup_code(), None, "an admin exists: no setup code");
    let (status, body) = http(
        server.addr(),
        "POST",
        "/api/login",
        None,
        &json!({"name": "Owner", "password": "a long passphrase"}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["agent"]["admin"], true);

    let busy = run(
        &["add-admin", "--name", "Second"],
        Some(dir.path()),
        "another passphrase\n",
    );
    assert!(!busy.status.success(), "refused while the server runs");
    let message = text(&busy.stderr);
    assert!(
        message.contains("in use by another deskbell process"),
        "{message}"
    );
    server.shutdown();

    let later = run(
        &["add-admin", "--name", "Second"],
        Some(dir.path()),
        "another passphrase\n",
    );
    assert!(later.status.success(), "{}", text(&later.stderr));
}

#[test]
fn a_data_directory_from_a_newer_version_is_refused_untouched() {
    const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join(deskbell::store::DB_FILE);
    {
        let db = redb::Database::create(&file).expect("creates");
        let tx = db.begin_write().expect("tx");
        tx.open_table(META)
            .expect("meta")
            .insert("schema_version", 99u64.to_le_bytes().as_slice())
            .expect("insert");
        tx.commit().expect("commit");
    }
    let out = run(&["serve", "--listen", "127.0.0.1:0"], Some(dir.path()), "");
    assert!(!out.status.success(), "must not start");
    let message = text(&out.stderr);
    assert!(
        message.contains("schema version 99") && message.contains("newer deskbell"),
        "{message}"
    );
    let db = redb::Database::create(&file).expect("reopens");
    let tx = db.begin_read().expect("read");
    let meta = tx.open_table(META).expect("meta");
    let version = meta.get("schema_version").expect("get").expect("present");
    assert_eq!(
        version.value(),
        99u64.to_le_bytes().as_slice(),
        "nothing was changed"
    );
}
