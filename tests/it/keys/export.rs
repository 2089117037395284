//! `GET /api/v1/export`: every conversation with its messages as JSON lines, streamed
//! in chunks and complete (the terminating chunk arrives); a key bound to a site gets
//! that site only; `since` filters by creation time; who may export.

use deskbell::store::values::{StoredAuthorKind, StoredStatus};
use deskbell::store::{NewMessage, VisitorUpdate, WriteOp, writer};
use serde_json::{Value, json};

use super::create_key;
use crate::harness::{TestServer, http, http_bytes};

const SHOP: u64 = 250;
const BLOG: u64 = 30;
/// Creation time of conversation `id`.
fn created(id: u64) -> u64 {
    1_790_000_000_000 + id * 60_000
}

/// A data directory with `SHOP` conversations on "shop" and `BLOG` on "blog", each
/// with two messages, written before the server starts.
fn data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let message = |id: u64, body: String| NewMessage {
        attachments: Vec::new(),
        author_kind: StoredAuthorKind::Visitor,
        author_id: id,
        author_name: String::new(),
        body,
        client_id: None,
        event: None,
        at_ms: created(id),
    };
    let fill = |_: &_, writer: &writer::WriterHandle| {
        smol::block_on(async {
            for id in 1..=SHOP + BLOG {
                let site = if id <= SHOP { "shop" } else { "blog" };
                let open = WriteOp::OpenConversation {
                    conversation: id,
                    status: StoredStatus::Queued,
                    visitor: id,
                    site: site.into(),
                    message: message(id, format!("hello from {id}")),
                    visitor_details: Some(VisitorUpdate {
                        name: Some(format!("Visitor {id}")),
                        ..VisitorUpdate::default()
                    }),
                };
                let more = WriteOp::Append {
                    conversation: id,
                    message: message(id, format!("more from {id}")),
                };
                for op in [open, more] {
                    writer.submit(op, Box::new(|_| {})).await.expect("queued");
                }
            }
        })
    };
    writer::with_offline_writer(dir.path(), fill).expect("written");
    dir
}

/// The export as `token` sees it: (status, chunks, lines parsed); panics when a
/// streamed answer does not end with its terminating chunk.
fn export(server: &TestServer, token: &str, query: &str) -> (u16, usize, Vec<Value>) {
    let auth = format!("Bearer {token}");
    let path = format!("/api/v1/export{query}");
    let (status, head, body) =
        http_bytes(server.addr, "GET", &path, &[("Authorization", &auth)], b"");
    if status != 200 {
        return (status, 0, Vec::new());
    }
    assert!(
        head.to_lowercase().contains("transfer-encoding: chunked"),
        "{head}"
    );
    let (chunks, text) = dechunk(&body);
    let lines = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    (status, chunks, lines)
}

/// A chunked body's chunk count and bytes; panics without the final `0` chunk.
fn dechunk(mut body: &[u8]) -> (usize, String) {
    let mut out = Vec::new();
    let mut chunks = 0;
    loop {
        let end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size = usize::from_str_radix(std::str::from_utf8(&body[..end]).expect("hex"), 16)
            .expect("a chunk size");
        body = &body[end + 2..];
        if size == 0 {
            return (chunks, String::from_utf8(out).expect("UTF-8"));
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
        chunks += 1;
    }
}

fn ids(lines: &[Value]) -> Vec<u64> {
    lines
        .iter()
        .map(|l| l["id"].as_u64().expect("id"))
        .collect()
}

#[test]
fn an_export_streams_every_conversation_and_a_site_key_gets_its_site() {
    let server = TestServer::start_in(data(), |_| {});
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "admin", None);
    let (status, chunks, lines) = export(&server, &key, "");
    assert_eq!(status, 200);
    assert_eq!(
        ids(&lines),
        (1..=SHOP + BLOG).collect::<Vec<_>>(),
        "all, once, in order"
    );
    assert!(chunks >= 3, "streamed page by page: {chunks} chunks");
    let first = &lines[0];
    assert_eq!(first["site"], "shop");
    assert_eq!(first["visitor"]["name"], "Visitor 1");
    let bodies: Vec<&str> = first["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["body"].as_str().expect("body"))
        .collect();
    assert_eq!(bodies, ["hello from 1", "more from 1"]);

    // A key bound to a site: that site only, whatever it asks; any scope.
    let (_, blog) = create_key(&server, &admin, "read", Some("blog"));
    let (status, _, lines) = export(&server, &blog, "");
    assert_eq!(status, 200);
    assert_eq!(ids(&lines), (SHOP + 1..=SHOP + BLOG).collect::<Vec<_>>());
    assert_eq!(export(&server, &blog, "?site=shop").0, 403);
    // An admin picks a site; `since` is on the creation time.
    let (_, _, lines) = export(&server, &key, "?site=blog");
    assert_eq!(lines.len() as u64, BLOG);
    let since = jiff::Timestamp::from_millisecond(created(SHOP - 9) as i64).expect("time");
    let (_, _, lines) = export(&server, &key, &format!("?site=shop&since={since}"));
    assert_eq!(ids(&lines), (SHOP - 9..=SHOP).collect::<Vec<_>>());
}

#[test]
fn only_admins_and_site_keys_export() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, agent) = server.agent(&admin, "bea", None);
    let (_, read) = create_key(&server, &admin, "read", None);
    let (_, write) = create_key(&server, &admin, "write", None);
    assert_eq!(
        export(&server, &read, "").0,
        403,
        "every site needs an admin key"
    );
    assert_eq!(export(&server, &write, "").0, 403);
    assert_eq!(export(&server, &agent, "").0, 403);
    let (status, _) = http(server.addr, "GET", "/api/v1/export", None, &json!(null));
    assert_eq!(status, 401);
    // An admin's session exports; nothing stored is an empty, complete export.
    let (status, _, lines) = export(&server, &admin, "");
    assert_eq!((status, lines.len()), (200, 0));
    let (_, key) = create_key(&server, &admin, "admin", None);
    assert_eq!(export(&server, &key, "?since=yesterday").0, 400);
}
