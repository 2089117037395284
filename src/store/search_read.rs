//! Answering a full-text query from one read snapshot (issue #15), over both parts of
//! the index: the main postings and the recent part (`search_recent.rs`), whose
//! postings for a query's term are counted first, then collected whole for a rare
//! term and only for the conversations probed for a common one. Every query term
//! must occur in a conversation: in one of its indexed messages or in its visitor's
//! name, email or attribute values. Terms are looked at rarest first; the rarest one's
//! postings give the candidates, and each further term is either scanned whole or,
//! when the candidates are few or the term is common (in more than [`COMMON`]
//! documents), probed per candidate (a range read of that term in that conversation).
//! Ranking is BM25-like without length normalisation: per term `idf × tf / (tf + 1.2)`
//! with tf counted over the conversation; equal scores go newest conversation first.
//! When every term is common, a ranking would say little and cost a scan of most of
//! the index: the newest matching conversations among the latest [`NEWEST_SCAN`] are
//! shown instead, newest first (bounded work whatever the data's size). Filters are applied to the ranked list, so the page is
//! exact; a conversation purged after its entries were written is never shown (its
//! entries go in the purge's own commit, and a missing record is skipped anyway).

use std::collections::{HashMap, HashSet};

use redb::{ReadOnlyTable, ReadTransaction, ReadableTable};

use super::conversation_pages::ConversationFilter;
use super::records::{
    ConversationRecord, ConversationV1, MessageV1, VisitorRecord, VisitorV2, decode,
};
use super::search_groups::{COMMON, Group, Index, scan};
use super::search_index::INDEX_VERSION;
use super::search_recent_read::RecentPart;
use super::tables::*;
use super::{Store, StoreError};
use super::{messages_read::MessageReader, messages_recent::ReadMessages};
use crate::search::query::QueryTerm;

/// Probe the candidates one by one when they are fewer than a term's postings over this.
const PROBE_RATIO: u64 = 8;
/// Deepest result a query pages to.
pub const MAX_OFFSET: usize = 1000;
/// When every term is common: conversations looked at, newest first, per query.
const NEWEST_SCAN: usize = 10_000;
/// When every term is common: conversations in the first run looked at, unless a page
/// wants more (each further run is four times the last, so five runs of 64 reach
/// [`NEWEST_SCAN`]).
const FIRST_RUN: usize = 64;

/// What to search for.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The query's terms (`crate::search::query::parse`).
    pub terms: Vec<QueryTerm>,
    /// Which conversations may be shown.
    pub filter: ConversationFilter,
    /// Results to skip (the cursor).
    pub offset: usize,
    /// Most results.
    pub limit: usize,
}

/// One conversation found.
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// Its id.
    pub id: u64,
    /// Its record.
    pub conversation: ConversationV1,
    /// How well it matched (higher is better).
    pub score: f64,
    /// Its messages holding at least one query term.
    pub matched_messages: u64,
    /// The message holding the most query terms (the latest of equals), if any.
    pub message: Option<(u64, MessageV1)>,
    /// Its visitor's record.
    pub visitor: Option<VisitorV2>,
}

/// A page of results.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// Best first.
    pub hits: Vec<SearchHit>,
    /// The offset of the next page, if there is one.
    pub next_offset: Option<usize>,
    /// False while the start-up pass is still indexing older data.
    pub complete: bool,
}

/// Reads conversation records once per query, and knows which the label filter allows.
struct Conversations {
    table: ReadOnlyTable<u64, &'static [u8]>,
    cache: HashMap<u64, Option<ConversationV1>>,
    /// With a label filter: the conversations carrying the label (read once).
    labelled: Option<HashSet<u64>>,
}

impl Conversations {
    /// Whether conversation `id` (stored as `c`) may be shown under `filter`.
    fn allowed(&self, filter: &ConversationFilter, id: u64, c: &ConversationV1) -> bool {
        filter.matches(c) && self.labelled.as_ref().is_none_or(|ids| ids.contains(&id))
    }

    fn get(&mut self, id: u64) -> Result<Option<&ConversationV1>, StoreError> {
        if !self.cache.contains_key(&id) {
            let found = match self.table.get(id)? {
                Some(v) => Some(
                    decode::<ConversationRecord>(v.value(), "conversations")?
                        .latest()
                        .clone(),
                ),
                None => None,
            };
            self.cache.insert(id, found);
        }
        Ok(self.cache.get(&id).and_then(Option::as_ref))
    }
}

fn idf(documents: u64, df: u64) -> f64 {
    let (n, df) = (documents.max(df) as f64, df as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

fn saturate(tf: u32) -> f64 {
    let tf = f64::from(tf);
    tf / (tf + 1.2)
}

impl Store {
    /// The conversations matching every term of `request`, best first.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, StoreError> {
        let tx = self.db().begin_read()?;
        let meta = tx.open_table(META)?;
        let meta_u64 = |key: &str| -> Result<u64, StoreError> {
            Ok(meta
                .get(key)?
                .and_then(|v| <[u8; 8]>::try_from(v.value()).ok())
                .map_or(0, u64::from_le_bytes))
        };
        let mut results = SearchResults {
            complete: meta_u64(SEARCH_INDEX_VERSION)? == INDEX_VERSION,
            ..SearchResults::default()
        };
        let documents = meta_u64(SEARCH_DOCUMENTS)?;
        let index = Index {
            postings: tx.open_table(SEARCH_POSTINGS)?,
            visitors: tx.open_table(SEARCH_VISITOR_POSTINGS)?,
            recent: RecentPart::open(&tx)?,
        };
        let mut groups = Vec::new();
        for term in &request.terms {
            let group = Group::new(&tx, &index, term)?;
            if group.df == 0 {
                return Ok(results);
            }
            groups.push(group);
        }
        groups.sort_by_key(|g| g.df);
        let labelled = match request.filter.label {
            Some(label) => {
                let carriers = tx.open_multimap_table(super::label_records::LABEL_CONVERSATIONS)?;
                Some(
                    super::labels::labelled_in(&carriers, label, 0)?
                        .into_iter()
                        .collect(),
                )
            }
            None => None,
        };
        let mut convs = Conversations {
            table: tx.open_table(CONVERSATIONS)?,
            cache: HashMap::new(),
            labelled,
        };
        let all_common = groups.first().is_some_and(|g| g.df > COMMON);
        let scores = match all_common {
            true => {
                let wanted = request.offset + request.limit + 1;
                newest_first(&index, &mut groups, documents, request, wanted, &mut convs)?
            }
            false => ranked(&tx, &index, &mut groups, documents, &mut convs)?,
        };
        let mut ranked: Vec<(u64, f64)> = scores.into_iter().collect();
        match all_common {
            true => ranked.sort_by_key(|r| std::cmp::Reverse(r.0)),
            false => ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0))),
        }
        let mut skipped = 0;
        for (id, score) in ranked {
            let Some(c) = convs.get(id)?.cloned() else {
                continue;
            };
            if !convs.allowed(&request.filter, id, &c) {
                continue;
            }
            if skipped < request.offset {
                skipped += 1;
                continue;
            }
            if results.hits.len() == request.limit {
                results.next_offset = Some(request.offset + request.limit);
                break;
            }
            let conversation = c.clone();
            results.hits.push(SearchHit {
                id,
                score,
                matched_messages: 0,
                message: None,
                visitor: None,
                conversation,
            });
        }
        for hit in &mut results.hits {
            best_message(&tx, &groups, hit)?;
        }
        Ok(results)
    }
}

/// The candidates' scores when some term is selective: the rarest group's postings
/// give the candidates, each further selective group is scanned (or probed when the
/// candidates are few), each common one probed.
fn ranked(
    tx: &ReadTransaction,
    index: &Index,
    groups: &mut [Group],
    documents: u64,
    convs: &mut Conversations,
) -> Result<HashMap<u64, f64>, StoreError> {
    let mut scores: HashMap<u64, f64> = HashMap::new();
    for (i, group) in groups.iter_mut().enumerate() {
        let weight = idf(documents, group.df);
        if i == 0 {
            for (id, tf) in scan(tx, index, group)? {
                scores.insert(id, weight * saturate(tf));
            }
        } else if group.df > COMMON || (scores.len() as u64).saturating_mul(PROBE_RATIO) < group.df
        {
            let candidates: HashSet<u64> = scores.keys().copied().collect();
            group
                .recent
                .load(&index.recent, |id| candidates.contains(&id))?;
            let mut kept = HashMap::new();
            for (id, score) in scores {
                let visitor = match group.in_visitors {
                    true => convs.get(id)?.map(|c| c.visitor),
                    false => None,
                };
                let tf = group.probe(index, id, visitor)?;
                if tf > 0 {
                    kept.insert(id, score + weight * saturate(tf));
                }
            }
            scores = kept;
        } else {
            let found = scan(tx, index, group)?;
            scores.retain(|id, _| found.contains_key(id));
            for (id, score) in scores.iter_mut() {
                *score += weight * saturate(found.get(id).copied().unwrap_or(0));
            }
        }
        if scores.is_empty() {
            break;
        }
    }
    Ok(scores)
}

/// The scores when every term is common (any ranking by them would say little):
/// the newest conversations that match the filter and hold every group, among the
/// latest [`NEWEST_SCAN`], to be shown newest first. They are looked at in runs of
/// [`FIRST_RUN`] conversations, each run four times the last; before a run, the
/// groups' recent postings of its conversations (a range of ids) are collected, so a
/// common word's recent postings are read once per run, not gathered whole.
fn newest_first(
    index: &Index,
    groups: &mut [Group],
    documents: u64,
    request: &SearchRequest,
    wanted: usize,
    convs: &mut Conversations,
) -> Result<HashMap<u64, f64>, StoreError> {
    let mut scores = HashMap::new();
    let mut newest = convs.table.iter()?.rev().take(NEWEST_SCAN);
    let mut run_length = FIRST_RUN.max(wanted);
    loop {
        let mut run = Vec::with_capacity(run_length);
        for row in newest.by_ref().take(run_length) {
            let (key, value) = row?;
            let record = decode::<ConversationRecord>(value.value(), "conversations")?
                .latest()
                .clone();
            run.push((key.value(), record));
        }
        let (Some(&(highest, _)), Some(&(lowest, _))) = (run.first(), run.last()) else {
            return Ok(scores);
        };
        for group in groups.iter_mut() {
            group
                .recent
                .load(&index.recent, |id| (lowest..=highest).contains(&id))?;
        }
        for (id, record) in run {
            if !convs.allowed(&request.filter, id, &record) {
                continue;
            }
            let mut score = 0.0;
            let mut all = true;
            for group in groups.iter() {
                let tf = group.probe(index, id, Some(record.visitor))?;
                if tf == 0 {
                    all = false;
                    break;
                }
                score += idf(documents, group.df) * saturate(tf);
            }
            if all {
                convs.cache.insert(id, Some(record));
                scores.insert(id, score);
                if scores.len() >= wanted {
                    return Ok(scores); // Newest first: the rest could only come later.
                }
            }
        }
        run_length = run_length.saturating_mul(4);
    }
}

/// Fills in a hit's best message, how many messages matched, and its visitor.
fn best_message(
    tx: &ReadTransaction,
    groups: &[Group],
    hit: &mut SearchHit,
) -> Result<(), StoreError> {
    let postings = tx.open_table(SEARCH_POSTINGS)?;
    let mut per_seq: HashMap<u64, usize> = HashMap::new();
    for group in groups {
        let mut seqs: Vec<u64> = group.recent.seqs_in(hit.id).collect();
        for (term, _) in &group.terms {
            let t = term.as_str();
            for row in postings.range((t, hit.id, 0)..=(t, hit.id, u64::MAX))? {
                seqs.push(row?.0.value().2);
            }
        }
        seqs.sort_unstable();
        seqs.dedup();
        for seq in seqs {
            *per_seq.entry(seq).or_default() += 1;
        }
    }
    hit.matched_messages = per_seq.len() as u64;
    let best = per_seq
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
        .map(|(seq, _)| seq);
    if let Some(seq) = best
        && let Some(record) = ReadMessages::read(tx)?.get(hit.id, seq)?
    {
        hit.message = Some((seq, record.latest().clone()));
    }
    if let Some(v) = tx.open_table(VISITORS)?.get(hit.conversation.visitor)? {
        hit.visitor = Some(decode::<VisitorRecord>(v.value(), "visitors")?.into_latest());
    }
    Ok(())
}
