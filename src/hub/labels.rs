//! Labels in the hub: an agent's `label` frame becomes a write; when it is committed
//! every agent connection hears the conversation's labels (a `labels` frame), and a
//! live conversation keeps them for the next agent's welcome. Automatic labels (a
//! hand-off reason, an FAQ answer) come back with their message's commit and an
//! admin's deletion of a label as [`super::Event::LabelDeleted`]; both end here too.
//! The store checks the conversation, the label and the limits; the hub only relays.

use crate::protocol::{ConversationLabels, ErrorCode, ServerFrame, SetLabel};
use crate::store::label_records::LabelOp;
use crate::store::{Outcome, StoreError, WriteOp};

use super::Hub;
use super::event::{Asker, ConnId, WriteTag};

impl Hub {
    /// An agent adds a label to a conversation (open or closed) or takes it off.
    pub(super) async fn set_label(&mut self, asker: Asker, l: SetLabel) {
        let op = WriteOp::Labels(LabelOp::Tag {
            conversation: l.conversation,
            label: l.label,
            on: l.on,
        });
        let tag = WriteTag::Labelled {
            asker,
            conversation: l.conversation,
        };
        self.write(op, tag).await;
    }

    /// A `label` write came back: everyone hears of a change, the asker of a refusal.
    pub(super) fn on_labelled(
        &mut self,
        asker: Asker,
        conversation: u64,
        result: Result<Outcome, StoreError>,
    ) {
        match result {
            Ok(Outcome::Labels {
                conversation,
                labels,
            }) => self.labels_committed(conversation, labels),
            Ok(other) => tracing::error!(?other, "unexpected outcome of a label write"),
            Err(e) => {
                let code = match &e {
                    StoreError::NotFound(_) => ErrorCode::NotFound,
                    StoreError::Conflict(_) => ErrorCode::Conflict,
                    _ => ErrorCode::StorageUnavailable,
                };
                self.refuse_to(&asker, code, e.to_string(), None, Some(conversation));
            }
        }
    }

    /// A conversation's labels changed in a commit: kept for a live conversation and
    /// sent to every agent connection.
    pub(super) fn labels_committed(&mut self, conversation: u64, labels: Vec<u64>) {
        if let Some(live) = self.conversations.get_mut(&conversation) {
            live.labels = labels.clone();
        }
        self.send_to_agents(ServerFrame::Labels(ConversationLabels {
            conversation,
            labels,
        }));
    }

    /// After an agent's welcome: the labels of every open conversation that has any.
    pub(super) fn send_labels_after_welcome(&mut self, conn: ConnId) {
        let labelled: Vec<(u64, Vec<u64>)> = self
            .conversations
            .iter()
            .filter(|(_, live)| !live.labels.is_empty())
            .map(|(id, live)| (*id, live.labels.clone()))
            .collect();
        for (conversation, labels) in labelled {
            self.send_to(
                conn,
                ServerFrame::Labels(ConversationLabels {
                    conversation,
                    labels,
                }),
            );
        }
    }
}
