//! Who is here right now, published by the hub for threads outside it (the outbox's
//! sinks): which agents have a console open (and whether one of their tabs is visible),
//! and which conversations have their visitor connected.
//!
//! The hub owns the live truth; this is a copy it updates on every connect, disconnect
//! and visibility change, read without asking the hub. A reader may see a change a few
//! milliseconds late, which is fine for deciding whether to send an email or a push.

use std::collections::HashMap;
use std::sync::Mutex;

/// One agent's open consoles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct AgentTabs {
    /// Connected console tabs.
    open: u32,
    /// Of those, tabs the agent can see (the page is visible).
    visible: u32,
}

/// The published presence of agents and visitors.
#[derive(Debug, Default)]
pub struct Presence {
    /// Agent id → their open tabs; agents with none are absent.
    agents: Mutex<HashMap<u64, AgentTabs>>,
    /// Conversation id → connected visitor tabs; conversations with none are absent.
    visitors: Mutex<HashMap<u64, u32>>,
}

impl Presence {
    /// Nobody here.
    pub fn new() -> Presence {
        Presence::default()
    }

    /// Agents with at least one console open.
    pub fn agents_online(&self) -> usize {
        lock(&self.agents).len()
    }

    /// Whether `agent` has a console open.
    pub fn agent_online(&self, agent: u64) -> bool {
        lock(&self.agents).contains_key(&agent)
    }

    /// Whether one of `agent`'s console tabs is visible on a screen.
    pub fn agent_visible(&self, agent: u64) -> bool {
        lock(&self.agents)
            .get(&agent)
            .is_some_and(|t| t.visible > 0)
    }

    /// Whether the visitor of `conversation` has it open in a tab.
    pub fn visitor_connected(&self, conversation: u64) -> bool {
        lock(&self.visitors).contains_key(&conversation)
    }

    /// A console tab of `agent` opened (`visible`: whether its page is visible).
    pub fn agent_tab_opened(&self, agent: u64, visible: bool) {
        let mut agents = lock(&self.agents);
        let tabs = agents.entry(agent).or_default();
        tabs.open += 1;
        tabs.visible += u32::from(visible);
    }

    /// A console tab of `agent` closed (`was_visible`: its last reported visibility).
    pub fn agent_tab_closed(&self, agent: u64, was_visible: bool) {
        let mut agents = lock(&self.agents);
        if let Some(tabs) = agents.get_mut(&agent) {
            tabs.open = tabs.open.saturating_sub(1);
            tabs.visible = tabs.visible.saturating_sub(u32::from(was_visible));
            if tabs.open == 0 {
                agents.remove(&agent);
            }
        }
    }

    /// A console tab of `agent` became visible (true) or hidden (false).
    pub fn agent_tab_visibility(&self, agent: u64, visible: bool) {
        let mut agents = lock(&self.agents);
        if let Some(tabs) = agents.get_mut(&agent) {
            if visible {
                tabs.visible = (tabs.visible + 1).min(tabs.open);
            } else {
                tabs.visible = tabs.visible.saturating_sub(1);
            }
        }
    }

    /// A visitor tab joined `conversation`.
    pub fn visitor_joined(&self, conversation: u64) {
        *lock(&self.visitors).entry(conversation).or_default() += 1;
    }

    /// A visitor tab left `conversation`.
    pub fn visitor_left(&self, conversation: u64) {
        let mut visitors = lock(&self.visitors);
        if let Some(n) = visitors.get_mut(&conversation) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                visitors.remove(&conversation);
            }
        }
    }
}

/// Locks a map; a panic elsewhere while holding it leaves plain counts, still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_come_and_go_with_their_tabs() {
        let p = Presence::new();
        p.agent_tab_opened(7, false);
        p.agent_tab_opened(7, true);
        assert!(p.agent_online(7) && p.agent_visible(7));
        assert_eq!(p.agents_online(), 1);
        p.agent_tab_visibility(7, false);
        assert!(!p.agent_visible(7));
        p.agent_tab_closed(7, false);
        assert!(p.agent_online(7));
        p.agent_tab_closed(7, false);
        assert!(!p.agent_online(7));
        assert_eq!(p.agents_online(), 0);
    }

    #[test]
    fn visitors_are_counted_per_conversation() {
        let p = Presence::new();
        p.visitor_joined(3);
        p.visitor_joined(3);
        p.visitor_left(3);
        assert!(p.visitor_connected(3));
        p.visitor_left(3);
        assert!(!p.visitor_connected(3));
        p.visitor_left(3);
        assert!(!p.visitor_connected(3));
    }
}
