//! A hashed timing wheel: O(1) insert and cancel, advance driven by millisecond timestamps.
//!
//! # Design
//!
//! Time is cut into ticks of `tick_ms`. The wheel has `SLOTS` (4096) slots; a timer whose
//! deadline falls in tick `t` sits in slot `t % SLOTS`, in an intrusive doubly-linked
//! list threaded through a slab of entries by index. Each entry keeps its exact
//! deadline, so a slot may hold timers from several revolutions at once: `advance`
//! only fires those whose deadline has passed and leaves the rest in place. That is
//! what lets a 24 h timer live in a wheel that turns once every few minutes.
//!
//! # Invariants
//!
//! - After `advance(now)`, no pending timer has a deadline `<= now`.
//! - A pending timer sits in the slot of `max(deadline tick, wheel tick at insert)`;
//!   its slot tick is never before the wheel's current tick, so one pass over the
//!   ticks `current..=target` (capped at one revolution) finds every due timer.
//! - A [`TimerKey`] matches an entry only while the entry holds the very timer the
//!   key was issued for: every insert gets a fresh generation, never reused.

/// Number of slots in the wheel (a power of two). At 100 ms ticks one revolution is
/// about 6.8 minutes; longer timers are simply skipped on the revolutions before theirs.
const SLOTS: usize = 4096;

/// Slab capacity kept when the wheel empties; anything above it is given back.
const KEEP_CAPACITY: usize = 1024;

/// Handle to a scheduled timer; stale handles (fired or cancelled) are harmless.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerKey {
    /// Position of the timer's entry in the slab.
    index: usize,
    /// The insert's sequence number; an entry reused by a later insert gets another.
    generation: u64,
}

/// One slab entry: a pending timer, or a free cell waiting for reuse.
#[derive(Debug)]
struct Entry<T> {
    /// The timer's payload while it is pending; `None` once fired or cancelled.
    value: Option<T>,
    /// Generation of the insert that filled this entry last.
    generation: u64,
    /// Exact deadline in milliseconds.
    deadline_ms: u64,
    /// Slot whose list this entry is linked into (meaningless while free).
    slot: usize,
    /// Previous entry in the slot list.
    prev: Option<usize>,
    /// Next entry in the slot list, or the next free entry while free.
    next: Option<usize>,
}

/// A hashed timing wheel holding values of type `T` until their deadlines pass.
#[derive(Debug)]
pub struct TimingWheel<T> {
    /// Resolution in milliseconds (at least 1).
    tick_ms: u64,
    /// The wheel's current time: the `now_ms` of the last effective `advance`.
    now_ms: u64,
    /// Head of each slot's list of entries.
    slots: Box<[Option<usize>]>,
    /// Slab of entries, pending and free.
    entries: Vec<Entry<T>>,
    /// Head of the list of free entries.
    free_head: Option<usize>,
    /// Number of pending timers.
    len: usize,
    /// Generation given to the next insert.
    next_generation: u64,
    /// Scratch buffer of `(deadline tick, value)` fired by one `advance`, kept to reuse its allocation.
    due: Vec<(u64, T)>,
    /// Slots walked by `advance` so far, so tests can check the cost of a time jump.
    #[cfg(test)]
    slots_visited: u64,
}

impl<T> TimingWheel<T> {
    /// `tick_ms`: resolution (the server uses 100 ms; 0 is treated as 1);
    /// `now_ms`: the clock's current time.
    pub fn new(tick_ms: u64, now_ms: u64) -> Self {
        TimingWheel {
            tick_ms: tick_ms.max(1),
            now_ms,
            slots: vec![None; SLOTS].into_boxed_slice(),
            entries: Vec::new(),
            free_head: None,
            len: 0,
            next_generation: 0,
            due: Vec::new(),
            #[cfg(test)]
            slots_visited: 0,
        }
    }

    /// O(1). A deadline at or before the wheel's current time fires on the next `advance`.
    pub fn insert(&mut self, deadline_ms: u64, value: T) -> TimerKey {
        let tick = (deadline_ms / self.tick_ms).max(self.now_ms / self.tick_ms);
        let slot = slot_of(tick);
        let generation = self.next_generation;
        self.next_generation += 1;
        let head = self.slots[slot];
        let entry = Entry {
            value: Some(value),
            generation,
            deadline_ms,
            slot,
            prev: None,
            next: head,
        };
        let index = match self.free_head {
            Some(index) => {
                self.free_head = self.entries[index].next;
                self.entries[index] = entry;
                index
            }
            None => {
                self.entries.push(entry);
                self.entries.len() - 1
            }
        };
        if let Some(head) = head {
            self.entries[head].prev = Some(index);
        }
        self.slots[slot] = Some(index);
        self.len += 1;
        TimerKey { index, generation }
    }

    /// O(1). Returns the value if the timer was still pending; None for stale keys.
    pub fn cancel(&mut self, key: TimerKey) -> Option<T> {
        let entry = self.entries.get(key.index)?;
        if entry.generation != key.generation || entry.value.is_none() {
            return None;
        }
        let value = self.remove(key.index);
        self.compact_if_empty();
        value
    }

    /// Moves the wheel to `now_ms` and appends every value whose deadline is <= now_ms
    /// to `fired` (earlier deadlines before later ones; same tick in any order).
    /// Never fires a timer early. Cost O(elapsed ticks capped at one revolution + fired + entries visited).
    /// `now_ms` earlier than the wheel's time is a no-op.
    pub fn advance(&mut self, now_ms: u64, fired: &mut Vec<T>) {
        if now_ms < self.now_ms {
            return;
        }
        let from = self.now_ms / self.tick_ms;
        let to = now_ms / self.tick_ms;
        // The current tick's slot is walked again: it may hold timers due later in that tick.
        let ticks = (to - from).saturating_add(1).min(SLOTS as u64);
        for offset in 0..ticks {
            self.fire_slot(slot_of(from.wrapping_add(offset)), now_ms);
        }
        self.now_ms = now_ms;
        // Walking ticks in order yields sorted output, except for overdue timers in the
        // first slot and for jumps of a revolution or more; sort only then.
        if !self.due.is_sorted_by_key(|(tick, _)| *tick) {
            self.due.sort_by_key(|(tick, _)| *tick);
        }
        fired.extend(self.due.drain(..).map(|(_, value)| value));
        self.compact_if_empty();
    }

    /// Number of pending timers.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Moves every timer of `slot` with a deadline `<= now_ms` into `self.due`.
    fn fire_slot(&mut self, slot: usize, now_ms: u64) {
        #[cfg(test)]
        {
            self.slots_visited += 1;
        }
        let mut cursor = self.slots[slot];
        while let Some(index) = cursor {
            let entry = &self.entries[index];
            cursor = entry.next;
            let deadline_ms = entry.deadline_ms;
            if deadline_ms <= now_ms
                && let Some(value) = self.remove(index)
            {
                self.due.push((deadline_ms / self.tick_ms, value));
            }
        }
    }

    /// Unlinks a pending entry from its slot list, frees it and returns its value.
    fn remove(&mut self, index: usize) -> Option<T> {
        let entry = &mut self.entries[index];
        let (slot, prev, next) = (entry.slot, entry.prev, entry.next);
        let value = entry.value.take();
        entry.prev = None;
        entry.next = self.free_head;
        self.free_head = Some(index);
        match prev {
            Some(prev) => self.entries[prev].next = next,
            None => self.slots[slot] = next,
        }
        if let Some(next) = next {
            self.entries[next].prev = prev;
        }
        self.len -= 1;
        value
    }

    /// Gives the slab back when no timer is pending, so a burst does not pin memory.
    /// Safe because generations are never reused: old keys cannot match new entries.
    fn compact_if_empty(&mut self) {
        if self.len == 0 && !self.entries.is_empty() {
            self.entries.clear();
            self.entries.shrink_to(KEEP_CAPACITY);
            self.free_head = None;
        }
    }
}

/// Slot holding the timers of `tick`.
fn slot_of(tick: u64) -> usize {
    // The mask keeps the value below SLOTS, so the cast never truncates.
    (tick & (SLOTS as u64 - 1)) as usize
}

#[cfg(test)]
mod tests;
