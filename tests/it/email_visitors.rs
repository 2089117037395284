//! The visitors' emails end to end, through the real server and a real SMTP server
//! (aiosmtpd): address confirmation, an agent's replies to a visitor who left (email 2)
//! with the resume link, the transcript (email 3), one-click unsubscribe, and the
//! limits that keep deskbell from mailing a stranger.

use std::time::Duration;

use deskbell::email::visitor_sink::REPLY_DELAY_MS;
use deskbell::protocol::{ClientFrame, Encoding, Profile, Read};

use crate::email::{mails_to, server_with_email};
use crate::harness::{Client, Mail, SmtpServer, TestServer, WAIT, http, http_full};

/// A POST the way the widget sends it: JSON as `text/plain`, from a shop's page.
pub fn widget_post(
    server: &TestServer,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let headers = [
        ("Content-Type", "text/plain;charset=UTF-8"),
        ("Origin", "https://shop.test"),
        ("Sec-Fetch-Site", "cross-site"),
    ];
    let (status, head, text) = http_full(server.addr, "POST", path, &headers, &body.to_string());
    assert_eq!(
        crate::harness::header(&head, "access-control-allow-origin"),
        Some("*"),
        "{head}"
    );
    (status, serde_json::from_str(&text).unwrap_or_default())
}

/// The first link in `text` that starts with `prefix`.
pub fn link(text: &str, prefix: &str) -> String {
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {text}"));
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '>')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The path and query of a `https://chat.shop.example/…` link.
pub fn local(url: &str) -> &str {
    url.strip_prefix("https://chat.shop.example")
        .expect("our link")
}

/// A visitor who wrote once and left `email`; the agent (online) has the conversation.
pub fn visitor_with_email(server: &TestServer, email: &str) -> (Client, String, u64) {
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    let token = welcome.visitor_token.expect("token");
    visitor.say(None, "v1", "Do you ship to Norway?");
    let (conversation, _) = visitor.ack("v1");
    visitor.send(&ClientFrame::Profile(Profile {
        name: None,
        email: Some(email.into()),
    }));
    (visitor, token, conversation)
}

/// Waits until no mail has arrived for a moment; returns them all.
fn settled(smtp: &SmtpServer) -> Vec<Mail> {
    std::thread::sleep(Duration::from_millis(1500));
    smtp.mails()
}

/// Every visitor email: multipart, no script or remote image, one-click unsubscribe.
fn check_visitor_mail(mail: &Mail) {
    assert_eq!(mail.json["content_type"], "multipart/alternative");
    let html = mail.html().to_lowercase();
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );
    let unsubscribe = mail.header("List-Unsubscribe").unwrap_or_default();
    assert!(
        unsubscribe.starts_with("<https://chat.shop.example/email/unsubscribe?token="),
        "{unsubscribe}"
    );
    assert_eq!(
        mail.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
}

/// Confirms the address of the confirmation email `mail`: GET shows a button and
/// changes nothing, POST confirms.
pub fn confirm(server: &TestServer, mail: &Mail) {
    let url = link(
        &mail.text(),
        "https://chat.shop.example/email/confirm?token=",
    );
    let (status, head, page) = http_full(server.addr, "GET", local(&url), &[], "");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<form method=\"post\""), "{page}");
    assert!(!page.contains("<script"));
    assert!(
        crate::harness::header(&head, "content-security-policy")
            .is_some_and(|csp| csp.contains("default-src 'none'"))
    );
    let (status, _, page) = http_full(server.addr, "POST", local(&url), &[], "");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Thanks, your address is confirmed"), "{page}");
}

#[test]
fn replies_reach_a_visitor_who_left_only_at_a_confirmed_address() {
    let smtp = SmtpServer::start();
    let server = server_with_email(&smtp);
    let admin = server.admin();
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &admin);
    let (visitor, token, conversation) = visitor_with_email(&server, "eve@mail.example");
    agent.assigned(conversation, 1);

    // The widget asks for the confirmation: one short email.
    let body = serde_json::json!({"token": token, "email": "eve@mail.example"});
    let (status, answer) = widget_post(&server, "/api/visitor/confirm", body);
    assert_eq!(
        (status, answer["status"].as_str()),
        (202, Some("confirmation_sent"))
    );
    let mails = smtp.wait_for(1, WAIT);
    assert_eq!(mails.len(), 1);
    let confirmation = &mails[0];
    assert_eq!(confirmation.to(), ["eve@mail.example"]);
    assert_eq!(
        confirmation.header("Subject").as_deref(),
        Some("Please confirm your email address")
    );
    check_visitor_mail(confirmation);

    // Not confirmed yet: a reply after the visitor left is not emailed.
    visitor.close();
    agent.say(Some(conversation), "a1", "Yes, we do.");
    agent.ack("a1");
    std::thread::sleep(Duration::from_millis(1000)); // planned before the clock moves
    server.advance(REPLY_DELAY_MS + 1000);
    assert_eq!(
        settled(&smtp).len(),
        1,
        "no reply to an unconfirmed address"
    );

    confirm(&server, confirmation);
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &admin);
    agent.say(Some(conversation), "a2", "Shipping takes <3 days>.");
    agent.ack("a2");
    agent.say(Some(conversation), "a3", "Anything else?");
    agent.ack("a3");
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(smtp.mails().len(), 1, "email 2 waits a few minutes");
    server.advance(REPLY_DELAY_MS + 1000);
    let mails = smtp.wait_for(2, WAIT);
    assert_eq!(
        settled(&smtp).len(),
        2,
        "one email for both replies: {mails:?}"
    );
    let reply = &mails[1];
    assert_eq!(reply.header("Subject").as_deref(), Some("You have a reply"));
    check_visitor_mail(reply);
    let text = reply.text();
    assert!(
        text.contains("Shipping takes <3 days>.") && text.contains("Anything else?"),
        "{text}"
    );
    assert!(reply.html().contains("Shipping takes &lt;3 days&gt;."));
    let resume = link(&text, "https://shop.test/shoes#deskbell-resume=");
    let resume_token = resume.split_once('=').map(|(_, t)| t).unwrap_or_default();

    // The link gives the widget this visitor and conversation back.
    let (status, answer) = widget_post(
        &server,
        "/api/visitor/resume",
        serde_json::json!({ "resume": resume_token }),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["visitor_token"].as_str(), Some(token.as_str()));
    assert_eq!(answer["conversation"].as_u64(), Some(conversation));
    // Change the last character (to another hex digit, whatever it was).
    let last = if resume_token.ends_with('0') {
        '1'
    } else {
        '0'
    };
    let forged = format!("{}{last}", &resume_token[..resume_token.len() - 1]);
    let (status, _) = widget_post(
        &server,
        "/api/visitor/resume",
        serde_json::json!({ "resume": forged }),
    );
    assert_eq!(status, 401);

    // Read in the widget before the delay is over: no email.
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &admin);
    agent.say(Some(conversation), "a4", "One more thing");
    let (_, seq) = agent.ack("a4");
    let (mut back, _) = Client::visitor(server.addr, Encoding::Json, Some(&token));
    back.send(&ClientFrame::Read(Read {
        conversation: Some(conversation),
        seq,
    }));
    std::thread::sleep(Duration::from_millis(500));
    back.close();
    server.advance(REPLY_DELAY_MS + 1000);
    assert_eq!(settled(&smtp).len(), 2, "the visitor read it");
}

#[test]
fn transcripts_go_to_confirmed_addresses_and_unsubscribing_stops_everything() {
    let smtp = SmtpServer::start();
    let server = server_with_email(&smtp);
    let (_, widget) = http(
        server.addr,
        "GET",
        "/api/widget",
        None,
        &serde_json::Value::Null,
    );
    assert_eq!(
        widget["visitor_emails"], true,
        "the widget offers the transcript"
    );
    let admin = server.admin();
    let (mut agent, _) = Client::agent(server.addr, Encoding::Json, &admin);
    let (_visitor, token, conversation) = visitor_with_email(&server, "li@mail.example");
    agent.assigned(conversation, 1);
    agent.send(&ClientFrame::Note(deskbell::protocol::Note {
        conversation,
        client_id: "n1".into(),
        body: "internal: big spender".into(),
    }));
    agent.ack("n1");
    agent.say(Some(conversation), "a1", "We do!");
    agent.ack("a1");

    // Unconfirmed: the transcript request sends the confirmation first.
    let ask = serde_json::json!({"token": token, "conversation": conversation});
    let (status, answer) = widget_post(&server, "/api/visitor/transcript", ask.clone());
    assert_eq!(
        (status, answer["status"].as_str()),
        (202, Some("confirmation_sent")),
        "{answer}"
    );
    let mails = smtp.wait_for(1, WAIT);
    confirm(&server, &mails[0]);
    let (status, answer) = widget_post(&server, "/api/visitor/transcript", ask.clone());
    assert_eq!(
        (status, answer["status"].as_str()),
        (202, Some("sent")),
        "{answer}"
    );
    let mails = smtp.wait_for(2, WAIT);
    let transcript = &mails[1];
    assert_eq!(transcript.to(), ["li@mail.example"]);
    check_visitor_mail(transcript);
    let text = transcript.text();
    assert!(
        text.contains("You: Do you ship to Norway?") && text.contains("admin: We do!"),
        "{text}"
    );
    assert!(
        !text.contains("big spender"),
        "agents' notes stay inside: {text}"
    );

    // Another visitor's token cannot ask for this conversation.
    let (_, other) = Client::visitor(server.addr, Encoding::Json, None);
    let stranger = serde_json::json!({"token": other.visitor_token, "conversation": conversation});
    let (status, _) = widget_post(&server, "/api/visitor/transcript", stranger);
    assert_eq!(status, 404);

    // One click (RFC 8058) unsubscribes; a GET alone does not.
    let url = link(
        &transcript.header("List-Unsubscribe").unwrap_or_default(),
        "https://chat.shop.example/email/unsubscribe?token=",
    );
    let (status, _, page) = http_full(server.addr, "GET", local(&url), &[], "");
    assert_eq!(status, 200, "{page}");
    let (status, answer) = widget_post(&server, "/api/visitor/transcript", ask.clone());
    assert_eq!(
        (status, answer["status"].as_str()),
        (202, Some("sent")),
        "a GET changed nothing"
    );
    smtp.wait_for(3, WAIT);
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let (status, _, page) = http_full(
        server.addr,
        "POST",
        local(&url),
        &form,
        "List-Unsubscribe=One-Click",
    );
    assert_eq!(status, 200, "{page}");
    let (status, answer) = widget_post(&server, "/api/visitor/transcript", ask);
    assert_eq!(status, 403, "{answer}");
    agent.say(Some(conversation), "a2", "Still there?");
    agent.ack("a2");
    drop(_visitor);
    std::thread::sleep(Duration::from_millis(1000)); // planned before the clock moves
    server.advance(REPLY_DELAY_MS + 1000);
    assert_eq!(settled(&smtp).len(), 3, "nothing after unsubscribing");
    let (status, _) = http(server.addr, "GET", "/healthz", None, &serde_json::json!({}));
    assert_eq!(status, 200);
}

#[test]
fn deskbell_cannot_be_made_to_mail_a_stranger_a_thousand_times() {
    let smtp = SmtpServer::start();
    let server = TestServer::start_with(|c| {
        crate::email::adjust_email(c, &smtp);
        c.new_visitors_per_minute = 10_000;
    });
    let tokens: Vec<String> = (0..20)
        .map(|_| {
            let (v, w) = Client::visitor(server.addr, Encoding::Json, None);
            drop(v);
            w.visitor_token.expect("token")
        })
        .collect();
    let stranger = "stranger@victim.example";
    let mut accepted = 0;
    // 1,000 requests from one address over a day: many visitors, the stranger's address
    // in several spellings, confirmations and transcripts.
    for round in 0..8 {
        for i in 0..125 {
            let token = &tokens[(round * 125 + i) % tokens.len()];
            let spelling = if i % 2 == 0 {
                stranger.to_string()
            } else {
                stranger.to_uppercase()
            };
            let (path, body) = if i % 3 == 0 {
                (
                    "/api/visitor/transcript",
                    serde_json::json!({"token": token, "conversation": 1}),
                )
            } else {
                (
                    "/api/visitor/confirm",
                    serde_json::json!({"token": token, "email": spelling}),
                )
            };
            let (status, _) = widget_post(&server, path, body);
            assert!(matches!(status, 202 | 404 | 429), "{status}");
            accepted += usize::from(status == 202);
        }
        server.advance(3 * 3_600_000);
    }
    let mails = settled(&smtp);
    let to_stranger = mails
        .iter()
        .filter(|m| m.to().iter().any(|t| t.eq_ignore_ascii_case(stranger)))
        .count();
    assert!(
        to_stranger <= 3,
        "the documented 3 a day, got {to_stranger}"
    );
    assert_eq!(accepted, to_stranger);
    assert!(to_stranger >= 1, "the first one is sent");
    // Many addresses from one client: 10 an hour.
    for i in 0..30 {
        let body =
            serde_json::json!({"token": tokens[i % 20], "email": format!("s{i}@victim.example")});
        widget_post(&server, "/api/visitor/confirm", body);
    }
    let mails = settled(&smtp);
    assert!(mails.len() <= to_stranger + 10, "{}", mails.len());
    assert!(mails_to(&mails, "s0@victim.example").len() == 1);
    // Still responsive.
    let (mut visitor, _) = Client::visitor(server.addr, Encoding::Json, None);
    visitor.say(None, "x", "still here?");
    visitor.ack("x");
}
