//! When the writer merges its recent parts (issue #16): the search index's
//! (`super::search_recent`) and the messages' (`super::messages_recent`). A pure policy
//! over the writer's state; `super::writer` runs the steps it asks for.

use super::messages_recent as messages_part;
use super::ops::WriterState;
use super::search_recent as search_part;

/// How much one merge step moves from each recent part (0: nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Steps {
    /// Postings of the search index's recent part.
    pub postings: usize,
    /// Messages of the messages' recent part.
    pub messages: usize,
}

impl Steps {
    /// A step while the writer has nothing else to do.
    pub const IDLE: Steps = Steps {
        postings: search_part::MERGE_IDLE_STEP,
        messages: messages_part::MERGE_IDLE_STEP,
    };

    pub fn any(self) -> bool {
        self.postings > 0 || self.messages > 0
    }
}

/// What merge step should follow this batch although work waits. Each recent part is
/// merged once past its `MERGE_AT` while the writer keeps up (less than a quarter batch
/// waits), or past its `MERGE_HARD_AT` whatever waits; a messages' merge cycle under
/// way goes on while the writer keeps up. A writer that is falling behind spends
/// nothing on merging until then: the merge would only lengthen the backlog.
pub(super) fn busy_merge_due(state: &WriterState, waiting: usize, batch_max: usize) -> Steps {
    let keeps_up = waiting < batch_max / 4;
    let postings = state.recent.postings();
    let unmoved = state.messages.unmoved();
    Steps {
        postings: match postings >= search_part::MERGE_HARD_AT
            || (postings >= search_part::MERGE_AT && keeps_up)
        {
            true => search_part::MERGE_BUSY_STEP,
            false => 0,
        },
        messages: if unmoved >= messages_part::MERGE_HARD_AT {
            messages_part::MERGE_HARD_STEP
        } else if (unmoved >= messages_part::MERGE_AT || state.messages.cycling()) && keeps_up {
            messages_part::MERGE_BUSY_STEP
        } else {
            0
        },
    }
}

/// True when a recent part may hold something to merge (each is counted on its first
/// merge step or message after a start).
pub(super) fn merge_pending(state: &WriterState) -> bool {
    state.messages.pending()
        || state.search_index && (state.recent.uncounted() || state.recent.postings() > 0)
}
