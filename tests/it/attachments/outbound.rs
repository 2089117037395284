//! Files leave deskbell with their messages: a webhook receiver that verifies signatures
//! gets each file's download id, name, type and size; a visitor who left gets an agent's
//! file by email (aiosmtpd) as a link that downloads it.

use std::time::Duration;

use deskbell::email::visitor_sink::REPLY_DELAY_MS;
use deskbell::protocol::Encoding;

use super::*;
use crate::email::server_with_email;
use crate::email_visitors::{confirm, link, local, visitor_with_email, widget_post};
use crate::harness::{Client, Receiver, SmtpServer, WAIT};

#[test]
fn a_webhook_delivery_names_the_files_of_a_message() {
    let server = crate::webhooks::server();
    let admin = server.admin();
    let receiver = Receiver::start();
    let (status, created) = crate::webhooks::create(
        &server,
        &admin,
        &receiver.url("/hook"),
        &["message.visitor"],
    );
    assert_eq!(status, 201, "{created}");
    receiver.set_secret(created["secret"].as_str().expect("secret"));

    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    let token = welcome.visitor_token.expect("token");
    let pdf = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "order-1042.pdf",
        "application/pdf",
        PDF,
    ));
    send_files(&mut visitor, None, "v1", "", &[&pdf]);
    visitor.ack("v1");
    let got = receiver.wait_for(1, WAIT);
    assert!(got[0].verified, "signed");
    let message = &got[0].json()["data"]["message"];
    assert_eq!(message["text"], "");
    let file = &message["attachments"][0];
    assert_eq!(file["name"], "order-1042.pdf");
    assert_eq!(file["content_type"], "application/pdf");
    assert_eq!(file["size"].as_u64(), Some(PDF.len() as u64));
    let (status, _, bytes) = download(server.addr, file["id"].as_str().expect("id"));
    assert_eq!((status, bytes.as_slice()), (200, PDF));
}

#[test]
fn a_file_from_the_agent_reaches_a_visitor_who_left_as_a_link() {
    let smtp = SmtpServer::start();
    let server = server_with_email(&smtp);
    let admin = server.admin();
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &admin);
    let (visitor, token, conversation) = visitor_with_email(&server, "eve@mail.example");
    agent.assigned(conversation, 1);
    let body = serde_json::json!({"token": token, "email": "eve@mail.example"});
    let (status, _) = widget_post(&server, "/api/visitor/confirm", body);
    assert_eq!(status, 202);
    confirm(&server, &smtp.wait_for(1, WAIT)[0]);
    visitor.close();

    let receipt = upload_id(&upload_as_agent(
        server.addr,
        &admin,
        "receipt.pdf",
        "application/pdf",
        PDF,
    ));
    send_files(
        &mut agent,
        Some(conversation),
        "a1",
        "Your receipt",
        &[&receipt],
    );
    agent.ack("a1");
    std::thread::sleep(Duration::from_millis(1000)); // planned before the clock moves
    server.advance(REPLY_DELAY_MS + 1000);
    let mails = smtp.wait_for(2, WAIT);
    let reply = &mails[1];
    let text = reply.text();
    assert!(
        text.contains("Your receipt") && text.contains("📎 receipt.pdf (1 kB)"),
        "{text}"
    );
    let url = link(&text, "https://chat.shop.example/api/files/");
    assert!(
        reply.html().contains(&format!("href=\"{url}\"")),
        "{}",
        reply.html()
    );
    let (status, _, bytes) = request(server.addr, "GET", local(&url), &[], b"");
    assert_eq!((status, bytes.as_slice()), (200, PDF));
}
