//! Typing indicators and read receipts in the hub, and how a frame's conversation is
//! resolved (visitors default to their open one).

use crate::protocol::{Author, AuthorKind, ErrorCode, ReadUpTo, ServerFrame, TypingNotice};
use crate::store::WriteOp;

use super::Hub;
use super::event::{ConnId, Identity, WriteTag};
use super::live::TimerEvent;

impl Hub {
    fn author_of(&self, who: &Identity) -> crate::protocol::Author {
        match who {
            Identity::Visitor { id, .. } => Author {
                kind: AuthorKind::Visitor,
                id: *id,
                name: String::new(),
            },
            Identity::Agent { id } => Author {
                kind: AuthorKind::Agent,
                id: *id,
                name: self
                    .agents
                    .get(id)
                    .map(|a| a.account.name.clone())
                    .unwrap_or_default(),
            },
        }
    }

    /// Resolves the conversation a frame is about: visitors default to their open one.
    fn target(&self, who: &Identity, asked: Option<u64>) -> Option<u64> {
        match who {
            Identity::Visitor { id, site } => {
                let open = self.conversations.open_for(*id, site);
                match asked {
                    Some(c) if Some(c) != open => None,
                    _ => open,
                }
            }
            Identity::Agent { .. } => asked.filter(|c| self.conversations.contains_key(c)),
        }
    }

    /// [`Hub::target`], refusing the frame when there is no such open conversation:
    /// `conflict` for a visitor's own closed conversation, else `not_found`.
    fn open_target(&mut self, conn: ConnId, who: &Identity, asked: Option<u64>) -> Option<u64> {
        let found = self.target(who, asked);
        if found.is_none() {
            let (code, why) = match (who, asked) {
                (Identity::Visitor { id, .. }, Some(c)) if self.visitor_owns(*id, c) => {
                    (ErrorCode::Conflict, "that conversation is closed")
                }
                _ => (ErrorCode::NotFound, "no such open conversation"),
            };
            self.refuse(conn, code, why, None, asked);
        }
        found
    }

    /// Whether `conversation` is (or was) the visitor's: live state, else storage.
    /// Only asked when refusing a frame, so the point read costs honest clients nothing;
    /// the answer picks between `conflict` (yours, but closed) and `not_found` (missing
    /// or someone else's: a stranger learns nothing about which ids exist).
    pub(super) fn visitor_owns(&self, visitor: u64, conversation: u64) -> bool {
        match self.conversations.get(&conversation) {
            Some(live) => live.visitor == visitor,
            None => matches!(
                self.store.conversation(conversation),
                Ok(Some(c)) if c.visitor == visitor
            ),
        }
    }

    pub(super) fn on_typing(&mut self, conn: ConnId, who: &Identity, asked: Option<u64>, on: bool) {
        let Some(conversation) = self.open_target(conn, who, asked) else {
            return;
        };
        let author = self.author_of(who);
        let deadline = self.config.now_ms() + self.config.typing_expiry_ms;
        let Some(live) = self.conversations.get_mut(&conversation) else {
            return;
        };
        if let Some(i) = live
            .typing
            .iter()
            .position(|(k, id, _)| *k == author.kind && *id == author.id)
        {
            let (_, _, timer) = live.typing.swap_remove(i);
            self.wheel.cancel(timer);
        }
        if on {
            let timer = self.wheel.insert(
                deadline,
                TimerEvent::TypingOff {
                    conversation,
                    kind: author.kind,
                    id: author.id,
                },
            );
            if let Some(live) = self.conversations.get_mut(&conversation) {
                live.typing.push((author.kind, author.id, timer));
            }
        }
        self.publish(
            conversation,
            ServerFrame::Typing(TypingNotice {
                conversation,
                author,
                on,
            }),
            Some(conn),
        );
    }

    /// Typing timer ran out: tell everyone the person stopped.
    pub(super) fn on_typing_expired(&mut self, conversation: u64, kind: AuthorKind, id: u64) {
        let Some(live) = self.conversations.get_mut(&conversation) else {
            return;
        };
        live.typing.retain(|(k, i, _)| !(*k == kind && *i == id));
        let who = match kind {
            AuthorKind::Visitor => Identity::Visitor {
                id,
                site: live.site.clone(),
            },
            _ => Identity::Agent { id },
        };
        let author = self.author_of(&who);
        self.publish(
            conversation,
            ServerFrame::Typing(TypingNotice {
                conversation,
                author,
                on: false,
            }),
            None,
        );
    }

    pub(super) async fn on_read(
        &mut self,
        conn: ConnId,
        who: &Identity,
        asked: Option<u64>,
        seq: u64,
    ) {
        let Some(conversation) = self.open_target(conn, who, asked) else {
            return;
        };
        let (reader, side) = match who {
            Identity::Visitor { .. } => (AuthorKind::Visitor, 0u8),
            Identity::Agent { .. } => (AuthorKind::Agent, 1u8),
        };
        let Some(live) = self.conversations.get_mut(&conversation) else {
            return;
        };
        let seq = seq.min(live.last_seq);
        if seq <= live.read[side as usize] {
            return;
        }
        live.read[side as usize] = seq;
        self.publish(
            conversation,
            ServerFrame::ReadUpTo(ReadUpTo {
                conversation,
                reader,
                seq,
            }),
            Some(conn),
        );
        self.write(
            WriteOp::SetRead {
                conversation,
                reader: side,
                seq,
            },
            WriteTag::Background("read receipt"),
        )
        .await;
    }
}
