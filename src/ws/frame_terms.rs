//! A `send`'s, `send_files`' or `note`'s search terms, counted on its connection's own
//! task before the frame goes to the hub (and an API key's posted message's, on its
//! request's task: `http::v1_actions`). Every stored message's text is tokenized for
//! the search index; done by the hub, the one task every message passes, it cost half
//! of the hub's time (docs/BENCHMARKS.md, issue #16), and a stranger's longest texts
//! delayed everyone's messages. Here each connection pays for its own texts, and the
//! rate limits and the hourly text budget (`crate::text_budget`) bound how much text a
//! visitor may send.

use crate::protocol::ClientFrame;
use crate::search::tokens::TermCounts;
use crate::store::search_docs::plain_message_terms;

/// Texts up to this many bytes (the default `--max-body-bytes`) are counted on the
/// connection's task: under half a millisecond for the worst of them. Longer ones (an
/// owner may allow up to 1 MiB, about 130 times that) go to the blocking pool, so that
/// no executor thread stops for long.
const INLINE_BYTES: usize = 8 * 1024;

/// The search terms of `frame`'s text when it is a `send`, a `send_files` (its
/// caption's: the writer adds the file names' once it attached them) or an agent's
/// `note` (a note's text is indexed as it is).
pub async fn count(frame: &ClientFrame) -> Option<TermCounts> {
    let body = match frame {
        ClientFrame::Send(send) => &send.body,
        ClientFrame::SendFiles(files) => &files.body,
        ClientFrame::Note(note) => &note.body,
        _ => return None,
    };
    if body.len() <= INLINE_BYTES {
        return Some(plain_message_terms(body));
    }
    let body = body.clone();
    Some(smol::unblock(move || plain_message_terms(&body)).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Note, Send, SendFiles, Typing};
    use crate::store::search_docs::new_message_terms;
    use crate::store::values::{StoredAuthorKind, StoredEvent};

    fn send(body: String) -> ClientFrame {
        ClientFrame::Send(Send {
            conversation: None,
            client_id: "c1".into(),
            body,
        })
    }

    fn send_files(body: String) -> ClientFrame {
        ClientFrame::SendFiles(SendFiles {
            conversation: None,
            client_id: "c1".into(),
            body,
            uploads: vec!["u1".into()],
        })
    }

    #[test]
    fn texts_are_counted_as_the_writer_would_count_them_short_or_long() {
        let short = "Do you ship teas to Zürich? 你好世界".to_string();
        let long = short.repeat(2 * INLINE_BYTES / short.len());
        assert!(long.len() > INLINE_BYTES);
        for body in [short, long] {
            let counted = smol::block_on(count(&send(body.clone())));
            let caption = smol::block_on(count(&send_files(body.clone())));
            for kind in [StoredAuthorKind::Visitor, StoredAuthorKind::Agent] {
                assert_eq!(counted, new_message_terms(kind, None, &body, false));
                assert_eq!(caption, new_message_terms(kind, None, &body, true));
            }
            let note = ClientFrame::Note(Note {
                conversation: 4,
                client_id: "n1".into(),
                body: body.clone(),
            });
            let noted = smol::block_on(count(&note));
            let kind = StoredAuthorKind::Agent;
            let event = Some(StoredEvent::Note);
            assert_eq!(noted, new_message_terms(kind, event.as_ref(), &body, false));
        }
    }

    #[test]
    fn other_frames_are_not_counted() {
        let typing = ClientFrame::Typing(Typing {
            conversation: Some(1),
            on: true,
        });
        assert_eq!(smol::block_on(count(&typing)), None);
    }
}
