//! The one read behind a report (`crate::reports`): every conversation created in a
//! time range, optionally on one site, handed with its messages and its visitor's
//! rating to a visitor, from one read transaction (one snapshot). There is no index by creation time: the scan reads
//! every conversation record (small, fixed-size) and the messages of those inside the
//! range only, which keeps it exact with nothing to keep in step on writes.

use redb::ReadableTable;

use super::rating_records::{RATINGS, RatingRecord};
use super::records::{ConversationRecord, ConversationV1, MessageRecord, MessageV1, decode};
use super::tables::CONVERSATIONS;
use super::{Store, StoreError};
use super::{messages_read::MessageReader, messages_recent::ReadMessages};

/// Which conversations a scan visits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanRange {
    /// Created at or after this time (ms since the Unix epoch).
    pub from_ms: u64,
    /// Created before this time (ms since the Unix epoch).
    pub until_ms: u64,
    /// Only this site's (None: every site).
    pub site: Option<String>,
}

impl Store {
    /// Calls `visit(id, conversation, messages, rating)` for each conversation in
    /// `range`, in id order, its messages ascending by seq, `rating` its visitor's score
    /// (1–5) if they rated it; returns how many were visited. The message buffer is
    /// reused between conversations.
    pub fn scan_conversations(
        &self,
        range: &ScanRange,
        mut visit: impl FnMut(u64, &ConversationV1, &[(u64, MessageV1)], Option<u8>),
    ) -> Result<u64, StoreError> {
        let tx = self.db().begin_read()?;
        let conversations = tx.open_table(CONVERSATIONS)?;
        let messages = ReadMessages::read(&tx)?;
        let ratings = tx.open_table(RATINGS)?;
        let mut buffer = Vec::new();
        let mut visited = 0;
        for row in conversations.iter()? {
            let (id, value) = row?;
            let id = id.value();
            let ConversationRecord::V1(c) = decode(value.value(), "conversations")?;
            if c.created_ms < range.from_ms
                || c.created_ms >= range.until_ms
                || range.site.as_ref().is_some_and(|s| *s != c.site)
            {
                continue;
            }
            buffer.clear();
            for (seq, record) in messages.all(id)? {
                let MessageRecord::V1(message) = record;
                buffer.push((seq, message));
            }
            let rating = match ratings.get(id)? {
                Some(v) => {
                    let record: RatingRecord = decode(v.value(), "ratings")?;
                    Some(record.into_latest().score)
                }
                None => None,
            };
            visit(id, &c, &buffer, rating);
            visited += 1;
        }
        Ok(visited)
    }
}
