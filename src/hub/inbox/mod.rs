//! What agents are told about the desk as a whole: conversation summaries and agents'
//! presence and load. The agent concerned hears at once; everyone else through the
//! coalesced [`batch::InboxBatch`], flushed once per tick, so a burst of new
//! conversations cannot fill an agent's outbound queue.

pub mod batch;

use std::collections::HashMap;
use std::sync::Arc;

use crate::protocol::{AgentInfo, ConversationSummary, ServerFrame};

use super::Hub;
use super::event::{ConnId, Outbound};
use batch::Update;

impl Hub {
    /// The agent list with presence and load.
    pub(super) fn agent_infos(&self) -> Vec<AgentInfo> {
        self.agents
            .iter()
            .filter(|(_, a)| !a.account.disabled)
            .map(|(id, a)| self.agent_info(*id, a))
            .collect()
    }

    fn agent_info(&self, id: u64, agent: &super::LiveAgent) -> AgentInfo {
        AgentInfo {
            id,
            name: agent.account.name.clone(),
            presence: agent.presence,
            open: self.router.open_count(id) as u32,
            capacity: agent
                .account
                .capacity
                .unwrap_or(self.config.default_capacity),
        }
    }

    /// Tells all agents about one agent's presence and load.
    pub(super) fn broadcast_agent_info(&mut self, id: u64) {
        self.refresh_totals();
        let Some(agent) = self.agents.get(&id) else {
            return;
        };
        let info = self.agent_info(id, agent);
        // The agent hears of their own change at once; colleagues at the next tick.
        let (mine, theirs) = self.agent_conns_split(&[Some(id)]);
        let frame = Arc::new(ServerFrame::Agent(info));
        for conn in mine {
            self.deliver(conn, Outbound::Frame(frame.clone()));
        }
        self.inbox.agent(id, theirs);
    }

    /// Tells agents a conversation's new state: at once the agent it is assigned to
    /// (and `previous`, the one it was taken from), the others at the next tick.
    pub(super) fn announce_conversation(
        &mut self,
        summary: ConversationSummary,
        previous: Option<u64>,
    ) {
        let owners = [summary.agent, previous];
        let (mine, theirs) = self.agent_conns_split(&owners);
        let frame = Arc::new(ServerFrame::Conversation(summary.clone()));
        for conn in mine {
            self.deliver(conn, Outbound::Frame(frame.clone()));
        }
        self.inbox.conversation(summary, theirs);
    }

    /// Agent connections: those of the agents in `owners`, and the others.
    fn agent_conns_split(&self, owners: &[Option<u64>]) -> (Vec<ConnId>, Vec<ConnId>) {
        let (mut mine, mut theirs) = (Vec::new(), Vec::new());
        for (id, agent) in &self.agents {
            let list = if owners.contains(&Some(*id)) {
                &mut mine
            } else {
                &mut theirs
            };
            list.extend(agent.conns.iter().copied());
        }
        (mine, theirs)
    }

    /// Sends agents the inbox updates waiting for them, as many as each connection's
    /// queue has room for (up to half of it); the rest waits for the next tick. Each
    /// conversation's or agent's frame is built once per flush and shared by every
    /// connection that gets it.
    pub(super) fn flush_inbox(&mut self) {
        let most = (self.config.max_outbound_queue / 2).max(1);
        let mut conversations: HashMap<u64, Arc<ServerFrame>> = HashMap::new();
        let mut agents: HashMap<u64, Option<Arc<ServerFrame>>> = HashMap::new();
        for conn in self.inbox.conns() {
            let Some(live) = self.conns.get(&conn) else {
                self.inbox.forget(conn);
                continue;
            };
            let room = most.saturating_sub(live.outbound.len());
            for update in self.inbox.take(conn, room) {
                let frame = match update {
                    Update::Conversation(stored) => conversations
                        .entry(stored.id)
                        .or_insert_with(|| {
                            let summary = self.summary_of(stored.id).unwrap_or(stored);
                            Arc::new(ServerFrame::Conversation(summary))
                        })
                        .clone(),
                    Update::Agent(id) => {
                        let built = agents.entry(id).or_insert_with(|| {
                            let agent = self.agents.get(&id)?;
                            Some(Arc::new(ServerFrame::Agent(self.agent_info(id, agent))))
                        });
                        match built {
                            Some(frame) => frame.clone(),
                            None => continue,
                        }
                    }
                };
                self.deliver(conn, Outbound::Frame(frame));
            }
        }
    }
}
