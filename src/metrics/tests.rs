//! Tests for [`Metrics`]: a small exposition-format checker, histogram counts,
//! and concurrent updates.

use super::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Checks `text` line by line against the Prometheus text format 0.0.4 and
/// returns every sample as `name{labels}` → value.
fn parse_exposition(text: &str) -> BTreeMap<String, f64> {
    assert!(text.ends_with('\n'), "exposition must end with a newline");
    let mut samples = BTreeMap::new();
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<(String, String)> = None; // family being written, its type
    let mut last_bucket: Option<(f64, f64)> = None; // (le, cumulative count)
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').expect("HELP has a name and text");
            assert!(valid_name(name), "bad HELP name in {line:?}");
            assert!(!help.is_empty(), "empty help in {line:?}");
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE has a name and kind");
            assert!(valid_name(name), "bad TYPE name in {line:?}");
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line:?}"
            );
            assert!(
                types.insert(name.to_owned(), kind.to_owned()).is_none(),
                "duplicate TYPE {name}"
            );
            current = Some((name.to_owned(), kind.to_owned()));
            last_bucket = None;
        } else {
            assert!(
                !line.starts_with('#') && !line.is_empty(),
                "unexpected line {line:?}"
            );
            let (series, value) = line.rsplit_once(' ').expect("sample has a value");
            let value = parse_value(value).unwrap_or_else(|| panic!("bad value in {line:?}"));
            let (name, labels) = split_series(series);
            let (family, kind) = current.as_ref().expect("sample after its TYPE");
            let expected = if kind == "histogram" {
                ["_bucket", "_sum", "_count"]
                    .iter()
                    .any(|s| name == format!("{family}{s}"))
            } else {
                name == family
            };
            assert!(expected, "sample {name} outside its family {family}");
            if name.ends_with("_bucket") && kind == "histogram" {
                let le = labels.get("le").expect("bucket has le");
                let le = parse_value(le).expect("le is a number");
                if let Some((prev_le, prev_count)) = last_bucket {
                    assert!(le > prev_le, "le must increase in {line:?}");
                    assert!(
                        value >= prev_count,
                        "buckets must be cumulative in {line:?}"
                    );
                }
                last_bucket = Some((le, value));
            } else if name.ends_with("_count") && kind == "histogram" {
                let (le, count) = last_bucket.expect("buckets before _count");
                assert!(
                    le.is_infinite() && count == value,
                    "+Inf bucket must equal _count"
                );
            }
            assert!(
                samples.insert(series.to_owned(), value).is_none(),
                "duplicate {series}"
            );
        }
    }
    samples
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn parse_value(s: &str) -> Option<f64> {
    match s {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

/// Splits `name{a="x",b="y"}` into the name and its labels, checking the syntax.
fn split_series(series: &str) -> (&str, BTreeMap<&str, &str>) {
    let mut labels = BTreeMap::new();
    let Some((name, rest)) = series.split_once('{') else {
        assert!(valid_name(series), "bad metric name {series:?}");
        return (series, labels);
    };
    assert!(valid_name(name), "bad metric name {name:?}");
    let body = rest.strip_suffix('}').expect("labels end with }");
    for pair in body.split(',') {
        let (key, value) = pair.split_once('=').expect("label is key=value");
        assert!(
            valid_name(key) && !key.starts_with("__"),
            "bad label name {key:?}"
        );
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .expect("quoted label value");
        assert!(
            !value.contains(['"', '\\', '\n']),
            "unescaped label value {value:?}"
        );
        labels.insert(key, value);
    }
    (name, labels)
}

#[test]
fn fresh_metrics_render_valid_exposition() {
    let text = Metrics::new().render();
    let samples = parse_exposition(&text);
    assert_eq!(samples[r#"deskbell_connections{role="visitor"}"#], 0.0);
    assert_eq!(samples[r#"deskbell_connections{role="agent"}"#], 0.0);
    for name in [
        "deskbell_messages_total",
        "deskbell_messages_duplicate_total",
        "deskbell_frames_rejected_total",
        "deskbell_queue_length",
        "deskbell_open_conversations",
        "deskbell_logins_failed_total",
        "deskbell_commit_batch_size_count",
        "deskbell_commit_seconds_count",
        "deskbell_ack_seconds_sum",
    ] {
        assert_eq!(samples.get(name), Some(&0.0), "{name}");
    }
    assert!(text.contains("# TYPE deskbell_commit_seconds histogram\n"));
    assert!(text.contains("deskbell_commit_seconds_bucket{le=\"0.00025\"} 0\n"));
    assert!(text.contains("deskbell_commit_seconds_bucket{le=\"1\"} 0\n"));
    assert!(text.contains("deskbell_commit_batch_size_bucket{le=\"256\"} 0\n"));
}

#[test]
fn updated_metrics_render_their_values() {
    let m = Metrics::new();
    m.connections_visitor.add(3);
    m.connections_agent.inc();
    m.messages_total.add(7);
    m.messages_duplicate_total.inc();
    m.frames_rejected_total.add(2);
    m.queue_length.set(4);
    m.open_conversations.set(9);
    m.logins_failed_total.inc();
    let s = parse_exposition(&m.render());
    assert_eq!(s[r#"deskbell_connections{role="visitor"}"#], 3.0);
    assert_eq!(s[r#"deskbell_connections{role="agent"}"#], 1.0);
    assert_eq!(s["deskbell_messages_total"], 7.0);
    assert_eq!(s["deskbell_messages_duplicate_total"], 1.0);
    assert_eq!(s["deskbell_frames_rejected_total"], 2.0);
    assert_eq!(s["deskbell_queue_length"], 4.0);
    assert_eq!(s["deskbell_open_conversations"], 9.0);
    assert_eq!(s["deskbell_logins_failed_total"], 1.0);
}

#[test]
fn histogram_buckets_are_cumulative() {
    let m = Metrics::new();
    for size in [1, 1, 3, 8, 9, 300] {
        m.commit_batch_size.observe(size);
    }
    // 0.1 ms, 0.25 ms (inclusive bound), 0.3 ms, 2 s.
    for us in [100, 250, 300, 2_000_000] {
        m.commit_seconds.observe(us);
    }
    m.ack_seconds
        .observe_duration(std::time::Duration::from_millis(3));
    let s = parse_exposition(&m.render());
    let batch = |le: &str| s[&format!("deskbell_commit_batch_size_bucket{{le=\"{le}\"}}")];
    assert_eq!(batch("1"), 2.0);
    assert_eq!(batch("2"), 2.0);
    assert_eq!(batch("4"), 3.0);
    assert_eq!(batch("8"), 4.0);
    assert_eq!(batch("16"), 5.0);
    assert_eq!(batch("256"), 5.0);
    assert_eq!(batch("+Inf"), 6.0);
    assert_eq!(s["deskbell_commit_batch_size_sum"], 322.0);
    assert_eq!(s["deskbell_commit_batch_size_count"], 6.0);

    let commit = |le: &str| s[&format!("deskbell_commit_seconds_bucket{{le=\"{le}\"}}")];
    assert_eq!(commit("0.00025"), 2.0);
    assert_eq!(commit("0.0005"), 3.0);
    assert_eq!(commit("1"), 3.0);
    assert_eq!(commit("+Inf"), 4.0);
    assert_eq!(s["deskbell_commit_seconds_sum"], 2.00065);
    assert_eq!(s[r#"deskbell_ack_seconds_bucket{le="0.0025"}"#], 0.0);
    assert_eq!(s[r#"deskbell_ack_seconds_bucket{le="0.005"}"#], 1.0);
    assert_eq!(s["deskbell_ack_seconds_sum"], 0.003);
}

#[test]
fn concurrent_updates_add_up() {
    const THREADS: u64 = 8;
    const PER_THREAD: u64 = 10_000;
    let m = Arc::new(Metrics::new());
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let m = Arc::clone(&m);
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    m.messages_total.inc();
                    m.connections_visitor.inc();
                    if i % 2 == 0 {
                        m.connections_visitor.dec();
                    }
                    m.commit_seconds.observe(t * 1_000 + i % 3);
                    m.commit_batch_size.observe(1 + i % 300);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    let n = THREADS * PER_THREAD;
    assert_eq!(m.messages_total.get(), n);
    assert_eq!(
        m.connections_visitor.get(),
        i64::try_from(n / 2).expect("fits")
    );
    assert_eq!(m.commit_seconds.count(), n);
    let per_thread_extra: u64 = (0..PER_THREAD).map(|i| i % 3).sum();
    let expected_sum: u64 = (0..THREADS)
        .map(|t| t * 1_000 * PER_THREAD + per_thread_extra)
        .sum();
    assert_eq!(m.commit_seconds.sum(), expected_sum);
    let s = parse_exposition(&m.render());
    assert_eq!(s["deskbell_commit_batch_size_count"], n as f64);
    assert_eq!(
        s[r#"deskbell_commit_batch_size_bucket{le="+Inf"}"#],
        n as f64
    );
}

#[test]
fn checker_rejects_bad_exposition() {
    for bad in [
        "deskbell_x 1\n",                    // sample before TYPE
        "# TYPE a counter\na 1",             // no final newline
        "# TYPE a counter\nb 1\n",           // wrong family
        "# TYPE a gauge\na{role=agent} 1\n", // unquoted label
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n", // not cumulative
        "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 1\n", // +Inf != count
    ] {
        assert!(
            std::panic::catch_unwind(|| parse_exposition(bad)).is_err(),
            "{bad:?}"
        );
    }
}
