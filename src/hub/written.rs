//! What the hub does when a write comes back from the writer: acknowledge the sender,
//! enter the committed message into live state, fan it out, route a conversation its
//! first message opened, hand a visitor message to the bot. Live state changes here,
//! after the commit, never before it.

use crate::protocol::{Ack, AuthorKind, ErrorCode, ServerFrame};
use crate::store::{Appended, Outcome, StoreError};

use super::Hub;
use super::acts::Acted;
use super::event::{Asker, ConnId, Identity, WriteTag};

/// The message a status write appended, or why there is none.
fn appended(result: Result<Outcome, StoreError>) -> Result<Appended, StoreError> {
    result.and_then(|outcome| match outcome {
        Outcome::Appended(a) => Ok(a),
        other => Err(StoreError::Conflict(format!(
            "unexpected outcome {other:?}"
        ))),
    })
}

impl Hub {
    /// A write came back: acknowledge, fan out, and route new conversations.
    pub(super) async fn on_written(&mut self, tag: WriteTag, result: Result<Outcome, StoreError>) {
        // A message that earned an automatic label changed the labels in its commit.
        if let Ok(Outcome::Appended(Appended {
            conversation,
            labels: Some(labels),
            ..
        })) = &result
        {
            self.labels_committed(*conversation, labels.clone());
        }
        match (tag, result) {
            (
                WriteTag::Labelled {
                    asker,
                    conversation,
                },
                result,
            ) => self.on_labelled(asker, conversation, result),
            (WriteTag::Rated { conn }, result) => self.on_rated(conn, result),
            (
                WriteTag::Send {
                    from,
                    client_id,
                    received,
                    opened,
                },
                Ok(Outcome::Appended(a)),
            ) => {
                let ack = ServerFrame::Ack(Ack {
                    client_id,
                    conversation: a.conversation,
                    seq: a.seq,
                    duplicate: a.duplicate,
                });
                let (conversation, duplicate, seq) = (a.conversation, a.duplicate, a.seq);
                // A new visitor message: the bot reads it if it answers there (checked
                // once the conversation it may just have opened is placed).
                let from_visitor = (!duplicate && a.message.author_kind == AuthorKind::Visitor)
                    .then(|| a.message.body.clone());
                // The bot reads text only: a message with files goes to the agents.
                let with_files = matches!(
                    a.message.event,
                    Some(crate::store::values::StoredEvent::Attachments { .. })
                );
                // Live state first, then the ack: whoever sees the ack sees a hub that
                // already knows the message.
                if duplicate {
                    self.metrics.messages_duplicate_total.inc();
                } else {
                    self.metrics.messages_total.inc();
                    self.committed(a, from.conn());
                }
                // Counted before the ack leaves: whoever sees the ack sees it counted.
                self.metrics
                    .ack_seconds
                    .observe(received.elapsed().as_micros() as u64);
                match &from {
                    Asker::Conn(conn) => self.send_to(*conn, ack),
                    Asker::Api(reply) => {
                        // The request may have gone (its caller hung up): nothing to tell.
                        let _ = reply.try_send(Ok(Acted {
                            conversation,
                            seq,
                            duplicate,
                        }));
                    }
                }
                if opened && !duplicate {
                    self.on_conversation_opened(conversation).await;
                }
                let tapped = from_visitor
                    .as_deref()
                    .and_then(|text| self.tapped_choice(conversation, text));
                if let Some(choice) = tapped {
                    self.answer_choice(conversation, choice).await;
                } else if let Some(text) = from_visitor
                    && self.bot_active(conversation)
                {
                    if with_files {
                        let reason = crate::protocol::HandoffReason::LowConfidence;
                        self.hand_off(conversation, reason, Vec::new()).await;
                    } else {
                        let language = from
                            .conn()
                            .and_then(|conn| self.conns.get(&conn))
                            .and_then(|c| c.language.clone());
                        self.ask_bot(conversation, seq, text, language).await;
                    }
                }
            }
            (
                WriteTag::Send {
                    from,
                    client_id,
                    opened,
                    ..
                },
                Err(e),
            ) => {
                if let (true, Some(conn)) = (opened, from.conn()) {
                    self.forget_unopened(conn);
                }
                let code = match e {
                    // Someone else's upload, or one already sent or expired.
                    StoreError::NotFound("upload") => ErrorCode::NotFound,
                    StoreError::NotFound(_) | StoreError::Conflict(_) => ErrorCode::Conflict,
                    _ => ErrorCode::StorageUnavailable,
                };
                self.refuse_to(
                    &from,
                    code,
                    format!("not stored: {e}"),
                    Some(client_id),
                    None,
                );
            }
            (WriteTag::Status, Ok(Outcome::Appended(a))) => self.committed(a, None),
            (
                WriteTag::Choices {
                    conversation,
                    offered,
                },
                Ok(Outcome::Appended(a)),
            ) => {
                self.committed(a, None);
                self.remember_choices(conversation, offered);
            }
            (
                WriteTag::Placed {
                    conversation,
                    placed,
                    previous,
                    asker,
                },
                result,
            ) => {
                let result = appended(result);
                self.on_placed_written(conversation, placed, previous, asker, result)
                    .await
            }
            (
                WriteTag::Closed {
                    conversation,
                    asker,
                    ..
                },
                result,
            ) => {
                let result = appended(result);
                self.on_close_written(conversation, asker, result).await
            }
            (
                WriteTag::Erased {
                    visitor,
                    newly,
                    reply,
                },
                result,
            ) => self.on_erase_written(visitor, newly, reply, result).await,
            (tag, Err(e)) if e.is_unavailable() => {
                tracing::debug!(?tag, error = %e, "write refused")
            }
            (tag, Err(e)) => tracing::error!(?tag, error = %e, "write failed"),
            (_, Ok(_)) => {}
        }
    }

    /// A new conversation's first write failed: drop its live side.
    fn forget_unopened(&mut self, conn: ConnId) {
        let Some(Identity::Visitor { id, site }) = self.conns.identity(conn).cloned() else {
            return;
        };
        if let Some(conversation) = self.conversations.open_for(id, &site)
            && self
                .conversations
                .get(&conversation)
                .is_some_and(|c| !c.durable)
        {
            self.conversations.remove(conversation);
        }
    }

    /// Records a committed message in live state and sends it to subscribers.
    pub(super) fn committed(&mut self, appended: Appended, origin: Option<ConnId>) {
        let now = self.config.now_ms();
        let Some(live) = self.conversations.get_mut(&appended.conversation) else {
            return;
        };
        live.last_seq = live.last_seq.max(appended.seq);
        live.last_at_ms = appended.message.at_ms;
        live.last_activity_ms = now;
        let note = appended
            .message
            .event
            .as_ref()
            .is_some_and(crate::store::values::StoredEvent::agents_only);
        if crate::store::values::StoredEvent::previewed(
            appended.message.author_kind,
            appended.message.event.as_ref(),
        ) {
            live.preview = crate::store::preview_of_message(&appended.message);
        }
        if appended.message.author_kind == AuthorKind::Agent && !note {
            // A person answers now: the bot's offer is over.
            live.choices.clear();
        }
        let frame = ServerFrame::Message(
            appended
                .message
                .to_wire(appended.conversation, appended.seq),
        );
        if note {
            self.publish_to_agents(appended.conversation, frame, origin);
        } else {
            self.publish(appended.conversation, frame, origin);
        }
    }

    /// Drops a closed conversation from live state once its closing message is out.
    pub(super) fn retire(&mut self, conversation: u64) {
        let Some(live) = self.conversations.remove(conversation) else {
            return;
        };
        for key in live
            .typing
            .iter()
            .map(|(_, _, t)| *t)
            .chain(live.idle_timer)
        {
            self.wheel.cancel(key);
        }
        self.refresh_totals();
    }
}
