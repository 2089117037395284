//! Reading a conversation's messages from both of their parts: the messages table
//! and the recent log (`super::messages_recent`, whose header states the invariants
//! this relies on: the log's unmoved entries of a conversation are newer than its
//! messages in the table, and only those are taken from the log).

use redb::ReadableTable;

use super::StoreError;
use super::messages_recent::Messages;
use super::records::{MessageRecord, decode};

/// Reading a conversation's messages from both parts; implemented by [`Messages`]
/// for read and write transactions alike.
pub trait MessageReader {
    /// `conversation`'s messages with `from <= seq <= to`, ascending.
    fn range(
        &self,
        conversation: u64,
        from: u64,
        to: u64,
    ) -> Result<Vec<(u64, MessageRecord)>, StoreError>;

    /// All of `conversation`'s messages, ascending.
    fn all(&self, conversation: u64) -> Result<Vec<(u64, MessageRecord)>, StoreError> {
        self.range(conversation, 0, u64::MAX)
    }

    /// Up to `limit` of `conversation`'s messages with `seq < before`, newest first, and
    /// whether older ones exist.
    fn newest_before(
        &self,
        conversation: u64,
        before: u64,
        limit: usize,
    ) -> Result<(Vec<(u64, MessageRecord)>, bool), StoreError>;

    /// `conversation`'s newest message, if any.
    fn last(&self, conversation: u64) -> Result<Option<(u64, MessageRecord)>, StoreError>;

    /// One message.
    fn get(&self, conversation: u64, seq: u64) -> Result<Option<MessageRecord>, StoreError> {
        Ok(self
            .range(conversation, seq, seq)?
            .into_iter()
            .next()
            .map(|(_, record)| record))
    }
}

impl<M, L, H> MessageReader for Messages<M, L, H>
where
    M: ReadableTable<(u64, u64), &'static [u8]>,
    L: ReadableTable<u64, (u64, u64, u64, &'static [u8])>,
    H: ReadableTable<u64, u64>,
{
    /// `conversation`'s messages with `from <= seq <= to`, ascending.
    fn range(
        &self,
        conversation: u64,
        from: u64,
        to: u64,
    ) -> Result<Vec<(u64, MessageRecord)>, StoreError> {
        let mut out = Vec::new();
        if to < from {
            return Ok(out);
        }
        for row in self.main.range((conversation, from)..=(conversation, to))? {
            let (key, value) = row?;
            out.push((key.value().1, decode(value.value(), "messages")?));
        }
        let mut recent = Vec::new();
        self.walk(conversation, from.saturating_sub(1), |_, seq, record| {
            if seq <= to {
                recent.push((seq, record.to_vec()));
            }
        })?;
        for (seq, record) in recent.into_iter().rev() {
            out.push((seq, decode(&record, "messages")?));
        }
        Ok(out)
    }

    /// Up to `limit` of `conversation`'s messages with `seq < before`, newest first, and
    /// whether older ones exist.
    fn newest_before(
        &self,
        conversation: u64,
        before: u64,
        limit: usize,
    ) -> Result<(Vec<(u64, MessageRecord)>, bool), StoreError> {
        let mut recent = Vec::new();
        self.walk(conversation, 0, |_, seq, record| {
            if seq < before {
                recent.push((seq, record.to_vec()));
            }
        })?;
        let mut out = Vec::new();
        for (seq, record) in recent {
            if out.len() == limit {
                return Ok((out, true));
            }
            out.push((seq, decode(&record, "messages")?));
        }
        let mut rows = self
            .main
            .range((conversation, 0)..(conversation, before))?
            .rev();
        for row in rows.by_ref() {
            if out.len() == limit {
                return Ok((out, true));
            }
            let (key, value) = row?;
            out.push((key.value().1, decode(value.value(), "messages")?));
        }
        Ok((out, false))
    }

    /// `conversation`'s newest message, if any.
    fn last(&self, conversation: u64) -> Result<Option<(u64, MessageRecord)>, StoreError> {
        let main = self
            .main
            .range((conversation, 0)..=(conversation, u64::MAX))?
            .next_back()
            .transpose()?;
        let floor = main.as_ref().map_or(0, |(k, _)| k.value().1);
        if let Some(arrival) = self.heads.get(conversation)?.map(|v| v.value())
            && let Some(entry) = self.log.get(arrival)?
            && let (owner, seq, _, record) = entry.value()
            && owner == conversation
            && seq > floor
        {
            return Ok(Some((seq, decode(record, "messages")?)));
        }
        match main {
            Some((key, value)) => Ok(Some((key.value().1, decode(value.value(), "messages")?))),
            None => Ok(None),
        }
    }
}
