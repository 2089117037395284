//! Issue #9 from a hostile web page: cross-site request forgery with the admin's cookie,
//! login CSRF, foreign-origin agent sockets, OPTIONS/405 and `nosniff`. Bodies,
//! connection caps, proxies and `/metrics` are in `abuse_conn`.

use deskbell::origin::Origin;
use deskbell::protocol::*;
use serde_json::{Value, json};

use crate::harness::{Client, TestServer, header, http, http_full};

const NEW_ADMIN: &str = r#"{"name":"x","password":"a long password","admin":true}"#;
const EVIL: (&str, &str) = ("Origin", "https://evil.example");
/// The harness sends `Host: test`, so the console's own origin is `http://test`.
const CONSOLE: (&str, &str) = ("Origin", "http://test");

fn cookie(token: &str) -> String {
    format!("deskbell_session={token}")
}

fn agent_names(server: &TestServer, admin: &str) -> Vec<String> {
    let (status, list) = http(server.addr, "GET", "/api/agents", Some(admin), &Value::Null);
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .expect("agents")
        .iter()
        .filter_map(|a| a["name"].as_str().map(str::to_string))
        .collect()
}

fn error_name(body: &str) -> String {
    serde_json::from_str::<Value>(body).unwrap_or(Value::Null)["error"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_testers_csrf_request_does_not_create_an_admin() {
    let server = TestServer::start();
    let admin = server.admin();
    let cookie = cookie(&admin);
    for extra in [None, Some(EVIL)] {
        let mut headers = vec![
            ("Content-Type", "text/plain;charset=UTF-8"),
            ("Cookie", cookie.as_str()),
        ];
        headers.extend(extra);
        let (status, _, body) = http_full(server.addr, "POST", "/api/agents", &headers, NEW_ADMIN);
        assert_eq!(status, 403, "{extra:?}: {body}");
        assert_eq!(error_name(&body), "forbidden");
    }
    assert!(!agent_names(&server, &admin).contains(&"x".to_string()));
}

#[test]
fn cookie_changes_need_json_and_the_consoles_own_origin() {
    let server = TestServer::start();
    let admin = server.admin();
    let cookie = cookie(&admin);
    let json_cookie = [
        ("Content-Type", "application/json"),
        ("Cookie", cookie.as_str()),
    ];
    let refused: [&[(&str, &str)]; 4] = [
        &[EVIL],
        &[("Sec-Fetch-Site", "cross-site")],
        &[
            ("Sec-Fetch-Site", "same-site"),
            ("Origin", "https://shop.test"),
        ],
        &[],
    ];
    for extra in refused {
        let headers: Vec<_> = json_cookie.iter().chain(extra).copied().collect();
        let (status, _, body) = http_full(server.addr, "POST", "/api/agents", &headers, NEW_ADMIN);
        assert_eq!(status, 403, "{extra:?}: {body}");
    }
    assert!(!agent_names(&server, &admin).contains(&"x".to_string()));
    // The console itself: its own origin, or a same-origin fetch without Origin.
    let headers: Vec<_> = json_cookie.iter().chain(&[CONSOLE]).copied().collect();
    let body = r#"{"name":"y","password":"a long password"}"#;
    let (status, _, answer) = http_full(server.addr, "POST", "/api/agents", &headers, body);
    assert_eq!(status, 201, "{answer}");
    let headers: Vec<_> = json_cookie
        .iter()
        .chain(&[("Sec-Fetch-Site", "same-origin")])
        .copied()
        .collect();
    let body = r#"{"name":"z","password":"a long password"}"#;
    let (status, _, answer) = http_full(server.addr, "POST", "/api/agents", &headers, body);
    assert_eq!(status, 201, "{answer}");
}

#[test]
fn bearer_requests_are_unaffected() {
    let server = TestServer::start();
    let admin = server.admin();
    let bearer = format!("Bearer {admin}");
    let headers = [
        ("Authorization", bearer.as_str()),
        ("Content-Type", "text/plain"),
        EVIL,
        ("Sec-Fetch-Site", "cross-site"),
    ];
    let (status, _, body) = http_full(server.addr, "POST", "/api/agents", &headers, NEW_ADMIN);
    assert_eq!(status, 201, "{body}");
}

#[test]
fn login_and_setup_from_another_site_are_refused() {
    let server = TestServer::start();
    let code = server.setup_code();
    let setup = json!({"code": code, "name": "admin", "password": "correct horse battery"});
    let json_ct = ("Content-Type", "application/json");
    for extra in [EVIL, ("Sec-Fetch-Site", "cross-site")] {
        let (status, _, body) = http_full(
            server.addr,
            "POST",
            "/api/setup",
            &[json_ct, extra],
            &setup.to_string(),
        );
        assert_eq!(status, 403, "setup {extra:?}: {body}");
    }
    // A form post (no JSON content type) is refused even without any Origin.
    let (status, _, _) = http_full(server.addr, "POST", "/api/setup", &[], &setup.to_string());
    assert_eq!(status, 403);
    let (status, _, body) = http_full(
        server.addr,
        "POST",
        "/api/setup",
        &[json_ct, CONSOLE],
        &setup.to_string(),
    );
    assert_eq!(status, 201, "{body}");
    let login = json!({"name": "admin", "password": "correct horse battery"}).to_string();
    let (status, head, _) = http_full(server.addr, "POST", "/api/login", &[json_ct, EVIL], &login);
    assert_eq!(status, 403);
    assert!(header(&head, "Set-Cookie").is_none());
    let (status, _, _) = http_full(server.addr, "POST", "/api/logout", &[json_ct, EVIL], "{}");
    assert_eq!(status, 403);
    // curl and scripts: no Origin, no Sec-Fetch-Site, JSON.
    let (status, _, body) = http_full(server.addr, "POST", "/api/login", &[json_ct], &login);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn options_405_and_nosniff() {
    let server = TestServer::start();
    let (status, head, _) = http_full(server.addr, "OPTIONS", "/api/agents", &[EVIL], "");
    assert_eq!(status, 204, "{head}");
    assert_eq!(header(&head, "Allow"), Some("GET, POST"));
    assert!(
        !head.to_ascii_lowercase().contains("access-control-"),
        "{head}"
    );
    let (status, head, _) = http_full(server.addr, "OPTIONS", "/api/widget", &[EVIL], "");
    assert_eq!(status, 204);
    assert_eq!(header(&head, "Access-Control-Allow-Origin"), Some("*"));
    let (status, head, _) = http_full(server.addr, "GET", "/api/widget?site=x", &[EVIL], "");
    assert_eq!(status, 200);
    assert_eq!(header(&head, "Access-Control-Allow-Origin"), Some("*"));
    let (status, head, body) = http_full(server.addr, "DELETE", "/api/login", &[], "");
    assert_eq!(status, 405, "{body}");
    assert_eq!(header(&head, "Allow"), Some("POST"));
    assert_eq!(error_name(&body), "method_not_allowed");
    let (status, head, _) = http_full(server.addr, "PUT", "/api/canned/3", &[], "");
    assert_eq!(
        status, 403,
        "known path and method: the guard answers, {head}"
    );
    let (status, head, _) = http_full(server.addr, "GET", "/api/canned/3", &[], "");
    assert_eq!(status, 405);
    assert_eq!(header(&head, "Allow"), Some("PUT, DELETE"));
    let (status, _, _) = http_full(server.addr, "OPTIONS", "/api/nothing", &[], "");
    assert_eq!(status, 404);
    for path in [
        "/api/setup",
        "/healthz",
        "/console/",
        "/nothing",
        "/api/nothing",
    ] {
        let (_, head, _) = http_full(server.addr, "GET", path, &[], "");
        assert_eq!(
            header(&head, "X-Content-Type-Options"),
            Some("nosniff"),
            "{path}"
        );
    }
}

/// Connects to `/ws` with extra headers and says hello as an agent with `token`.
fn agent_hello(server: &TestServer, headers: &[(&str, &str)], token: &str) -> ServerFrame {
    let mut client = Client::try_connect(server.addr, Encoding::Json, headers).expect("ws");
    client.send(&ClientFrame::HelloAgent(HelloAgent {
        token: Some(token.to_string()),
    }));
    client.recv()
}

#[test]
fn agent_sockets_are_accepted_only_from_the_consoles_origin() {
    let server =
        TestServer::start_with(|c| c.allowed_origins = vec!["https://shop.example".into()]);
    let admin = server.admin();
    let cookie = cookie(&admin);
    // The cookie alone (hello without a token) and the token alike.
    let mut client = Client::try_connect(
        server.addr,
        Encoding::Json,
        &[EVIL, ("Cookie", cookie.as_str())],
    )
    .expect("ws");
    client.send(&ClientFrame::HelloAgent(HelloAgent { token: None }));
    match client.recv() {
        ServerFrame::Error(e) => assert_eq!(e.error, "forbidden", "{e:?}"),
        other => panic!("a foreign page got an agent session: {other:?}"),
    }
    for origin in ["https://evil.example", "https://shop.example", "null"] {
        let frame = agent_hello(&server, &[("Origin", origin)], &admin);
        assert!(
            matches!(&frame, ServerFrame::Error(e) if e.error == "forbidden"),
            "{origin}: {frame:?}"
        );
    }
    let own = format!("http://{}", server.addr);
    let frame = agent_hello(&server, &[("Origin", own.as_str())], &admin);
    assert!(matches!(frame, ServerFrame::Welcome(_)), "{frame:?}");
    let frame = agent_hello(&server, &[], &admin);
    assert!(
        matches!(frame, ServerFrame::Welcome(_)),
        "no Origin: {frame:?}"
    );
}

#[test]
fn an_https_public_url_is_the_console_origin_and_makes_the_cookie_secure() {
    let server = TestServer::start_with(|c| {
        c.public_url = Some(Origin::parse_public_url("https://chat.shop.example/").expect("url"));
    });
    server.admin();
    let json_ct = ("Content-Type", "application/json");
    let login = json!({"name": "admin", "password": "correct horse battery"}).to_string();
    let (status, _, _) = http_full(
        server.addr,
        "POST",
        "/api/login",
        &[json_ct, CONSOLE],
        &login,
    );
    assert_eq!(
        status, 403,
        "the Host is not the console once --public-url is set"
    );
    let public = ("Origin", "https://chat.shop.example");
    let (status, head, body) = http_full(
        server.addr,
        "POST",
        "/api/login",
        &[json_ct, public],
        &login,
    );
    assert_eq!(status, 200, "{body}");
    let set_cookie = header(&head, "Set-Cookie").expect("cookie");
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    let (_, widget) = http(server.addr, "GET", "/api/widget", None, &Value::Null);
    assert_eq!(widget["public_url"], "https://chat.shop.example");
}
