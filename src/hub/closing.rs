//! Closing conversations, and the system messages that record status changes.
//!
//! A close enters live state only when its commit returns, as messages do: until then
//! the conversation stays open everywhere (its placement in the router, its entry in
//! the visitor index of `Convs`), only marked `closing` so it is not closed twice. If the commit
//! fails nothing has to be undone: the store and live state both still say open, and
//! whoever asked is told the close was not stored.

use crate::protocol::{AuthorKind, ConversationEvent, ConversationStatus, ErrorCode};
use crate::store::{Appended, NewMessage, StoreError};
use crate::timer::unix_ms;

use super::Hub;
use super::event::{Asker, WriteTag};
use super::live::TimerEvent;
use super::texts;

impl Hub {
    /// Closes an open conversation (`by` = 0 for inactivity; `asker` = who asked). The
    /// change is applied by [`Hub::on_close_written`] once it is committed.
    pub(super) async fn close_conversation(
        &mut self,
        conversation: u64,
        by: u64,
        asker: Option<Asker>,
    ) {
        let Some(live) = self.conversations.get_mut(&conversation) else {
            return;
        };
        live.closing = true;
        let agent = self.stored_assignee(conversation);
        let tag = WriteTag::Closed {
            conversation,
            by,
            asker,
        };
        let (status, event) = (ConversationStatus::Closed, ConversationEvent::Closed { by });
        self.write_status(conversation, status, agent, event, by, tag)
            .await;
    }

    /// The close of `conversation` came back from the writer: applied to live state if
    /// committed, forgotten (and the asker told) if not.
    pub(super) async fn on_close_written(
        &mut self,
        conversation: u64,
        asker: Option<Asker>,
        result: Result<Appended, StoreError>,
    ) {
        let appended = match result {
            Ok(appended) => appended,
            Err(e) => {
                let retry = self.config.now_ms() + self.config.idle_close_ms;
                if let Some(live) = self.conversations.get_mut(&conversation) {
                    live.closing = false;
                    // An idle close gave up its timer: check again one idle period on.
                    if live.idle_timer.is_none() && self.config.idle_close_ms > 0 {
                        let check = TimerEvent::IdleClose(conversation);
                        live.idle_timer = Some(self.wheel.insert(retry, check));
                    }
                }
                tracing::warn!(conversation, error = %e, "close not stored");
                if let Some(asker) = &asker {
                    self.refuse_unstored(asker, conversation, "the close", &e);
                }
                return;
            }
        };
        let agent = self.router.assignee(conversation);
        let Some(live) = self.conversations.get(&conversation) else {
            return;
        };
        let mut summary = live.summary(conversation, None);
        summary.agent = agent;
        let assigned = self.router.close(conversation);
        self.announce_conversation(summary, None);
        // The closing message goes out, then the live entry is retired.
        let seq = appended.seq;
        self.committed(appended, None);
        if let Some(asker) = &asker {
            Hub::tell_committed(asker, conversation, seq);
        }
        self.retire(conversation);
        if let Some(a) = agent {
            self.broadcast_agent_info(a);
        }
        self.apply_assignments(assigned).await;
        self.refresh_totals();
    }

    /// A reopen whose commit failed: the store still has the conversation closed, so it
    /// leaves the router and live state again (nobody was told it reopened).
    pub(super) async fn undo_reopen(&mut self, conversation: u64) {
        let assigned = self.router.close(conversation);
        self.retire(conversation);
        self.apply_assignments(assigned).await;
    }

    /// Tells `asker` that `what` it asked for in `conversation` was not stored.
    pub(super) fn refuse_unstored(
        &mut self,
        asker: &Asker,
        conversation: u64,
        what: &str,
        e: &StoreError,
    ) {
        let code = if e.is_unavailable() {
            ErrorCode::StorageUnavailable
        } else {
            ErrorCode::Conflict
        };
        let why = format!("{what} was not stored: {e}");
        self.refuse_to(asker, code, why, None, Some(conversation));
    }

    /// A system message recording `event`, with its English text; one that introduces
    /// an agent (a join, a transfer) carries that agent's display name as its author's
    /// name (see [`texts::named_agent`]).
    pub(super) fn system_message(&self, event: &ConversationEvent) -> NewMessage {
        let named = texts::named_agent(event).and_then(|agent| self.agents.get(&agent));
        NewMessage {
            attachments: Vec::new(),
            author_kind: AuthorKind::System.into(),
            author_id: 0,
            author_name: named.map(|a| a.account.name.clone()).unwrap_or_default(),
            body: self.describe(event, 0),
            client_id: None,
            event: Some(event.clone().into()),
            at_ms: unix_ms(),
        }
    }

    /// The English text of a system message (see [`texts`]).
    pub(super) fn describe(&self, event: &ConversationEvent, by: u64) -> String {
        texts::describe(event, by, |agent| {
            self.agents
                .get(&agent)
                .map(|a| a.account.name.clone())
                .unwrap_or_else(|| texts::unknown_agent(agent))
        })
    }
}
