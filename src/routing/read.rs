//! What the router answers without changing anything: where a conversation sits, the
//! queue, and each agent's load, capacity and presence.

use super::{AgentId, ConversationId, Placement, Presence, Router};

impl Router {
    /// Where an open conversation sits; `None` if it is not open. A queued position costs a
    /// walk over the queue ahead of it: to refresh every waiting visitor, enumerate
    /// [`Router::queued`] instead (one pass).
    pub fn placement(&self, conv: ConversationId) -> Option<Placement> {
        let open = self.open.get(&conv)?;
        Some(match open.agent {
            Some(agent) => Placement::Assigned(agent),
            None if open.with_bot => Placement::WithBot,
            None => Placement::Queued {
                position: self.line.position(open.ticket),
            },
        })
    }

    /// 1-based queue position of a queued conversation (O(queue length); see
    /// [`Router::placement`]).
    pub fn queue_position(&self, conv: ConversationId) -> Option<usize> {
        match self.placement(conv)? {
            Placement::Queued { position } => Some(position),
            Placement::Assigned(_) | Placement::WithBot => None,
        }
    }

    /// Queued conversations, next in line first: the `n`th item (from 0) has position `n + 1`.
    pub fn queued(&self) -> impl Iterator<Item = ConversationId> + '_ {
        self.line.iter()
    }

    /// Number of queued conversations.
    pub fn queue_len(&self) -> usize {
        self.line.len()
    }

    /// The agent handling a conversation; `None` if queued, with the bot or not open.
    pub fn assignee(&self, conv: ConversationId) -> Option<AgentId> {
        self.open.get(&conv)?.agent
    }

    /// Number of open conversations assigned to an agent (0 if unknown).
    pub fn open_count(&self, agent: AgentId) -> usize {
        self.agents.get(&agent).map_or(0, |a| a.open.len())
    }

    /// An agent's capacity; `None` if unknown.
    pub fn capacity(&self, agent: AgentId) -> Option<u32> {
        self.agents.get(&agent).map(|a| a.capacity)
    }

    /// An agent's presence; `None` if unknown.
    pub fn presence(&self, agent: AgentId) -> Option<Presence> {
        self.agents.get(&agent).map(|a| a.presence)
    }

    /// Whether an agent is known and enabled.
    pub fn is_enabled(&self, agent: AgentId) -> bool {
        self.agents.get(&agent).is_some_and(|a| a.enabled)
    }

    /// An agent's open conversations in id order (none if unknown).
    pub fn conversations_of(&self, agent: AgentId) -> impl Iterator<Item = ConversationId> + '_ {
        self.agents
            .get(&agent)
            .into_iter()
            .flat_map(|a| a.open.iter().copied())
    }
}
