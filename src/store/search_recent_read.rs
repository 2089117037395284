//! Reading the search index's recent part (`super::search_recent`) for a query: its
//! new rows, scanned once per term group, and each segment, where every query term is
//! looked up once. `super::search_read` combines what it finds with the main postings.

use std::collections::{BTreeSet, HashMap, HashSet};

use redb::{ReadTransaction, ReadableTable};

use super::StoreError;
use super::search_segment::{decode, segment_numbers};
use super::tables::{SEARCH_NEW, SEARCH_SEGMENTS};

/// A query term group's postings in the recent part, read once per group.
#[derive(Debug, Default)]
pub struct RecentTerms {
    /// Conversation → (seq, count) of each message holding one of the terms.
    by_conversation: HashMap<u64, Vec<(u64, u32)>>,
    /// Term → in how many recent messages it occurs.
    documents: HashMap<String, u64>,
}

impl RecentTerms {
    /// Reads the recent postings of `terms`: one pass over the new rows, one lookup
    /// per term and segment.
    pub fn read(tx: &ReadTransaction, terms: &[(String, u64)]) -> Result<Self, StoreError> {
        let mut out = RecentTerms::default();
        if terms.is_empty() {
            return Ok(out);
        }
        let wanted: HashSet<&str> = terms.iter().map(|(t, _)| t.as_str()).collect();
        for row in tx.open_table(SEARCH_NEW)?.iter()? {
            let (_, value) = row?;
            let (conversation, seq, message_terms) = value.value();
            for (term, n) in message_terms {
                if let Some(term) = wanted.get(term) {
                    out.add(term, conversation, seq, n);
                }
            }
        }
        let segments = tx.open_table(SEARCH_SEGMENTS)?;
        for number in segment_numbers(&segments)? {
            for term in &wanted {
                if let Some(value) = segments.get((number, *term))? {
                    for (conversation, seq, n) in decode(value.value())? {
                        out.add(term, conversation, seq, n);
                    }
                }
            }
        }
        Ok(out)
    }

    fn add(&mut self, term: &str, conversation: u64, seq: u64, n: u32) {
        match self.documents.get_mut(term) {
            Some(documents) => *documents += 1,
            None => {
                self.documents.insert(term.to_string(), 1);
            }
        }
        self.by_conversation
            .entry(conversation)
            .or_default()
            .push((seq, n));
    }

    /// In how many recent messages `term` (one of those read) occurs.
    pub fn documents(&self, term: &str) -> u64 {
        self.documents.get(term).copied().unwrap_or(0)
    }

    /// How often the terms occur in conversation `id`'s recent messages.
    pub fn count_in(&self, id: u64) -> u32 {
        self.by_conversation
            .get(&id)
            .map_or(0, |m| m.iter().map(|(_, n)| n).sum())
    }

    /// Conversation → how often the terms occur in its recent messages.
    pub fn counts(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.by_conversation
            .iter()
            .map(|(id, m)| (*id, m.iter().map(|(_, n)| n).sum()))
    }

    /// The seqs of conversation `id`'s recent messages holding a term.
    pub fn seqs_in(&self, id: u64) -> impl Iterator<Item = u64> + '_ {
        self.by_conversation
            .get(&id)
            .into_iter()
            .flat_map(|m| m.iter().map(|(seq, _)| *seq))
    }
}

/// The distinct terms in the recent part starting with `prefix`, in order, the first
/// `limit` of them (one pass over the new rows, one range per segment).
pub fn recent_terms_with_prefix(
    tx: &ReadTransaction,
    prefix: &str,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let mut found: BTreeSet<String> = BTreeSet::new();
    let keep = |term: &str, found: &mut BTreeSet<String>| {
        if !found.contains(term) {
            found.insert(term.to_string());
            if found.len() > limit {
                found.pop_last();
            }
        }
    };
    for row in tx.open_table(SEARCH_NEW)?.iter()? {
        for (term, _) in row?.1.value().2 {
            if term.starts_with(prefix) {
                keep(term, &mut found);
            }
        }
    }
    let segments = tx.open_table(SEARCH_SEGMENTS)?;
    for number in segment_numbers(&segments)? {
        for row in segments.range((number, prefix)..)? {
            let (key, _) = row?;
            let (segment, term) = key.value();
            let past_the_last =
                found.len() >= limit && found.last().is_some_and(|l| term > l.as_str());
            if segment != number || !term.starts_with(prefix) || past_the_last {
                break;
            }
            keep(term, &mut found);
        }
    }
    Ok(found.into_iter().collect())
}
