//! Chat traffic in the hub: sends (opening conversations on a visitor's first message),
//! their committed results (ack, fan-out), sync subscriptions, notes and visitor profiles.

use std::time::Instant;

use crate::protocol::{
    AuthorKind, ClientFrame, ConversationStatus, ErrorCode, Resync, Send, SendFiles, ServerFrame,
};
use crate::search::tokens::TermCounts;
use crate::store::{NewAttachment, NewMessage, WriteOp, file_token};
use crate::timer::unix_ms;

use super::Hub;
use super::event::{Asker, ConnId, Identity, Outbound, WriteTag};
use super::live::LiveConversation;

/// A send as the hub takes it.
pub(super) struct Sending {
    /// The frame's fields.
    pub(super) send: Send,
    /// Its uploads, each with a fresh download token.
    pub(super) attachments: Vec<NewAttachment>,
    /// The search terms of `send.body`, when its connection counted them
    /// (`ws::frame_terms`): then this task does not (with uploads, the writer adds the
    /// terms of their names).
    pub(super) terms: Option<TermCounts>,
}

impl Sending {
    /// A send without uploads.
    pub(super) fn plain(send: Send, terms: Option<TermCounts>) -> Sending {
        Sending {
            send,
            attachments: Vec::new(),
            terms,
        }
    }
}

impl Hub {
    pub(super) async fn on_frame(
        &mut self,
        conn: ConnId,
        frame: ClientFrame,
        terms: Option<TermCounts>,
        received: Instant,
    ) {
        let Some(identity) = self.conns.identity(conn).cloned() else {
            self.refuse(
                conn,
                ErrorCode::UnexpectedFrame,
                "say hello first",
                None,
                None,
            );
            return;
        };
        match (identity, frame) {
            (Identity::Visitor { id, site }, ClientFrame::Send(send)) => {
                let sending = Sending::plain(send, terms);
                self.visitor_send(conn, id, site, sending, received).await
            }
            (Identity::Agent { id }, ClientFrame::Send(send)) => {
                let sending = Sending::plain(send, terms);
                self.agent_send(Asker::Conn(conn), id, sending, received)
                    .await
            }
            (Identity::Visitor { id, site }, ClientFrame::SendFiles(files)) => {
                if let Some(send) = self.with_files(conn, files, terms) {
                    self.visitor_send(conn, id, site, send, received).await
                }
            }
            (Identity::Agent { id }, ClientFrame::SendFiles(files)) => {
                if let Some(send) = self.with_files(conn, files, terms) {
                    self.agent_send(Asker::Conn(conn), id, send, received).await
                }
            }
            (Identity::Agent { id }, ClientFrame::Note(note)) => {
                let note = (note, terms);
                self.agent_note(Asker::Conn(conn), id, note, received).await
            }
            (Identity::Visitor { id, .. }, ClientFrame::Profile(profile)) => {
                self.visitor_profile(conn, id, profile).await
            }
            (Identity::Visitor { id, .. }, ClientFrame::Rate(rate)) => {
                self.rate(conn, id, rate).await
            }
            (Identity::Visitor { id, .. }, ClientFrame::BotFeedback(feedback)) => {
                self.bot_feedback(conn, id, feedback).await
            }
            (who, ClientFrame::Sync(sync)) => {
                self.on_sync(conn, &who, sync.conversation, sync.after_seq)
            }
            (who, ClientFrame::Typing(t)) => self.on_typing(conn, &who, t.conversation, t.on),
            (who, ClientFrame::Read(r)) => self.on_read(conn, &who, r.conversation, r.seq).await,
            (Identity::Agent { id }, frame) => self.agent_action(conn, id, frame).await,
            (Identity::Visitor { .. }, _) => self.refuse(
                conn,
                ErrorCode::Forbidden,
                "only agents can do that",
                None,
                None,
            ),
        }
    }

    /// Sends an error frame to one connection.
    pub(super) fn refuse(
        &mut self,
        conn: ConnId,
        code: ErrorCode,
        message: impl Into<String>,
        client_id: Option<String>,
        conversation: Option<u64>,
    ) {
        self.metrics.frames_rejected_total.inc();
        let mut frame = code.frame(message);
        frame.client_id = client_id;
        frame.conversation = conversation;
        self.send_to(conn, ServerFrame::Error(frame));
    }

    /// A `send_files` as a `send` and its attachments, each with a fresh download
    /// token (its upload ids were checked by `ws::frame_check`), and its caption's terms.
    fn with_files(
        &mut self,
        conn: ConnId,
        files: SendFiles,
        terms: Option<TermCounts>,
    ) -> Option<Sending> {
        let mut attachments = Vec::with_capacity(files.uploads.len());
        for upload in &files.uploads {
            match (file_token::parse(upload), file_token::new()) {
                (Some(upload), Ok(token)) => attachments.push(NewAttachment { upload, token }),
                _ => {
                    let why = "the files could not be attached; try again";
                    self.refuse(conn, ErrorCode::Internal, why, Some(files.client_id), None);
                    return None;
                }
            }
        }
        let send = Send {
            conversation: files.conversation,
            client_id: files.client_id,
            body: files.body,
        };
        Some(Sending {
            send,
            attachments,
            terms,
        })
    }

    async fn visitor_send(
        &mut self,
        conn: ConnId,
        visitor: u64,
        site: String,
        Sending {
            send,
            attachments,
            terms,
        }: Sending,
        received: Instant,
    ) {
        // A conversation whose close is being committed counts as closed already.
        let open = self
            .conversations
            .open_for(visitor, &site)
            .filter(|c| self.conversations.get(c).is_some_and(|c| !c.closing));
        if let Some(asked) = send.conversation
            && Some(asked) != open
        {
            let (code, why) = if self.visitor_owns(visitor, asked) {
                (
                    ErrorCode::Conflict,
                    "that conversation is closed; send without a conversation to start a new one",
                )
            } else {
                (
                    ErrorCode::NotFound,
                    "no such conversation; send without a conversation to start a new one",
                )
            };
            self.refuse(conn, code, why, Some(send.client_id), Some(asked));
            return;
        }
        let message = NewMessage {
            attachments,
            author_kind: AuthorKind::Visitor.into(),
            author_id: visitor,
            author_name: String::new(),
            body: send.body,
            client_id: Some(send.client_id.clone()),
            event: None,
            at_ms: unix_ms(),
        };
        let (op, opened) = match open {
            Some(conversation) => (
                WriteOp::Append {
                    conversation,
                    message,
                },
                false,
            ),
            None => {
                let status = if self.bot.is_some() {
                    ConversationStatus::Bot
                } else {
                    ConversationStatus::Queued
                };
                let conversation = self.open_conversation(visitor, &site);
                (
                    WriteOp::OpenConversation {
                        conversation,
                        status: status.into(),
                        visitor,
                        site,
                        message,
                        visitor_details: self.unsaved_visitors.get(&visitor).cloned(),
                    },
                    true,
                )
            }
        };
        let tag = WriteTag::Send {
            from: Asker::Conn(conn),
            client_id: send.client_id,
            received,
            opened,
        };
        self.write_counted(op, tag, terms).await;
    }

    /// Creates the live side of a new conversation (made durable by the first message's
    /// write) and subscribes all of the visitor's connections: they have missed nothing.
    fn open_conversation(&mut self, visitor: u64, site: &str) -> u64 {
        self.next_conversation += 1;
        let id = self.next_conversation;
        let now = self.config.now_ms();
        self.conversations.open(
            id,
            LiveConversation {
                visitor_name: self.visitor_names.get(&visitor).cloned(),
                ..LiveConversation::new(visitor, site.to_string(), now)
            },
        );
        let conns: Vec<ConnId> = self.conns.of_visitor(visitor).to_vec();
        for conn in conns {
            let same_site = matches!(
                self.conns.identity(conn),
                Some(Identity::Visitor { site: s, .. }) if s == site
            );
            if same_site {
                self.subscribe(conn, id);
            }
        }
        id
    }

    /// An agent's message (over WebSocket, or the HTTP API: `from`), in a conversation
    /// assigned to them.
    pub(super) async fn agent_send(
        &mut self,
        from: Asker,
        agent: u64,
        Sending {
            send,
            attachments,
            terms,
        }: Sending,
        received: Instant,
    ) {
        let Some(conversation) = send.conversation else {
            self.refuse_to(
                &from,
                ErrorCode::InvalidField,
                "agents must name the conversation",
                Some(send.client_id),
                None,
            );
            return;
        };
        let Some(live) = self.conversations.get(&conversation) else {
            self.refuse_to(
                &from,
                ErrorCode::Conflict,
                "the conversation is closed or unknown",
                Some(send.client_id),
                Some(conversation),
            );
            return;
        };
        if live.closing || self.stored_assignee(conversation) != Some(agent) {
            let why = "the conversation is not assigned to you; claim it first";
            self.refuse_to(
                &from,
                ErrorCode::NotAssigned,
                why,
                Some(send.client_id),
                Some(conversation),
            );
            return;
        }
        let name = self
            .agents
            .get(&agent)
            .map(|a| a.account.name.clone())
            .unwrap_or_default();
        let message = NewMessage {
            attachments,
            author_kind: AuthorKind::Agent.into(),
            author_id: agent,
            author_name: name,
            body: send.body,
            client_id: Some(send.client_id),
            event: None,
            at_ms: unix_ms(),
        };
        self.append_sent(from, conversation, (message, terms), received)
            .await;
    }

    /// An internal note: any agent may add one to an open conversation; only agents see it.
    pub(super) async fn agent_note(
        &mut self,
        from: Asker,
        agent: u64,
        (note, terms): (crate::protocol::Note, Option<TermCounts>),
        received: Instant,
    ) {
        let open = self
            .conversations
            .get(&note.conversation)
            .is_some_and(|c| !c.closing);
        if !open {
            let why = "the conversation is closed or unknown";
            self.refuse_to(
                &from,
                ErrorCode::Conflict,
                why,
                Some(note.client_id),
                Some(note.conversation),
            );
            return;
        }
        // Its fields were checked at the edge (`ws::frame_check`).
        let message = NewMessage {
            attachments: Vec::new(),
            author_kind: AuthorKind::Agent.into(),
            author_id: agent,
            author_name: self
                .agents
                .get(&agent)
                .map(|a| a.account.name.clone())
                .unwrap_or_default(),
            body: note.body,
            client_id: Some(note.client_id),
            event: Some(crate::protocol::ConversationEvent::Note.into()),
            at_ms: unix_ms(),
        };
        self.append_sent(from, note.conversation, (message, terms), received)
            .await;
    }

    /// A visitor's name/email: stored, and agents see the name at once.
    async fn visitor_profile(
        &mut self,
        conn: ConnId,
        visitor: u64,
        profile: crate::protocol::Profile,
    ) {
        let name = profile
            .name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        let email = profile
            .email
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty());
        if name
            .as_ref()
            .is_some_and(|n| n.chars().count() > 80 || n.chars().any(char::is_control))
        {
            self.refuse(
                conn,
                ErrorCode::InvalidField,
                "the name must be 1-80 printable characters",
                None,
                None,
            );
            return;
        }
        let plausible = |e: &String| {
            e.len() <= 254
                && e.split_once('@')
                    .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
        };
        if email.as_ref().is_some_and(|e| !plausible(e)) {
            self.refuse(
                conn,
                ErrorCode::InvalidField,
                "that does not look like an email address",
                None,
                None,
            );
            return;
        }
        if let Some(name) = &name {
            self.visitor_names.insert(visitor, name.clone());
            let mine: Vec<u64> = self
                .conversations
                .iter()
                .filter(|(_, c)| c.visitor == visitor)
                .map(|(id, _)| *id)
                .collect();
            for id in mine {
                if let Some(live) = self.conversations.get_mut(&id) {
                    live.visitor_name = Some(name.clone());
                }
                if let Some(summary) = self.summary_of(id) {
                    self.announce_conversation(summary, None);
                }
            }
        }
        // A visitor with no record yet: the profile's commit creates it.
        let update = crate::store::VisitorUpdate {
            name,
            email,
            ..self
                .unsaved_visitors
                .get(&visitor)
                .cloned()
                .unwrap_or_default()
        };
        let op = WriteOp::UpsertVisitor {
            id: visitor,
            token_digest: None,
            update,
        };
        self.write(op, WriteTag::Background("visitor profile"))
            .await;
    }

    fn on_sync(&mut self, conn: ConnId, who: &Identity, conversation: u64, after_seq: u64) {
        if let (Identity::Visitor { id, .. }, Some(live)) =
            (who, self.conversations.get(&conversation))
            && live.visitor != *id
        {
            self.refuse(
                conn,
                ErrorCode::NotFound,
                "no such conversation",
                None,
                Some(conversation),
            );
            return;
        }
        self.subscribe(conn, conversation);
        match self.conversations.get(&conversation).map(|c| c.last_seq) {
            Some(last) if after_seq > last => {
                let frame = ServerFrame::Resync(Resync {
                    conversation,
                    server_seq: last,
                    reason: "the server has fewer messages than you; drop yours and sync from 0"
                        .into(),
                });
                self.send_to(conn, frame);
            }
            upto => self.deliver(
                conn,
                Outbound::Replay {
                    conversation,
                    after_seq,
                    upto_seq: upto,
                },
            ),
        }
    }
}
