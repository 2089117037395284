//! The messages' recent part (issue #16): a new message is stored in a log ordered by
//! arrival ([`RECENT_MESSAGES`]) instead of straight into `convseq_message`, which is
//! ordered by conversation. A group commit of hundreds of messages in as many
//! conversations then appends to a few pages of the log, where it dirtied one page of
//! the messages table per conversation. The writer moves the log into the messages
//! table in merge steps of its own (`super::writer`), one conversation's run at a time,
//! so that many messages of a conversation share one page write.
//!
//! Each log entry names the previous entry of its conversation, and
//! [`RECENT_MESSAGE_HEADS`] names each conversation's newest entry: a reader walks a
//! conversation's recent messages from the newest back without scanning the log.
//!
//! A merge runs in cycles. A cycle fixes a cut (the next arrival number), moves every
//! conversation's entries below the cut into the messages table, step by step, and
//! then deletes the log below the cut, which is contiguous. A moved entry stays in
//! the log until then; readers skip it because its seq is not above the newest seq
//! in the messages table.
//!
//! Invariants:
//! 1. A committed message is in the messages table, or in the log at or above its
//!    conversation's newest seq there, reachable from its conversation's head; a
//!    reader takes the log's entries only above that seq, so nothing is seen twice
//!    and nothing is missed. A conversation's messages in the messages table are all
//!    older than its unmoved ones in the log.
//! 2. A head names an entry that exists; a conversation whose entries have all moved
//!    has no head. Arrival numbers grow, and a missing entry or one of another
//!    conversation ends a walk.
//! 3. A step moves messages in one transaction: a crash leaves each in one place or
//!    the other. Its commit need not be durable (nothing is acknowledged by it).
//! 4. The writer's [`RecentMessages`] knows which entries are unmoved; it is dropped
//!    after a failed commit and read again from the tables.

use std::collections::{BTreeMap, VecDeque};

use redb::{ReadTransaction, ReadableTable, Table, WriteTransaction};

use super::StoreError;
use super::tables::{MESSAGES, RECENT_MESSAGE_HEADS, RECENT_MESSAGES};

/// Past this many unmoved messages the log is merged after a batch while the writer
/// keeps up (about 6 MB of log).
pub const MERGE_AT: u64 = 32_768;
/// Past this many unmoved messages (about 25 MB of log) the log is merged after every
/// batch even while the writer falls behind: the bound on its size and on a walk.
pub const MERGE_HARD_AT: u64 = 131_072;
/// Most messages moved (or moved ones deleted) by one merge step while the writer keeps
/// up: bounds the pause a busy step adds to the next acknowledgements. A cycle saves
/// the same whatever its step: each conversation's run moves in one piece.
pub const MERGE_BUSY_STEP: usize = 512;
/// The same past [`MERGE_HARD_AT`], while the writer falls behind: larger steps, fewer
/// commits.
pub const MERGE_HARD_STEP: usize = 4_096;
/// Most messages moved by one merge step while the writer is idle.
pub const MERGE_IDLE_STEP: usize = 16_384;

/// A conversation's messages from both parts: the messages table (`main`), the log and
/// the heads. Opened for reading ([`Messages::read`]) or inside the writer's
/// transaction ([`Messages::write`]).
pub struct Messages<M, L, H> {
    /// `convseq_message`.
    pub(super) main: M,
    /// [`RECENT_MESSAGES`].
    pub(super) log: L,
    /// [`RECENT_MESSAGE_HEADS`].
    pub(super) heads: H,
}

/// The three tables in a write transaction.
pub type WriteMessages<'t> = Messages<
    Table<'t, (u64, u64), &'static [u8]>,
    Table<'t, u64, (u64, u64, u64, &'static [u8])>,
    Table<'t, u64, u64>,
>;

/// The three tables in a read transaction.
pub type ReadMessages = Messages<
    redb::ReadOnlyTable<(u64, u64), &'static [u8]>,
    redb::ReadOnlyTable<u64, (u64, u64, u64, &'static [u8])>,
    redb::ReadOnlyTable<u64, u64>,
>;

impl ReadMessages {
    /// Opens the messages for reading in `tx`.
    pub fn read(tx: &ReadTransaction) -> Result<ReadMessages, StoreError> {
        Ok(Messages {
            main: tx.open_table(MESSAGES)?,
            log: tx.open_table(RECENT_MESSAGES)?,
            heads: tx.open_table(RECENT_MESSAGE_HEADS)?,
        })
    }
}

impl<'t> WriteMessages<'t> {
    /// Opens the messages inside the writer's transaction.
    pub fn write(tx: &'t WriteTransaction) -> Result<WriteMessages<'t>, StoreError> {
        Ok(Messages {
            main: tx.open_table(MESSAGES)?,
            log: tx.open_table(RECENT_MESSAGES)?,
            heads: tx.open_table(RECENT_MESSAGE_HEADS)?,
        })
    }

    /// Stores `conversation`'s message `seq` (an encoded [`MessageRecord`], newer than
    /// every stored one of the conversation) at the end of the log.
    pub fn append(
        &mut self,
        state: &mut RecentMessages,
        conversation: u64,
        seq: u64,
        record: &[u8],
    ) -> Result<(), StoreError> {
        let counted = state.counted(self)?;
        let arrival = counted.next;
        let previous = self.heads.get(conversation)?.map_or(0, |v| v.value());
        self.log
            .insert(arrival, (conversation, seq, previous, record))?;
        self.heads.insert(conversation, arrival)?;
        counted.next += 1;
        counted.entries += 1;
        counted.unmoved += 1;
        counted
            .conversations
            .entry(conversation)
            .or_default()
            .push_back((arrival, seq));
        Ok(())
    }

    /// Removes every message of `conversation` from both parts (a purge or an erasure).
    pub fn remove_conversation(
        &mut self,
        state: &mut RecentMessages,
        conversation: u64,
    ) -> Result<(), StoreError> {
        let counted = state.counted(self)?;
        let mut arrival = self.heads.remove(conversation)?.map_or(0, |v| v.value());
        while arrival != 0 {
            let previous = match self.log.get(arrival)? {
                Some(entry) if entry.value().0 == conversation => entry.value().2,
                // Gone or another conversation's (invariant 2): the walk ends.
                _ => break,
            };
            self.log.remove(arrival)?;
            counted.entries -= 1;
            arrival = previous;
        }
        if let Some(unmoved) = counted.conversations.remove(&conversation) {
            counted.unmoved -= unmoved.len() as u64;
        }
        let seqs: Vec<u64> = self
            .main
            .range((conversation, 0)..=(conversation, u64::MAX))?
            .map(|row| row.map(|(k, _)| k.value().1))
            .collect::<Result<_, _>>()?;
        for seq in seqs {
            self.main.remove((conversation, seq))?;
        }
        Ok(())
    }

    /// One merge step: moves at most `budget` messages of the current cycle into the
    /// messages table, or deletes as many moved ones from the log once all are moved.
    pub fn merge_step(
        &mut self,
        state: &mut RecentMessages,
        budget: usize,
    ) -> Result<(), StoreError> {
        let counted = state.counted(self)?;
        if counted.cycle.is_none() {
            if counted.entries == 0 {
                return Ok(());
            }
            counted.cycle = Some(Cycle {
                cut: counted.next,
                to_move: counted.conversations.keys().rev().copied().collect(),
            });
        }
        let Some(cycle) = counted.cycle.as_mut() else {
            return Ok(());
        };
        let mut done = 0;
        while done < budget {
            let Some(&conversation) = cycle.to_move.last() else {
                break;
            };
            let Some(unmoved) = counted.conversations.get_mut(&conversation) else {
                cycle.to_move.pop();
                continue;
            };
            while done < budget {
                let Some(&(arrival, seq)) = unmoved.front() else {
                    break;
                };
                if arrival >= cycle.cut {
                    break;
                }
                let entry = self
                    .log
                    .get(arrival)?
                    .ok_or(StoreError::NotFound("a recent message"))?;
                let record = entry.value().3.to_vec();
                drop(entry);
                self.main.insert((conversation, seq), record.as_slice())?;
                unmoved.pop_front();
                counted.unmoved -= 1;
                done += 1;
            }
            match unmoved.front() {
                Some(&(arrival, _)) if arrival < cycle.cut => {}
                Some(_) => {
                    cycle.to_move.pop();
                }
                None => {
                    cycle.to_move.pop();
                    counted.conversations.remove(&conversation);
                    self.heads.remove(conversation)?;
                }
            }
        }
        if !cycle.to_move.is_empty() {
            return Ok(());
        }
        while done < budget {
            match self.log.first()? {
                Some((arrival, _)) if arrival.value() < cycle.cut => {}
                _ => {
                    counted.cycle = None;
                    break;
                }
            }
            self.log.pop_first()?;
            counted.entries -= 1;
            done += 1;
        }
        Ok(())
    }
}

impl<M, L, H> Messages<M, L, H>
where
    M: ReadableTable<(u64, u64), &'static [u8]>,
    L: ReadableTable<u64, (u64, u64, u64, &'static [u8])>,
    H: ReadableTable<u64, u64>,
{
    /// The newest seq of `conversation` in the messages table (0 if none).
    pub(super) fn main_last(&self, conversation: u64) -> Result<u64, StoreError> {
        match self
            .main
            .range((conversation, 0)..=(conversation, u64::MAX))?
            .next_back()
        {
            Some(row) => Ok(row?.0.value().1),
            None => Ok(0),
        }
    }

    /// Calls `visit(arrival, seq, record)` for `conversation`'s unmoved entries with
    /// `seq > floor` (and above its newest seq in the messages table), newest first,
    /// walking back from its head.
    pub(super) fn walk(
        &self,
        conversation: u64,
        floor: u64,
        mut visit: impl FnMut(u64, u64, &[u8]),
    ) -> Result<(), StoreError> {
        let floor = self.main_last(conversation)?.max(floor);
        let mut arrival = self.heads.get(conversation)?.map_or(0, |v| v.value());
        let mut above = u64::MAX;
        while arrival != 0 {
            let Some(entry) = self.log.get(arrival)? else {
                break;
            };
            let (owner, seq, previous, record) = entry.value();
            // Another conversation's entry, or one out of order, breaks invariant 2.
            if owner != conversation || seq <= floor || seq >= above {
                break;
            }
            visit(arrival, seq, record);
            above = seq;
            arrival = previous;
        }
        Ok(())
    }

    /// Entries in the log (moved ones not yet deleted among them).
    #[cfg(test)]
    pub fn log_len(&self) -> Result<u64, StoreError> {
        Ok(self.log.len()?)
    }
}

/// What the writer knows of the log (read from the tables on first use).
#[derive(Debug, Default)]
pub struct RecentMessages {
    /// None until read.
    counted: Option<Counted>,
}

#[derive(Debug, Default)]
struct Counted {
    /// The next arrival number.
    next: u64,
    /// Entries in the log.
    entries: u64,
    /// Entries not yet moved.
    unmoved: u64,
    /// Conversation → its unmoved entries (arrival, seq), oldest first.
    conversations: BTreeMap<u64, VecDeque<(u64, u64)>>,
    /// The merge cycle under way.
    cycle: Option<Cycle>,
}

#[derive(Debug)]
struct Cycle {
    /// Entries below this arrival number are moved in this cycle.
    cut: u64,
    /// Conversations still to move, the next one last.
    to_move: Vec<u64>,
}

impl RecentMessages {
    /// Unmoved messages in the log (0 before the first read).
    pub fn unmoved(&self) -> u64 {
        self.counted.as_ref().map_or(0, |c| c.unmoved)
    }

    /// True when a merge step has work: the log holds entries, a cycle is under way,
    /// or the log has not been read since the start.
    pub fn pending(&self) -> bool {
        self.counted.as_ref().is_none_or(|c| c.entries > 0)
    }

    /// True while a merge cycle is under way.
    pub fn cycling(&self) -> bool {
        self.counted.as_ref().is_some_and(|c| c.cycle.is_some())
    }

    /// Forgets everything (after a failed commit).
    pub fn forget(&mut self) {
        self.counted = None;
    }

    /// The counts, read from the tables on first use.
    fn counted<M, L, H>(&mut self, tables: &Messages<M, L, H>) -> Result<&mut Counted, StoreError>
    where
        M: ReadableTable<(u64, u64), &'static [u8]>,
        L: ReadableTable<u64, (u64, u64, u64, &'static [u8])>,
        H: ReadableTable<u64, u64>,
    {
        if self.counted.is_none() {
            self.counted = Some(count(tables)?);
        }
        self.counted
            .as_mut()
            .ok_or(StoreError::NotFound("the recent messages' counts"))
    }
}

/// Reads the log: which entries are not yet moved, walking each conversation's chain
/// from its head as readers do (a moved entry, or one of a deleted conversation, is
/// never taken for an unmoved one).
fn count<M, L, H>(tables: &Messages<M, L, H>) -> Result<Counted, StoreError>
where
    M: ReadableTable<(u64, u64), &'static [u8]>,
    L: ReadableTable<u64, (u64, u64, u64, &'static [u8])>,
    H: ReadableTable<u64, u64>,
{
    let mut counted = Counted {
        next: match tables.log.last()? {
            Some((arrival, _)) => arrival.value() + 1,
            None => 1,
        },
        entries: tables.log.len()?,
        ..Counted::default()
    };
    let conversations: Vec<u64> = tables
        .heads
        .iter()?
        .map(|row| row.map(|(k, _)| k.value()))
        .collect::<Result<_, _>>()?;
    for conversation in conversations {
        let mut unmoved = VecDeque::new();
        tables.walk(conversation, 0, |arrival, seq, _| {
            unmoved.push_front((arrival, seq))
        })?;
        if !unmoved.is_empty() {
            counted.unmoved += unmoved.len() as u64;
            counted.conversations.insert(conversation, unmoved);
        }
    }
    Ok(counted)
}
