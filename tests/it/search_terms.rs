//! A message's search terms are counted before the hub sees it: a `send`'s on its
//! connection's task (inline, or on the blocking pool above 8 KiB), a photo's caption
//! there too and its file name by the writer once the upload is attached. Whichever
//! way, the message is found as soon as it is acknowledged, by every word of its text,
//! its caption and its file name, and by nothing else. A message an API key posts is
//! counted on its request's task, and found the same way (the bot's is not indexed).

use deskbell::protocol::*;
use serde_json::json;

use crate::attachments::{PHOTO, send_files, upload_as_visitor, upload_id};
use crate::harness::{Client, TestServer, http};
use crate::keys::{create_key, visitor_on};
use crate::search::found;

#[test]
fn short_and_long_texts_are_found_once_acknowledged() {
    let server = TestServer::start_with(|c| c.max_body_bytes = 64 * 1024);
    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    let (mut short, _) = Client::visitor(server.addr, Encoding::Json, None);
    short.say(None, "s1", "Is the teapot dishwasher safe? 茶壶能洗吗");
    let (first, _) = short.ack("s1");
    // Over 8 KiB: counted on the blocking pool; its rarest words at both ends.
    let long = format!(
        "porcelain {} saucers 碟子",
        "we ordered cups and more cups 杯子 ".repeat(400)
    );
    assert!(long.len() > 8 * 1024);
    let (mut long_sender, _) = Client::visitor(server.addr, Encoding::Binary, None);
    long_sender.say(None, "l1", &long);
    let (second, _) = long_sender.ack("l1");
    for q in ["teapot", "dishwasher", "茶壶", "洗"] {
        assert_eq!(found(&server, &alice, q, ""), vec![first], "{q}");
    }
    for q in ["porcelain", "saucers", "碟子", "杯子"] {
        assert_eq!(found(&server, &alice, q, ""), vec![second], "{q}");
    }
    assert!(found(&server, &alice, "kettle", "").is_empty());
}

#[test]
fn a_photos_caption_and_file_name_are_found_once_acknowledged() {
    let server = TestServer::start();
    let admin = server.admin();
    let (_, alice) = server.agent(&admin, "Alice", None);
    let (mut visitor, welcome) = Client::visitor(server.addr, Encoding::Binary, None);
    let token = welcome.visitor_token.expect("token");
    let answer = upload_as_visitor(
        server.addr,
        &token,
        "cracked-teapot.jpg",
        "image/jpeg",
        PHOTO,
    );
    let photo = upload_id(&answer);
    send_files(
        &mut visitor,
        None,
        "v1",
        "The spout arrived broken 壶嘴坏了",
        &[&photo],
    );
    let (conversation, _) = visitor.ack("v1");
    for q in ["spout", "broken", "壶嘴", "cracked", "teapot"] {
        assert_eq!(found(&server, &alice, q, ""), vec![conversation], "{q}");
    }
    assert!(found(&server, &alice, "handle", "").is_empty());
}

#[test]
fn messages_posted_with_an_api_key_are_found_once_answered() {
    let server = TestServer::start_with(|c| c.max_body_bytes = 64 * 1024);
    let admin = server.admin();
    let (_, key) = create_key(&server, &admin, "write", None);
    let (ann, ann_token) = server.agent(&admin, "Ann", None);
    let (mut ann_ws, _) = Client::agent(server.addr, Encoding::Json, &ann_token);
    let (_visitor, conversation) = visitor_on(&server, "shop", "where is my order?");
    ann_ws.assigned(conversation, ann);
    let long_note = format!(
        "wholesale {} invoice 发票",
        "the customer asked about bulk pricing 批发 ".repeat(300)
    );
    assert!(long_note.len() > 8 * 1024);
    let posts = [
        ("a1", "Your kettle ships tomorrow 水壶", "agent", Some(ann)),
        ("n1", long_note.as_str(), "note", None),
        ("b1", "We offer giftwrapping 礼品包装", "bot", None),
    ];
    for (client_id, text, author, agent) in posts {
        let body = json!({"client_id": client_id, "body": text, "author": author, "agent": agent});
        let path = format!("/api/v1/conversations/{conversation}/messages");
        let (status, answer) = http(server.addr, "POST", &path, Some(&key), &body);
        assert_eq!(status, 201, "{client_id}: {answer}");
    }
    for q in ["kettle", "水壶", "wholesale", "invoice", "发票", "批发"] {
        assert_eq!(found(&server, &ann_token, q, ""), vec![conversation], "{q}");
    }
    // The bot's answers are not indexed, whoever posts them.
    assert!(found(&server, &ann_token, "giftwrapping", "").is_empty());
}
