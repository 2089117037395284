//! Which client message ids a conversation's messages were sent under: the writer's
//! dedupe of retried sends (issue #16). Every stored message carries its client id, so
//! the messages themselves are the durable truth; this is the writer's memory of them,
//! loaded per conversation on its first send after a start (one range read), bounded
//! by a total entry budget (the least recently used conversations are dropped and read
//! again when needed).
//!
//! It replaces the `convclientid_seq` table (schema 7 and older), whose extra page per
//! stored message was about half of what a message cost the disk.
//!
//! Invariants, kept by the one owner (the writer's [`super::ops::WriterState`]):
//! 1. For a loaded conversation, every client id stored in it (committed, or written
//!    earlier in the current transaction) has its hash here, pointing at a message
//!    stored under that hash; a hash shared by two ids points at either, and a lookup
//!    confirms the id on the message itself, reading the whole conversation on a
//!    mismatch. So a lookup never misses a stored id.
//! 2. After a failed commit everything is forgotten (the failed batch's ids may be
//!    here though its messages are not); after a conversation's deletion, its entry.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use super::StoreError;
use super::messages_read::MessageReader;

/// Most client ids kept over all conversations: about 24 bytes each in memory, so 24 MB
/// at most. Past it, the least recently used conversations are dropped and read whole
/// again on their next send, which costs a read per message of theirs. 262,144 made the
/// 2,048-conversation closed loop do that on every batch once each conversation held
/// about 128 messages: commits of 0.2-0.6 s and half the throughput (issue #16,
/// docs/BENCHMARKS.md).
pub const DEFAULT_BUDGET: usize = 1_048_576;

/// One conversation's known ids.
struct Known {
    /// Hash of a client id → the seq of a message stored under it.
    by_hash: HashMap<u64, u64>,
    /// When this conversation was last used (the cache's own counter).
    used: u64,
}

/// The writer's client-id memory (see the module header).
pub struct ClientIds {
    /// Conversation id → its ids.
    conversations: HashMap<u64, Known>,
    /// Ids kept in all.
    entries: usize,
    /// Most ids kept before the least recently used conversations are dropped.
    budget: usize,
    /// Counts uses, for the recency order.
    clock: u64,
    /// Keyed per process, so nobody can choose ids that collide.
    hasher: RandomState,
}

impl std::fmt::Debug for ClientIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIds")
            .field("conversations", &self.conversations.len())
            .field("entries", &self.entries)
            .field("budget", &self.budget)
            .finish()
    }
}

impl Default for ClientIds {
    fn default() -> Self {
        ClientIds::with_budget(DEFAULT_BUDGET)
    }
}

impl ClientIds {
    /// Empty, keeping at most `budget` ids.
    pub fn with_budget(budget: usize) -> ClientIds {
        ClientIds {
            conversations: HashMap::new(),
            entries: 0,
            budget: budget.max(1),
            clock: 0,
            hasher: RandomState::new(),
        }
    }

    /// The seq of the message stored in `conversation` under `client_id`, if any,
    /// reading `messages` (the writer's open table) to load or to confirm.
    pub fn find(
        &mut self,
        messages: &impl MessageReader,
        conversation: u64,
        client_id: &str,
    ) -> Result<Option<u64>, StoreError> {
        self.clock += 1;
        if !self.conversations.contains_key(&conversation) {
            self.load(messages, conversation)?;
        }
        let hash = self.hasher.hash_one(client_id);
        let Some(known) = self.conversations.get_mut(&conversation) else {
            return Ok(None);
        };
        known.used = self.clock;
        let Some(&seq) = known.by_hash.get(&hash) else {
            return Ok(None);
        };
        if stored_client_id(messages, conversation, seq)?.as_deref() == Some(client_id) {
            return Ok(Some(seq));
        }
        // Two ids share the hash: the whole conversation says.
        scan_for(messages, conversation, client_id)
    }

    /// Notes that `client_id` was just stored as `conversation`'s message `seq` (after
    /// [`ClientIds::find`] for it, which loaded the conversation).
    pub fn record(&mut self, conversation: u64, client_id: &str, seq: u64) {
        let hash = self.hasher.hash_one(client_id);
        if let Some(known) = self.conversations.get_mut(&conversation)
            && known.by_hash.insert(hash, seq).is_none()
        {
            self.entries += 1;
            self.shrink();
        }
    }

    /// Drops a deleted conversation.
    pub fn forget_conversation(&mut self, conversation: u64) {
        if let Some(known) = self.conversations.remove(&conversation) {
            self.entries -= known.by_hash.len();
        }
    }

    /// Drops everything (after a failed commit).
    pub fn clear(&mut self) {
        self.conversations.clear();
        self.entries = 0;
    }

    /// Ids kept in all.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries
    }

    fn load(&mut self, messages: &impl MessageReader, conversation: u64) -> Result<(), StoreError> {
        let mut by_hash = HashMap::new();
        for (seq, record) in messages.all(conversation)? {
            if let Some(id) = &record.latest().client_id {
                by_hash.insert(self.hasher.hash_one(id.as_str()), seq);
            }
        }
        self.entries += by_hash.len();
        let used = self.clock;
        self.conversations
            .insert(conversation, Known { by_hash, used });
        self.shrink();
        Ok(())
    }

    /// Drops the least recently used conversations (never the one in use now) until a
    /// quarter of the budget is free again.
    fn shrink(&mut self) {
        if self.entries <= self.budget {
            return;
        }
        let mut order: Vec<(u64, u64)> = self
            .conversations
            .iter()
            .filter(|(_, known)| known.used != self.clock)
            .map(|(id, known)| (known.used, *id))
            .collect();
        order.sort_unstable();
        let target = self.budget - self.budget / 4;
        for (_, id) in order {
            if self.entries <= target {
                break;
            }
            self.forget_conversation(id);
        }
    }
}

/// The client id message `seq` of `conversation` was stored under, if any.
fn stored_client_id(
    messages: &impl MessageReader,
    conversation: u64,
    seq: u64,
) -> Result<Option<String>, StoreError> {
    Ok(messages
        .get(conversation, seq)?
        .and_then(|record| record.latest().client_id.clone()))
}

/// The seq of the message stored in `conversation` under `client_id`, reading the
/// conversation from its newest message back (a retry is nearly always of a recent one).
pub fn scan_for(
    messages: &impl MessageReader,
    conversation: u64,
    client_id: &str,
) -> Result<Option<u64>, StoreError> {
    for (seq, record) in messages.all(conversation)?.into_iter().rev() {
        if record.latest().client_id.as_deref() == Some(client_id) {
            return Ok(Some(seq));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use redb::{Database, backends::InMemoryBackend};

    use super::*;
    use crate::store::messages_recent::{RecentMessages, WriteMessages};
    use crate::store::records::{MessageRecord, MessageV1, encode};
    use crate::store::values::StoredAuthorKind;

    /// Stores a message in the recent part, moving everything before it into the
    /// messages table first when `seq` is odd: lookups read both parts.
    fn store(messages: &mut WriteMessages, conversation: u64, seq: u64, id: &str) {
        let record = MessageRecord::V1(MessageV1 {
            at_ms: seq,
            author_kind: StoredAuthorKind::Visitor,
            author_id: 1,
            author_name: "v".into(),
            body: format!("message {seq}"),
            client_id: Some(id.to_string()),
            event: None,
        });
        let mut recent = RecentMessages::default();
        if seq % 2 == 1 {
            messages
                .merge_step(&mut recent, usize::MAX)
                .expect("merges");
            messages
                .merge_step(&mut recent, usize::MAX)
                .expect("merges");
        }
        messages
            .append(&mut recent, conversation, seq, encode(&record).as_slice())
            .expect("appends");
    }

    fn database() -> Database {
        Database::builder()
            .create_with_backend(InMemoryBackend::new())
            .expect("opens")
    }

    #[test]
    fn ids_stored_before_a_start_are_found_by_reading_the_conversation() {
        let db = database();
        let tx = db.begin_write().expect("begins");
        let mut messages = WriteMessages::write(&tx).expect("opens");
        store(&mut messages, 7, 1, "a");
        store(&mut messages, 7, 2, "b");
        store(&mut messages, 8, 1, "a");
        let mut ids = ClientIds::default();
        assert_eq!(ids.find(&messages, 7, "b").expect("reads"), Some(2));
        assert_eq!(ids.find(&messages, 7, "a").expect("reads"), Some(1));
        assert_eq!(ids.find(&messages, 7, "c").expect("reads"), None);
        assert_eq!(ids.find(&messages, 8, "a").expect("reads"), Some(1));
        assert_eq!(ids.find(&messages, 9, "a").expect("reads"), None);
        assert_eq!(ids.len(), 3, "two ids of 7 and one of 8 are kept");
    }

    #[test]
    fn an_id_recorded_in_this_transaction_is_found_and_forgetting_reads_again() {
        let db = database();
        let tx = db.begin_write().expect("begins");
        let mut messages = WriteMessages::write(&tx).expect("opens");
        let mut ids = ClientIds::default();
        assert_eq!(ids.find(&messages, 3, "x").expect("reads"), None);
        store(&mut messages, 3, 1, "x");
        ids.record(3, "x", 1);
        assert_eq!(ids.find(&messages, 3, "x").expect("reads"), Some(1));
        ids.clear();
        assert_eq!(ids.len(), 0);
        assert_eq!(ids.find(&messages, 3, "x").expect("reads again"), Some(1));
        ids.forget_conversation(3);
        assert_eq!(ids.len(), 0);
    }

    #[test]
    fn past_the_budget_the_least_recently_used_conversations_go_and_come_back() {
        let db = database();
        let tx = db.begin_write().expect("begins");
        let mut messages = WriteMessages::write(&tx).expect("opens");
        let mut ids = ClientIds::with_budget(8);
        for conversation in 1..=6 {
            for seq in 1..=3 {
                let id = format!("c{conversation}-{seq}");
                assert_eq!(ids.find(&messages, conversation, &id).expect("reads"), None);
                store(&mut messages, conversation, seq, &id);
                ids.record(conversation, &id, seq);
                assert!(ids.len() <= 8, "{} ids kept over a budget of 8", ids.len());
            }
        }
        // Conversation 1 was dropped long ago: it is read again, every id found.
        for seq in 1..=3 {
            let id = format!("c1-{seq}");
            assert_eq!(ids.find(&messages, 1, &id).expect("reads"), Some(seq));
        }
        assert!(ids.len() <= 8);
    }

    #[test]
    fn the_scan_finds_the_newest_message_under_an_id() {
        let db = database();
        let tx = db.begin_write().expect("begins");
        let mut messages = WriteMessages::write(&tx).expect("opens");
        store(&mut messages, 2, 1, "same");
        store(&mut messages, 2, 2, "other");
        assert_eq!(scan_for(&messages, 2, "same").expect("reads"), Some(1));
        assert_eq!(scan_for(&messages, 2, "none").expect("reads"), None);
    }
}
