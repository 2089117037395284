//! Email end to end: a real server and a real SMTP server (`harness::smtp`, Python's
//! aiosmtpd on a loopback port): settings, the test email, "a visitor is waiting".

use deskbell::email::{EmailConfig, SmtpServer as SmtpUrl};

use deskbell::protocol::Encoding;

use crate::harness::{Client, Mail, SmtpServer, TestServer, http};

/// Email settings pointing at `url`.
fn email_config(url: &str) -> EmailConfig {
    EmailConfig {
        server: SmtpUrl::parse(url).expect("smtp url"),
        from: "Shop <chat@shop.example>".into(),
        batch: std::time::Duration::from_secs(600),
        reply_delay: std::time::Duration::from_secs(300),
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

/// Email through `smtp`, links to https://chat.shop.example.
pub fn adjust_email(c: &mut deskbell::config::Config, smtp: &SmtpServer) {
    c.email = Some(email_config(&smtp.url()));
    c.public_url =
        Some(deskbell::origin::Origin::parse_public_url("https://chat.shop.example").expect("url"));
}

/// A server with email through `smtp`, links to https://chat.shop.example.
pub fn server_with_email(smtp: &SmtpServer) -> TestServer {
    TestServer::start_with(|c| adjust_email(c, smtp))
}

/// The emails sent to `to`.
pub fn mails_to(mails: &[Mail], to: &str) -> Vec<Mail> {
    mails.iter().filter(|m| m.to() == [to]).cloned().collect()
}

#[test]
fn a_waiting_visitor_is_emailed_to_agents_once_per_window() {
    let smtp = SmtpServer::start();
    let server = server_with_email(&smtp);
    let admin = server.admin();
    let (status, _) = patch_me(
        &server,
        &admin,
        serde_json::json!({"email": "owner@shop.example"}),
    );
    assert_eq!(status, 200);
    let (_, li) = server.agent(&admin, "Li", None);
    let (status, _) = patch_me(
        &server,
        &li,
        serde_json::json!({"email": "li@shop.example", "language": "zh"}),
    );
    assert_eq!(status, 200);
    let (_, off) = server.agent(&admin, "Off", None);
    let body = serde_json::json!({"email": "off@shop.example", "notify_waiting_email": false});
    assert_eq!(patch_me(&server, &off, body).0, 200);
    server.agent(&admin, "NoMail", None);

    // Nobody is online: the visitor's first message is emailed at once.
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "v1", "Hello <b>there</b> & <script>x</script>");
    let (conversation, _) = visitor.ack("v1");
    let mails = smtp.wait_for(2, crate::harness::WAIT);
    assert_eq!(mails.len(), 2, "owner and Li, not Off or NoMail: {mails:?}");
    let owner = &mails_to(&mails, "owner@shop.example")[0];
    let subject = owner.header("Subject").unwrap_or_default();
    let visitor_id = welcome.id;
    assert_eq!(
        subject,
        format!(
            "A visitor is waiting: {}",
            deskbell::visitor_alias::visitor_alias(visitor_id).en
        ),
        "the visitor's friendly name, as the console shows it"
    );
    let link = format!("https://chat.shop.example/console/#/c/{conversation}");
    assert!(
        owner
            .text()
            .contains("Hello <b>there</b> & <script>x</script>"),
        "{}",
        owner.text()
    );
    assert!(owner.text().contains(&link), "{}", owner.text());
    let html = owner.html();
    assert!(
        html.contains("Hello &lt;b&gt;there&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );
    assert_eq!(
        owner.header("List-Unsubscribe").as_deref(),
        Some("<https://chat.shop.example/console/#/profile>")
    );
    let li_mail = &mails_to(&mails, "li@shop.example")[0];
    assert!(
        li_mail
            .header("Subject")
            .unwrap_or_default()
            .starts_with("有访客在等待")
    );
    assert!(li_mail.text().contains("打开对话"), "{}", li_mail.text());

    // More messages within the window wait for it, and go out together.
    visitor.say(Some(conversation), "v2", "Second question");
    visitor.ack("v2");
    visitor.say(Some(conversation), "v3", "Third question");
    visitor.ack("v3");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(smtp.mails().len(), 2, "nothing more inside the window");
    server.advance(600_000);
    let mails = smtp.wait_for(4, crate::harness::WAIT);
    assert_eq!(mails.len(), 4, "one more each after the window");
    let again = mails_to(&mails, "owner@shop.example");
    assert_eq!(again.len(), 2);
    assert!(
        again[1]
            .header("Subject")
            .unwrap_or_default()
            .starts_with("More messages")
    );
    assert!(
        again[1].text().contains("Second question") && again[1].text().contains("Third question")
    );

    // Once an agent is online, nobody is emailed (the clock jump dropped the old
    // connections: a new visitor writes).
    let (_agent, _) = Client::agent(server.addr, Encoding::Json, &li);
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "w1", "Anyone?");
    visitor.ack("w1");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(smtp.mails().len(), 4, "an agent is online");
}
