//! The changes the writer can make, and how each is applied inside a write transaction.
//! Every op checks before it writes, so a refused op leaves nothing behind.

use std::collections::HashMap;

use redb::{ReadableTable, TableDefinition, WriteTransaction};

use super::StoreError;
use super::read::last_message_in;
use super::records::*;
use super::tables::*;
use super::values::{StoredAuthorKind, StoredEvent, StoredStatus};

/// Visitor details to set; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct VisitorUpdate {
    /// Time of this connection, ms since the Unix epoch.
    pub seen_ms: Option<u64>,
    /// Current page.
    pub page: Option<String>,
    /// Referrer.
    pub referrer: Option<String>,
    /// Browser language.
    pub language: Option<String>,
    /// User-Agent.
    pub user_agent: Option<String>,
    /// Minutes east of UTC.
    pub utc_offset_min: Option<i32>,
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
}

/// A message to append.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Who wrote it.
    pub author_kind: StoredAuthorKind,
    /// Visitor or agent id (0 for bot/system).
    pub author_id: u64,
    /// Display name.
    pub author_name: String,
    /// The text.
    pub body: String,
    /// Client message id, for idempotent retries.
    pub client_id: Option<String>,
    /// For system messages.
    pub event: Option<StoredEvent>,
    /// Time, ms since the Unix epoch.
    pub at_ms: u64,
}

/// One change for the single writer.
#[derive(Debug)]
pub enum WriteOp {
    /// Append a message to an existing conversation.
    Append {
        /// The conversation.
        conversation: u64,
        /// The message.
        message: NewMessage,
    },
    /// Create a conversation together with its first message.
    OpenConversation {
        /// Id allocated by the hub.
        conversation: u64,
        /// Its first status: `Queued`, or `Bot` when the FAQ bot answers first.
        status: StoredStatus,
        /// The visitor.
        visitor: u64,
        /// The site.
        site: String,
        /// The first message.
        message: NewMessage,
        /// Details of a visitor who has no record yet (nothing is written at hello):
        /// the record is created in this same commit, so a kept message always has
        /// its visitor. None for a visitor already stored.
        visitor_details: Option<VisitorUpdate>,
    },
    /// Change status/assignee and record it as a system message.
    ChangeStatus {
        /// The conversation.
        conversation: u64,
        /// New status.
        status: StoredStatus,
        /// New (or, when closing, last) agent.
        agent: Option<u64>,
        /// The system message describing the change.
        message: NewMessage,
    },
    /// Raise a read marker.
    SetRead {
        /// The conversation.
        conversation: u64,
        /// 0 = visitor side, 1 = agent side.
        reader: u8,
        /// Highest read sequence number.
        seq: u64,
    },
    /// Create a visitor or update some of their details (merged inside the transaction,
    /// so concurrent updates from several tabs never undo each other).
    UpsertVisitor {
        /// Visitor id.
        id: u64,
        /// Digest of a newly issued token, to index.
        token_digest: Option<[u8; 32]>,
        /// The details to set.
        update: VisitorUpdate,
    },
    /// Raise the durable high-water mark of visitor ids that may have been handed out
    /// (`meta` key `visitor_ids_reserved`; never lowered). See [`super::VisitorIds`].
    ReserveVisitorIds {
        /// Every id up to and including this one may be handed out once committed.
        up_to: u64,
    },
    /// Create an agent account.
    CreateAgent {
        /// The account.
        agent: AgentV1,
        /// Refuse if an admin exists already (first-run setup).
        only_if_no_admin: bool,
    },
    /// Replace an agent account's fields (name changes are not supported).
    UpdateAgent {
        /// Agent id.
        id: u64,
        /// New fields.
        agent: AgentV1,
        /// After a password change: in the same transaction, end the agent's sessions,
        /// all (`Some(None)`) or all but the one with this token digest.
        end_sessions: Option<Option<[u8; 32]>>,
    },
    /// Store a login session.
    PutSession {
        /// Token digest.
        digest: [u8; 32],
        /// The session.
        record: SessionRecord,
    },
    /// Replace the widget settings.
    PutSettings {
        /// The settings.
        settings: SettingsV1,
    },
    /// Create (`id` None) or replace a canned reply.
    PutCanned {
        /// Existing id to replace.
        id: Option<u64>,
        /// The reply.
        record: CannedRecord,
    },
    /// Delete a canned reply.
    DeleteCanned {
        /// Its id.
        id: u64,
    },
    /// Create (`id` None) or replace an FAQ entry.
    PutFaq {
        /// Existing id to replace.
        id: Option<u64>,
        /// The entry.
        record: FaqRecord,
    },
    /// Delete an FAQ entry.
    DeleteFaq {
        /// Its id.
        id: u64,
    },
    /// Delete a closed conversation and everything in it (retention). Refused for a
    /// conversation that is open again.
    PurgeConversation {
        /// The conversation.
        id: u64,
    },
    /// Forget a login session.
    DeleteSession {
        /// Token digest.
        digest: [u8; 32],
    },
}

/// The result of a successful op.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A message is stored (or was already: `duplicate`).
    Appended(Appended),
    /// An agent was created with this id.
    AgentCreated(u64),
    /// A canned reply was saved under this id.
    CannedSaved(u64),
    /// An FAQ entry was saved under this id.
    FaqSaved(u64),
    /// Done, nothing to report.
    Done,
}

/// A stored message.
#[derive(Debug, Clone)]
pub struct Appended {
    /// The conversation.
    pub conversation: u64,
    /// Its sequence number.
    pub seq: u64,
    /// True when the client id had been stored before; `message` is then the original.
    pub duplicate: bool,
    /// The message.
    pub message: MessageV1,
}

/// Highest sequence number per conversation, kept by the writer between batches.
pub type SeqCache = HashMap<u64, u64>;

/// Creates a visitor's record or merges `update` into it.
fn upsert_visitor(tx: &WriteTransaction, id: u64, update: VisitorUpdate) -> Result<(), StoreError> {
    let mut visitors = tx.open_table(VISITORS)?;
    let mut record = match visitors.get(id)? {
        Some(v) => decode::<VisitorRecord>(v.value(), "visitors")?.into_latest(),
        None => VisitorV2 {
            created_ms: update.seen_ms.unwrap_or(0),
            ..VisitorV2::default()
        },
    };
    record.last_seen_ms = update.seen_ms.unwrap_or(record.last_seen_ms);
    record.page = update.page.or(record.page);
    record.referrer = update.referrer.or(record.referrer);
    record.language = update.language.or(record.language);
    record.user_agent = update.user_agent.or(record.user_agent);
    record.utc_offset_min = update.utc_offset_min.or(record.utc_offset_min);
    record.name = update.name.or(record.name);
    record.email = update.email.or(record.email);
    visitors.insert(id, encode(&VisitorRecord::V2(record)).as_slice())?;
    Ok(())
}

/// Applies one op inside `tx`.
pub fn apply(
    tx: &WriteTransaction,
    op: WriteOp,
    seqs: &mut SeqCache,
) -> Result<Outcome, StoreError> {
    match op {
        WriteOp::Append {
            conversation,
            message,
        } => {
            if tx.open_table(CONVERSATIONS)?.get(conversation)?.is_none() {
                return Err(StoreError::NotFound("conversation"));
            }
            append(tx, conversation, message, seqs).map(Outcome::Appended)
        }
        WriteOp::OpenConversation {
            conversation,
            status,
            visitor,
            site,
            message,
            visitor_details,
        } => {
            let mut open = tx.open_table(OPEN_BY_VISITOR)?;
            if open.get((visitor, site.as_str()))?.is_some() {
                return Err(StoreError::Conflict(
                    "the visitor already has an open conversation".into(),
                ));
            }
            let record = ConversationRecord::V1(ConversationV1 {
                visitor,
                site: site.clone(),
                status,
                agent: None,
                created_ms: message.at_ms,
                updated_ms: message.at_ms,
            });
            tx.open_table(CONVERSATIONS)?
                .insert(conversation, encode(&record).as_slice())?;
            open.insert((visitor, site.as_str()), conversation)?;
            tx.open_multimap_table(VISITOR_CONVERSATIONS)?
                .insert(visitor, conversation)?;
            if let Some(update) = visitor_details {
                upsert_visitor(tx, visitor, update)?;
            }
            seqs.insert(conversation, 0);
            append(tx, conversation, message, seqs).map(Outcome::Appended)
        }
        WriteOp::ChangeStatus {
            conversation,
            status,
            agent,
            message,
        } => {
            change_status(tx, conversation, status, agent, message.at_ms)?;
            append(tx, conversation, message, seqs).map(Outcome::Appended)
        }
        WriteOp::SetRead {
            conversation,
            reader,
            seq,
        } => {
            let mut table = tx.open_table(READ_STATE)?;
            let current = table
                .get((conversation, reader))?
                .map(|v| v.value())
                .unwrap_or(0);
            if seq > current {
                table.insert((conversation, reader), seq)?;
            }
            Ok(Outcome::Done)
        }
        WriteOp::UpsertVisitor {
            id,
            token_digest,
            update,
        } => {
            upsert_visitor(tx, id, update)?;
            if let Some(digest) = token_digest {
                tx.open_table(VISITOR_BY_TOKEN)?
                    .insert(digest.as_slice(), id)?;
            }
            Ok(Outcome::Done)
        }
        WriteOp::ReserveVisitorIds { up_to } => {
            let mut meta = tx.open_table(META)?;
            let current = meta
                .get(VISITOR_IDS_RESERVED)?
                .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
                .map_or(0, u64::from_le_bytes);
            if up_to > current {
                meta.insert(VISITOR_IDS_RESERVED, up_to.to_le_bytes().as_slice())?;
            }
            Ok(Outcome::Done)
        }
        WriteOp::CreateAgent {
            agent,
            only_if_no_admin,
        } => create_agent(tx, agent, only_if_no_admin),
        WriteOp::UpdateAgent {
            id,
            agent,
            end_sessions,
        } => {
            let mut agents = tx.open_table(AGENTS)?;
            if agents.get(id)?.is_none() {
                return Err(StoreError::NotFound("agent"));
            }
            agents.insert(id, encode(&AgentRecord::V1(agent)).as_slice())?;
            if let Some(keep) = end_sessions {
                super::sessions::end_sessions(tx, id, keep)?;
            }
            Ok(Outcome::Done)
        }
        WriteOp::PutSession { digest, record } => {
            tx.open_table(SESSIONS)?
                .insert(digest.as_slice(), encode(&record).as_slice())?;
            Ok(Outcome::Done)
        }
        WriteOp::PutSettings { settings } => {
            tx.open_table(SETTINGS)?
                .insert("widget", encode(&SettingsRecord::V1(settings)).as_slice())?;
            Ok(Outcome::Done)
        }
        WriteOp::PutCanned { id, record } => {
            put_numbered(tx, CANNED, id, &encode(&record), "canned reply").map(Outcome::CannedSaved)
        }
        WriteOp::DeleteCanned { id } => delete_numbered(tx, CANNED, id, "canned reply"),
        WriteOp::PutFaq { id, record } => {
            put_numbered(tx, FAQ, id, &encode(&record), "FAQ entry").map(Outcome::FaqSaved)
        }
        WriteOp::DeleteFaq { id } => delete_numbered(tx, FAQ, id, "FAQ entry"),
        WriteOp::PurgeConversation { id } => purge(tx, id, seqs),
        WriteOp::DeleteSession { digest } => {
            tx.open_table(SESSIONS)?.remove(digest.as_slice())?;
            Ok(Outcome::Done)
        }
    }
}

/// Stores a record in a table keyed by a number the store chooses: replaces `id` (which
/// must exist), or takes the next number after the highest. Returns the id.
fn put_numbered(
    tx: &WriteTransaction,
    table: TableDefinition<u64, &[u8]>,
    id: Option<u64>,
    bytes: &[u8],
    what: &'static str,
) -> Result<u64, StoreError> {
    let mut rows = tx.open_table(table)?;
    let id = match id {
        Some(id) if rows.get(id)?.is_some() => id,
        Some(_) => return Err(StoreError::NotFound(what)),
        None => rows.last()?.map(|(k, _)| k.value()).unwrap_or(0) + 1,
    };
    rows.insert(id, bytes)?;
    Ok(id)
}

/// Deletes a numbered record; `NotFound` if there is none.
fn delete_numbered(
    tx: &WriteTransaction,
    table: TableDefinition<u64, &[u8]>,
    id: u64,
    what: &'static str,
) -> Result<Outcome, StoreError> {
    if tx.open_table(table)?.remove(id)?.is_none() {
        return Err(StoreError::NotFound(what));
    }
    Ok(Outcome::Done)
}

/// Appends a message, or returns the stored one when its client id was seen before.
fn append(
    tx: &WriteTransaction,
    conversation: u64,
    message: NewMessage,
    seqs: &mut SeqCache,
) -> Result<Appended, StoreError> {
    let mut messages = tx.open_table(MESSAGES)?;
    if let Some(client_id) = &message.client_id {
        let client_ids = tx.open_table(CLIENT_IDS)?;
        if let Some(seq) = client_ids
            .get((conversation, client_id.as_str()))?
            .map(|v| v.value())
        {
            let stored = messages
                .get((conversation, seq))?
                .ok_or(StoreError::NotFound("deduplicated message"))?;
            let record: MessageRecord = decode(stored.value(), "messages")?;
            return Ok(Appended {
                conversation,
                seq,
                duplicate: true,
                message: record.latest().clone(),
            });
        }
    }
    let last = match seqs.get(&conversation) {
        Some(seq) => *seq,
        None => last_message_in(&messages, conversation)?.0,
    };
    let seq = last + 1;
    let record = MessageV1 {
        at_ms: message.at_ms,
        author_kind: message.author_kind,
        author_id: message.author_id,
        author_name: message.author_name,
        body: message.body,
        client_id: message.client_id,
        event: message.event,
    };
    messages.insert(
        (conversation, seq),
        encode(&MessageRecord::V1(record.clone())).as_slice(),
    )?;
    if let Some(client_id) = &record.client_id {
        tx.open_table(CLIENT_IDS)?
            .insert((conversation, client_id.as_str()), seq)?;
    }
    seqs.insert(conversation, seq);
    Ok(Appended {
        conversation,
        seq,
        duplicate: false,
        message: record,
    })
}

fn change_status(
    tx: &WriteTransaction,
    conversation: u64,
    status: StoredStatus,
    agent: Option<u64>,
    at_ms: u64,
) -> Result<(), StoreError> {
    let mut convs = tx.open_table(CONVERSATIONS)?;
    let mut record = match convs.get(conversation)? {
        Some(v) => decode::<ConversationRecord>(v.value(), "conversations")?
            .latest()
            .clone(),
        None => return Err(StoreError::NotFound("conversation")),
    };
    let mut open = tx.open_table(OPEN_BY_VISITOR)?;
    let key = (record.visitor, record.site.as_str());
    let open_now = open.get(key)?.map(|v| v.value());
    match status {
        StoredStatus::Closed => {
            if open_now == Some(conversation) {
                open.remove(key)?;
            }
        }
        _ => match open_now {
            Some(id) if id != conversation => {
                return Err(StoreError::Conflict(
                    "the visitor has started a newer conversation".into(),
                ));
            }
            Some(_) => {}
            None => {
                open.insert(key, conversation)?;
            }
        },
    }
    record.status = status;
    record.agent = agent.or(record.agent);
    record.updated_ms = at_ms;
    convs.insert(
        conversation,
        encode(&ConversationRecord::V1(record)).as_slice(),
    )?;
    Ok(())
}

fn create_agent(
    tx: &WriteTransaction,
    agent: AgentV1,
    only_if_no_admin: bool,
) -> Result<Outcome, StoreError> {
    let mut agents = tx.open_table(AGENTS)?;
    if only_if_no_admin {
        for row in agents.iter()? {
            let record: AgentRecord = decode(row?.1.value(), "agents")?;
            if record.latest().role == AgentRole::Admin && !record.latest().disabled {
                return Err(StoreError::AlreadySetUp);
            }
        }
    }
    let mut names = tx.open_table(AGENT_BY_NAME)?;
    let key = agent.name.to_lowercase();
    if names.get(key.as_str())?.is_some() {
        return Err(StoreError::NameTaken);
    }
    let id = agents.last()?.map(|(k, _)| k.value()).unwrap_or(0) + 1;
    agents.insert(id, encode(&AgentRecord::V1(agent)).as_slice())?;
    names.insert(key.as_str(), id)?;
    Ok(Outcome::AgentCreated(id))
}

fn purge(tx: &WriteTransaction, id: u64, seqs: &mut SeqCache) -> Result<Outcome, StoreError> {
    let mut convs = tx.open_table(CONVERSATIONS)?;
    let record = match convs.get(id)? {
        Some(v) => decode::<ConversationRecord>(v.value(), "conversations")?
            .latest()
            .clone(),
        None => return Err(StoreError::NotFound("conversation")),
    };
    if record.status != StoredStatus::Closed {
        return Err(StoreError::Conflict(
            "only closed conversations are purged".into(),
        ));
    }
    let mut messages = tx.open_table(MESSAGES)?;
    let keys: Vec<u64> = messages
        .range((id, 0)..=(id, u64::MAX))?
        .map(|row| row.map(|(k, _)| k.value().1))
        .collect::<Result<_, _>>()?;
    for seq in keys {
        messages.remove((id, seq))?;
    }
    let mut client_ids = tx.open_table(CLIENT_IDS)?;
    let mut ids = Vec::new();
    for row in client_ids.range((id, "")..)? {
        let (key, _) = row?;
        let (conversation, client) = key.value();
        if conversation != id {
            break;
        }
        ids.push(client.to_string());
    }
    for client in ids {
        client_ids.remove((id, client.as_str()))?;
    }
    let mut read = tx.open_table(READ_STATE)?;
    read.remove((id, 0u8))?;
    read.remove((id, 1u8))?;
    tx.open_multimap_table(VISITOR_CONVERSATIONS)?
        .remove(record.visitor, id)?;
    convs.remove(id)?;
    seqs.remove(&id);
    Ok(Outcome::Done)
}
