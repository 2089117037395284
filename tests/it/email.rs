//! Email end to end: a real server and a real SMTP server (`harness::smtp`, Python's
//! aiosmtpd on a loopback port): settings, the test email, "a visitor is waiting".

use deskbell::email::{EmailConfig, SmtpServer as SmtpUrl};

use deskbell::protocol::Encoding;

use crate::harness::{Client, SmtpServer, TestServer, http};

/// Email settings pointing at `url`.
fn email_config(url: &str) -> EmailConfig {
    EmailConfig {
        server: SmtpUrl::parse(url).expect("smtp url"),
        from: "Shop <chat@shop.example>".into(),
        batch: std::time::Duration::from_secs(600),
        timeout: std::time::Duration::from_secs(5),
    }
}

/// A free loopback port nobody listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

#[test]
fn an_unreachable_smtp_server_never_blocks_chat() {
    let url = format!("smtp://127.0.0.1:{}", closed_port());
    let server = TestServer::start_with(|c| c.email = Some(email_config(&url)));
    let admin = server.admin();
    let (status, me) = http(
        server.addr,
        "GET",
        "/api/me",
        Some(&admin),
        &serde_json::json!({}),
    );
    assert_eq!(status, 200, "{me}");
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "Anyone there?");
    let (_, seq) = visitor.ack("v1");
    assert_eq!(seq, 1, "chat works while the SMTP server is unreachable");
}

/// PATCH /api/me as `token`.
fn patch_me(server: &TestServer, token: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    http(server.addr, "PATCH", "/api/me", Some(token), &body)
}

#[test]
fn agents_set_their_own_profile_and_admins_set_emails() {
    let server = TestServer::start();
    let admin = server.admin();
    let (bob_id, bob) = server.agent(&admin, "Bob", None);
    let (status, me) = http(
        server.addr,
        "GET",
        "/api/me",
        Some(&bob),
        &serde_json::json!({}),
    );
    assert_eq!(status, 200);
    assert_eq!(me["email"], serde_json::Value::Null);
    assert_eq!(me["notify_waiting_email"], true, "on by default");
    assert_eq!(me["language"], "en");

    let (status, me) = patch_me(
        &server,
        &bob,
        serde_json::json!({"email": " bob@shop.example ", "language": "zh", "notify_waiting_email": false}),
    );
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        (
            me["email"].as_str(),
            me["language"].as_str(),
            me["notify_waiting_email"].as_bool()
        ),
        (Some("bob@shop.example"), Some("zh"), Some(false))
    );
    for bad in [
        serde_json::json!({"email": "not an address"}),
        serde_json::json!({"email": "bob@localhost"}),
        serde_json::json!({"language": "fr"}),
        serde_json::json!({"name": ""}),
        serde_json::json!({"password": "a new password 1"}),
        serde_json::json!({"admin": true}),
    ] {
        let (status, body) = patch_me(&server, &bob, bad.clone());
        assert_eq!(status, 400, "{bad} → {body}");
    }
    let (status, _) = patch_me(
        &server,
        &bob,
        serde_json::json!({"password": "a new password 1", "current_password": "wrong password"}),
    );
    assert_eq!(status, 403, "a wrong current password is refused");
    let (status, _) = patch_me(
        &server,
        &bob,
        serde_json::json!({"password": "a new password 1", "current_password": "password123"}),
    );
    assert_eq!(status, 200);
    let (status, _) = patch_me(&server, &bob, serde_json::json!({"name": "admin"}));
    assert_eq!(status, 409, "another account's name");
    let (status, me) = patch_me(&server, &bob, serde_json::json!({"name": "Robert"}));
    assert_eq!((status, me["name"].as_str()), (200, Some("Robert")));
    server.login("robert", "a new password 1");

    let path = format!("/api/agents/{bob_id}");
    let body = serde_json::json!({"email": "robert@shop.example"});
    let (status, _) = http(server.addr, "PATCH", &path, Some(&bob), &body);
    assert_eq!(status, 403, "agents cannot set others' emails");
    let (status, view) = http(server.addr, "PATCH", &path, Some(&admin), &body);
    assert_eq!(
        (status, view["email"].as_str()),
        (200, Some("robert@shop.example"))
    );
    let (status, view) = http(
        server.addr,
        "PATCH",
        &path,
        Some(&admin),
        &serde_json::json!({"email": null}),
    );
    assert_eq!(
        (status, view["email"].clone()),
        (200, serde_json::Value::Null)
    );
}

#[test]
fn the_test_email_goes_through_the_real_smtp_server() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let server = TestServer::start_with(|c| c.email = Some(email_config(&url)));
    let admin = server.admin();
    let (status, body) = http(
        server.addr,
        "POST",
        "/api/email/test",
        Some(&admin),
        &serde_json::json!({}),
    );
    assert_eq!(status, 400, "no address yet: {body}");
    let (status, _) = patch_me(
        &server,
        &admin,
        serde_json::json!({"email": "owner@shop.example"}),
    );
    assert_eq!(status, 200);
    let (status, body) = http(
        server.addr,
        "POST",
        "/api/email/test",
        Some(&admin),
        &serde_json::json!({}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["to"], "owner@shop.example");
    let mails = smtp.wait_for(1, crate::harness::WAIT);
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to(), ["owner@shop.example"]);
    assert_eq!(mail.json["content_type"], "multipart/alternative");
    assert_eq!(
        mail.header("From").as_deref(),
        Some("Shop <chat@shop.example>")
    );
    assert!(
        mail.text().contains("test email from deskbell"),
        "{}",
        mail.text()
    );
    assert!(
        mail.html().contains("test email from deskbell"),
        "{}",
        mail.html()
    );
    assert!(!mail.html().to_lowercase().contains("<script"));

    let (_, agent) = server.agent(&admin, "Carol", None);
    let (status, _) = http(
        server.addr,
        "POST",
        "/api/email/test",
        Some(&agent),
        &serde_json::json!({}),
    );
    assert_eq!(status, 403, "admins only");
}

#[test]
fn the_test_email_shows_why_the_smtp_server_failed() {
    let port = closed_port();
    let url = format!("smtp://user:hunter2hunter2@127.0.0.1:{port}");
    let server = TestServer::start_with(|c| c.email = Some(email_config(&url)));
    let admin = server.admin();
    let body = serde_json::json!({"to": "owner@shop.example"});
    let (status, answer) = http(server.addr, "POST", "/api/email/test", Some(&admin), &body);
    assert_eq!(status, 503, "{answer}");
    let message = answer.to_string();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(
        !message.contains("hunter2"),
        "never the password: {message}"
    );

    let plain = TestServer::start();
    let admin = plain.admin();
    let (status, answer) = http(plain.addr, "POST", "/api/email/test", Some(&admin), &body);
    assert_eq!(status, 503);
    assert!(answer.to_string().contains("--smtp-url"), "{answer}");
}
