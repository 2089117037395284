//! The benchmark's own tool: `deskbell-load` against the real binary, as
//! `scripts/bench.sh` runs it (high rate limits, loopback), for one short open-loop run
//! with the fixed phrase and one with chat-like texts (`--words`). Each must end with
//! every message acknowledged and delivered, and say which texts it sent.

use crate::harness::Binary;

/// The server flags `scripts/bench.sh` gives every scenario.
const BENCH_FLAGS: [&str; 10] = [
    "--rate-per-sec",
    "100000",
    "--rate-burst",
    "100000",
    "--max-connections-per-address",
    "1000000",
    "--new-visitors-per-minute",
    "0",
    "--text-kb-per-hour",
    "0",
];

/// Runs a one-second latency scenario with `extra` arguments; returns its stdout.
fn latency_run(extra: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Binary::serve(dir.path(), &BENCH_FLAGS);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_deskbell-load"))
        .args(["--addr", &server.addr.to_string(), "--data"])
        .arg(dir.path())
        .args(["latency", "--rate", "60", "--conversations", "12"])
        .args(["--duration-secs", "1"])
        .args(extra)
        .output()
        .expect("deskbell-load runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "deskbell-load failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_load_generator_runs_with_the_phrase_and_with_chat_like_texts() {
    let phrase = latency_run(&[]);
    assert!(phrase.contains("words=0"), "{phrase}");
    assert!(phrase.contains("lost_acks=0 lost_deliveries=0"), "{phrase}");
    let words = latency_run(&["--words", "500"]);
    assert!(words.contains("words=500"), "{words}");
    assert!(words.contains("lost_acks=0 lost_deliveries=0"), "{words}");
    assert!(
        words.contains("acked 60,") || words.contains("sent 60 "),
        "{words}"
    );
}

#[test]
fn the_load_generator_refuses_a_vocabulary_past_its_bound() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_deskbell-load"))
        .args(["--addr", "127.0.0.1:9", "latency", "--words", "2000000"])
        .output()
        .expect("deskbell-load runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--words must be between 1 and 1000000"),
        "{stderr}"
    );
}
