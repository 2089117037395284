//! Pages of conversations for the integrators' API (`GET /api/v1/conversations`):
//! newest first, filtered, with a cursor (an id: the next page starts below it). The
//! cost of one page is bounded whatever the filter: at most [`SCAN_LIMIT`] rows are
//! read, and when the scan stops before the page is full the cursor says where to go
//! on, so a selective filter over a large table answers quickly with fewer rows and a
//! cursor instead of reading everything. A visitor or label filter reads that index
//! instead of the whole table.

use redb::ReadTransaction;

use super::label_records::LABEL_CONVERSATIONS;
use super::records::{ConversationRecord, ConversationV1, decode};
use super::tables::{CONVERSATIONS, VISITOR_CONVERSATIONS};
use super::values::StoredStatus;
use super::{Store, StoreError};

/// Most conversation rows one page reads.
pub const SCAN_LIMIT: usize = 2_000;

/// Which conversations a page holds; `None` matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationFilter {
    /// Where it stands.
    pub status: Option<StoredStatus>,
    /// The site it started on.
    pub site: Option<String>,
    /// Its assigned (or, when closed, last) agent.
    pub agent: Option<u64>,
    /// Its visitor (read through the visitor's index, not a scan).
    pub visitor: Option<u64>,
    /// Created at or after this time (ms since the Unix epoch).
    pub created_from_ms: Option<u64>,
    /// Created before this time (ms since the Unix epoch).
    pub created_until_ms: Option<u64>,
    /// Carries this label (read through the label's index, not a scan).
    pub label: Option<u64>,
}

impl ConversationFilter {
    /// True when `c` is one of the conversations asked for.
    pub fn matches(&self, c: &ConversationV1) -> bool {
        self.status.is_none_or(|s| s == c.status)
            && self.site.as_ref().is_none_or(|s| *s == c.site)
            && self.agent.is_none_or(|a| c.agent == Some(a))
            && self.visitor.is_none_or(|v| v == c.visitor)
            && self.created_from_ms.is_none_or(|t| c.created_ms >= t)
            && self.created_until_ms.is_none_or(|t| c.created_ms < t)
    }
}

/// One page: the conversations, newest first, and where the next page starts.
#[derive(Debug, Clone, Default)]
pub struct ConversationPage {
    /// (id, conversation), ids descending.
    pub conversations: Vec<(u64, ConversationV1)>,
    /// Pass as `before` for the next page; None: there is nothing older.
    pub next_before: Option<u64>,
}

fn read_one(tx: &ReadTransaction, id: u64) -> Result<Option<ConversationV1>, StoreError> {
    let table = tx.open_table(CONVERSATIONS)?;
    let found = table.get(id)?;
    found
        .map(|v| {
            decode::<ConversationRecord>(v.value(), "conversations").map(|r| r.latest().clone())
        })
        .transpose()
}

impl Store {
    /// Up to `limit` conversations with an id below `before` (0: from the newest) that
    /// match `filter`, newest first.
    pub fn conversation_page(
        &self,
        filter: &ConversationFilter,
        before: u64,
        limit: usize,
    ) -> Result<ConversationPage, StoreError> {
        let tx = self.db().begin_read()?;
        let end = if before == 0 { u64::MAX } else { before };
        let mut page = ConversationPage::default();
        let mut scanned = 0;
        let mut last_seen = None;
        let mut more = false;
        let mut consider = |id: u64, c: ConversationV1, page: &mut ConversationPage| {
            if page.conversations.len() >= limit || scanned >= SCAN_LIMIT {
                more = true;
                return false;
            }
            scanned += 1;
            last_seen = Some(id);
            if filter.matches(&c) {
                page.conversations.push((id, c));
            }
            true
        };
        let indexed = match (filter.label, filter.visitor) {
            (Some(label), _) => Some(super::labels::labelled_in(
                &tx.open_multimap_table(LABEL_CONVERSATIONS)?,
                label,
                before,
            )?),
            (None, Some(visitor)) => {
                let index = tx.open_multimap_table(VISITOR_CONVERSATIONS)?;
                let mut ids = Vec::new();
                for id in index.get(visitor)? {
                    ids.push(id?.value());
                }
                ids.retain(|&id| id < end);
                ids.sort_unstable_by(|a, b| b.cmp(a));
                Some(ids)
            }
            (None, None) => None,
        };
        if let Some(ids) = indexed {
            for id in ids {
                let Some(c) = read_one(&tx, id)? else {
                    continue;
                };
                if !consider(id, c, &mut page) {
                    break;
                }
            }
        } else {
            let table = tx.open_table(CONVERSATIONS)?;
            for row in table.range(..end)?.rev() {
                let (id, value) = row?;
                let record: ConversationRecord = decode(value.value(), "conversations")?;
                if !consider(id.value(), record.latest().clone(), &mut page) {
                    break;
                }
            }
        }
        page.next_before = if more { last_seen } else { None };
        Ok(page)
    }
}
