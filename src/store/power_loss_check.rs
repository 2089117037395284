//! The power-loss test's promises (`tests_power_loss.rs`): opens a fresh store on a
//! disk image as a power cut left it (`power_loss_sweep.rs` makes them) and checks, for
//! the writes of a recorded workload (`power_loss_workload.rs`) acknowledged before the
//! cut, through the store's public reads only (no table names, so it survives a change
//! of the key layout):
//!
//! 1. the database opens (redb repairs it);
//! 2. every message acknowledged before the cut is there, once, at the seq its reply
//!    gave, and its client id still finds it (`Store::seq_of_client_id`);
//! 3. each conversation's messages run 1..n with no gap, no client id or text twice,
//!    and none without its conversation;
//! 4. what commits together survives together: a conversation has the status its last
//!    status message set and its visitor's record, and the open conversations listed
//!    are exactly those not closed;
//! 5. the settings are the last acknowledged write's, or a later one's;
//! 6. the last acknowledged message is found by searching for its first word;
//! 7. the writer carries on: a retry of an acknowledged message is deduplicated, and a
//!    new one gets seq n + 1.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use super::conversation_pages::ConversationFilter;
use super::power_loss_workload::{Acked, Recorded, start_writer};
use super::records::SettingsV3;
use super::search_read::SearchRequest;
use super::sim_disk::{DiskOp, SimDisk};
use super::values::{StoredAuthorKind, StoredStatus};
use super::*;

/// How [`check_image`] words an acknowledged message that is missing.
pub(super) const LOST: &str = "is lost";

/// What the recovered store holds, read through its public API.
#[derive(Default)]
struct Recovered {
    /// (conversation, text) → seq of every stored message.
    messages: HashMap<(u64, String), u64>,
    /// Each conversation's last seq.
    last: HashMap<u64, u64>,
    /// Conversations stored and not closed.
    open: BTreeSet<u64>,
}

/// Opens a store on `image` and checks the promises for acks before `point`; `tag`
/// tells this check's own new message from another's. Returns the disk's log from the
/// open on (recovery, start-up, the check's writes, the close), for a second cut.
pub(super) fn check_image(
    image: Vec<u8>,
    recorded: &Recorded,
    point: usize,
    data_dir: &Path,
    tag: &str,
) -> Result<Vec<DiskOp>, String> {
    let disk = SimDisk::holding(image);
    let store = Store::open_with_backend(data_dir, disk.clone())
        .map_err(|e| format!("the store does not open: {e}"))?;
    let mut recovered = Recovered::default();
    for &conversation in &recorded.conversations {
        check_conversation(&store, conversation, recorded, &mut recovered)?;
    }
    let latest = check_acks(&store, recorded, point, &recovered)?;
    check_open_index(&store, &recovered)?;
    check_settings(&store, recorded, point)?;
    if let Some(ack) = latest {
        check_searchable(&store, ack)?;
        carries_on(&store, ack, recovered.last[&ack.conversation], tag)?;
    }
    drop(store);
    Ok(disk.log())
}

fn read(e: StoreError) -> String {
    format!("a read failed: {e}")
}

/// One conversation: seqs 1..n, no client id or text twice, no message without the
/// conversation, the status its last status message set, and its visitor's record
/// (each commits together with the other).
fn check_conversation(
    store: &Store,
    conversation: u64,
    recorded: &Recorded,
    recovered: &mut Recovered,
) -> Result<(), String> {
    let messages = store
        .messages_between(conversation, 0, u64::MAX)
        .map_err(read)?;
    let stored = store.conversation(conversation).map_err(read)?;
    let mut client_ids = HashSet::new();
    for (i, (seq, message)) in messages.iter().enumerate() {
        if *seq != i as u64 + 1 {
            return Err(format!(
                "conversation {conversation}: seq {seq} where {} was due",
                i + 1
            ));
        }
        if let Some(id) = &message.client_id
            && !client_ids.insert(id)
        {
            return Err(format!("conversation {conversation}: client id {id} twice"));
        }
        let key = (conversation, message.body.clone());
        if recovered.messages.insert(key, *seq).is_some() {
            return Err(format!(
                "conversation {conversation}: {:?} twice",
                message.body
            ));
        }
    }
    let (highest, _) = store.last_message(conversation).map_err(read)?;
    if highest != messages.len() as u64 {
        return Err(format!(
            "conversation {conversation}: last seq {highest}, {} messages",
            messages.len()
        ));
    }
    recovered.last.insert(conversation, highest);
    let Some(record) = stored else {
        return match messages.is_empty() {
            true => Ok(()),
            false => Err(format!(
                "conversation {conversation} has messages but no record"
            )),
        };
    };
    let due = messages
        .iter()
        .rev()
        .find_map(|(_, m)| recorded.statuses.get(&m.body))
        .copied()
        .unwrap_or(StoredStatus::Queued);
    if record.status != due {
        return Err(format!(
            "conversation {conversation} is {:?}, its last status message says {due:?}",
            record.status
        ));
    }
    if store.visitor(record.visitor).map_err(read)?.is_none() {
        return Err(format!(
            "conversation {conversation}: its visitor {} has no record",
            record.visitor
        ));
    }
    if record.status != StoredStatus::Closed {
        recovered.open.insert(conversation);
    }
    Ok(())
}

/// The open conversations the hub would restore are exactly those not closed, each
/// with its last seq.
fn check_open_index(store: &Store, recovered: &Recovered) -> Result<(), String> {
    let listed = store.open_conversations().map_err(read)?;
    let ids: BTreeSet<u64> = listed.iter().map(|c| c.id).collect();
    if ids != recovered.open {
        return Err(format!(
            "open conversations listed {ids:?}, not closed {:?}",
            recovered.open
        ));
    }
    match listed
        .iter()
        .find(|c| recovered.last.get(&c.id) != Some(&c.last_seq))
    {
        Some(c) => Err(format!(
            "open conversation {} listed at seq {}",
            c.id, c.last_seq
        )),
        None => Ok(()),
    }
}

/// The settings are the last acknowledged write's or a later one's (default while none
/// was acknowledged).
fn check_settings(store: &Store, recorded: &Recorded, point: usize) -> Result<(), String> {
    let greeting = store.settings().map_err(read)?.greeting;
    let acked = recorded.settings.iter().rposition(|w| w.at <= point);
    let found = recorded
        .settings
        .iter()
        .position(|w| w.greeting == greeting);
    let fine = match (found, acked) {
        (Some(j), Some(k)) => j >= k,
        (Some(_), None) => true,
        (None, acked) => acked.is_none() && greeting == SettingsV3::default().greeting,
    };
    match fine {
        true => Ok(()),
        false => Err(format!(
            "settings say {greeting:?} (write {found:?}) after write {acked:?} was acknowledged"
        )),
    }
}

/// Every message acknowledged at or before `point` is stored at the seq its reply
/// gave, and its client id finds it; returns the last such one with a client id.
fn check_acks<'a>(
    store: &Store,
    recorded: &'a Recorded,
    point: usize,
    recovered: &Recovered,
) -> Result<Option<&'a Acked>, String> {
    let mut latest = None;
    for ack in recorded.acks.iter().filter(|a| a.at <= point) {
        let found = recovered
            .messages
            .get(&(ack.conversation, ack.body.clone()));
        if found != Some(&ack.seq) {
            return Err(format!(
                "acknowledged {:?} (conversation {}, seq {}, acked at op {}) {}",
                ack.body,
                ack.conversation,
                ack.seq,
                ack.at,
                match found {
                    None => LOST.to_string(),
                    Some(seq) => format!("is at seq {seq}"),
                }
            ));
        }
        if let Some(id) = &ack.client_id {
            let indexed = store.seq_of_client_id(ack.conversation, id).map_err(read)?;
            if indexed != Some(ack.seq) {
                return Err(format!(
                    "client id {id} of conversation {} finds {indexed:?}, not seq {}",
                    ack.conversation, ack.seq
                ));
            }
            latest = Some(ack);
        }
    }
    Ok(latest)
}

/// A stored message is searchable (its index entries commit with it, the merges of the
/// index's recent part never lose them): a query for the first word of `ack`'s text
/// finds its conversation.
fn check_searchable(store: &Store, ack: &Acked) -> Result<(), String> {
    let word = ack.body.split(' ').next().unwrap_or_default();
    let terms = crate::search::query::parse(word).map_err(|e| format!("query {word:?}: {e:?}"))?;
    let request = SearchRequest {
        terms,
        filter: ConversationFilter::default(),
        offset: 0,
        limit: 1000,
    };
    let found = store.search(&request).map_err(read)?;
    match found.hits.iter().any(|hit| hit.id == ack.conversation) {
        true => Ok(()),
        false => Err(format!(
            "acknowledged {:?} (conversation {}) is not found by searching {word:?}",
            ack.body, ack.conversation
        )),
    }
}

/// Checks that a writer on the recovered store dedupes a retry of `ack` and appends
/// after `last`.
fn carries_on(store: &Store, ack: &Acked, last: u64, tag: &str) -> Result<(), String> {
    let (writer, thread) = start_writer(store, WriterConfig::default())
        .map_err(|e| format!("the writer does not start: {e}"))?;
    let message = |body: &str, client_id: Option<String>| NewMessage {
        author_kind: StoredAuthorKind::Visitor,
        author_id: 1,
        author_name: String::new(),
        body: body.to_string(),
        client_id,
        event: None,
        at_ms: 2_000,
        attachments: Vec::new(),
    };
    let retry = writer.call_blocking(WriteOp::Append {
        conversation: ack.conversation,
        message: message(&ack.body, ack.client_id.clone()),
    });
    let fresh = writer.call_blocking(WriteOp::Append {
        conversation: ack.conversation,
        message: message(
            &format!("after the crash ({tag})"),
            Some(format!("after {tag}")),
        ),
    });
    writer.close();
    let _ = thread.join();
    match (retry, fresh) {
        (Ok(Outcome::Appended(r)), Ok(Outcome::Appended(f)))
            if r.duplicate && r.seq == ack.seq && !f.duplicate && f.seq == last + 1 =>
        {
            Ok(())
        }
        other => Err(format!(
            "after recovery, retry and new message in conversation {} (last seq {last}) gave {other:?}",
            ack.conversation
        )),
    }
}
