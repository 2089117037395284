//! Reading the search index's recent part (`super::search_recent`) for a query: its
//! new rows, scanned once per term group, and each segment, where every query term is
//! looked up: counted at once, collected only for the conversations a query asks for.
//! `super::search_read` combines what it finds with the main postings.

use std::collections::{BTreeSet, HashMap, HashSet};

use redb::{ReadOnlyTable, ReadTransaction, ReadableTable};

use super::StoreError;
use super::search_segment::{Posting, count, for_each, segment_numbers};
use super::tables::{NewDocument, SEARCH_NEW, SEARCH_SEGMENTS};

/// The recent part's two tables, opened once per query, and its segments' numbers,
/// walked once per query rather than once per term.
pub struct RecentPart {
    rows: ReadOnlyTable<u64, NewDocument>,
    segments: ReadOnlyTable<(u64, &'static str), &'static [u8]>,
    numbers: Vec<u64>,
}

impl RecentPart {
    /// Opens the tables in `tx` and lists the segments.
    pub fn open(tx: &ReadTransaction) -> Result<Self, StoreError> {
        let segments = tx.open_table(SEARCH_SEGMENTS)?;
        Ok(RecentPart {
            rows: tx.open_table(SEARCH_NEW)?,
            numbers: segment_numbers(&segments)?,
            segments,
        })
    }
}

/// A query term group's postings in the recent part. Counting them is cheap: one pass
/// over the new rows (at most a few thousand) and each segment value's length prefix.
/// The segments' postings themselves are collected only for the conversations a query
/// asks for ([`RecentTerms::load`]): all of them for a rare group, only the candidates
/// for a common one, whose recent postings can run to hundreds of thousands (issue
/// #15's bound holds only if they are never all collected).
#[derive(Debug, Default)]
pub struct RecentTerms {
    /// Term → in how many recent messages it occurs.
    documents: HashMap<String, u64>,
    /// The new rows' postings of the terms (at most one per row and term).
    rows: Vec<Posting>,
    /// The (segment, term) values that hold the terms.
    values: Vec<(u64, String)>,
    /// Conversation → (seq, count) of each loaded message holding one of the terms.
    by_conversation: HashMap<u64, Vec<(u64, u32)>>,
    /// Whether every conversation's postings are loaded.
    all_loaded: bool,
}

impl RecentTerms {
    /// Counts the recent postings of `terms` without collecting them: one pass over
    /// the new rows, one lookup per term and segment.
    pub fn count(part: &RecentPart, terms: &[(String, u64)]) -> Result<Self, StoreError> {
        let mut out = RecentTerms::default();
        if terms.is_empty() {
            out.all_loaded = true;
            return Ok(out);
        }
        let wanted: HashSet<&str> = terms.iter().map(|(t, _)| t.as_str()).collect();
        for row in part.rows.iter()? {
            let (_, value) = row?;
            let (conversation, seq, message_terms) = value.value();
            for (term, n) in message_terms {
                if let Some(term) = wanted.get(term) {
                    out.add_documents(term, 1);
                    out.rows.push((conversation, seq, n));
                }
            }
        }
        for &number in &part.numbers {
            for term in &wanted {
                if let Some(value) = part.segments.get((number, *term))? {
                    out.add_documents(term, count(value.value())?);
                    out.values.push((number, term.to_string()));
                }
            }
        }
        Ok(out)
    }

    /// Counts and collects every recent posting of `terms` (tests read a term whole).
    #[cfg(test)]
    pub fn read(tx: &ReadTransaction, terms: &[(String, u64)]) -> Result<Self, StoreError> {
        let part = RecentPart::open(tx)?;
        let mut out = Self::count(&part, terms)?;
        out.load_all(&part)?;
        Ok(out)
    }

    /// Collects the postings of the conversations `keep` accepts. A caller never
    /// accepts a conversation an earlier load accepted (it would count twice), and
    /// reads from the same part it counted in.
    pub fn load(
        &mut self,
        part: &RecentPart,
        keep: impl Fn(u64) -> bool,
    ) -> Result<(), StoreError> {
        if self.all_loaded {
            return Ok(());
        }
        let by_conversation = &mut self.by_conversation;
        let mut add = |(conversation, seq, n): Posting| {
            if keep(conversation) {
                by_conversation
                    .entry(conversation)
                    .or_default()
                    .push((seq, n));
            }
        };
        for posting in &self.rows {
            add(*posting);
        }
        for (number, term) in &self.values {
            if let Some(value) = part.segments.get((*number, term.as_str()))? {
                for_each(value.value(), &mut add)?;
            }
        }
        Ok(())
    }

    /// Collects every conversation's postings (on terms nothing was loaded for yet);
    /// afterwards [`RecentTerms::counts`] is complete.
    pub fn load_all(&mut self, part: &RecentPart) -> Result<(), StoreError> {
        self.load(part, |_| true)?;
        self.all_loaded = true;
        Ok(())
    }

    /// Whether every conversation's postings are loaded.
    pub fn all_loaded(&self) -> bool {
        self.all_loaded
    }

    fn add_documents(&mut self, term: &str, n: u64) {
        match self.documents.get_mut(term) {
            Some(documents) => *documents += n,
            None => {
                self.documents.insert(term.to_string(), n);
            }
        }
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
    part: &RecentPart,
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
    for row in part.rows.iter()? {
        for (term, _) in row?.1.value().2 {
            if term.starts_with(prefix) {
                keep(term, &mut found);
            }
        }
    }
    for &number in &part.numbers {
        for row in part.segments.range((number, prefix)..)? {
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

/// How much the search index's recent part holds (read from its tables; each segment
/// value counted from its length prefix).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecentSizes {
    /// New rows waiting for a fold (one per message).
    pub rows: u64,
    /// Segments waiting for a merge into the main postings.
    pub segments: u64,
    /// Postings in those segments.
    pub segment_postings: u64,
}

impl super::Store {
    /// The recent part's sizes now (a walk over both tables: for benchmarks and
    /// diagnostics, not for a request path).
    pub fn search_recent_sizes(&self) -> Result<RecentSizes, StoreError> {
        use redb::ReadableTableMetadata;
        let tx = self.db().begin_read()?;
        let part = RecentPart::open(&tx)?;
        let mut sizes = RecentSizes {
            rows: part.rows.len()?,
            segments: part.numbers.len() as u64,
            segment_postings: 0,
        };
        for row in part.segments.iter()? {
            sizes.segment_postings += count(row?.1.value())?;
        }
        Ok(sizes)
    }
}
