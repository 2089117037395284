//! Connection bookkeeping in the hub: registering, greeting, subscribing, fanning frames
//! out, heartbeats and dropping connections that are gone or too slow.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::protocol::{ConversationSummary, Presence, Role, ServerFrame, Welcome};

use super::Hub;
use super::conns::LiveConn;
use super::event::{ConnId, ConnLink, Identity, Outbound};
use super::live::TimerEvent;

impl Hub {
    /// An agent's sessions ended (password changed): close the connections made with
    /// them; the agent's presence follows as for any disconnect.
    pub(super) fn on_sessions_ended(&mut self, agent: u64, keep: Option<[u8; 32]>) {
        let conns = self
            .agents
            .get(&agent)
            .map(|a| a.conns.clone())
            .unwrap_or_default();
        for conn in conns {
            let kept = keep.is_some() && self.conns.get(&conn).is_some_and(|c| c.session == keep);
            if !kept {
                self.kill(conn, 1008, "session ended: the password changed");
            }
        }
    }

    pub(super) fn on_connected(&mut self, link: ConnLink) {
        let now = self.config.now_ms();
        let heartbeat = self.wheel.insert(
            now + self.config.hello_timeout_ms,
            TimerEvent::Heartbeat(link.conn),
        );
        self.conns.insert(link.conn, LiveConn::new(link, heartbeat));
    }

    pub(super) async fn on_hello(
        &mut self,
        conn: ConnId,
        identity: Identity,
        visitor_token: Option<String>,
        latest: Option<ConversationSummary>,
        visitor_name: Option<String>,
        session: Option<[u8; 32]>,
    ) {
        if let Identity::Visitor { id, .. } = &identity
            && self.refuse_erased(conn, *id)
        {
            return;
        }
        if !self.conns.identify(conn, identity.clone()) {
            return;
        }
        if let Some(live) = self.conns.get_mut(&conn) {
            live.session = session;
        }
        // The figure `refresh_totals` publishes (a disabled agent answers nobody).
        let agents_online = self
            .any_agent_online
            .load(std::sync::atomic::Ordering::Relaxed);
        let welcome = match identity {
            Identity::Visitor { id, site } => {
                self.metrics.connections_visitor.inc();
                if let Some(name) = visitor_name {
                    self.visitor_names.insert(id, name);
                }
                let conversation = self
                    .conversations
                    .open_for(id, &site)
                    .and_then(|c| self.summary_of(c))
                    .or(latest);
                Welcome {
                    role: Role::Visitor,
                    id,
                    name: String::new(),
                    visitor_token,
                    conversation,
                    conversations: Vec::new(),
                    agents: Vec::new(),
                    max_body_bytes: self.config.max_body_bytes as u32,
                    agents_online,
                    server_version: env!("CARGO_PKG_VERSION").to_string(),
                }
            }
            Identity::Agent { id } => {
                let Some(agent) = self.agents.get_mut(&id) else {
                    self.kill(conn, 1008, "unknown agent");
                    return;
                };
                self.metrics.connections_agent.inc();
                agent.conns.push(conn);
                let first = agent.conns.len() == 1;
                if let Some(timer) = agent.grace.take() {
                    self.wheel.cancel(timer);
                }
                let name = agent.account.name.clone();
                if first {
                    agent.presence = agent.chosen;
                }
                let mut conversations: Vec<ConversationSummary> = self
                    .conversations
                    .keys()
                    .filter_map(|c| self.summary_of(*c))
                    .collect();
                conversations.sort_by_key(|c| c.id);
                Welcome {
                    role: Role::Agent,
                    id,
                    name,
                    visitor_token: None,
                    conversation: None,
                    conversations,
                    agents: self.agent_infos(),
                    max_body_bytes: self.config.max_body_bytes as u32,
                    agents_online,
                    server_version: env!("CARGO_PKG_VERSION").to_string(),
                }
            }
        };
        let is_agent = welcome.role == Role::Agent;
        let agent_id = welcome.id;
        self.deliver(
            conn,
            Outbound::Frame(Arc::new(ServerFrame::Welcome(welcome))),
        );
        if is_agent {
            self.send_labels_after_welcome(conn);
            // After the welcome, so a connection's first frame is always its welcome.
            let first = self
                .agents
                .get(&agent_id)
                .is_some_and(|a| a.conns.len() == 1);
            if first {
                let chosen = self
                    .agents
                    .get(&agent_id)
                    .map_or(Presence::Online, |a| a.chosen);
                self.set_router_presence(agent_id, chosen).await;
            } else {
                self.broadcast_agent_info(agent_id);
            }
        }
    }

    pub(super) fn on_disconnected(&mut self, conn: ConnId) {
        let Some(live) = self.conns.remove(conn) else {
            return;
        };
        if let Some(timer) = live.heartbeat {
            self.wheel.cancel(timer);
        }
        self.inbox.forget(conn);
        match live.identity().cloned() {
            Some(Identity::Visitor { id, .. }) => {
                self.metrics.connections_visitor.dec();
                if self.conns.of_visitor(id).is_empty() {
                    self.visitor_names.remove(&id);
                    self.unsaved_visitors.remove(&id);
                }
            }
            Some(Identity::Agent { id }) => {
                self.metrics.connections_agent.dec();
                let now = self.config.now_ms();
                let grace = self.config.agent_grace_ms;
                let Some(agent) = self.agents.get_mut(&id) else {
                    return;
                };
                agent.conns.retain(|c| *c != conn);
                if agent.conns.is_empty() && !self.shutting_down {
                    agent.presence = Presence::Offline;
                    agent.grace = Some(self.wheel.insert(now + grace, TimerEvent::AgentGrace(id)));
                    // Offline agents keep their conversations until the grace period ends.
                    let _ = self
                        .router
                        .set_presence(id, crate::routing::Presence::Offline);
                    self.broadcast_agent_info(id);
                }
            }
            None => {}
        }
    }

    /// Heartbeat timer: drop a connection that never said hello or went quiet, else ping.
    pub(super) fn on_heartbeat(&mut self, conn: ConnId) {
        let now = self.config.now_ms();
        let Some(live) = self.conns.get_mut(&conn) else {
            return;
        };
        live.heartbeat = None;
        if live.identity().is_none() {
            self.kill(conn, 1008, "no hello received in time");
            return;
        }
        let quiet_for = now.saturating_sub(live.last_seen.load(Ordering::Relaxed));
        if quiet_for >= self.config.dead_after_ms {
            tracing::debug!(conn, quiet_for, "dropping silent connection");
            self.kill(conn, 1001, "connection timed out");
            return;
        }
        let next = now + self.config.ping_interval_ms;
        live.heartbeat = Some(self.wheel.insert(next, TimerEvent::Heartbeat(conn)));
        self.deliver(conn, Outbound::Ping);
    }

    /// Queues an item for a connection; a connection whose queue is too long, or holds
    /// too many bytes, is dropped (it reconnects and replays from its last sequence
    /// number, so nothing is lost).
    pub(super) fn deliver(&mut self, conn: ConnId, item: Outbound) {
        let Some(live) = self.conns.get(&conn) else {
            return;
        };
        let (items, bytes) = live.outbound.waiting();
        if items >= self.config.max_outbound_queue || bytes >= self.config.max_outbound_bytes {
            tracing::warn!(conn, "connection is not keeping up; dropping it");
            self.kill(conn, 1013, "too slow; reconnect and sync");
            return;
        }
        if live.outbound.try_send(item).is_err() {
            self.on_disconnected(conn);
        }
    }

    /// Sends a frame to every subscriber of a conversation except `except`.
    pub(super) fn publish(
        &mut self,
        conversation: u64,
        frame: ServerFrame,
        except: Option<ConnId>,
    ) {
        self.publish_where(conversation, frame, except, false);
    }

    /// Sends a frame to the agent connections among a conversation's subscribers.
    pub(super) fn publish_to_agents(
        &mut self,
        conversation: u64,
        frame: ServerFrame,
        except: Option<ConnId>,
    ) {
        self.publish_where(conversation, frame, except, true);
    }

    fn publish_where(
        &mut self,
        conversation: u64,
        frame: ServerFrame,
        except: Option<ConnId>,
        agents_only: bool,
    ) {
        if !self.conversations.contains_key(&conversation) {
            return;
        }
        let is_agent =
            |conn: &ConnId| matches!(self.conns.identity(*conn), Some(Identity::Agent { .. }));
        let targets: Vec<ConnId> = self
            .conns
            .subscribers(conversation)
            .iter()
            .copied()
            .filter(|s| Some(*s) != except && (!agents_only || is_agent(s)))
            .collect();
        let frame = Arc::new(frame);
        for conn in targets {
            self.deliver(conn, Outbound::Frame(frame.clone()));
        }
    }

    /// Tells every connected visitor whether an agent is online to answer now.
    pub(super) fn tell_visitors_availability(&mut self, agents_online: bool) {
        let frame = Arc::new(ServerFrame::Availability(crate::protocol::Availability {
            agents_online,
        }));
        let targets: Vec<ConnId> = self.conns.visitor_conns().collect();
        for conn in targets {
            self.deliver(conn, Outbound::Frame(frame.clone()));
        }
    }

    /// Sends a frame to every connection of a visitor.
    pub(super) fn send_to_visitor(&mut self, visitor: u64, frame: ServerFrame) {
        let targets = self.conns.of_visitor(visitor).to_vec();
        let frame = Arc::new(frame);
        for conn in targets {
            self.deliver(conn, Outbound::Frame(frame.clone()));
        }
    }

    /// Sends a frame to every agent connection.
    pub(super) fn send_to_agents(&mut self, frame: ServerFrame) {
        let targets: Vec<ConnId> = self
            .agents
            .values()
            .flat_map(|a| a.conns.iter().copied())
            .collect();
        let frame = Arc::new(frame);
        for conn in targets {
            self.deliver(conn, Outbound::Frame(frame.clone()));
        }
    }

    /// Sends a frame to one connection.
    pub(super) fn send_to(&mut self, conn: ConnId, frame: ServerFrame) {
        self.deliver(conn, Outbound::Frame(Arc::new(frame)));
    }

    /// Makes `conn` receive the conversation's messages from now on.
    pub(super) fn subscribe(&mut self, conn: ConnId, conversation: u64) {
        self.conns.subscribe(conn, conversation);
    }

    /// Ends a connection: asks it to close politely, and drops the hub's link so the
    /// connection task is cancelled even if it is stuck writing to a dead peer.
    pub(super) fn kill(&mut self, conn: ConnId, code: u16, reason: &'static str) {
        if let Some(live) = self.conns.get(&conn) {
            let _ = live.outbound.try_send(Outbound::Close { code, reason });
        }
        // The connection task sees its kill channel close once the link is dropped.
        self.on_disconnected(conn);
    }

    /// Closes every connection with 1001 (server going away).
    pub(super) fn shut_down(&mut self) {
        self.shutting_down = true;
        let conns: Vec<ConnId> = self.conns.keys().copied().collect();
        for conn in conns {
            if let Some(live) = self.conns.get(&conn) {
                let _ = live.outbound.try_send(Outbound::Close {
                    code: 1001,
                    reason: "server shutting down",
                });
            }
        }
    }
}
