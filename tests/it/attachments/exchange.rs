//! Files both ways: a visitor's photo reaches the agent without its GPS tags, an
//! agent's PDF reaches the visitor as a download; strangers, other visitors and wrong
//! ids get nothing; a retried send is stored once; the same bytes are stored once.

use deskbell::protocol::*;
use img_parts::jpeg::{Jpeg, markers};

use super::*;
use crate::harness::{Client, TestServer, header};

/// A server with an online agent, and a visitor who has a token. Returns the server,
/// the agent's (id, session, client) and the visitor's (token, client).
fn chat() -> (TestServer, (u64, String, Client), (String, Client)) {
    chat_in(Encoding::Binary)
}

/// [`chat`] with the visitor speaking `encoding`.
fn chat_in(encoding: Encoding) -> (TestServer, (u64, String, Client), (String, Client)) {
    let server = TestServer::start();
    let admin = server.admin();
    let (alice_id, alice) = server.agent(&admin, "Alice", None);
    let (agent, _) = Client::agent(server.addr, Encoding::Json, &alice);
    let (visitor, welcome) = Client::visitor(server.addr, encoding, None);
    let token = welcome.visitor_token.expect("token");
    (server, (alice_id, alice, agent), (token, visitor))
}

fn exchange(visitor_encoding: Encoding) {
    let (server, (alice_id, alice, mut agent), (token, mut visitor)) = chat_in(visitor_encoding);
    let photo = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "IMG_0042.JPG",
        "image/jpeg",
        PHOTO,
    ));
    send_files(&mut visitor, None, "v1", "It arrived broken", &[&photo]);
    let (conversation, seq) = visitor.ack("v1");
    agent.assigned(conversation, alice_id);
    let replay = agent.sync(conversation, 0);
    let message = replay.iter().find(|m| m.seq == seq).expect("the message");
    assert_eq!(message.body, "It arrived broken");
    let files = files_of(message);
    assert_eq!(files.len(), 1);
    assert_eq!(
        (files[0].name.as_str(), files[0].content_type.as_str()),
        ("IMG_0042.JPG", "image/jpeg")
    );
    let (status, head, bytes) = download(server.addr, &files[0].id);
    assert_eq!(status, 200);
    assert_eq!(bytes.len() as u64, files[0].size);
    assert_eq!(header(&head, "content-type"), Some("image/jpeg"));
    assert!(header(&head, "content-disposition").is_some_and(|d| d.starts_with("inline")));
    assert_eq!(header(&head, "x-content-type-options"), Some("nosniff"));
    assert_eq!(
        header(&head, "content-security-policy"),
        Some("default-src 'none'; sandbox")
    );
    assert!(Jpeg::from_bytes(bytes.into()).is_ok(), "still a JPEG");

    let pdf = upload_id(&upload_as_agent(
        server.addr,
        &alice,
        "Preisliste%202026.pdf",
        "application/pdf",
        PDF,
    ));
    send_files(&mut agent, Some(conversation), "a1", "", &[&pdf]);
    agent.ack("a1");
    let reply = next_files(&mut visitor);
    assert_eq!(reply.author.kind, AuthorKind::Agent);
    assert_eq!(reply.body, "");
    let files = files_of(&reply);
    assert_eq!(files[0].name, "Preisliste 2026.pdf");
    let (status, head, bytes) = download(server.addr, &files[0].id);
    assert_eq!((status, bytes.as_slice()), (200, PDF));
    assert_eq!(header(&head, "content-type"), Some("application/pdf"));
    let disposition = header(&head, "content-disposition").expect("disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("Preisliste%202026.pdf"),
        "{disposition}"
    );
}

#[test]
fn files_go_both_ways_in_binary() {
    exchange(Encoding::Binary);
}

#[test]
fn files_go_both_ways_in_json() {
    exchange(Encoding::Json);
}

#[test]
fn the_photo_loses_its_gps_position_and_keeps_its_orientation() {
    assert!(contains(PHOTO, b"iPhone 13") && contains(PHOTO, b"GPSLatitude"));
    let (server, _, (token, mut visitor)) = chat();
    let id = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "p.jpg",
        "image/jpeg",
        PHOTO,
    ));
    send_files(&mut visitor, None, "v1", "", &[&id]);
    visitor.ack("v1");
    let stored = std::fs::read_dir(server.data_dir().join("files"))
        .expect("files dir")
        .filter_map(Result::ok)
        .filter(|d| d.file_name().len() == 2)
        .flat_map(|d| {
            std::fs::read_dir(d.path())
                .expect("dir")
                .filter_map(Result::ok)
        })
        .map(|f| std::fs::read(f.path()).expect("read"))
        .next()
        .expect("one stored file");
    for secret in [
        &b"iPhone"[..],
        b"Apple",
        b"SERIAL-123456",
        b"Park Row",
        b"GPSLatitude",
        b"xmpmeta",
    ] {
        assert!(
            !contains(&stored, secret),
            "{} left in the stored photo",
            String::from_utf8_lossy(secret)
        );
    }
    let jpeg = Jpeg::from_bytes(stored.into()).expect("still a JPEG");
    let app1: Vec<_> = jpeg.segments_by_marker(markers::APP1).collect();
    assert_eq!(app1.len(), 1, "only the orientation block");
    let exif = app1[0].contents();
    assert!(
        exif.len() < 40,
        "no GPS IFD, no camera: {} bytes",
        exif.len()
    );
    assert_eq!(
        &exif[exif.len() - 8..exif.len() - 6],
        &[0, 6],
        "orientation 6 kept"
    );

    let png = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "s.png",
        "image/png",
        SCREENSHOT,
    ));
    send_files(&mut visitor, None, "v2", "", &[&png]);
    let (conversation, _) = visitor.ack("v2");
    let message = visitor.sync(conversation, 0);
    let id = &files_of(message.last().expect("message"))[0].id;
    let (_, _, bytes) = download(server.addr, id);
    assert!(contains(SCREENSHOT, b"GPS") && contains(SCREENSHOT, b"eXIf"));
    assert!(
        !contains(&bytes, b"GPS") && !contains(&bytes, b"eXIf") && !contains(&bytes, b"xmpmeta")
    );
}

#[test]
fn strangers_and_other_visitors_get_nothing() {
    let (server, (alice_id, _, mut agent), (token, mut visitor)) = chat();
    visitor.say(None, "hello", "Hello");
    let (conversation, _) = visitor.ack("hello");
    agent.assigned(conversation, alice_id);
    let id = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "a.txt",
        "text/plain",
        b"my address",
    ));

    // A random or malformed id: 404, the same answer.
    for wrong in [
        "00000000000000000000000000000000",
        "not-an-id",
        "../../deskbell.redb",
    ] {
        assert_eq!(download(server.addr, wrong).0, 404, "{wrong}");
    }
    // The upload id is not a download id.
    assert_eq!(download(server.addr, &id).0, 404);

    // Another visitor cannot send it, and learns nothing but "not found".
    let (mut other, _) = Client::visitor(server.addr, Encoding::Json, None);
    send_files(&mut other, None, "o1", "", &[&id]);
    let refused = other.error();
    assert_eq!(
        (refused.error.as_str(), refused.client_id.as_deref()),
        ("not_found", Some("o1"))
    );
    // Nor can the agent of the conversation.
    send_files(&mut agent, Some(conversation), "a1", "", &[&id]);
    assert_eq!(agent.error().error, "not_found");

    // The owner still can, once.
    send_files(&mut visitor, None, "v1", "", &[&id]);
    visitor.ack("v1");
    send_files(&mut visitor, None, "v2", "", &[&id]);
    assert_eq!(visitor.error().error, "not_found", "an upload is sent once");

    // A visitor token that is not one: refused.
    let (status, body) = upload_as_visitor(server.addr, "v1.7.00", "a.txt", "text/plain", b"x");
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    // No credentials at all: refused.
    let (status, _, _) = request(server.addr, "POST", "/api/uploads", &[], b"x");
    assert_eq!(status, 401);
}

#[test]
fn a_retried_send_after_a_reconnect_is_stored_once() {
    let (server, _, (token, mut visitor)) = chat();
    let id = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "a.csv",
        "text/csv",
        b"a,b\n1,2\n",
    ));
    send_files(&mut visitor, None, "v1", "prices", &[&id]);
    let (conversation, seq) = visitor.ack("v1");
    visitor.close();
    let (mut again, _) = Client::visitor(server.addr, Encoding::Binary, Some(&token));
    send_files(&mut again, None, "v1", "prices", &[&id]);
    let ack = again.expect("ack of the retry", |f| match f {
        ServerFrame::Ack(a) => Some(a.clone()),
        ServerFrame::Error(e) => panic!("retry refused: {e:?}"),
        _ => None,
    });
    assert_eq!(
        (ack.conversation, ack.seq, ack.duplicate),
        (conversation, seq, true)
    );
    let stored = again.sync(conversation, 0);
    assert_eq!(stored.iter().filter(|m| m.body == "prices").count(), 1);
    assert_eq!(
        files_of(&stored[stored.len() - 1])[0].content_type,
        "text/csv; charset=utf-8"
    );
}

#[test]
fn the_same_bytes_are_stored_once() {
    let (server, _, (token, mut visitor)) = chat();
    let a = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "a.pdf",
        "application/pdf",
        PDF,
    ));
    let b = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "b.pdf",
        "application/pdf",
        PDF,
    ));
    assert_ne!(a, b);
    send_files(&mut visitor, None, "v1", "", &[&a, &b]);
    visitor.ack("v1");
    assert_eq!(files_on_disk(&server.data_dir()), 1);
}

#[test]
fn markup_and_programs_are_refused_whatever_they_claim() {
    let (server, _, (token, _)) = chat();
    for (name, declared, bytes) in [
        (
            "cat.png",
            "image/png",
            &b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"[..],
        ),
        (
            "x.svg",
            "image/svg+xml",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        ),
        (
            "x.html",
            "text/plain",
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        ),
        ("x.jpg", "image/jpeg", b"\xff\xd8\xff\xe1\x00\x02broken"),
    ] {
        let (status, body) = upload_as_visitor(server.addr, &token, name, declared, bytes);
        assert_eq!(
            (status, body["error"].as_str()),
            (415, Some("unsupported_type")),
            "{name}"
        );
    }
    assert_eq!(files_on_disk(&server.data_dir()), 0);
}

#[test]
fn a_file_sent_to_the_bot_goes_to_the_agents() {
    let server = TestServer::start_with(|c| c.bot = Some(deskbell::config::BotSettings::default()));
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Json, None);
    let token = welcome.visitor_token.expect("token");
    let id = upload_id(&upload_as_visitor(
        server.addr,
        &token,
        "p.png",
        "image/png",
        SCREENSHOT,
    ));
    send_files(&mut visitor, None, "v1", "hello", &[&id]);
    visitor.ack("v1");
    visitor.expect("the hand-off", |f| match f {
        ServerFrame::Message(m) if matches!(m.event, Some(ConversationEvent::HandedOff { .. })) => {
            Some(())
        }
        ServerFrame::Message(m) if m.author.kind == AuthorKind::Bot => {
            panic!("the bot answered a file: {m:?}")
        }
        _ => None,
    });
}

#[test]
fn an_iphone_heic_photo_is_accepted_as_a_file_never_shown_inline() {
    let (server, _, (token, mut visitor)) = chat();
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.extend_from_slice(&[0x55; 64]);
    let (status, body) = upload_as_visitor(server.addr, &token, "IMG_1.HEIC", "image/heic", &heic);
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (body["content_type"].as_str(), body["inline"].as_bool()),
        (Some("image/heic"), Some(false))
    );
    send_files(
        &mut visitor,
        None,
        "v1",
        "",
        &[body["upload"].as_str().expect("id")],
    );
    let (conversation, seq) = visitor.ack("v1");
    let stored = visitor.sync(conversation, 0);
    let file = &files_of(stored.iter().find(|m| m.seq == seq).expect("message"))[0];
    let (status, head, bytes) = download(server.addr, &file.id);
    assert_eq!((status, bytes), (200, heic));
    let disposition = header(&head, "content-disposition").expect("disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
}
