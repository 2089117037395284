//! When the writer merges its recent parts (issue #16): the search index's
//! (`super::search_recent`) and the messages' (`super::messages_recent`). A pure policy
//! over the writer's state; `super::writer` runs the steps it asks for.

use super::messages_recent as messages_part;
use super::ops::WriterState;
use super::search_recent as search_part;

/// How much one merge step moves from each recent part (0: nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Steps {
    /// Fold the search index's new rows into a segment first.
    pub fold: bool,
    /// Postings of the search index's recent part.
    pub postings: usize,
    /// Messages of the messages' recent part.
    pub messages: usize,
}

impl Steps {
    /// A step while the writer has nothing else to do.
    pub const IDLE: Steps = Steps {
        fold: false,
        postings: search_part::MERGE_IDLE_STEP,
        messages: messages_part::MERGE_IDLE_STEP,
    };

    pub fn any(self) -> bool {
        self.fold || self.postings > 0 || self.messages > 0
    }
}

/// What merge step should follow this batch although work waits. The search index's
/// new rows are folded into a segment past [`search_part::FOLD_AT`] while the writer
/// keeps up (less than a quarter batch waits), or past its `FOLD_HARD_AT` whatever
/// waits; each recent part is merged once past its `MERGE_AT` while the writer keeps
/// up, or past its `MERGE_HARD_AT` whatever waits (with larger steps there: the
/// messages' `MERGE_HARD_STEP`, the search index's [`hard_step`]); a messages' merge cycle under way
/// goes on while the writer keeps up. A writer that is falling behind spends nothing
/// on merging until then: the merge would only lengthen the backlog.
pub(super) fn busy_merge_due(state: &WriterState, waiting: usize, batch_max: usize) -> Steps {
    let keeps_up = waiting < batch_max / 4;
    let rows = state.recent.rows();
    let postings = state.recent.segment_postings();
    let segments = state.recent.segments();
    let unmoved = state.messages.unmoved();
    let merge_hard =
        postings >= search_part::MERGE_HARD_AT || segments >= search_part::MERGE_SEGMENTS_HARD_AT;
    let merge_soft =
        postings >= search_part::MERGE_AT || segments >= search_part::MERGE_SEGMENTS_AT;
    Steps {
        fold: rows >= search_part::FOLD_HARD_AT || (rows >= search_part::FOLD_AT && keeps_up),
        postings: if merge_hard {
            hard_step(postings, segments)
        } else if merge_soft && keeps_up {
            search_part::MERGE_BUSY_STEP
        } else {
            0
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

/// A busy step's postings past a hard bound: [`search_part::MERGE_BUSY_STEP`] and a
/// share of the excess (over the postings bound, or the segments over theirs at their
/// mean size), so the bound holds under any intake.
fn hard_step(postings: u64, segments: usize) -> usize {
    let over_postings = postings.saturating_sub(search_part::MERGE_HARD_AT);
    let mean_segment = postings / segments.max(1) as u64;
    let over_segments = (segments.saturating_sub(search_part::MERGE_SEGMENTS_HARD_AT) as u64)
        .saturating_mul(mean_segment);
    let catch_up = over_postings.max(over_segments) / search_part::MERGE_HARD_CATCH_UP;
    search_part::MERGE_BUSY_STEP.saturating_add(usize::try_from(catch_up).unwrap_or(usize::MAX))
}

/// True when a recent part may hold something to merge (each is counted on its first
/// merge step or message after a start; the search index's new rows wait for a fold).
pub(super) fn merge_pending(state: &WriterState) -> bool {
    state.messages.pending() || state.search_index && segments_pending(&state.recent)
}

/// True when the search index's recent part may hold segments to merge; its new rows
/// wait for a fold however long the writer idles.
fn segments_pending(recent: &search_part::RecentState) -> bool {
    recent.uncounted() || recent.segment_postings() > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::search_recent::{
        FOLD_AT, FOLD_HARD_AT, MERGE_AT, MERGE_HARD_AT, MERGE_SEGMENTS_AT, RecentState,
    };

    const BATCH: usize = 400;

    /// (fold, postings step) after a batch, with `waiting` jobs left.
    fn due(recent: RecentState, waiting: usize) -> (bool, usize) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("opens");
        let mut state = WriterState::new(store.outbox_gate().clone(), store.db().files().clone());
        state.recent = recent;
        let steps = busy_merge_due(&state, waiting, BATCH);
        (steps.fold, steps.postings)
    }

    #[test]
    fn rows_fold_once_enough_wait_and_the_writer_keeps_up_or_too_many_wait() {
        let behind = BATCH;
        assert_eq!(
            due(RecentState::counted_as(FOLD_AT - 1, 0, 0), 0),
            (false, 0)
        );
        assert_eq!(due(RecentState::counted_as(FOLD_AT, 0, 0), 0), (true, 0));
        assert_eq!(
            due(RecentState::counted_as(FOLD_AT, 0, 0), behind),
            (false, 0)
        );
        assert_eq!(
            due(RecentState::counted_as(FOLD_HARD_AT, 0, 0), behind),
            (true, 0)
        );
    }

    #[test]
    fn segments_merge_past_their_postings_or_their_number() {
        let behind = BATCH;
        let step = search_part::MERGE_BUSY_STEP;
        assert_eq!(
            due(RecentState::counted_as(0, MERGE_AT - 1, 10), 0),
            (false, 0)
        );
        assert_eq!(
            due(RecentState::counted_as(0, MERGE_AT, 10), 0),
            (false, step)
        );
        assert_eq!(
            due(RecentState::counted_as(0, MERGE_AT, 10), behind),
            (false, 0)
        );
        assert_eq!(
            due(RecentState::counted_as(0, MERGE_HARD_AT, 10), behind),
            (false, step)
        );
        let many = MERGE_SEGMENTS_AT as u64;
        assert_eq!(
            due(RecentState::counted_as(0, many, many - 1), 0),
            (false, 0)
        );
        assert_eq!(
            due(RecentState::counted_as(0, many, many), 0),
            (false, step)
        );
        assert_eq!(
            due(RecentState::counted_as(0, many, many), behind),
            (false, 0)
        );
    }

    /// Batches of full chat messages far beyond what a busy step moves: past the hard
    /// bound the steps grow with the excess, so the recent part stops growing.
    #[test]
    fn past_the_hard_bound_the_steps_keep_up_with_any_intake() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("opens");
        let mut state = WriterState::new(store.outbox_gate().clone(), store.db().files().clone());
        for intake in [10_000u64, 40_000, 200_000] {
            let (mut postings, mut segments) = (0u64, 0u64);
            let mut most = 0;
            for batch in 0..4_000u64 {
                postings += intake;
                if batch % 8 == 0 {
                    segments += 1; // a fold every few batches
                }
                state.recent = RecentState::counted_as(0, postings, segments);
                let step = busy_merge_due(&state, BATCH, BATCH).postings;
                let moved = (step as u64).min(postings);
                segments -= segments * moved / postings.max(1);
                postings -= moved;
                most = most.max(postings);
            }
            let bound = MERGE_HARD_AT + search_part::MERGE_HARD_CATCH_UP * intake;
            assert!(
                most <= bound,
                "{intake} postings a batch: the part reached {most}, over {bound}"
            );
        }
        let (_, far) = due(RecentState::counted_as(0, 2 * MERGE_HARD_AT, 10), BATCH);
        assert!(
            far > search_part::MERGE_BUSY_STEP,
            "a step takes a share of the excess"
        );
    }

    #[test]
    fn an_idle_writer_merges_segments_and_leaves_rows_for_a_fold() {
        assert!(
            segments_pending(&RecentState::default()),
            "uncounted: the first idle step counts"
        );
        let rows = RecentState::counted_as(FOLD_AT - 1, 0, 0);
        assert!(!segments_pending(&rows), "rows alone wait");
        let segment = RecentState::counted_as(3, 5, 1);
        assert!(segments_pending(&segment), "a segment is merged");
    }
}
