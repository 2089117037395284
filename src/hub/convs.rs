//! `Convs`: the live conversations and the index of each visitor's open one per site,
//! kept consistent in one place (as mini-redis's `State` keeps its entries and their
//! expirations). Every insertion and removal goes through [`Convs::open`] and
//! [`Convs::remove`]; nothing else can touch the index.
//!
//! # Invariants (checked by the unit tests below)
//! 1. Every index entry `(visitor, site) -> id` names a live conversation of that visitor
//!    on that site.
//! 2. A visitor has at most one indexed conversation per site: opening a new one
//!    replaces the entry (the older one may still be live while its close commits).
//! 3. Removing a conversation removes its index entry, and only its own.

use std::collections::HashMap;
use std::collections::hash_map::{Iter, Keys};

use super::live::LiveConversation;

/// Live conversations with their visitor index. See the module docs.
#[derive(Default)]
pub struct Convs {
    /// Open conversations (and closing ones until their close commits), by id.
    live: HashMap<u64, LiveConversation>,
    /// The conversation a visitor writes into on a site, if any.
    by_visitor: HashMap<(u64, String), u64>,
}

impl Convs {
    /// Makes `conversation` live and the one its visitor writes into on its site.
    pub fn open(&mut self, id: u64, conversation: LiveConversation) {
        let key = (conversation.visitor, conversation.site.clone());
        if let Some(old) = self.live.insert(id, conversation) {
            self.unindex(id, &old);
        }
        self.by_visitor.insert(key, id);
    }

    /// Drops a conversation from live state, and from the index if it is indexed.
    pub fn remove(&mut self, id: u64) -> Option<LiveConversation> {
        let conversation = self.live.remove(&id)?;
        self.unindex(id, &conversation);
        Some(conversation)
    }

    /// The conversation `visitor` writes into on `site`, if one is live.
    pub fn open_for(&self, visitor: u64, site: &str) -> Option<u64> {
        self.by_visitor.get(&(visitor, site.to_string())).copied()
    }

    /// A live conversation.
    pub fn get(&self, id: &u64) -> Option<&LiveConversation> {
        self.live.get(id)
    }

    /// A live conversation, to change what it records (not its visitor or site).
    pub fn get_mut(&mut self, id: &u64) -> Option<&mut LiveConversation> {
        self.live.get_mut(id)
    }

    /// Whether a conversation is live.
    pub fn contains_key(&self, id: &u64) -> bool {
        self.live.contains_key(id)
    }

    /// Number of live conversations.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Ids of the live conversations.
    pub fn keys(&self) -> Keys<'_, u64, LiveConversation> {
        self.live.keys()
    }

    /// The live conversations with their ids.
    pub fn iter(&self) -> Iter<'_, u64, LiveConversation> {
        self.live.iter()
    }

    /// Removes the index entry of `conversation` (`id`) if it is its own.
    fn unindex(&mut self, id: u64, conversation: &LiveConversation) {
        let key = (conversation.visitor, conversation.site.clone());
        if self.by_visitor.get(&key) == Some(&id) {
            self.by_visitor.remove(&key);
        }
    }

    /// Checks the invariants (tests only).
    #[cfg(test)]
    fn check(&self) {
        for ((visitor, site), id) in &self.by_visitor {
            let c = self.live.get(id).expect("indexed conversations are live");
            assert_eq!((c.visitor, c.site.as_str()), (*visitor, site.as_str()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(visitor: u64, site: &str) -> LiveConversation {
        LiveConversation::new(visitor, site.into(), 0)
    }

    #[test]
    fn the_index_follows_opening_and_removal() {
        let mut convs = Convs::default();
        convs.open(1, conv(7, "a"));
        convs.open(2, conv(7, "b"));
        convs.check();
        assert_eq!(convs.open_for(7, "a"), Some(1));
        assert_eq!(convs.open_for(7, "b"), Some(2));
        assert_eq!(convs.remove(1).map(|c| c.visitor), Some(7));
        convs.check();
        assert_eq!((convs.open_for(7, "a"), convs.len()), (None, 1));
        assert!(convs.remove(1).is_none());
    }

    #[test]
    fn a_newer_conversation_takes_the_entry_and_the_older_cannot_remove_it() {
        let mut convs = Convs::default();
        convs.open(1, conv(7, "a"));
        // 1 is closing; the visitor starts 2 meanwhile.
        convs.open(2, conv(7, "a"));
        convs.check();
        assert_eq!(convs.open_for(7, "a"), Some(2));
        convs.remove(1);
        convs.check();
        assert_eq!(convs.open_for(7, "a"), Some(2), "only its own entry goes");
        convs.remove(2);
        convs.check();
        assert_eq!(convs.open_for(7, "a"), None);
    }

    #[test]
    fn randomized_sequences_keep_the_index_consistent() {
        let mut convs = Convs::default();
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for step in 0..2_000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let id = seed % 16;
            if seed.is_multiple_of(3) {
                convs.remove(id);
            } else {
                convs.open(id, conv(seed % 4, ["a", "b"][(step % 2) as usize]));
            }
            convs.check();
        }
    }
}
