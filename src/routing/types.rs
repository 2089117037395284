//! The router's vocabulary: presence, placements, refusals and what a transfer changed.

/// Identifies an agent (a staff account), as stored.
pub type AgentId = u64;
/// Identifies a conversation, as stored; ids increase in creation order.
pub type ConversationId = u64;

/// Whether an agent can take new conversations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Connected and accepting conversations: the only state that gets auto-assignments.
    Online,
    /// Connected but not accepting new conversations; keeps the ones they have.
    Away,
    /// Not connected; keeps their conversations until the hub calls
    /// [`Router::requeue_agent`] after the grace period.
    Offline,
}

/// Where an open conversation sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Handled by this agent.
    Assigned(AgentId),
    /// Waiting; `position` is 1-based (1 = next in line).
    Queued {
        /// 1-based place in the queue.
        position: usize,
    },
    /// The bot answers it; no agent has it and it is not in line.
    WithBot,
}

/// Why the router refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    /// The agent was never added with [`Router::add_agent`].
    #[error("unknown agent {0}")]
    UnknownAgent(AgentId),
    /// The agent is disabled and may not take conversations.
    #[error("agent {0} is disabled")]
    AgentDisabled(AgentId),
    /// The target of a transfer must be online.
    #[error("agent {0} is not online")]
    AgentNotOnline(AgentId),
    /// The conversation is not open (never placed, or closed).
    #[error("conversation {0} is not open")]
    UnknownConversation(ConversationId),
    /// Only an assigned conversation can be transferred; a queued one is claimed.
    #[error("conversation {0} is not assigned to anyone")]
    NotAssigned(ConversationId),
    /// Only a queued conversation, or one with the bot, can be claimed.
    #[error("conversation is already assigned to agent {0}")]
    AlreadyAssignedTo(AgentId),
    /// A transfer to the agent who already has the conversation.
    #[error("conversation is already with agent {0}")]
    SameAgent(AgentId),
}

/// What a successful [`Router::transfer`] changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferOutcome {
    /// The agent who had the conversation before.
    pub previous: AgentId,
    /// Queued conversations assigned because the previous agent's load dropped.
    pub assigned: Vec<(ConversationId, AgentId)>,
}
