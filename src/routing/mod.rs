//! Routing: decides which agent gets each open conversation, and keeps the waiting queue.
//!
//! Pure logic: no I/O, no async, no clock. The hub (the one task that owns live state)
//! keeps one [`Router`], tells it what happened (presence, capacity, conversations opened,
//! closed, reopened, claimed, transferred, agents gone or disabled) and then persists and
//! announces the decisions the router returns.
//!
//! # Rules
//! - **Auto-assignment** picks, among agents that are enabled and [`Presence::Online`]
//!   and hold fewer open conversations than their capacity, the one with the fewest open
//!   conversations; ties go to the agent auto-assigned least recently (fair rotation),
//!   then to the lowest id.
//! - If nobody qualifies, the conversation waits in a FIFO queue; the visitor is shown
//!   their 1-based position. Whenever capacity frees up (an agent comes online, a
//!   conversation closes or moves away, a capacity rises) the queue is drained, oldest
//!   first, each to the then least-busy eligible agent.
//! - Manual actions ([`Router::claim`], [`Router::transfer`]) ignore capacity.
//! - Conversations taken back from an agent ([`Router::requeue_agent`],
//!   [`Router::disable_agent`]) keep their original place in line, so they go ahead of
//!   conversations queued after them.
//! - A conversation can start **with the bot** ([`Router::place_with_bot`]): neither
//!   queued nor assigned, so it holds no agent's capacity and no place in line. The bot
//!   lets go with [`Router::hand_off`] (placed like a new conversation, at the back of
//!   the line), or an agent takes it with [`Router::claim`].
//!
//! # Invariants (checked by the randomized test)
//! 1. Every open conversation is either with the bot, queued once, or assigned to
//!    exactly one agent.
//! 2. Auto-assignment never puts an agent above their capacity (manual actions may).
//! 3. After every call except `restore_*` and [`Router::revert`], if the queue is not
//!    empty then no eligible agent has free capacity (so a new conversation never jumps
//!    the queue); after those, the next [`Router::drain`] restores it.

use std::collections::{BTreeMap, BTreeSet};

use line::{Line, Ticket};

mod line;
mod read;
mod revert;
mod types;

pub use types::{AgentId, ConversationId, Placement, Presence, RoutingError, TransferOutcome};

/// One agent as the router sees it.
#[derive(Debug)]
struct Agent {
    /// Most conversations auto-assignment may give this agent.
    capacity: u32,
    /// Current presence; starts [`Presence::Offline`].
    presence: Presence,
    /// Disabled agents get nothing, not even restored conversations.
    enabled: bool,
    /// Open conversations assigned to this agent.
    open: BTreeSet<ConversationId>,
    /// Stamp of this agent's latest auto-assignment (0 = never), for fair rotation.
    last_auto: u64,
}

impl Agent {
    /// Whether auto-assignment may give this agent one more conversation.
    fn has_room(&self) -> bool {
        self.enabled
            && self.presence == Presence::Online
            && (self.open.len() as u64) < u64::from(self.capacity)
    }
}

/// An open conversation.
#[derive(Debug)]
struct Open {
    /// Its place in line whenever it is queued.
    ticket: Ticket,
    /// Who handles it; `None` while queued or with the bot.
    agent: Option<AgentId>,
    /// The bot answers it (then `agent` is `None` and it is not in line).
    with_bot: bool,
}

/// Routing state: agents, open conversations and the waiting queue. See the module docs.
#[derive(Debug)]
pub struct Router {
    /// Capacity of agents added without their own.
    default_capacity: u32,
    /// Every known agent.
    agents: BTreeMap<AgentId, Agent>,
    /// Every open conversation, queued or assigned.
    open: BTreeMap<ConversationId, Open>,
    /// Queued conversations in line order.
    line: Line,
    /// Last auto-assignment stamp handed out.
    rotation: u64,
}

impl Router {
    /// An empty router; agents added without a capacity get `default_capacity`.
    pub fn new(default_capacity: u32) -> Self {
        Router {
            default_capacity,
            agents: BTreeMap::new(),
            open: BTreeMap::new(),
            line: Line::default(),
            rotation: 0,
        }
    }

    /// Makes an agent known (from storage or newly created): enabled, [`Presence::Offline`],
    /// with `capacity` or the default. Returns `false`, changing nothing, if already known.
    pub fn add_agent(&mut self, id: AgentId, capacity: Option<u32>) -> bool {
        if self.agents.contains_key(&id) {
            return false;
        }
        let agent = Agent {
            capacity: capacity.unwrap_or(self.default_capacity),
            presence: Presence::Offline,
            enabled: true,
            open: BTreeSet::new(),
            last_auto: 0,
        };
        self.agents.insert(id, agent);
        true
    }

    /// Changes an agent's capacity; conversations above a lowered capacity stay. Returns the
    /// queued conversations assigned thanks to a raised capacity.
    pub fn set_capacity(
        &mut self,
        id: AgentId,
        capacity: u32,
    ) -> Result<Vec<(ConversationId, AgentId)>, RoutingError> {
        self.agent_mut(id)?.capacity = capacity;
        Ok(self.drain())
    }

    /// Records an agent's presence. Returns the queued conversations assigned (to this
    /// agent or others) when the change freed capacity, i.e. when the agent came online.
    pub fn set_presence(
        &mut self,
        id: AgentId,
        presence: Presence,
    ) -> Result<Vec<(ConversationId, AgentId)>, RoutingError> {
        self.agent_mut(id)?.presence = presence;
        Ok(self.drain())
    }

    /// Re-enables a disabled agent (a no-op if enabled). Returns the assignments drained to
    /// them if they are online.
    pub fn enable_agent(
        &mut self,
        id: AgentId,
    ) -> Result<Vec<(ConversationId, AgentId)>, RoutingError> {
        self.agent_mut(id)?.enabled = true;
        Ok(self.drain())
    }

    /// Disables an agent: they get nothing from now on and their conversations are requeued
    /// and redistributed exactly as by [`Router::requeue_agent`], with the same result.
    pub fn disable_agent(
        &mut self,
        id: AgentId,
    ) -> Result<Vec<(ConversationId, Placement)>, RoutingError> {
        self.agent_mut(id)?.enabled = false;
        self.requeue_agent(id)
    }

    /// Takes back all of an agent's conversations (the hub calls this once the agent has been
    /// gone longer than the grace period, after marking them Offline). They rejoin the queue
    /// at their original place, ahead of conversations queued after them, and the queue is
    /// drained to eligible agents (the agent themself too, if still Online).
    ///
    /// Returns, in conversation id order, the final placement of each of the agent's former
    /// conversations and of any other queued conversation assigned by the drain. Positions
    /// of other queued conversations may have changed too (re-read [`Router::queued`]).
    pub fn requeue_agent(
        &mut self,
        id: AgentId,
    ) -> Result<Vec<(ConversationId, Placement)>, RoutingError> {
        let taken = std::mem::take(&mut self.agent_mut(id)?.open);
        for conv in &taken {
            if let Some(open) = self.open.get_mut(conv) {
                open.agent = None;
                self.line.insert(open.ticket, *conv);
            }
        }
        let mut affected = taken;
        affected.extend(self.drain().into_iter().map(|(conv, _)| conv));
        Ok(self.placements(&affected))
    }

    /// Start-up: re-feeds a stored assignment, ignoring presence and capacity. If the agent is
    /// unknown or disabled the conversation is queued instead. Does not drain the queue: call
    /// [`Router::drain`] once everything is restored (agents start Offline, so it is usually
    /// empty-handed).
    pub fn restore_assigned(&mut self, conv: ConversationId, agent: AgentId) -> Placement {
        self.forget(conv);
        let ticket = self.line.restored_ticket(conv);
        self.admit(conv, ticket);
        if self.agents.get(&agent).is_some_and(|a| a.enabled) {
            self.attach(conv, agent, false);
            Placement::Assigned(agent)
        } else {
            self.enqueue(conv, ticket)
        }
    }

    /// Start-up: re-feeds a stored conversation the bot answers. Does not drain the
    /// queue; see [`Router::restore_assigned`].
    pub fn restore_with_bot(&mut self, conv: ConversationId) -> Placement {
        self.forget(conv);
        let ticket = self.line.restored_ticket(conv);
        self.admit(conv, ticket);
        self.give_to_bot(conv)
    }

    /// Start-up: re-feeds a stored queued conversation. Restored conversations are lined up
    /// by id (creation order). Does not drain the queue; see [`Router::restore_assigned`].
    pub fn restore_queued(&mut self, conv: ConversationId) -> Placement {
        self.forget(conv);
        let ticket = self.line.restored_ticket(conv);
        self.admit(conv, ticket);
        self.enqueue(conv, ticket)
    }

    /// Assigns queued conversations, oldest first, while some eligible agent has free
    /// capacity; returns the assignments made. Every mutating call already does this; the
    /// hub only needs it after restoring.
    pub fn drain(&mut self) -> Vec<(ConversationId, AgentId)> {
        let mut made = Vec::new();
        while !self.line.is_empty() {
            let Some(agent) = self.least_busy() else {
                break;
            };
            let Some(conv) = self.line.pop_first() else {
                break;
            };
            self.attach(conv, agent, true);
            made.push((conv, agent));
        }
        made
    }

    /// Places a new conversation: to the least-busy eligible agent, else at the back of the
    /// queue. If it is already open, returns where it is and changes nothing.
    pub fn place_new(&mut self, conv: ConversationId) -> Placement {
        if let Some(placement) = self.placement(conv) {
            return placement;
        }
        let ticket = self.line.fresh_ticket(conv);
        self.place(conv, ticket)
    }

    /// Places a new conversation with the bot: no agent, no place in line. If it is
    /// already open, returns where it is and changes nothing.
    pub fn place_with_bot(&mut self, conv: ConversationId) -> Placement {
        if let Some(placement) = self.placement(conv) {
            return placement;
        }
        let ticket = self.line.fresh_ticket(conv);
        self.admit(conv, ticket);
        self.give_to_bot(conv)
    }

    /// The bot lets go of a conversation: it is placed like a new one (an agent with
    /// room if nobody waits, else the back of the line). `None`, changing nothing, if
    /// the conversation is not with the bot.
    pub fn hand_off(&mut self, conv: ConversationId) -> Option<Placement> {
        if !self.open.get(&conv)?.with_bot {
            return None;
        }
        self.open.remove(&conv);
        let ticket = self.line.fresh_ticket(conv);
        Some(self.place(conv, ticket))
    }

    /// Reopens a closed conversation: back to `previous` if that agent is eligible (enabled,
    /// Online, below capacity) and nobody is waiting, else placed like a new conversation.
    /// If it is already open, returns where it is and changes nothing.
    pub fn reopen(&mut self, conv: ConversationId, previous: Option<AgentId>) -> Placement {
        if let Some(placement) = self.placement(conv) {
            return placement;
        }
        let ticket = self.line.fresh_ticket(conv);
        let back_to_previous = previous
            .filter(|id| self.line.is_empty() && self.agents.get(id).is_some_and(Agent::has_room));
        match back_to_previous {
            Some(agent) => {
                self.admit(conv, ticket);
                self.attach(conv, agent, true);
                Placement::Assigned(agent)
            }
            None => self.place(conv, ticket),
        }
    }

    /// An agent takes a queued conversation, or one with the bot, whatever their load or
    /// presence.
    pub fn claim(&mut self, conv: ConversationId, agent: AgentId) -> Result<(), RoutingError> {
        let open = self
            .open
            .get(&conv)
            .ok_or(RoutingError::UnknownConversation(conv))?;
        if let Some(current) = open.agent {
            return Err(RoutingError::AlreadyAssignedTo(current));
        }
        let ticket = open.ticket;
        if !self.agent_mut(agent)?.enabled {
            return Err(RoutingError::AgentDisabled(agent));
        }
        self.line.remove(ticket);
        self.attach(conv, agent, false);
        Ok(())
    }

    /// Moves an assigned conversation to another enabled, Online agent, whatever their load.
    /// The previous agent's freed capacity drains the queue.
    pub fn transfer(
        &mut self,
        conv: ConversationId,
        to: AgentId,
    ) -> Result<TransferOutcome, RoutingError> {
        let open = self
            .open
            .get(&conv)
            .ok_or(RoutingError::UnknownConversation(conv))?;
        let previous = open.agent.ok_or(RoutingError::NotAssigned(conv))?;
        if previous == to {
            return Err(RoutingError::SameAgent(to));
        }
        let target = self.agent_mut(to)?;
        if !target.enabled {
            return Err(RoutingError::AgentDisabled(to));
        }
        if target.presence != Presence::Online {
            return Err(RoutingError::AgentNotOnline(to));
        }
        if let Some(agent) = self.agents.get_mut(&previous) {
            agent.open.remove(&conv);
        }
        self.attach(conv, to, false);
        let assigned = self.drain();
        Ok(TransferOutcome { previous, assigned })
    }

    /// Closes a conversation, removing it from the queue or from its agent. Returns the
    /// queued conversations assigned thanks to the freed capacity. Unknown: no-op.
    pub fn close(&mut self, conv: ConversationId) -> Vec<(ConversationId, AgentId)> {
        self.forget(conv);
        self.drain()
    }

    /// The eligible agent auto-assignment would pick now.
    ///
    /// A linear scan, on purpose: with at most ~10 agents it is a handful of comparisons
    /// over a small map, always correct, with nothing to maintain. A min-heap (as in the
    /// go-fly articles) would need a re-key on every load, presence, capacity or enable
    /// change, or lazy deletion of stale entries, plus filtering of ineligible agents: more
    /// code and more ways to go stale, for no measurable gain at this size.
    fn least_busy(&self) -> Option<AgentId> {
        self.agents
            .iter()
            .filter(|(_, agent)| agent.has_room())
            .min_by_key(|&(&id, agent)| (agent.open.len(), agent.last_auto, id))
            .map(|(&id, _)| id)
    }

    /// Gives an open conversation (not currently with any agent) to `agent`.
    fn attach(&mut self, conv: ConversationId, agent: AgentId, auto: bool) {
        if auto {
            self.rotation += 1;
        }
        if let Some(a) = self.agents.get_mut(&agent) {
            a.open.insert(conv);
            if auto {
                a.last_auto = self.rotation;
            }
        }
        if let Some(open) = self.open.get_mut(&conv) {
            open.agent = Some(agent);
            open.with_bot = false;
        }
    }

    /// Marks an admitted conversation (not with any agent nor in line) as the bot's.
    fn give_to_bot(&mut self, conv: ConversationId) -> Placement {
        if let Some(open) = self.open.get_mut(&conv) {
            open.with_bot = true;
        }
        Placement::WithBot
    }

    /// Records a conversation as open, not yet with any agent nor in line.
    fn admit(&mut self, conv: ConversationId, ticket: Ticket) {
        self.open.insert(
            conv,
            Open {
                ticket,
                agent: None,
                with_bot: false,
            },
        );
    }

    /// Auto-places a conversation not yet open: an agent if nobody waits, else the queue.
    fn place(&mut self, conv: ConversationId, ticket: Ticket) -> Placement {
        self.admit(conv, ticket);
        if self.line.is_empty()
            && let Some(agent) = self.least_busy()
        {
            self.attach(conv, agent, true);
            return Placement::Assigned(agent);
        }
        self.enqueue(conv, ticket)
    }

    /// Puts an open, unassigned conversation in line.
    fn enqueue(&mut self, conv: ConversationId, ticket: Ticket) -> Placement {
        Placement::Queued {
            position: self.line.insert(ticket, conv),
        }
    }

    /// Removes a conversation from wherever it is; no-op if not open.
    fn forget(&mut self, conv: ConversationId) {
        let Some(open) = self.open.remove(&conv) else {
            return;
        };
        match open.agent {
            Some(agent) => {
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.open.remove(&conv);
                }
            }
            None if open.with_bot => {}
            None => {
                self.line.remove(open.ticket);
            }
        }
    }

    /// Current placements of the given open conversations, positions found in one pass.
    fn placements(&self, convs: &BTreeSet<ConversationId>) -> Vec<(ConversationId, Placement)> {
        let positions = self.line.positions_of(convs);
        convs
            .iter()
            .filter_map(|&conv| {
                let placement = match self.assignee(conv) {
                    Some(agent) => Placement::Assigned(agent),
                    None if self.open.get(&conv)?.with_bot => Placement::WithBot,
                    None => Placement::Queued {
                        position: *positions.get(&conv)?,
                    },
                };
                Some((conv, placement))
            })
            .collect()
    }

    /// The agent, or `UnknownAgent`.
    fn agent_mut(&mut self, id: AgentId) -> Result<&mut Agent, RoutingError> {
        self.agents
            .get_mut(&id)
            .ok_or(RoutingError::UnknownAgent(id))
    }
}

#[cfg(test)]
mod random_tests;
#[cfg(test)]
mod tests;
