//! The limits on uploads: size (refused before the body is read, nothing stored), the
//! space for attachments, each visitor's and address's hourly budget, the allowed
//! origins with their CORS answers, the console's CSRF rule, a stalled upload, a full
//! disk that refuses cleanly and recovers.

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use deskbell::protocol::*;
use deskbell::store::FaultSwitch;

use super::*;
use crate::harness::{Client, TestServer, header};

fn visitor(server: &TestServer) -> String {
    let (_, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    welcome.visitor_token.expect("token")
}

#[test]
fn an_oversized_file_is_refused_before_its_body_and_nothing_is_stored() {
    let server = TestServer::start_with(|c| c.uploads.max_file_bytes = 1000);
    let token = visitor(&server);
    let (status, body) =
        upload_as_visitor(server.addr, &token, "a.txt", "text/plain", &[b'a'; 1001]);
    assert_eq!((status, body["error"].as_str()), (413, Some("too_large")));
    assert_eq!(body["code"], 4130);
    // Refused on the declared length alone: a client that never sends the body hears it.
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    let head = format!(
        "POST /api/uploads HTTP/1.1\r\nHost: t\r\nX-Visitor-Token: {token}\r\nContent-Length: 999999999\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).expect("write");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut answer = [0u8; 12];
    std::io::Read::read_exact(&mut stream, &mut answer).expect("an answer at once");
    assert_eq!(&answer, b"HTTP/1.1 413");
    assert_eq!(files_on_disk(&server.data_dir()), 0);
    assert!(upload_as_visitor(server.addr, &token, "a.txt", "text/plain", &[b'a'; 1000]).0 == 201);
}

#[test]
fn the_space_for_attachments_has_a_quota() {
    let server = TestServer::start_with(|c| c.uploads.quota_bytes = 2500);
    let token = visitor(&server);
    upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "a.txt",
        "text/plain",
        &[b'a'; 1000],
    ));
    // The same bytes again take no more space.
    upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "b.txt",
        "text/plain",
        &[b'a'; 1000],
    ));
    upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "c.txt",
        "text/plain",
        &[b'c'; 1000],
    ));
    let (status, body) =
        upload_as_visitor(server.addr, &token, "d.txt", "text/plain", &[b'd'; 1000]);
    assert_eq!(
        (status, body["error"].as_str()),
        (507, Some("storage_full")),
        "{body}"
    );
    assert_eq!(body["code"], 5071);
    assert_eq!(files_on_disk(&server.data_dir()), 2);
}

#[test]
fn one_visitor_and_one_address_have_an_hourly_budget() {
    let server = TestServer::start_with(|c| {
        c.uploads.bytes_per_hour = 2500;
        c.uploads.files_per_hour = 100;
    });
    let token = visitor(&server);
    for i in 0..2u8 {
        upload_id(&upload_as_visitor(
            server.addr,
            &token,
            "a.txt",
            "text/plain",
            &[b'a' + i; 1000],
        ));
    }
    let (status, body) =
        upload_as_visitor(server.addr, &token, "c.txt", "text/plain", &[b'z'; 1000]);
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("upload_quota")),
        "{body}"
    );
    assert_eq!(body["code"], 4291);
    // A new visitor from the same address is held by the address's budget.
    let other = visitor(&server);
    let (status, _) = upload_as_visitor(server.addr, &other, "c.txt", "text/plain", &[b'z'; 1000]);
    assert_eq!(status, 429);
    // Agents are staff: no budget.
    let admin = server.admin();
    upload_id(&upload_as_agent(
        server.addr,
        &admin,
        "c.txt",
        "text/plain",
        &[b'z'; 1000],
    ));
}

#[test]
fn visitors_upload_only_from_allowed_origins_with_cors_answers() {
    let server =
        TestServer::start_with(|c| c.allowed_origins = vec!["https://shop.example".into()]);
    let (_, welcome) = Client::visitor_with(
        server.addr,
        Encoding::Json,
        None,
        &[("Origin", "https://shop.example")],
    );
    let token = welcome.visitor_token.expect("token");
    let (status, head, _) = request(
        server.addr,
        "OPTIONS",
        "/api/uploads",
        &[
            ("Origin", "https://shop.example"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "x-visitor-token, content-type",
            ),
        ],
        b"",
    );
    assert_eq!(status, 204);
    assert_eq!(
        header(&head, "access-control-allow-origin"),
        Some("https://shop.example")
    );
    assert!(
        header(&head, "access-control-allow-headers")
            .is_some_and(|h| h.contains("x-visitor-token"))
    );
    let (_, head, _) = request(
        server.addr,
        "OPTIONS",
        "/api/uploads",
        &[("Origin", "https://evil.example")],
        b"",
    );
    assert_eq!(header(&head, "access-control-allow-origin"), None);

    let upload = |origin: &str| {
        request(
            server.addr,
            "POST",
            "/api/uploads?name=a.txt",
            &[
                ("Origin", origin),
                ("X-Visitor-Token", &token),
                ("Content-Type", "text/plain"),
            ],
            b"hello",
        )
    };
    let (status, head, _) = upload("https://shop.example");
    assert_eq!(status, 201);
    assert_eq!(
        header(&head, "access-control-allow-origin"),
        Some("https://shop.example")
    );
    let (status, _, body) = upload("https://evil.example");
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn an_agents_cookie_upload_must_come_from_the_console() {
    let server = TestServer::start();
    let session = server.admin();
    let cookie = format!("deskbell_session={session}");
    let upload = |origin: &str| {
        request(
            server.addr,
            "POST",
            "/api/uploads?name=a.txt",
            &[
                ("Cookie", &cookie),
                ("Origin", origin),
                ("Content-Type", "text/plain"),
            ],
            b"hello",
        )
        .0
    };
    assert_eq!(upload("https://evil.example"), 403);
    assert_eq!(upload("http://test"), 201);
}

#[test]
fn a_stalled_upload_is_cut_off() {
    let server = TestServer::start_with(|c| c.uploads.idle_timeout_ms = 300);
    let token = visitor(&server);
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    let head = format!(
        "POST /api/uploads HTTP/1.1\r\nHost: t\r\nX-Visitor-Token: {token}\r\nContent-Length: 100\r\n\r\nhalf"
    );
    stream.write_all(head.as_bytes()).expect("write");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut answer = [0u8; 12];
    std::io::Read::read_exact(&mut stream, &mut answer).expect("an answer");
    assert_eq!(&answer, b"HTTP/1.1 408");
}

#[test]
fn a_full_disk_refuses_uploads_cleanly_and_recovers() {
    let switch = FaultSwitch::new();
    let faults = switch.clone();
    let server = TestServer::start_with(move |c| c.storage_faults = Some(faults));
    let (mut client, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    let token = welcome.visitor_token.expect("token");
    switch.set_full(true);
    let (status, body) = upload_as_visitor(server.addr, &token, "a.txt", "text/plain", b"full");
    assert_eq!(
        (status, body["error"].as_str()),
        (507, Some("storage_unavailable")),
        "{body}"
    );
    assert_eq!(files_on_disk(&server.data_dir()), 0);
    switch.set_full(false);
    let id = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "a.txt",
        "text/plain",
        b"full",
    ));
    send_files(&mut client, None, "v1", "", &[&id]);
    client.ack("v1");
}

#[test]
fn downloads_per_address_are_rate_limited() {
    let server = TestServer::start_with(|c| c.uploads.downloads_per_minute = 2);
    for _ in 0..2 {
        assert_eq!(
            download(server.addr, "00000000000000000000000000000000").0,
            404
        );
    }
    let (status, _, body) = download(server.addr, "00000000000000000000000000000000");
    assert_eq!(status, 429, "{}", String::from_utf8_lossy(&body));
}
