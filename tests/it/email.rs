//! Email end to end: a real server and a real SMTP server (`harness::smtp`, Python's
//! aiosmtpd on a loopback port): settings, the test email, "a visitor is waiting".

use deskbell::email::{EmailConfig, SmtpServer as SmtpUrl};

use deskbell::protocol::Encoding;

use crate::harness::{Client, TestServer, http};

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
