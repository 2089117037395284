//! Read-only queries. Each opens its own read transaction; callers on the executor run
//! the larger ones (history replay) through the reader pool (`crate::readers`).

use redb::ReadableTable;

use super::records::{
    AgentRecord, AgentRole, AgentV4, CannedRecord, ConversationRecord, ConversationV1, MessageV1,
    SessionRecord, SettingsRecord, SettingsV3, VisitorRecord, VisitorV2, decode,
};
use super::tables::*;
use super::values::{StoredEvent, StoredStatus};
use super::{Store, StoreError};
use super::{messages_read::MessageReader, messages_recent::ReadMessages};

/// An open conversation with its latest message position, as the hub restores it.
#[derive(Debug, Clone)]
pub struct OpenConversation {
    /// Conversation id.
    pub id: u64,
    /// Stored fields.
    pub record: ConversationV1,
    /// Highest sequence number.
    pub last_seq: u64,
    /// Time of the latest message.
    pub last_at_ms: u64,
}

impl Store {
    /// Messages with `after < seq <= upto`, ascending.
    pub fn messages_between(
        &self,
        conversation: u64,
        after: u64,
        upto: u64,
    ) -> Result<Vec<(u64, MessageV1)>, StoreError> {
        if upto <= after {
            return Ok(Vec::new());
        }
        let tx = self.db().begin_read()?;
        let messages = ReadMessages::read(&tx)?;
        Ok(messages
            .range(conversation, after + 1, upto)?
            .into_iter()
            .map(|(seq, record)| (seq, record.latest().clone()))
            .collect())
    }

    /// Up to `limit` messages with `seq < before` (0 = newest), ascending, and whether
    /// older ones exist.
    pub fn messages_before(
        &self,
        conversation: u64,
        before: u64,
        limit: usize,
    ) -> Result<(Vec<(u64, MessageV1)>, bool), StoreError> {
        let tx = self.db().begin_read()?;
        let messages = ReadMessages::read(&tx)?;
        let end = if before == 0 { u64::MAX } else { before };
        let (newest, has_more) = messages.newest_before(conversation, end, limit)?;
        let out = newest
            .into_iter()
            .rev()
            .map(|(seq, record)| (seq, record.latest().clone()))
            .collect();
        Ok((out, has_more))
    }

    /// Highest sequence number and its time (0, 0 for an empty conversation).
    pub fn last_message(&self, conversation: u64) -> Result<(u64, u64), StoreError> {
        let tx = self.db().begin_read()?;
        last_message_in(&ReadMessages::read(&tx)?, conversation)
    }

    /// The seq of the message stored in `conversation` under `client_id`, if any: what
    /// `append` dedupes retries by, read from the messages (for an API retry that the hub refused
    /// because the conversation moved on since the first attempt was stored).
    pub fn seq_of_client_id(
        &self,
        conversation: u64,
        client_id: &str,
    ) -> Result<Option<u64>, StoreError> {
        let tx = self.db().begin_read()?;
        super::client_ids::scan_for(&ReadMessages::read(&tx)?, conversation, client_id)
    }

    /// One conversation.
    pub fn conversation(&self, id: u64) -> Result<Option<ConversationV1>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(CONVERSATIONS)?;
        match table.get(id)? {
            Some(v) => Ok(Some(
                decode::<ConversationRecord>(v.value(), "conversations")?
                    .latest()
                    .clone(),
            )),
            None => Ok(None),
        }
    }

    /// Every conversation that is not closed, oldest first.
    pub fn open_conversations(&self) -> Result<Vec<OpenConversation>, StoreError> {
        let tx = self.db().begin_read()?;
        let open = tx.open_table(OPEN_BY_VISITOR)?;
        let convs = tx.open_table(CONVERSATIONS)?;
        let messages = ReadMessages::read(&tx)?;
        let mut out = Vec::new();
        for row in open.iter()? {
            let id = row?.1.value();
            let Some(v) = convs.get(id)? else { continue };
            let record = decode::<ConversationRecord>(v.value(), "conversations")?
                .latest()
                .clone();
            let (last_seq, last_at_ms) = last_message_in(&messages, id)?;
            out.push(OpenConversation {
                id,
                record,
                last_seq,
                last_at_ms,
            });
        }
        out.sort_by_key(|c| c.id);
        Ok(out)
    }

    /// The visitor's open conversation on a site, or else their latest one there.
    pub fn current_conversation_of(
        &self,
        visitor: u64,
        site: &str,
    ) -> Result<Option<(u64, ConversationV1, u64, u64)>, StoreError> {
        let tx = self.db().begin_read()?;
        let open = tx.open_table(OPEN_BY_VISITOR)?;
        let all = tx.open_multimap_table(VISITOR_CONVERSATIONS)?;
        let convs = tx.open_table(CONVERSATIONS)?;
        let messages = ReadMessages::read(&tx)?;
        let mut candidates: Vec<u64> = match open.get((visitor, site))? {
            Some(id) => vec![id.value()],
            None => all
                .get(visitor)?
                .map(|r| r.map(|v| v.value()))
                .collect::<Result<_, _>>()?,
        };
        candidates.sort_unstable();
        for id in candidates.into_iter().rev() {
            let Some(v) = convs.get(id)? else { continue };
            let record = decode::<ConversationRecord>(v.value(), "conversations")?
                .latest()
                .clone();
            if record.site == site {
                let (seq, at) = last_message_in(&messages, id)?;
                return Ok(Some((id, record, seq, at)));
            }
        }
        Ok(None)
    }

    /// One agent by id (a point read, not a scan of every agent).
    pub fn agent(&self, id: u64) -> Result<Option<AgentV4>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(AGENTS)?;
        match table.get(id)? {
            Some(v) => Ok(Some(
                decode::<AgentRecord>(v.value(), "agents")?.into_latest(),
            )),
            None => Ok(None),
        }
    }

    /// All agents, by id.
    pub fn agents(&self) -> Result<Vec<(u64, AgentV4)>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(AGENTS)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (k, v) = row?;
            out.push((
                k.value(),
                decode::<AgentRecord>(v.value(), "agents")?.into_latest(),
            ));
        }
        Ok(out)
    }

    /// An agent by login name (case-insensitive).
    pub fn agent_by_name(&self, name: &str) -> Result<Option<(u64, AgentV4)>, StoreError> {
        let tx = self.db().begin_read()?;
        let names = tx.open_table(AGENT_BY_NAME)?;
        let Some(id) = names.get(name.to_lowercase().as_str())?.map(|v| v.value()) else {
            return Ok(None);
        };
        let agents = tx.open_table(AGENTS)?;
        match agents.get(id)? {
            Some(v) => Ok(Some((
                id,
                decode::<AgentRecord>(v.value(), "agents")?.into_latest(),
            ))),
            None => Ok(None),
        }
    }

    /// True once an admin account exists.
    pub fn has_admin(&self) -> Result<bool, StoreError> {
        Ok(self
            .agents()?
            .iter()
            .any(|(_, a)| a.role == AgentRole::Admin && !a.disabled))
    }

    /// A session by token digest.
    pub fn session(&self, digest: &[u8; 32]) -> Result<Option<SessionRecord>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(SESSIONS)?;
        match table.get(digest.as_slice())? {
            Some(v) => Ok(Some(decode(v.value(), "sessions")?)),
            None => Ok(None),
        }
    }

    /// A visitor id by token digest.
    pub fn visitor_by_token(&self, digest: &[u8; 32]) -> Result<Option<u64>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(VISITOR_BY_TOKEN)?;
        Ok(table.get(digest.as_slice())?.map(|v| v.value()))
    }

    /// A visitor's stored details.
    pub fn visitor(&self, id: u64) -> Result<Option<VisitorV2>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(VISITORS)?;
        match table.get(id)? {
            Some(v) => Ok(Some(
                decode::<VisitorRecord>(v.value(), "visitors")?.into_latest(),
            )),
            None => Ok(None),
        }
    }

    /// The start of the visitor's latest message (`StoredEvent::previewed`), looking back
    /// at most 50 messages.
    pub fn preview(&self, conversation: u64) -> Result<String, StoreError> {
        let tx = self.db().begin_read()?;
        let messages = ReadMessages::read(&tx)?;
        for (_, record) in messages.newest_before(conversation, u64::MAX, 50)?.0 {
            let m = record.latest();
            if StoredEvent::previewed(m.author_kind, m.event.as_ref()) {
                return Ok(preview_of_message(m));
            }
        }
        Ok(String::new())
    }

    /// Highest seq read by the visitor side and the agent side.
    pub fn read_state(&self, conversation: u64) -> Result<[u64; 2], StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(READ_STATE)?;
        let mut read = [0, 0];
        for (side, slot) in read.iter_mut().enumerate() {
            *slot = table
                .get((conversation, side as u8))?
                .map(|v| v.value())
                .unwrap_or(0);
        }
        Ok(read)
    }

    /// The widget settings (defaults until an admin saves some).
    pub fn settings(&self) -> Result<SettingsV3, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(SETTINGS)?;
        match table.get("widget")? {
            Some(v) => Ok(decode::<SettingsRecord>(v.value(), "settings")?.into_latest()),
            None => Ok(SettingsV3::default()),
        }
    }

    /// Every canned reply: (id, shortcut, text), by shortcut.
    pub fn canned(&self) -> Result<Vec<(u64, String, String)>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(CANNED)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (k, v) = row?;
            let CannedRecord::V1 { shortcut, text } = decode(v.value(), "canned")?;
            out.push((k.value(), shortcut, text));
        }
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }

    /// Ids of closed conversations below `before` (0 = any), newest first, at most
    /// `limit`.
    pub fn closed_conversation_ids(
        &self,
        before: u64,
        limit: usize,
    ) -> Result<Vec<u64>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(CONVERSATIONS)?;
        let end = if before == 0 { u64::MAX } else { before };
        let mut ids = Vec::new();
        for row in table.range(0..end)?.rev() {
            let (k, v) = row?;
            let record: ConversationRecord = decode(v.value(), "conversations")?;
            if record.latest().status == StoredStatus::Closed {
                ids.push(k.value());
                if ids.len() >= limit {
                    break;
                }
            }
        }
        Ok(ids)
    }

    /// Closed conversations last changed before `cutoff_ms`, oldest first, at most `limit`.
    pub fn expired_conversations(
        &self,
        cutoff_ms: u64,
        limit: usize,
    ) -> Result<Vec<u64>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_table(CONVERSATIONS)?;
        let mut out = Vec::new();
        for row in table.iter()? {
            let (k, v) = row?;
            let c = decode::<ConversationRecord>(v.value(), "conversations")?;
            let c = c.latest();
            if c.status == StoredStatus::Closed && c.updated_ms < cutoff_ms {
                out.push(k.value());
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// True when visitor `id` was erased (`super::erase_records`).
    pub fn is_erased(&self, id: u64) -> Result<bool, StoreError> {
        let tx = self.db().begin_read()?;
        let erased = tx.open_table(super::erase_records::ERASED_VISITORS)?;
        Ok(erased.get(id)?.is_some())
    }

    /// Ids of a visitor's conversations, newest first.
    pub fn visitor_conversation_ids(&self, visitor: u64) -> Result<Vec<u64>, StoreError> {
        let tx = self.db().begin_read()?;
        let table = tx.open_multimap_table(VISITOR_CONVERSATIONS)?;
        let mut ids: Vec<u64> = table
            .get(visitor)?
            .map(|r| r.map(|v| v.value()))
            .collect::<Result<_, _>>()?;
        ids.sort_by_key(|id| std::cmp::Reverse(*id));
        Ok(ids)
    }

    /// Highest visitor id that may have been handed out (stored, or reserved by the
    /// `meta` high-water mark) and highest conversation id, for id allocation at start.
    pub fn max_ids(&self) -> Result<(u64, u64), StoreError> {
        let tx = self.db().begin_read()?;
        let visitors = tx.open_table(VISITORS)?;
        let convs = tx.open_table(CONVERSATIONS)?;
        let stored = visitors.last()?.map(|(k, _)| k.value()).unwrap_or(0);
        let reserved = tx
            .open_table(META)?
            .get(VISITOR_IDS_RESERVED)?
            .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
            .map_or(0, u64::from_le_bytes);
        let c = convs.last()?.map(|(k, _)| k.value()).unwrap_or(0);
        Ok((stored.max(reserved), c))
    }
}

/// Highest sequence number and its time in an open messages table.
pub(super) fn last_message_in(
    messages: &impl MessageReader,
    conversation: u64,
) -> Result<(u64, u64), StoreError> {
    Ok(messages
        .last(conversation)?
        .map_or((0, 0), |(seq, record)| (seq, record.latest().at_ms)))
}

/// The preview of a stored message: its text, or for files sent without a caption
/// their names after a paperclip.
pub fn preview_of_message(message: &MessageV1) -> String {
    match &message.event {
        Some(StoredEvent::Attachments { files }) if message.body.trim().is_empty() => {
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            preview_of(&format!("📎 {}", names.join(", ")))
        }
        _ => preview_of(&message.body),
    }
}

/// The first 80 characters of a message, on one line.
pub fn preview_of(body: &str) -> String {
    // Runs on every committed message: stop after 80 characters instead of copying the
    // whole body.
    let mut preview = String::with_capacity(84);
    let mut chars = 0;
    for word in body.split_whitespace() {
        if chars > 0 {
            preview.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars >= 80 {
                return preview.trim_end().to_string();
            }
            preview.push(c);
            chars += 1;
        }
        if chars >= 80 {
            break;
        }
    }
    preview.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::preview_of;

    #[test]
    fn previews_are_one_line_and_at_most_80_characters() {
        assert_eq!(preview_of("  hello\n  there  "), "hello there");
        let long = "wörd ".repeat(40);
        let preview = preview_of(&long);
        assert_eq!(preview.chars().count(), 79, "{preview}");
        assert!(preview.starts_with("wörd wörd"));
        assert_eq!(preview_of(""), "");
    }

    #[test]
    fn files_without_a_caption_preview_as_their_names() {
        use super::super::values::{StoredAttachment, StoredAuthorKind, StoredEvent};
        let file = |name: &str| StoredAttachment {
            token: [0; 16],
            name: name.into(),
            content_type: "image/png".into(),
            size: 1,
        };
        let mut message = super::MessageV1 {
            at_ms: 0,
            author_kind: StoredAuthorKind::Visitor,
            author_id: 1,
            author_name: String::new(),
            body: String::new(),
            client_id: None,
            event: Some(StoredEvent::Attachments {
                files: vec![file("box.png"), file("label.png")],
            }),
        };
        assert_eq!(super::preview_of_message(&message), "📎 box.png, label.png");
        message.body = "It arrived broken".into();
        assert_eq!(super::preview_of_message(&message), "It arrived broken");
    }
}
