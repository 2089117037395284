//! The export read a page at a time (`GET /api/v1/export`): JSON lines as
//! `deskbell export` writes them (`export.rs`), for conversations with ids above a
//! cursor, filtered by site and creation time. Each page is one read transaction, short
//! enough for the read pool; a whole export is many pages, so it is not one snapshot:
//! a conversation made meanwhile is in it when its id is above the cursor then.

use std::io::Write;

use super::records::{ConversationRecord, VisitorRecord, decode};
use super::tables::*;
use super::{Store, StoreError};
use super::{messages_read::MessageReader, messages_recent::ReadMessages};

/// Which conversations an export holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportFilter {
    /// Only this site's.
    pub site: Option<String>,
    /// Only those created at or after this time (ms since the Unix epoch).
    pub since_ms: Option<u64>,
}

/// One page of an export.
#[derive(Debug, Default)]
pub struct ExportPage {
    /// JSON lines, each ending in `\n`.
    pub lines: Vec<u8>,
    /// Conversations in `lines`.
    pub conversations: u64,
    /// The cursor for the next page; None: the export is complete.
    pub next_after: Option<u64>,
}

impl Store {
    /// Conversations with ids above `after`, ascending, that pass `filter`, as JSON
    /// lines: at most `max_conversations` and `max_scanned` looked at, ending the page
    /// once `lines` holds `max_bytes` (one conversation may take it past that).
    pub fn export_page(
        &self,
        filter: &ExportFilter,
        after: u64,
        max_conversations: u64,
        max_scanned: u64,
        max_bytes: usize,
    ) -> Result<ExportPage, StoreError> {
        let tx = self.db().begin_read()?;
        let conversations = tx.open_table(CONVERSATIONS)?;
        let messages = ReadMessages::read(&tx)?;
        let visitors = tx.open_table(VISITORS)?;
        let mut page = ExportPage::default();
        let mut scanned = 0;
        let mut last = after;
        let mut rows = conversations.range(after.saturating_add(1)..)?;
        let full = loop {
            if scanned == max_scanned
                || page.conversations == max_conversations
                || page.lines.len() >= max_bytes
            {
                break true;
            }
            let Some(row) = rows.next() else {
                break false;
            };
            let (id, value) = row?;
            let id = id.value();
            last = id;
            scanned += 1;
            let c = decode::<ConversationRecord>(value.value(), "conversations")?
                .latest()
                .clone();
            if filter.site.as_ref().is_some_and(|s| *s != c.site)
                || filter.since_ms.is_some_and(|t| c.created_ms < t)
            {
                continue;
            }
            let visitor = match visitors.get(c.visitor)? {
                Some(v) => decode::<VisitorRecord>(v.value(), "visitors")?.into_latest(),
                None => Default::default(),
            };
            let mut stored = Vec::new();
            for (seq, message) in messages.all(id)? {
                stored.push((seq, message.latest().clone()));
            }
            let line = super::export::json_line(id, &c, &visitor, &stored);
            writeln!(page.lines, "{line}")?;
            page.conversations += 1;
        };
        page.next_after = full.then_some(last);
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::values::{StoredAuthorKind, StoredStatus};
    use crate::store::{NewMessage, WriteOp};

    /// Follows the cursor to the end; returns the ids exported and the pages read.
    fn all(store: &Store, filter: &ExportFilter, scanned: u64) -> (Vec<u64>, usize) {
        let (mut ids, mut pages, mut after) = (Vec::new(), 0, 0);
        loop {
            let page = store
                .export_page(filter, after, 2, scanned, 1 << 20)
                .expect("page");
            pages += 1;
            for line in String::from_utf8(page.lines).expect("UTF-8").lines() {
                let value: serde_json::Value = serde_json::from_str(line).expect("JSON");
                ids.push(value["id"].as_u64().expect("id"));
            }
            match page.next_after {
                Some(next) => after = next,
                None => return (ids, pages),
            }
        }
    }

    #[test]
    fn pages_follow_the_cursor_through_filtered_out_stretches() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (store, writer) = crate::store::tests_files::start(dir.path());
        for id in 1..=7u64 {
            let op = WriteOp::OpenConversation {
                conversation: id,
                status: StoredStatus::Queued,
                visitor: id,
                site: if id % 3 == 0 { "blog" } else { "shop" }.into(),
                message: NewMessage {
                    attachments: Vec::new(),
                    author_kind: StoredAuthorKind::Visitor,
                    author_id: id,
                    author_name: String::new(),
                    body: format!("hi {id}"),
                    client_id: None,
                    event: None,
                    at_ms: id * 1_000,
                },
                visitor_details: None,
            };
            writer.call_blocking(op).expect("stored");
        }
        let every = ExportFilter::default();
        assert_eq!(all(&store, &every, 100).0, (1..=7).collect::<Vec<_>>());
        // Two per page, at most two looked at per page: pages with nothing to send
        // still move the cursor on.
        let blog = ExportFilter {
            site: Some("blog".into()),
            since_ms: None,
        };
        let (ids, pages) = all(&store, &blog, 2);
        assert_eq!(ids, [3, 6]);
        assert!(pages >= 4, "{pages} pages");
        let recent = ExportFilter {
            site: None,
            since_ms: Some(5_000),
        };
        assert_eq!(all(&store, &recent, 100).0, [5, 6, 7]);
    }
}
