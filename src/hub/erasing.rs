//! A visitor's erasure (GDPR, `DELETE /api/v1/visitors/ID`) in live state. The hub
//! closes the visitor's connections at once (1008 "visitor erased") and refuses their
//! hellos from then on, so nothing of theirs is written while the erasure is; then it
//! sends the erasure to the writer. When the commit returns, each of their live
//! conversations leaves the router and live state, and agents get its summary once
//! more, closed and without name or preview, so consoles drop it (a sync of it is then
//! `not_found`). A failed commit leaves every conversation where it was; the visitor
//! may connect again.
//!
//! Visitor ids are never handed out again, so the set of erased ids only grows, by one
//! id per erasure in this run; the store keeps them too (`store::erase`), and the hello
//! treats an erased visitor's token as no token, after a restart as well.

use crate::protocol::ConversationStatus;
use crate::store::{Outcome, StoreError, WriteOp};

use super::Hub;
use super::event::{EraseReply, WriteTag};

/// The close code and reason the erased visitor's connections get.
const ERASED: (u16, &str) = (1008, "visitor erased");

impl Hub {
    /// `Event::EraseVisitor`: cut the visitor off, then write `op` (the erasure, audited).
    pub(super) async fn on_erase_visitor(&mut self, visitor: u64, op: WriteOp, reply: EraseReply) {
        let newly = self.erased_visitors.insert(visitor);
        for conn in self.conns.of_visitor(visitor).to_vec() {
            self.kill(conn, ERASED.0, ERASED.1);
        }
        let tag = WriteTag::Erased {
            visitor,
            newly,
            reply,
        };
        self.write(op, tag).await;
    }

    /// True (and the connection closed) for a hello from an erased visitor.
    pub(super) fn refuse_erased(&mut self, conn: super::ConnId, visitor: u64) -> bool {
        if !self.erased_visitors.contains(&visitor) {
            return false;
        }
        self.kill(conn, ERASED.0, ERASED.1);
        true
    }

    /// The erasure came back from the writer.
    pub(super) async fn on_erase_written(
        &mut self,
        visitor: u64,
        newly: bool,
        reply: EraseReply,
        result: Result<Outcome, StoreError>,
    ) {
        if result.is_err() {
            // Unless an earlier erasure of this id was committed.
            if newly {
                self.erased_visitors.remove(&visitor);
            }
            let _ = reply.try_send(result);
            return;
        }
        let theirs: Vec<u64> = self
            .conversations
            .iter()
            .filter(|(_, live)| live.visitor == visitor)
            .map(|(id, _)| *id)
            .collect();
        for conversation in theirs {
            self.forget_erased(conversation).await;
        }
        self.refresh_totals();
        let _ = reply.try_send(result);
    }

    /// One erased conversation leaves the router and live state; agents see it closed.
    async fn forget_erased(&mut self, conversation: u64) {
        let agent = self.router.assignee(conversation);
        let Some(mut summary) = self.summary_of(conversation) else {
            return;
        };
        summary.status = ConversationStatus::Closed;
        summary.agent = agent;
        summary.queue_position = None;
        summary.visitor_name = None;
        summary.preview = String::new();
        self.pending.forget(conversation);
        let assigned = self.router.close(conversation);
        self.announce_conversation(summary, None);
        self.retire(conversation);
        if let Some(a) = agent {
            self.broadcast_agent_info(a);
        }
        self.apply_assignments(assigned).await;
    }
}
