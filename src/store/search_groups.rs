//! A query's term groups (issue #15): the indexed terms each query term stands for
//! (a prefix expands to several), in how many documents they occur, in the main
//! postings and the recent part, and the two ways of counting them in conversations:
//! a scan of every posting (for a rare group) or a probe per candidate. The index's
//! tables are opened once per query ([`Index`]). `super::search_read` picks the
//! candidates and ranks them.

use std::collections::HashMap;

use redb::{ReadOnlyTable, ReadTransaction};

use super::StoreError;
use super::search_recent_read::{RecentPart, RecentTerms, recent_terms_with_prefix};
use super::tables::*;
use crate::search::query::QueryTerm;

/// Most indexed terms one prefix stands for (the first ones in term order).
const MAX_EXPANSIONS: usize = 64;
/// A term group in more documents than this is common: it never supplies the
/// candidates, it is only checked on them (probed per candidate).
pub(super) const COMMON: u64 = 5_000;

/// The indexed terms one query term stands for (in the main postings or the recent
/// part), with the documents holding each in the main postings.
fn expand(
    tx: &ReadTransaction,
    recent: &RecentPart,
    term: &QueryTerm,
) -> Result<Vec<(String, u64)>, StoreError> {
    let terms = tx.open_table(SEARCH_TERMS)?;
    let mut found: Vec<String> = Vec::new();
    if term.prefix {
        for row in terms.range(term.text.as_str()..)? {
            let (key, _) = row?;
            if !key.value().starts_with(term.text.as_str()) || found.len() >= MAX_EXPANSIONS {
                break;
            }
            found.push(key.value().to_string());
        }
        found.extend(recent_terms_with_prefix(
            recent,
            &term.text,
            MAX_EXPANSIONS,
        )?);
        found.sort_unstable();
        found.dedup();
        found.truncate(MAX_EXPANSIONS);
    } else {
        found.push(term.text.clone());
    }
    let mut out = Vec::new();
    for t in found {
        let df = terms.get(t.as_str())?.map_or(0, |v| v.value());
        out.push((t, df));
    }
    Ok(out)
}

/// conversation → how often the term group occurs in it, scanning every posting.
pub(super) fn scan(
    tx: &ReadTransaction,
    index: &Index,
    group: &Group,
) -> Result<HashMap<u64, u32>, StoreError> {
    let (postings, visitors) = (&index.postings, &index.visitors);
    let by_visitor = tx.open_multimap_table(VISITOR_CONVERSATIONS)?;
    let mut found: HashMap<u64, u32> = HashMap::new();
    debug_assert!(group.recent.all_loaded(), "only a rare group is scanned");
    for (id, n) in group.recent.counts() {
        *found.entry(id).or_default() += n;
    }
    for (term, _) in &group.terms {
        let t = term.as_str();
        for row in postings.range((t, 0, 0)..=(t, u64::MAX, u64::MAX))? {
            let (key, n) = row?;
            *found.entry(key.value().1).or_default() += n.value();
        }
        for row in visitors.range((t, 0)..=(t, u64::MAX))? {
            let (key, n) = row?;
            for conv in by_visitor.get(key.value().1)? {
                *found.entry(conv?.value()).or_default() += n.value();
            }
        }
    }
    Ok(found)
}

/// The index's tables, opened once per query.
pub(super) struct Index {
    /// The main postings: (term, conversation, seq) → occurrences.
    pub(super) postings: ReadOnlyTable<(&'static str, u64, u64), u32>,
    /// Visitor profiles' postings: (term, visitor) → occurrences.
    pub(super) visitors: ReadOnlyTable<(&'static str, u64), u32>,
    /// The recent part.
    pub(super) recent: RecentPart,
}

/// One term group of a query: the indexed terms it stands for, in how many documents
/// they occur together, and whether any visitor profile holds one.
pub(super) struct Group {
    /// The indexed terms, each with the documents holding it.
    pub(super) terms: Vec<(String, u64)>,
    /// Documents holding any of the terms (summed over them).
    pub(super) df: u64,
    /// Whether any visitor profile holds one of the terms.
    pub(super) in_visitors: bool,
    /// The terms' postings in the recent part of the index: all of them for a rare
    /// group; for a common one ([`COMMON`]), those of the conversations probed.
    pub(super) recent: RecentTerms,
}

impl Group {
    pub(super) fn new(
        tx: &ReadTransaction,
        index: &Index,
        term: &QueryTerm,
    ) -> Result<Group, StoreError> {
        let mut terms = expand(tx, &index.recent, term)?;
        let mut recent = RecentTerms::count(&index.recent, &terms)?;
        for (t, df) in &mut terms {
            *df += recent.documents(t);
        }
        terms.retain(|(_, df)| *df > 0);
        let df = terms.iter().map(|(_, df)| df).sum();
        if df <= COMMON {
            // Rare enough to supply candidates: its recent postings are few.
            recent.load_all(&index.recent)?;
        }
        let mut in_visitors = false;
        for (t, _) in &terms {
            let t = t.as_str();
            if index
                .visitors
                .range((t, 0)..=(t, u64::MAX))?
                .next()
                .is_some()
            {
                in_visitors = true;
                break;
            }
        }
        Ok(Group {
            df,
            recent,
            terms,
            in_visitors,
        })
    }

    /// How often the group occurs in conversation `id` (0: not at all).
    /// (`visitor`: the conversation's visitor, needed only when `in_visitors`.)
    pub(super) fn probe(
        &self,
        index: &Index,
        id: u64,
        visitor: Option<u64>,
    ) -> Result<u32, StoreError> {
        let mut n = self.recent.count_in(id);
        for (term, _) in &self.terms {
            let t = term.as_str();
            for row in index.postings.range((t, id, 0)..=(t, id, u64::MAX))? {
                n += row?.1.value();
            }
        }
        if self.in_visitors
            && let Some(visitor) = visitor
        {
            for (term, _) in &self.terms {
                n += index
                    .visitors
                    .get((term.as_str(), visitor))?
                    .map_or(0, |v| v.value());
            }
        }
        Ok(n)
    }
}
