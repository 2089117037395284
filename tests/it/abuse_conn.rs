//! Issue #9 at the socket level: stalled and oversized bodies, the per-address
//! connection cap, forwarding headers from trusted and untrusted proxies, `/metrics`,
//! and a server that has run out of file descriptors.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use deskbell::cidr::Cidr;
use deskbell::protocol::Encoding;
use socket2::{Domain, Socket, Type};

use crate::harness::{Binary, Client, TestServer, http_full, split_response};

/// A TCP connection to `addr` from the local address `from` (any 127.0.0.0/8 address).
fn connect_from(from: [u8; 4], addr: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.bind(&SocketAddr::from((from, 0)).into())?;
    socket.connect(&addr.into())?;
    Ok(socket.into())
}

/// Sends `request` and reads until the server answers and closes (or `wait` passes);
/// returns the status (0 = closed without an answer) and how long it took.
fn exchange(stream: &mut TcpStream, request: &[u8], wait: Duration) -> (u16, Duration) {
    let started = Instant::now();
    stream.set_read_timeout(Some(wait)).expect("timeout");
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    (split_response(&response).0, started.elapsed())
}

/// True when the server closed `stream` without answering a request on it.
fn closed_at_once(mut stream: TcpStream) -> bool {
    let request = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";
    let (status, _) = exchange(&mut stream, request, Duration::from_secs(2));
    status == 0
}

fn healthz_from(from: [u8; 4], addr: SocketAddr) -> u16 {
    let mut stream = connect_from(from, addr).expect("connect");
    let request = b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    exchange(&mut stream, request, Duration::from_secs(5)).0
}

#[test]
fn a_stalled_body_is_answered_within_the_deadline() {
    let server = TestServer::start_with(|c| c.body_timeout_ms = 400);
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    let head = "POST /api/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                Content-Length: 100\r\n\r\n{";
    let (status, took) = exchange(&mut stream, head.as_bytes(), Duration::from_secs(5));
    assert_eq!(status, 408, "took {took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    // Chunked: one chunk, then silence.
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    let head = "POST /api/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n";
    let (status, took) = exchange(&mut stream, head.as_bytes(), Duration::from_secs(5));
    assert_eq!(status, 408, "took {took:?}");
    // An endpoint that never reads its body answers, and the socket is closed.
    for path in ["/api/logout", "/healthz"] {
        let method = if path == "/healthz" { "GET" } else { "POST" };
        let mut stream = TcpStream::connect(server.addr).expect("connect");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
             Content-Length: 100\r\n\r\n{{"
        );
        let (status, took) = exchange(&mut stream, head.as_bytes(), Duration::from_secs(5));
        assert_eq!(status, 200, "{path}");
        assert!(took < Duration::from_secs(3), "{path}: {took:?}");
    }
}

#[test]
fn a_huge_declared_length_is_413_at_once() {
    let server = TestServer::start();
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    let head = "POST /api/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                Content-Length: 1000000000000\r\n\r\n";
    let (status, took) = exchange(&mut stream, head.as_bytes(), Duration::from_secs(5));
    assert_eq!(status, 413);
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn one_address_may_hold_only_so_many_connections() {
    let server = TestServer::start_with(|c| c.max_connections_per_address = 4);
    let held: Vec<TcpStream> = (0..4)
        .map(|_| connect_from([127, 0, 0, 1], server.addr).expect("connect"))
        .collect();
    // Give the accept loop a moment to count them.
    std::thread::sleep(Duration::from_millis(200));
    let extra = connect_from([127, 0, 0, 1], server.addr).expect("connect");
    assert!(
        closed_at_once(extra),
        "a fifth connection from one address is closed"
    );
    assert_eq!(
        healthz_from([127, 0, 0, 2], server.addr),
        200,
        "another address is served"
    );
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    while healthz_from([127, 0, 0, 1], server.addr) != 200 {
        assert!(
            Instant::now() < deadline,
            "closed connections give their slots back"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_trusted_proxy_is_not_capped_by_its_own_address() {
    let server = TestServer::start_with(|c| {
        c.max_connections_per_address = 2;
        c.trusted_proxies = vec!["127.0.0.1".parse().expect("cidr")];
    });
    let _held: Vec<TcpStream> = (0..4)
        .map(|_| connect_from([127, 0, 0, 1], server.addr).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(healthz_from([127, 0, 0, 1], server.addr), 200);
}

fn metrics(server: &TestServer, headers: &[(&str, &str)]) -> u16 {
    http_full(server.addr, "GET", "/metrics", headers, "").0
}

const OUTSIDER: (&str, &str) = ("X-Forwarded-For", "203.0.113.9");

#[test]
fn metrics_are_for_loopback_unless_opened() {
    let outside: Cidr = "203.0.113.0/24".parse().expect("cidr");
    // No trusted proxy: the forwarding header is not believed, and it stops the request
    // from counting as local (a local proxy we do not know relays a stranger).
    let server = TestServer::start_with(|c| c.metrics_allow = vec![outside]);
    assert_eq!(metrics(&server, &[]), 200);
    assert_eq!(
        metrics(&server, &[OUTSIDER]),
        403,
        "untrusted XFF is not believed"
    );
    assert_eq!(metrics(&server, &[("Forwarded", "for=127.0.0.1")]), 403);
    drop(server);
    // Behind a trusted proxy the forwarded client decides.
    let server = TestServer::start_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().expect("cidr")];
    });
    assert_eq!(metrics(&server, &[]), 200);
    assert_eq!(metrics(&server, &[OUTSIDER]), 403);
    assert_eq!(
        metrics(&server, &[("X-Forwarded-For", "203.0.113.9, 127.0.0.1")]),
        403
    );
    drop(server);
    let server = TestServer::start_with(|c| {
        c.trusted_proxies = vec!["127.0.0.0/8".parse().expect("cidr")];
        c.metrics_allow = vec![outside];
    });
    assert_eq!(
        metrics(&server, &[OUTSIDER]),
        200,
        "--metrics-allow opens it"
    );
    assert_eq!(
        metrics(&server, &[("X-Forwarded-For", "198.51.100.1")]),
        403
    );
}

#[test]
fn a_metrics_token_opens_metrics_from_anywhere() {
    let token = "prometheus-secret-0123456789";
    let server = TestServer::start_with(|c| c.metrics_token = Some(token.into()));
    let bearer = format!("Bearer {token}");
    assert_eq!(
        metrics(&server, &[OUTSIDER, ("Authorization", &bearer)]),
        200
    );
    assert_eq!(
        metrics(
            &server,
            &[
                OUTSIDER,
                ("Authorization", "Bearer prometheus-secret-wrong")
            ]
        ),
        403
    );
    assert_eq!(metrics(&server, &[OUTSIDER]), 403);
}

/// The setup code from the binary's log line `… setup_code=XXXX-XXXX-XXXX`.
fn setup_code(binary: &Binary) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = binary.stdout.lock().map(|s| s.clone()).unwrap_or_default();
        if let Some(code) = out
            .split("setup_code=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
        {
            return code.to_string();
        }
        assert!(Instant::now() < deadline, "no setup code in the log: {out}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn open_chats_keep_working_while_descriptors_run_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let flags = ["--no-bot", "--max-connections-per-address", "10000"];
    let binary = Binary::serve_limited(dir.path(), 64, &flags);
    let addr = binary.addr;
    let code = setup_code(&binary);
    let setup = serde_json::json!({"code": code, "name": "admin", "password": "a long password"});
    assert_eq!(
        crate::harness::http(addr, "POST", "/api/setup", None, &setup).0,
        201
    );
    let login = serde_json::json!({"name": "admin", "password": "a long password"});
    let (status, body) = crate::harness::http(addr, "POST", "/api/login", None, &login);
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().expect("token").to_string();
    let admin_id = body["agent"]["id"].as_u64().expect("id");
    let (mut agent, _) = Client::agent(addr, Encoding::Json, &token);
    let (mut visitor, _) = Client::visitor(addr, Encoding::Json, None);
    visitor.say(None, "v1", "before");
    let (conversation, _) = visitor.ack("v1");
    agent.assigned(conversation, admin_id);
    assert_eq!(agent.sync(conversation, 0)[0].body, "before");

    // Hog every descriptor the server has left (and some of the listen backlog).
    let hogs: Vec<TcpStream> = (0..96)
        .filter_map(|_| TcpStream::connect(addr).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut probe = TcpStream::connect(addr).expect("the backlog still takes it");
    let request = b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    let (status, _) = exchange(&mut probe, request, Duration::from_millis(700));
    assert_eq!(
        status, 0,
        "a new connection is not served while descriptors are out"
    );

    // The open chat still relays, both ways.
    visitor.say(Some(conversation), "v2", "while full");
    visitor.ack("v2");
    agent.message("while full");
    agent.say(Some(conversation), "a1", "still here");
    visitor.message("still here");

    // Free them: the accept loop recovers by itself.
    drop(hogs);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut stream = TcpStream::connect(addr).expect("connect");
        if exchange(&mut stream, request, Duration::from_secs(2)).0 == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the server never served again");
    }
    let log = binary.stdout.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(log.contains("open files limit"), "{log}");
    assert!(
        log.contains("accept failed"),
        "the descriptors really ran out: {log}"
    );
}

/// Fails logins (a different unknown name each time) with `headers` until the server
/// throttles that address; panics if it never does.
fn fail_logins_until_throttled(server: &TestServer, headers: &[(&str, &str)]) {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    for i in 0..100 {
        let body = serde_json::json!({"name": format!("nobody{i}"), "password": "wrong"});
        let (status, _, _) = http_full(server.addr, "POST", "/api/login", &all, &body.to_string());
        if status == 429 {
            return;
        }
        assert_eq!(status, 401);
    }
    panic!("100 failed logins from one address were never throttled");
}

fn login_status(server: &TestServer, headers: &[(&str, &str)]) -> u16 {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    let body = serde_json::json!({"name": "admin", "password": "correct horse battery"});
    http_full(server.addr, "POST", "/api/login", &all, &body.to_string()).0
}

#[test]
fn forwarded_addresses_count_only_from_a_trusted_proxy() {
    let stranger = ("X-Forwarded-For", "203.0.113.9");
    let owner = ("X-Forwarded-For", "198.51.100.7");
    // Behind a trusted proxy a stranger's failures throttle the stranger only.
    let server = TestServer::start_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().expect("cidr")];
    });
    server.admin();
    fail_logins_until_throttled(&server, &[stranger]);
    assert_eq!(login_status(&server, &[stranger]), 429);
    assert_eq!(
        login_status(&server, &[owner]),
        200,
        "the owner's address is not the stranger's"
    );
    drop(server);
    // From an untrusted peer the header is ignored: both are 127.0.0.1, so inventing a
    // new X-Forwarded-For per attempt does not escape the throttle.
    let server = TestServer::start();
    server.admin();
    fail_logins_until_throttled(&server, &[stranger]);
    assert_eq!(
        login_status(&server, &[owner]),
        429,
        "a forged header changes nothing"
    );
}
