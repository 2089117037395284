//! The one check of a client frame's own fields, made once at the edge (the session
//! loop, before the frame reaches the hub); inner layers trust it. Pure: no state, no
//! I/O, unit-tested here. Checks that need state (is the conversation open, may this
//! connection write to it) stay with the state's owner.
//!
//! The rule for a frame that carries text (`send`, `note`): a `client_id` of 1–64 bytes,
//! a body that is not only whitespace, and at most `max_body_bytes` bytes of body.
//! `send_files` follows it too, but its caption may be empty; it names 1 to
//! [`MAX_UPLOADS`] different upload ids of 32 hex digits.

use crate::protocol::{ClientFrame, ConversationId, ErrorCode, ErrorFrame};

/// Longest accepted `client_id`, in bytes.
pub const MAX_CLIENT_ID: usize = 64;

/// Most files in one message.
pub const MAX_UPLOADS: usize = 10;

/// Checks `frame` on its own; the error to send when it is malformed. The `match` has no
/// wildcard: a new frame does not compile until it says what is checked here.
pub fn check(frame: &ClientFrame, max_body_bytes: usize) -> Result<(), ErrorFrame> {
    match frame {
        ClientFrame::Send(send) => text(
            "message",
            &send.client_id,
            &send.body,
            send.conversation,
            max_body_bytes,
            false,
        ),
        ClientFrame::Note(note) => text(
            "note",
            &note.client_id,
            &note.body,
            Some(note.conversation),
            max_body_bytes,
            false,
        ),
        ClientFrame::SendFiles(send) => {
            text(
                "caption",
                &send.client_id,
                &send.body,
                send.conversation,
                max_body_bytes,
                true,
            )?;
            uploads(&send.uploads).map_err(|message| {
                let mut error = ErrorCode::InvalidField.frame(message);
                error.client_id = Some(send.client_id.clone());
                error.conversation = send.conversation;
                error
            })
        }
        ClientFrame::Rate(rate) => rating(rate).map_err(|message| {
            let mut error = ErrorCode::InvalidField.frame(message);
            error.conversation = Some(rate.conversation);
            error
        }),
        ClientFrame::HelloVisitor(_)
        | ClientFrame::HelloCustomer(_)
        | ClientFrame::HelloAgent(_)
        | ClientFrame::Sync(_)
        | ClientFrame::Typing(_)
        | ClientFrame::Read(_)
        | ClientFrame::Claim(_)
        | ClientFrame::Close(_)
        | ClientFrame::Reopen(_)
        | ClientFrame::Transfer(_)
        | ClientFrame::Presence(_)
        | ClientFrame::History(_)
        | ClientFrame::Profile(_)
        | ClientFrame::BotFeedback(_)
        | ClientFrame::Visibility(_)
        | ClientFrame::Label(_) => Ok(()),
    }
}

/// Longest comment on a rating, in characters.
pub const MAX_RATING_COMMENT: usize = 500;

/// A rating: a score of 1 to 5 and a comment of at most [`MAX_RATING_COMMENT`]
/// characters with no control characters but line breaks.
fn rating(rate: &crate::protocol::Rate) -> Result<(), String> {
    if !(1..=5).contains(&rate.score) {
        return Err("the score is 1 to 5".into());
    }
    let comment = rate.comment.as_deref().unwrap_or("");
    if comment.chars().count() > MAX_RATING_COMMENT
        || comment.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(format!(
            "the comment is at most {MAX_RATING_COMMENT} printable characters"
        ));
    }
    Ok(())
}

/// The upload ids of a `send_files`: 1 to [`MAX_UPLOADS`], each 32 hex digits, no
/// repeats.
fn uploads(ids: &[String]) -> Result<(), String> {
    if ids.is_empty() || ids.len() > MAX_UPLOADS {
        return Err(format!("a message carries 1-{MAX_UPLOADS} files"));
    }
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        match crate::store::file_token::parse(id) {
            Some(id) if seen.insert(id) => {}
            Some(_) => return Err("the same upload is named twice".into()),
            None => return Err("an upload id is 32 hex digits".into()),
        }
    }
    Ok(())
}

/// The rule for a frame that carries text; `what` names it in the message.
fn text(
    what: &str,
    client_id: &str,
    body: &str,
    conversation: Option<ConversationId>,
    max_body_bytes: usize,
    may_be_empty: bool,
) -> Result<(), ErrorFrame> {
    let (code, message) = if client_id.is_empty() || client_id.len() > MAX_CLIENT_ID {
        (
            ErrorCode::InvalidField,
            format!("client_id must be 1-{MAX_CLIENT_ID} bytes"),
        )
    } else if body.trim().is_empty() && !may_be_empty {
        (ErrorCode::InvalidField, format!("the {what} is empty"))
    } else if body.len() > max_body_bytes {
        (
            ErrorCode::TooLarge,
            format!("the {what} is longer than {max_body_bytes} bytes"),
        )
    } else {
        return Ok(());
    };
    let mut error = code.frame(message);
    error.client_id = Some(client_id.to_string());
    error.conversation = conversation;
    Err(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Note, Send, Typing};

    fn send(client_id: &str, body: &str) -> ClientFrame {
        ClientFrame::Send(Send {
            conversation: Some(4),
            client_id: client_id.into(),
            body: body.into(),
        })
    }

    fn note(client_id: &str, body: &str) -> ClientFrame {
        ClientFrame::Note(Note {
            conversation: 9,
            client_id: client_id.into(),
            body: body.into(),
        })
    }

    fn refused(frame: &ClientFrame) -> (u16, ErrorFrame) {
        let error = check(frame, 10).expect_err("refused");
        (error.code, error)
    }

    #[test]
    fn well_formed_text_frames_pass() {
        assert!(check(&send("c1", "hello"), 10).is_ok());
        assert!(check(&note(&"x".repeat(64), "0123456789"), 10).is_ok());
    }

    #[test]
    fn sends_and_notes_follow_one_rule() {
        for frame in [send("", "hi"), note("", "hi"), note(&"x".repeat(65), "hi")] {
            assert_eq!(
                refused(&frame).0,
                ErrorCode::InvalidField.number(),
                "{frame:?}"
            );
        }
        for frame in [send("c", " \n\t"), note("c", "")] {
            let (code, error) = refused(&frame);
            assert_eq!(code, ErrorCode::InvalidField.number());
            assert!(error.message.contains("empty"), "{}", error.message);
        }
        for frame in [send("c", "01234567890"), note("c", "01234567890")] {
            assert_eq!(refused(&frame).0, ErrorCode::TooLarge.number(), "{frame:?}");
        }
    }

    #[test]
    fn errors_name_the_frame_they_answer() {
        let (_, error) = refused(&note("n7", ""));
        assert_eq!(error.client_id.as_deref(), Some("n7"));
        assert_eq!(error.conversation, Some(9));
        assert!(error.message.contains("note"), "{}", error.message);
        let (_, error) = refused(&send("s1", "far too long"));
        assert_eq!(error.conversation, Some(4));
        assert!(error.message.contains("message"), "{}", error.message);
    }

    #[test]
    fn files_need_ids_and_allow_an_empty_caption() {
        let files = |body: &str, uploads: &[&str]| {
            ClientFrame::SendFiles(crate::protocol::SendFiles {
                conversation: None,
                client_id: "f1".into(),
                body: body.into(),
                uploads: uploads.iter().map(|u| u.to_string()).collect(),
            })
        };
        let a = "00112233445566778899aabbccddeeff";
        let b = "ffeeddccbbaa99887766554433221100";
        assert!(check(&files("", &[a, b]), 10).is_ok());
        assert!(check(&files("the box", &[a]), 10).is_ok());
        for frame in [
            files("", &[]),
            files("", &[a, a]),
            files("", &["../etc/passwd"]),
            files("", &[a; 11]),
        ] {
            let (code, error) = refused(&frame);
            assert_eq!(code, ErrorCode::InvalidField.number(), "{frame:?}");
            assert_eq!(error.client_id.as_deref(), Some("f1"));
        }
        assert_eq!(
            refused(&files("01234567890", &[a])).0,
            ErrorCode::TooLarge.number()
        );
    }

    #[test]
    fn frames_without_text_pass() {
        let typing = ClientFrame::Typing(Typing {
            conversation: Some(1),
            on: true,
        });
        assert!(check(&typing, 0).is_ok());
    }
}
