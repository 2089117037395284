//! Attachments (issue #13) against a real server: uploads by visitors and agents, the
//! `send_files` frame, capability downloads and their headers, what strangers cannot
//! do, limits, metadata stripping on a real phone photo with GPS tags, and the file's
//! life: retention, backup and restore, a SIGKILL, a full disk; files in webhooks and
//! in the visitor's emails (`outbound`).
//!
//! This file holds the helpers: raw HTTP with binary bodies, upload, download, send.

mod exchange;
mod lifecycle;
mod limits;
mod outbound;

use std::net::SocketAddr;
use std::path::Path;

use deskbell::protocol::*;
use serde_json::Value;

use crate::harness::Client;

/// The phone photo with GPS tags (`scripts/make-attachment-fixtures.py`).
pub const PHOTO: &[u8] = include_bytes!("../../fixtures/attachments/phone-photo.jpg");
/// A PNG with text and EXIF chunks.
pub const SCREENSHOT: &[u8] = include_bytes!("../../fixtures/attachments/screenshot.png");
/// A small PDF.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// A raw HTTP/1.1 request with a binary body: (status, head, body bytes).
pub use crate::harness::http_bytes as request;

/// Uploads `bytes` as a visitor (the widget's way); (status, JSON answer).
pub fn upload_as_visitor(
    addr: SocketAddr,
    token: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> (u16, Value) {
    let path = format!("/api/uploads?name={name}");
    let headers = [("X-Visitor-Token", token), ("Content-Type", content_type)];
    let (status, _, body) = request(addr, "POST", &path, &headers, bytes);
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Uploads `bytes` as an agent with a bearer session token.
pub fn upload_as_agent(
    addr: SocketAddr,
    session: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> (u16, Value) {
    let auth = format!("Bearer {session}");
    let path = format!("/api/uploads?name={name}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", content_type),
    ];
    let (status, _, body) = request(addr, "POST", &path, &headers, bytes);
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// The upload id of a successful upload.
pub fn upload_id(answer: &(u16, Value)) -> String {
    assert_eq!(answer.0, 201, "upload accepted: {}", answer.1);
    answer.1["upload"].as_str().expect("upload id").to_string()
}

/// `GET /api/files/{id}`: (status, head, bytes).
pub fn download(addr: SocketAddr, id: &str) -> (u16, String, Vec<u8>) {
    request(addr, "GET", &format!("/api/files/{id}"), &[], b"")
}

/// Sends a `send_files` frame.
pub fn send_files(
    client: &mut Client,
    conversation: Option<u64>,
    client_id: &str,
    body: &str,
    uploads: &[&str],
) {
    client.send(&ClientFrame::SendFiles(SendFiles {
        conversation,
        client_id: client_id.into(),
        body: body.into(),
        uploads: uploads.iter().map(|u| u.to_string()).collect(),
    }));
}

/// The files of a message (panics when it carries none).
pub fn files_of(message: &Message) -> Vec<Attachment> {
    match &message.event {
        Some(ConversationEvent::Attachments { files }) => files.clone(),
        other => panic!("a message with files, not {other:?}"),
    }
}

/// Waits for the next message that carries files.
pub fn next_files(client: &mut Client) -> Message {
    client.expect("a message with files", |f| match f {
        ServerFrame::Message(m)
            if matches!(m.event, Some(ConversationEvent::Attachments { .. })) =>
        {
            Some(m.clone())
        }
        _ => None,
    })
}

/// Files stored under `DATA/files` (not counting unfinished ones).
pub fn files_on_disk(data_dir: &Path) -> usize {
    let Ok(dirs) = std::fs::read_dir(data_dir.join("files")) else {
        return 0;
    };
    dirs.filter_map(Result::ok)
        .filter(|d| d.file_name().len() == 2)
        .map(|d| std::fs::read_dir(d.path()).map_or(0, |f| f.count()))
        .sum()
}

/// True when `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
