//! Attacks on logging in, as a stranger would try them over loopback: guessing from
//! a second address (127.0.0.2 and friends, bound before connecting) to lock the owner
//! out, a distributed guess from several addresses, guessing the setup code, and a
//! stolen session that must end when the password changes.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};

use deskbell::protocol::{ClientFrame, Encoding, Sync};
use serde_json::json;
use socket2::{Domain, Protocol, Socket, Type};

use crate::harness::{Client, TestServer, WAIT, header, http, split_response};

/// The harness admin's password.
const PASSWORD: &str = "correct horse battery";

/// 127.0.0.`last`.
fn lo(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

/// A JSON `POST` from the source address `from`; returns status, head and body.
fn post_from(
    server: SocketAddr,
    from: IpAddr,
    path: &str,
    cookie: Option<&str>,
    body: &serde_json::Value,
) -> (u16, String, String) {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).expect("socket");
    socket
        .bind(&SocketAddr::new(from, 0).into())
        .expect("bind the source address");
    socket.connect(&server.into()).expect("connect");
    let mut stream = TcpStream::from(socket);
    stream.set_read_timeout(Some(WAIT)).expect("timeout");
    let body = body.to_string();
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nOrigin: http://test\r\nConnection: close\r\n\
         Content-Type: application/json\r\n{cookie}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    split_response(&response)
}

/// A login from `from`; returns status, head and body.
/// Tries up to 12 times while the answer is 401; the attempt (from 0) and the head of
/// the first 429, or None if none came. Any other status fails the test.
fn first_refusal(mut attempt: impl FnMut() -> (u16, String, String)) -> Option<(usize, String)> {
    for n in 0..12 {
        let (status, head, _) = attempt();
        match status {
            401 => {}
            429 => return Some((n, head)),
            other => panic!("attempt {n}: unexpected status {other}"),
        }
    }
    None
}

fn login_from(
    server: &TestServer,
    from: IpAddr,
    name: &str,
    password: &str,
    cookie: Option<&str>,
) -> (u16, String, String) {
    post_from(
        server.addr,
        from,
        "/api/login",
        cookie,
        &json!({"name": name, "password": password}),
    )
}

/// The `name=value` of the response's `Set-Cookie` for `name`.
fn set_cookie(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(n, _)| n.trim().eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.trim())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

#[test]
fn a_stranger_cannot_lock_the_owner_out_and_is_slowed_himself() {
    let server = TestServer::start();
    server.admin();
    let attacker = lo(2);
    let refused = first_refusal(|| login_from(&server, attacker, "admin", "wrong guess", None));
    let (attempt, head) = refused.expect("the attacker is throttled");
    assert!(attempt <= 6, "throttled only after {attempt} wrong guesses");
    let wait: u64 = header(&head, "retry-after")
        .and_then(|v| v.parse().ok())
        .expect("429 carries Retry-After");
    assert!(wait >= 1, "Retry-After {wait}");

    // The owner, from an address that never logged in, is not held up by the stranger.
    let (status, _, body) = login_from(&server, lo(3), "admin", PASSWORD, None);
    assert_eq!(
        status, 200,
        "the owner logs in from another address: {body}"
    );
    // Another account from the attacker's address is not blocked by his guesses at
    // `admin` (the per-address allowance is larger than the per-account one).
    let (status, _, _) = login_from(&server, attacker, "nobody", "wrong guess", None);
    assert_eq!(status, 401);

    // The stranger is still refused until his wait is over, then may try again.
    let (status, _, _) = login_from(&server, attacker, "admin", "wrong guess", None);
    assert_eq!(status, 429, "still blocked");
    server.advance(wait * 1000);
    let (status, _, _) = login_from(&server, attacker, "admin", "wrong guess", None);
    assert_eq!(
        status, 401,
        "after Retry-After the attacker may guess again"
    );
}

#[test]
fn a_distributed_attack_slows_unknown_addresses_but_not_known_ones() {
    let server = TestServer::start();
    server.admin(); // logs in from 127.0.0.1: a known address from now on
    // The owner's browser logged in once from 127.0.0.5 and keeps its device cookie.
    let (status, head, _) = login_from(&server, lo(5), "admin", PASSWORD, None);
    assert_eq!(status, 200);
    let device = set_cookie(&head, "deskbell_device").expect("a known-device cookie is set");
    let line = head
        .lines()
        .find(|l| l.to_ascii_lowercase().contains("deskbell_device="))
        .expect("set-cookie line");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/login", "Max-Age="] {
        assert!(line.contains(attribute), "{attribute} missing in {line}");
    }

    // Eight addresses guess a few times each: no single one is throttled yet.
    for last in 10..18 {
        for _ in 0..5 {
            let (status, _, _) = login_from(&server, lo(last), "admin", "wrong guess", None);
            assert!(status == 401 || status == 429, "{status}");
        }
    }
    // An address the account never logged in from is now slowed down…
    let (status, head, _) = login_from(&server, lo(40), "admin", PASSWORD, None);
    assert_eq!(
        status, 429,
        "unknown addresses wait during a distributed attack"
    );
    assert!(header(&head, "retry-after").is_some());
    // …but an address that logged in before gets in,
    let (status, _, body) = login_from(&server, lo(1), "admin", PASSWORD, None);
    assert_eq!(status, 200, "known address: {body}");
    // and so does the owner's browser from a new address, with its device cookie.
    let (status, _, body) = login_from(&server, lo(41), "admin", PASSWORD, Some(&device));
    assert_eq!(status, 200, "known device: {body}");
    // A forged or foreign cookie does not help.
    let forged = format!("{}0", device.trim_end_matches(|c: char| c != '.'));
    let (status, _, _) = login_from(&server, lo(42), "admin", PASSWORD, Some(&forged));
    assert_eq!(status, 429, "a forged device cookie is ignored");
}

#[test]
fn guessing_the_setup_code_is_throttled_per_address() {
    let server = TestServer::start();
    let code = server.setup_code();
    let attacker = lo(2);
    let guess = json!({"code": "2222-2222-2222", "name": "mallory", "password": "a long password"});
    let refused = first_refusal(|| post_from(server.addr, attacker, "/api/setup", None, &guess));
    let (attempt, head) = refused.expect("setup-code guessing is throttled");
    assert!(attempt <= 6, "throttled only after {attempt} wrong codes");
    assert!(header(&head, "retry-after").is_some());
    // Even the right code waits when it comes from the guessing address…
    let right = json!({"code": code, "name": "admin", "password": PASSWORD});
    let (status, _, _) = post_from(server.addr, attacker, "/api/setup", None, &right);
    assert_eq!(status, 429);
    // …but the owner, typing it from another address, is not locked out.
    let (status, _, body) = post_from(server.addr, lo(3), "/api/setup", None, &right);
    assert_eq!(status, 201, "the owner completes setup: {body}");
}

#[test]
fn changing_a_password_ends_the_other_sessions() {
    let server = TestServer::start();
    let admin = server.admin();
    let admin_other = server.login("admin", PASSWORD);
    let (bob, bob_token) = server.agent(&admin, "bob", None);
    let bob_other = server.login("bob", "password123");
    let (mut bob_socket, _) = Client::agent(server.addr, Encoding::Json, &bob_token);
    let (mut admin_other_socket, _) = Client::agent(server.addr, Encoding::Json, &admin_other);
    let (mut admin_socket, _) = Client::agent(server.addr, Encoding::Json, &admin);

    // The admin resets Bob's password: every session of Bob's ends.
    let (status, _) = http(
        server.addr,
        "PATCH",
        &format!("/api/agents/{bob}"),
        Some(&admin),
        &json!({"password": "a brand new password"}),
    );
    assert_eq!(status, 200);
    for token in [&bob_token, &bob_other] {
        let (status, _) = http(server.addr, "GET", "/api/agents", Some(token), &json!({}));
        assert_eq!(status, 401, "Bob's old sessions end");
    }
    assert_eq!(
        bob_socket.closed_with(),
        1008,
        "Bob's open socket is closed"
    );
    server.login("bob", "a brand new password");

    // The admin changes their own password: only the session that did it remains.
    let me = http(server.addr, "GET", "/api/agents", Some(&admin), &json!({}))
        .1
        .as_array()
        .and_then(|a| a.iter().find(|v| v["name"] == "admin").cloned())
        .and_then(|v| v["id"].as_u64())
        .expect("admin id");
    let (status, _) = http(
        server.addr,
        "PATCH",
        &format!("/api/agents/{me}"),
        Some(&admin),
        &json!({"password": "another long password"}),
    );
    assert_eq!(status, 200);
    let (status, _) = http(
        server.addr,
        "GET",
        "/api/agents",
        Some(&admin_other),
        &json!({}),
    );
    assert_eq!(status, 401, "the admin's other session ends");
    assert_eq!(admin_other_socket.closed_with(), 1008);
    let (status, _) = http(server.addr, "GET", "/api/agents", Some(&admin), &json!({}));
    assert_eq!(status, 200, "the session that changed the password stays");
    // The current session's socket stays open: it still answers.
    admin_socket.send(&ClientFrame::Sync(Sync {
        conversation: 999_999,
        after_seq: 0,
    }));
    admin_socket.error();
}
