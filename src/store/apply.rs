//! Applying one [`WriteOp`] inside a write transaction: the dispatch, and the ops on
//! accounts, visitors, settings, canned replies and FAQ entries. Messages, statuses and
//! purges are in `apply_conversations.rs`. Every op checks before it writes, so a
//! refused op leaves nothing behind.

use redb::{ReadableTable, WriteTransaction};

use super::StoreError;
use super::apply_conversations::{append, change_status, purge};
use super::apply_visitors::upsert_visitor;
use super::numbered::{delete_numbered, put_numbered};
use super::ops::{Outcome, WriteOp, WriterState};
use super::outbox::event_of;
use super::outbox_records::{StoredOutboxEvent, StoredOutboxKind};
use super::records::*;
use super::tables::*;

/// Records the outbox event a newly stored message means, if any.
fn record_message(
    tx: &WriteTransaction,
    state: &mut WriterState,
    appended: &super::ops::Appended,
    visitor: u64,
) -> Result<(), StoreError> {
    if appended.duplicate {
        return Ok(());
    }
    let message = &appended.message;
    if let Some((kind, agent)) = event_of(message) {
        let event = StoredOutboxEvent {
            id: 0,
            kind,
            at_ms: message.at_ms,
            conversation: appended.conversation,
            seq: Some(appended.seq),
            visitor,
            agent,
        };
        state.outbox.record(tx, &state.gate, event)?;
    }
    Ok(())
}

/// Applies one op inside `tx`.
pub fn apply(
    tx: &WriteTransaction,
    op: WriteOp,
    state: &mut WriterState,
) -> Result<Outcome, StoreError> {
    match op {
        WriteOp::Append {
            conversation,
            message,
        } => {
            if tx.open_table(CONVERSATIONS)?.get(conversation)?.is_none() {
                return Err(StoreError::NotFound("conversation"));
            }
            let appended = append(tx, conversation, message, state)?;
            record_message(tx, state, &appended, 0)?;
            Ok(Outcome::Appended(appended))
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
            // Refused before anything of the conversation is written.
            super::apply_files::check_uploads(
                tx,
                message.author_kind,
                message.author_id,
                &message.attachments,
            )?;
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
            state.seqs.insert(conversation, 0);
            let appended = append(tx, conversation, message, state)?;
            if !appended.duplicate {
                let created = StoredOutboxEvent {
                    id: 0,
                    kind: StoredOutboxKind::ConversationCreated,
                    at_ms: appended.message.at_ms,
                    conversation,
                    seq: Some(appended.seq),
                    visitor,
                    agent: None,
                };
                state.outbox.record(tx, &state.gate, created)?;
            }
            record_message(tx, state, &appended, visitor)?;
            Ok(Outcome::Appended(appended))
        }
        WriteOp::ChangeStatus {
            conversation,
            status,
            agent,
            message,
        } => {
            change_status(tx, conversation, status, agent, message.at_ms)?;
            let appended = append(tx, conversation, message, state)?;
            record_message(tx, state, &appended, 0)?;
            Ok(Outcome::Appended(appended))
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
            let at_ms = update.seen_ms.unwrap_or(0);
            if upsert_visitor(tx, id, update)? {
                let event = StoredOutboxEvent {
                    id: 0,
                    kind: StoredOutboxKind::VisitorEmailLeft,
                    at_ms,
                    conversation: 0,
                    seq: None,
                    visitor: id,
                    agent: None,
                };
                state.outbox.record(tx, &state.gate, event)?;
            }
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
            let old_name = match agents.get(id)? {
                Some(v) => {
                    decode::<AgentRecord>(v.value(), "agents")?
                        .into_latest()
                        .name
                }
                None => return Err(StoreError::NotFound("agent")),
            };
            rename_agent(tx, id, &old_name, &agent.name)?;
            agents.insert(id, encode(&AgentRecord::V4(agent)).as_slice())?;
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
                .insert("widget", encode(&SettingsRecord::V3(settings)).as_slice())?;
            Ok(Outcome::Done)
        }
        WriteOp::PutResponder { settings } => super::responder::put(tx, settings),
        WriteOp::PutCanned { id, record } => {
            put_numbered(tx, CANNED, id, &encode(&record), "canned reply").map(Outcome::CannedSaved)
        }
        WriteOp::DeleteCanned { id } => delete_numbered(tx, CANNED, id, "canned reply"),
        WriteOp::PutFaq { id, record } => super::faq::put(tx, id, record),
        WriteOp::DeleteFaq { id } => super::faq::delete(tx, id),
        WriteOp::CreateWebhook { record, max } => super::webhooks::create(tx, record, max),
        WriteOp::UpdateWebhook { id, change } => super::webhooks::update(tx, id, change),
        WriteOp::DeleteWebhook { id } => super::webhooks::delete(tx, id),
        WriteOp::PurgeConversation { id } => purge(tx, id, state),
        WriteOp::EraseVisitor { visitor, at_ms } => {
            super::erase::erase_visitor(tx, visitor, at_ms, state)
        }
        WriteOp::OutboxPlan { below, jobs } => {
            super::outbox::plan(tx, &mut state.outbox, below, jobs).map(Outcome::JobsCreated)
        }
        WriteOp::OutboxEnqueue { jobs } => {
            super::outbox::insert_jobs(tx, jobs).map(Outcome::JobsCreated)
        }
        WriteOp::OutboxSettle { results } => {
            super::outbox::settle(tx, results).map(|()| Outcome::Done)
        }
        WriteOp::OutboxRevive { job, due_ms } => {
            super::outbox::revive(tx, job, due_ms).map(Outcome::JobRevived)
        }
        WriteOp::OutboxPrune { failed_before_ms } => {
            super::outbox::prune_failed(tx, failed_before_ms).map(|_| Outcome::Done)
        }
        WriteOp::OutboxForgetKey { sink, key } => {
            super::outbox::forget_key(tx, sink, key).map(|()| Outcome::Done)
        }
        WriteOp::ConfirmVisitorEmail {
            visitor,
            address,
            at_ms,
        } => super::email_records::confirm(tx, visitor, address, at_ms).map(|()| Outcome::Done),
        WriteOp::OptOutEmail { address, at_ms } => {
            super::email_records::opt_out(tx, &address, at_ms).map(|()| Outcome::Done)
        }
        WriteOp::PutUpload {
            id,
            record,
            quota_bytes,
        } => super::apply_files::put_upload(tx, state, id, record, quota_bytes),
        WriteOp::ExpireUploads { before_ms } => {
            super::apply_files::expire_uploads(tx, state, before_ms)
        }
        WriteOp::SweepFiles { digests } => {
            state.orphans.extend(digests);
            Ok(Outcome::Done)
        }
        WriteOp::DeleteSession { digest } => {
            tx.open_table(SESSIONS)?.remove(digest.as_slice())?;
            Ok(Outcome::Done)
        }
        WriteOp::Push(op) => super::push::apply(tx, op),
        WriteOp::Identity(op) => super::identity::apply(tx, op),
        WriteOp::Keys(op) => super::api_keys::apply(tx, op),
        WriteOp::Labels(op) => super::labels::apply(tx, op),
        WriteOp::PutCsat { ask } => super::ratings::put_csat(tx, ask),
        WriteOp::Rate {
            conversation,
            visitor,
            rating,
        } => super::ratings::rate(tx, state, (conversation, visitor), rating),
        WriteOp::Search(op) => super::search_index::apply(tx, op, &mut state.recent),
        WriteOp::MergeMessages { messages } => {
            let mut tables = super::messages_recent::WriteMessages::write(tx)?;
            if let Err(e) = tables.merge_step(&mut state.messages, messages) {
                // Whatever it moved is consistent on disk; read the log again.
                state.messages.forget();
                return Err(e);
            }
            Ok(Outcome::Done)
        }
        WriteOp::Audited { op, entry } => {
            let outcome = apply(tx, *op, state)?;
            super::api_keys::append_audit(tx, entry, &outcome)?;
            Ok(outcome)
        }
    }
}

/// Keeps the name index in step with a renamed agent; `NameTaken` when another account
/// has the new name (compared lower-cased, as logins are).
fn rename_agent(tx: &WriteTransaction, id: u64, old: &str, new: &str) -> Result<(), StoreError> {
    let (old, new) = (old.to_lowercase(), new.to_lowercase());
    if old == new {
        return Ok(());
    }
    let mut names = tx.open_table(AGENT_BY_NAME)?;
    if names
        .get(new.as_str())?
        .is_some_and(|owner| owner.value() != id)
    {
        return Err(StoreError::NameTaken);
    }
    names.remove(old.as_str())?;
    names.insert(new.as_str(), id)?;
    Ok(())
}

fn create_agent(
    tx: &WriteTransaction,
    agent: AgentV4,
    only_if_no_admin: bool,
) -> Result<Outcome, StoreError> {
    let mut agents = tx.open_table(AGENTS)?;
    if only_if_no_admin {
        for row in agents.iter()? {
            let record: AgentRecord = decode(row?.1.value(), "agents")?;
            let record = record.into_latest();
            if record.role == AgentRole::Admin && !record.disabled {
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
    agents.insert(id, encode(&AgentRecord::V4(agent)).as_slice())?;
    names.insert(key.as_str(), id)?;
    Ok(Outcome::AgentCreated(id))
}
