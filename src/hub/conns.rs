//! `Conns`: the open connections, the index of each visitor's connections and the
//! subscriptions in both directions (what a connection receives, who receives a
//! conversation), kept consistent in one place. A connection's identity and its
//! subscriptions can only change through [`Conns::identify`], [`Conns::subscribe`] and
//! [`Conns::remove`], which update every index together.
//!
//! # Invariants (checked by the unit tests below)
//! 1. `visitors[v]` holds connection `c` exactly when `c` is open and identified as
//!    visitor `v`; no empty list is kept.
//! 2. `subscribers[k]` holds `c` exactly when `c` is open and subscribed to `k` (each
//!    once); no empty list is kept. A subscription outlives the conversation's live
//!    entry, so a reopened conversation reaches whoever still follows it.
//! 3. A removed connection appears in no index.
//! 4. The published [`Presence`] counts exactly the identified agent connections (and
//!    the visible ones among them) and the visitor connections subscribed to each
//!    conversation: it changes only here, with the indexes.

use std::collections::HashMap;
use std::collections::hash_map::Keys;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use crate::presence::Presence;
use crate::timer::TimerKey;

use super::event::{ConnId, ConnLink, Identity};

/// One connection as the hub knows it.
pub struct LiveConn {
    /// Frames for it; dropped to kill it.
    pub outbound: super::outlet::OutletSender,
    /// Clock ms of the last frame received.
    pub last_seen: Arc<AtomicU64>,
    /// For agents: digest of the session token the hello used.
    pub session: Option<[u8; 32]>,
    /// Heartbeat timer.
    pub heartbeat: Option<TimerKey>,
    /// For visitors: the language their browser reports (the bot answers in it).
    pub language: Option<String>,
    /// Set by the hello (through [`Conns::identify`]).
    identity: Option<Identity>,
    /// Conversations it receives messages of (through [`Conns::subscribe`]).
    subscriptions: Vec<u64>,
    /// For agents: whether the console page is visible (through [`Conns::set_visible`]).
    visible: bool,
}

impl LiveConn {
    /// A connection that has not said hello, with its heartbeat (hello deadline) timer.
    pub fn new(link: ConnLink, heartbeat: TimerKey) -> LiveConn {
        LiveConn {
            outbound: link.outbound,
            last_seen: link.last_seen,
            session: None,
            heartbeat: Some(heartbeat),
            language: None,
            identity: None,
            subscriptions: Vec::new(),
            visible: true,
        }
    }

    /// Who it is, once its hello was accepted.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }
}

/// Open connections with their indexes. See the module docs.
#[derive(Default)]
pub struct Conns {
    /// Every open connection.
    by_id: HashMap<ConnId, LiveConn>,
    /// Each connected visitor's connections.
    visitors: HashMap<u64, Vec<ConnId>>,
    /// Each conversation's subscribed connections.
    subscribers: HashMap<u64, Vec<ConnId>>,
    /// Who is here, published for threads outside the hub.
    presence: Arc<Presence>,
}

impl Conns {
    /// No connections; presence is published to `presence`.
    pub fn new(presence: Arc<Presence>) -> Conns {
        Conns {
            presence,
            ..Conns::default()
        }
    }

    /// Registers a new connection (not identified, subscribed to nothing).
    pub fn insert(&mut self, conn: ConnId, live: LiveConn) {
        if self.by_id.contains_key(&conn) {
            self.remove(conn);
        }
        self.by_id.insert(conn, live);
    }

    /// Records who a connection is; false (changing nothing) if it is unknown or was
    /// already identified.
    pub fn identify(&mut self, conn: ConnId, identity: Identity) -> bool {
        let Some(live) = self.by_id.get_mut(&conn) else {
            return false;
        };
        if live.identity.is_some() {
            return false;
        }
        match &identity {
            Identity::Visitor { id, .. } => {
                self.visitors.entry(*id).or_default().push(conn);
                for conversation in &live.subscriptions {
                    self.presence.visitor_joined(*conversation);
                }
            }
            Identity::Agent { id } => self.presence.agent_tab_opened(*id, live.visible),
        }
        live.identity = Some(identity);
        true
    }

    /// Makes `conn` receive the conversation's messages (no-op if unknown or already).
    pub fn subscribe(&mut self, conn: ConnId, conversation: u64) {
        let Some(live) = self.by_id.get_mut(&conn) else {
            return;
        };
        if live.subscriptions.contains(&conversation) {
            return;
        }
        live.subscriptions.push(conversation);
        if matches!(live.identity, Some(Identity::Visitor { .. })) {
            self.presence.visitor_joined(conversation);
        }
        self.subscribers.entry(conversation).or_default().push(conn);
    }

    /// Records whether an agent connection's console page is visible.
    pub fn set_visible(&mut self, conn: ConnId, visible: bool) {
        let Some(live) = self.by_id.get_mut(&conn) else {
            return;
        };
        if live.visible == visible {
            return;
        }
        live.visible = visible;
        if let Some(Identity::Agent { id }) = &live.identity {
            self.presence.agent_tab_visibility(*id, visible);
        }
    }

    /// Drops a connection from every index.
    pub fn remove(&mut self, conn: ConnId) -> Option<LiveConn> {
        let live = self.by_id.remove(&conn)?;
        let visitor = matches!(live.identity, Some(Identity::Visitor { .. }));
        for conversation in &live.subscriptions {
            drop_from(&mut self.subscribers, *conversation, conn);
            if visitor {
                self.presence.visitor_left(*conversation);
            }
        }
        match &live.identity {
            Some(Identity::Visitor { id, .. }) => drop_from(&mut self.visitors, *id, conn),
            Some(Identity::Agent { id }) => self.presence.agent_tab_closed(*id, live.visible),
            None => {}
        }
        Some(live)
    }

    /// An open connection.
    pub fn get(&self, conn: &ConnId) -> Option<&LiveConn> {
        self.by_id.get(conn)
    }

    /// An open connection, to change its timers or session (not its identity or
    /// subscriptions).
    pub fn get_mut(&mut self, conn: &ConnId) -> Option<&mut LiveConn> {
        self.by_id.get_mut(conn)
    }

    /// Who a connection is, once it said hello.
    pub fn identity(&self, conn: ConnId) -> Option<&Identity> {
        self.by_id.get(&conn)?.identity.as_ref()
    }

    /// Connections subscribed to a conversation.
    pub fn subscribers(&self, conversation: u64) -> &[ConnId] {
        self.subscribers
            .get(&conversation)
            .map_or(&[], Vec::as_slice)
    }

    /// A visitor's connections.
    pub fn of_visitor(&self, visitor: u64) -> &[ConnId] {
        self.visitors.get(&visitor).map_or(&[], Vec::as_slice)
    }

    /// Every identified visitor connection.
    pub fn visitor_conns(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.visitors.values().flatten().copied()
    }

    /// Ids of the open connections.
    pub fn keys(&self) -> Keys<'_, ConnId, LiveConn> {
        self.by_id.keys()
    }

    /// Whether no connection is open.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Checks the invariants (tests only).
    #[cfg(test)]
    fn check(&self) {
        for (visitor, list) in &self.visitors {
            assert!(!list.is_empty());
            for conn in list {
                let identity = self.identity(*conn);
                assert!(matches!(identity, Some(Identity::Visitor { id, .. }) if id == visitor));
            }
        }
        for (conversation, list) in &self.subscribers {
            assert!(!list.is_empty());
            for conn in list {
                assert_eq!(list.iter().filter(|c| *c == conn).count(), 1);
                assert!(self.by_id[conn].subscriptions.contains(conversation));
            }
        }
        let mut agents = std::collections::HashSet::new();
        for (conn, live) in &self.by_id {
            for conversation in &live.subscriptions {
                assert!(self.subscribers(*conversation).contains(conn));
            }
            match &live.identity {
                Some(Identity::Agent { id }) => {
                    assert!(self.presence.agent_online(*id));
                    agents.insert(*id);
                }
                Some(Identity::Visitor { .. }) => {
                    for conversation in &live.subscriptions {
                        assert!(self.presence.visitor_connected(*conversation));
                    }
                }
                None => {}
            }
            if let Some(Identity::Visitor { id, .. }) = &live.identity {
                assert!(self.of_visitor(*id).contains(conn));
            }
        }
        assert_eq!(self.presence.agents_online(), agents.len());
    }
}

/// Removes `conn` from `map[key]`, and the list if it becomes empty.
fn drop_from(map: &mut HashMap<u64, Vec<ConnId>>, key: u64, conn: ConnId) {
    if let Some(list) = map.get_mut(&key) {
        list.retain(|c| *c != conn);
        if list.is_empty() {
            map.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(id: ConnId) -> (ConnId, LiveConn) {
        let (outbound, _) = super::super::outlet::outlet();
        let link = ConnLink {
            conn: id,
            outbound,
            last_seen: Arc::new(AtomicU64::new(0)),
        };
        let mut wheel = crate::timer::TimingWheel::new(100, 0);
        (id, LiveConn::new(link, wheel.insert(100, ())))
    }

    fn visitor(id: u64) -> Identity {
        Identity::Visitor {
            id,
            site: "default".into(),
        }
    }

    #[test]
    fn identity_and_subscriptions_are_indexed_both_ways_and_dropped_together() {
        let mut conns = Conns::default();
        for id in 1..=3 {
            let (id, live) = conn(id);
            conns.insert(id, live);
        }
        assert!(conns.identify(1, visitor(7)));
        assert!(!conns.identify(1, visitor(8)), "identified once");
        assert!(conns.identify(2, visitor(7)));
        assert!(conns.identify(3, Identity::Agent { id: 4 }));
        conns.subscribe(1, 10);
        conns.subscribe(1, 10);
        conns.subscribe(3, 10);
        conns.check();
        assert_eq!(conns.of_visitor(7), [1, 2]);
        assert_eq!(conns.subscribers(10), [1, 3]);
        assert!(conns.presence.visitor_connected(10) && conns.presence.agent_visible(4));
        conns.set_visible(3, false);
        assert!(conns.presence.agent_online(4) && !conns.presence.agent_visible(4));
        conns.remove(1);
        conns.check();
        assert_eq!(
            (conns.of_visitor(7), conns.subscribers(10)),
            (&[2][..], &[3][..])
        );
        conns.remove(2);
        conns.remove(3);
        conns.check();
        assert!(!conns.presence.visitor_connected(10) && !conns.presence.agent_online(4));
        assert!(conns.is_empty() && conns.of_visitor(7).is_empty());
        assert!(conns.subscribers(10).is_empty());
    }

    #[test]
    fn randomized_sequences_keep_every_index_consistent() {
        let mut conns = Conns::default();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let id = seed % 12;
            match seed % 5 {
                0 => {
                    let (id, live) = conn(id);
                    conns.insert(id, live);
                }
                1 => {
                    conns.remove(id);
                }
                2 => {
                    conns.identify(id, visitor(seed % 3));
                }
                _ => conns.subscribe(id, seed % 7),
            }
            conns.check();
        }
    }
}
