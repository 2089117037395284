//! Round trips and rejections for both encodings.

use super::*;

fn send_frame() -> ClientFrame {
    ClientFrame::Send(Send {
        conversation: Some(7),
        client_id: "c-1".into(),
        body: "Hello, do you ship to Norway? ✈".into(),
    })
}

#[test]
fn client_frames_round_trip_in_both_encodings() {
    for enc in [Encoding::Binary, Encoding::Json] {
        let decoded: ClientFrame = match enc.encode(&send_frame()) {
            Encoded::Binary(b) => enc.decode_binary(&b).expect("binary decodes"),
            Encoded::Text(t) => enc.decode_text(&t).expect("json decodes"),
        };
        assert_eq!(decoded, send_frame());
    }
}

#[test]
fn json_shape_is_the_documented_one() {
    let Encoded::Text(text) = Encoding::Json.encode(&send_frame()) else {
        panic!("json encodes to text");
    };
    assert_eq!(
        text,
        r#"{"send":{"conversation":7,"client_id":"c-1","body":"Hello, do you ship to Norway? ✈"}}"#
    );
}

#[test]
fn optional_fields_may_be_omitted_in_json() {
    let frame: ClientFrame = Encoding::Json
        .decode_text(r#"{"send":{"client_id":"a","body":"hi"}}"#)
        .expect("decodes");
    assert_eq!(
        frame,
        ClientFrame::Send(Send {
            conversation: None,
            client_id: "a".into(),
            body: "hi".into()
        })
    );
}

#[test]
fn unknown_fields_and_frames_are_rejected_with_a_reason() {
    let err = Encoding::Json
        .decode_text::<ClientFrame>(r#"{"send":{"client_id":"a","body":"hi","colour":"red"}}"#)
        .expect_err("unknown field refused");
    assert!(err.to_string().contains("colour"), "{err}");
    let err = Encoding::Json
        .decode_text::<ClientFrame>(r#"{"shout":{}}"#)
        .expect_err("unknown frame refused");
    assert!(err.to_string().contains("shout"), "{err}");
    assert!(
        Encoding::Binary
            .decode_binary::<ClientFrame>(&[200, 1, 2])
            .is_err()
    );
}

#[test]
fn trailing_bytes_and_wrong_message_kind_are_rejected() {
    let Encoded::Binary(mut bytes) = Encoding::Binary.encode(&send_frame()) else {
        panic!("binary encodes to bytes");
    };
    bytes.push(0);
    assert!(
        Encoding::Binary
            .decode_binary::<ClientFrame>(&bytes)
            .is_err()
    );
    assert!(matches!(
        Encoding::Json.decode_binary::<ClientFrame>(b"{}"),
        Err(DecodeError::WrongMessageKind { .. })
    ));
    assert!(matches!(
        Encoding::Binary.decode_text::<ClientFrame>("{}"),
        Err(DecodeError::WrongMessageKind { .. })
    ));
}

#[test]
fn binary_variant_numbers_are_stable() {
    // The first byte of a postcard enum is its variant index: these are wire constants.
    let Encoded::Binary(bytes) = Encoding::Binary.encode(&send_frame()) else {
        panic!("binary");
    };
    assert_eq!(bytes[0], 2, "send is frame type 2");
    let err = ServerFrame::Error(ErrorCode::Forbidden.frame("no"));
    let Encoded::Binary(bytes) = Encoding::Binary.encode(&err) else {
        panic!("binary");
    };
    assert_eq!(bytes[0], 11, "error is frame type 11");
}

#[test]
fn negotiation_prefers_the_first_known_subprotocol() {
    assert_eq!(Encoding::negotiate(None), Some(Encoding::Json));
    assert_eq!(
        Encoding::negotiate(Some("chat, deskbell.v1.postcard, deskbell.v1.json")),
        Some(Encoding::Binary)
    );
    assert_eq!(
        Encoding::negotiate(Some("deskbell.v1.json")),
        Some(Encoding::Json)
    );
    assert_eq!(Encoding::negotiate(Some("chat")), None);
}

#[test]
fn documented_examples_decode() {
    let doc = include_str!("../../docs/PROTOCOL.md");
    let mut checked = 0;
    for block in doc.split("```json ").skip(1) {
        let (kind, rest) = block
            .split_once('\n')
            .expect("a code block has a first line");
        let text = rest.split("```").next().expect("the block ends").trim();
        match kind.trim() {
            "client" => {
                Encoding::Json
                    .decode_text::<ClientFrame>(text)
                    .unwrap_or_else(|e| panic!("client example {text}: {e}"));
            }
            "server" => {
                let frame: ServerFrame = Encoding::Json
                    .decode_text(text)
                    .unwrap_or_else(|e| panic!("server example {text}: {e}"));
                // Server frames accept extra fields when decoding, so compare the
                // example with what the server would really send.
                let sent = serde_json::to_value(&frame).expect("encodes");
                let written: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
                assert_eq!(
                    sent, written,
                    "server example differs from the real encoding"
                );
            }
            other => panic!("unknown example kind {other}"),
        }
        checked += 1;
    }
    assert!(checked >= 25, "every frame has an example ({checked})");
}
