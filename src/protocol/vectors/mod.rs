//! Cross-language test vectors: every client and server frame variant, encoded by the
//! real postcard codec, kept in `tests/fixtures/protocol_vectors.json` so the widget's
//! JavaScript codec (`web/widget/codec.js`, checked by `tests/browser/codec.test.mjs`)
//! cannot drift from the Rust types. `UPDATE_VECTORS=1 cargo test vectors` rewrites the
//! file after a deliberate protocol change.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::protocol::*;

mod client;
mod server;

use client::client_frames;
use server::server_frames;

/// 2^40 and 2^53: ids far beyond 32 bits, up to the largest a JavaScript number holds
/// exactly (the widget's codec refuses anything larger).
const BIG: u64 = 1 << 40;
const MAX_JS: u64 = 1 << 53;

/// Number of `ClientFrame` variants; [`client_variant`] must name each one.
const CLIENT_VARIANTS: usize = 20;
/// Number of `ServerFrame` variants; [`server_variant`] must name each one.
const SERVER_VARIANTS: usize = 15;

/// Variant number of a client frame. No wildcard: a new variant fails to compile here
/// until it gets a number (and then the coverage check wants a vector for it).
fn client_variant(frame: &ClientFrame) -> usize {
    match frame {
        ClientFrame::HelloVisitor(_) => 0,
        ClientFrame::HelloAgent(_) => 1,
        ClientFrame::Send(_) => 2,
        ClientFrame::Sync(_) => 3,
        ClientFrame::Typing(_) => 4,
        ClientFrame::Read(_) => 5,
        ClientFrame::Claim(_) => 6,
        ClientFrame::Close(_) => 7,
        ClientFrame::Reopen(_) => 8,
        ClientFrame::Transfer(_) => 9,
        ClientFrame::Presence(_) => 10,
        ClientFrame::History(_) => 11,
        ClientFrame::Note(_) => 12,
        ClientFrame::Profile(_) => 13,
        ClientFrame::BotFeedback(_) => 14,
        ClientFrame::Visibility(_) => 15,
        ClientFrame::SendFiles(_) => 16,
        ClientFrame::HelloCustomer(_) => 17,
        ClientFrame::Label(_) => 18,
        ClientFrame::Rate(_) => 19,
    }
}

/// Variant number of a server frame (same rule as [`client_variant`]).
fn server_variant(frame: &ServerFrame) -> usize {
    match frame {
        ServerFrame::Welcome(_) => 0,
        ServerFrame::Ack(_) => 1,
        ServerFrame::Message(_) => 2,
        ServerFrame::Synced(_) => 3,
        ServerFrame::Resync(_) => 4,
        ServerFrame::Typing(_) => 5,
        ServerFrame::ReadUpTo(_) => 6,
        ServerFrame::QueuePosition(_) => 7,
        ServerFrame::Conversation(_) => 8,
        ServerFrame::Agent(_) => 9,
        ServerFrame::History(_) => 10,
        ServerFrame::Error(_) => 11,
        ServerFrame::Availability(_) => 12,
        ServerFrame::Labels(_) => 13,
        ServerFrame::Rating(_) => 14,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// One line per vector: `{"kind":…,"json":…,"hex":…}` with fields in declaration order.
fn line<T: serde::Serialize>(kind: &str, frame: &T) -> String {
    let json = serde_json::to_string(frame).expect("frames encode to JSON");
    let bytes = postcard::to_allocvec(frame).expect("frames encode to postcard");
    format!(
        r#"{{"kind":"{kind}","json":{json},"hex":"{}"}}"#,
        hex(&bytes)
    )
}

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/protocol_vectors.json")
}

#[test]
fn every_frame_variant_has_a_vector() {
    let clients: BTreeSet<usize> = client_frames().iter().map(client_variant).collect();
    let servers: BTreeSet<usize> = server_frames().iter().map(server_variant).collect();
    assert_eq!(clients, (0..CLIENT_VARIANTS).collect(), "client frames");
    assert_eq!(servers, (0..SERVER_VARIANTS).collect(), "server frames");
    // The variant numbers above are the wire numbers (all below 128: one varint byte).
    for frame in client_frames() {
        let bytes = postcard::to_allocvec(&frame).expect("encodes");
        assert_eq!(bytes[0] as usize, client_variant(&frame));
    }
    for frame in server_frames() {
        let bytes = postcard::to_allocvec(&frame).expect("encodes");
        assert_eq!(bytes[0] as usize, server_variant(&frame));
    }
}

#[test]
fn vectors_decode_back_to_their_frames() {
    for frame in client_frames() {
        let bytes = postcard::to_allocvec(&frame).expect("encodes");
        let Encoded::Text(text) = Encoding::Json.encode(&frame) else {
            panic!("json encodes to text");
        };
        assert_eq!(
            Encoding::Binary.decode_binary::<ClientFrame>(&bytes),
            Ok(frame.clone())
        );
        assert_eq!(Encoding::Json.decode_text::<ClientFrame>(&text), Ok(frame));
    }
    for frame in server_frames() {
        let bytes = postcard::to_allocvec(&frame).expect("encodes");
        assert_eq!(
            Encoding::Binary.decode_binary::<ServerFrame>(&bytes),
            Ok(frame)
        );
    }
}

#[test]
fn fixture_file_matches_the_rust_encoding() {
    let lines: Vec<String> = client_frames()
        .iter()
        .map(|f| line("client", f))
        .chain(server_frames().iter().map(|f| line("server", f)))
        .collect();
    let text = format!("[\n{}\n]\n", lines.join(",\n"));
    let path = fixture_path();
    if std::env::var_os("UPDATE_VECTORS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &text).expect("writing the vectors file");
        return;
    }
    let rerun = "rerun with UPDATE_VECTORS=1 cargo test vectors to rewrite it (after a deliberate protocol change), \
         then check web/widget/codec.js with tests/browser/codec.test.mjs";
    let stored = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}; {rerun}", path.display()));
    let stored: Vec<serde_json::Value> = serde_json::from_str(&stored)
        .unwrap_or_else(|e| panic!("{} is not a JSON list: {e}; {rerun}", path.display()));
    let wanted: Vec<serde_json::Value> =
        serde_json::from_str(&text).expect("the generated vectors are JSON");
    assert_eq!(
        stored.len(),
        wanted.len(),
        "{} has {} vectors, the Rust types give {}; {rerun}",
        path.display(),
        stored.len(),
        wanted.len()
    );
    for (i, (s, w)) in stored.iter().zip(&wanted).enumerate() {
        assert!(
            s == w,
            "vector {i} differs from the Rust encoding:\n stored: {s}\n   rust: {w}\n{rerun}"
        );
    }
}
