//! The writer's full-text index ops and what they report (applied in
//! `search_index.rs`): the start-up pass over older data, and the rebuild.

/// The writer's search ops.
#[derive(Debug, Clone)]
pub enum SearchOp {
    /// Index the next conversations (about `messages` messages) or visitors (about
    /// `messages` of them) after the stored markers, then move the markers.
    Backfill {
        /// Roughly how many documents to index in this commit.
        messages: usize,
    },
    /// Forget the whole index and the markers, so the start-up pass rebuilds it.
    Reset,
    /// Turn the recent part's new rows into one segment (`super::search_recent`; the
    /// writer's own op, between batches).
    Fold,
    /// Move about `postings` postings from the recent part into the main postings
    /// (`super::search_recent`; the writer's own op, between batches).
    Merge {
        /// Most postings to move.
        postings: usize,
    },
}

/// What one backfill step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexProgress {
    /// Conversations indexed in this step.
    pub conversations: u64,
    /// Messages indexed in this step.
    pub messages: u64,
    /// Visitors indexed in this step.
    pub visitors: u64,
    /// The last conversation id now indexed.
    pub conversation_mark: u64,
    /// True when the whole index is built.
    pub done: bool,
}
