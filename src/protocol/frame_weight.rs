//! Roughly how many bytes a frame holds while it waits in a connection's queue
//! (`hub::outlet`), so that a connection that stops reading can be dropped by the
//! bytes it holds as well as by the number of frames: with `--max-body-bytes` raised
//! to 1 MiB, 1,024 queued messages could hold a gigabyte. Counted: the texts a peer
//! chooses (a message's body, names, client ids), plus a fixed part per frame and per
//! listed item for everything else, whose size other limits bound.

use super::server_frames::{ConversationSummary, Message, ServerFrame};

/// The fixed part counted for every frame (its allocation and small fields).
const FRAME: usize = 128;
/// The fixed part counted for each conversation or agent a frame lists.
const ITEM: usize = 128;

impl ServerFrame {
    /// The bytes this frame is counted as while queued (see the module's header).
    pub fn queued_weight(&self) -> usize {
        FRAME
            + match self {
                ServerFrame::Message(message) => message_weight(message),
                ServerFrame::History(page) => page.messages.iter().map(message_weight).sum(),
                ServerFrame::Welcome(welcome) => {
                    let conversations = welcome.conversation.iter().chain(&welcome.conversations);
                    conversations.map(summary_weight).sum::<usize>()
                        + welcome
                            .agents
                            .iter()
                            .map(|a| ITEM + a.name.len())
                            .sum::<usize>()
                        + welcome.name.len()
                }
                ServerFrame::Conversation(summary) => summary_weight(summary),
                ServerFrame::Agent(agent) => agent.name.len(),
                ServerFrame::Ack(ack) => ack.client_id.len(),
                ServerFrame::Error(error) => error.message.len(),
                ServerFrame::Labels(labels) => 8 * labels.labels.len(),
                ServerFrame::Synced(_)
                | ServerFrame::Resync(_)
                | ServerFrame::Typing(_)
                | ServerFrame::ReadUpTo(_)
                | ServerFrame::QueuePosition(_)
                | ServerFrame::Availability(_)
                | ServerFrame::Rating(_) => 0,
            }
    }
}

fn message_weight(message: &Message) -> usize {
    ITEM + message.body.len()
        + message.author.name.len()
        + message.client_id.as_ref().map_or(0, String::len)
        + message.event.as_ref().map_or(0, |_| ITEM)
}

fn summary_weight(summary: &ConversationSummary) -> usize {
    ITEM + summary.site.len()
        + summary.preview.len()
        + summary.visitor_name.as_ref().map_or(0, String::len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Ack, Author, AuthorKind};

    fn message(body: &str) -> ServerFrame {
        ServerFrame::Message(Message {
            conversation: 1,
            seq: 1,
            at_ms: 0,
            author: Author {
                kind: AuthorKind::Visitor,
                id: 7,
                name: "Ann".into(),
            },
            body: body.into(),
            client_id: Some("c1".into()),
            event: None,
        })
    }

    #[test]
    fn a_message_weighs_its_text_and_a_small_fixed_part() {
        let long = "x".repeat(1 << 20);
        let weight = message(&long).queued_weight();
        assert!(weight >= long.len(), "{weight}");
        assert!(weight < long.len() + 1024, "{weight}");
        let ack = ServerFrame::Ack(Ack {
            client_id: "c1".into(),
            conversation: 1,
            seq: 1,
            duplicate: false,
        });
        assert!(ack.queued_weight() < 1024);
    }
}
