//! Visitor ids for hellos that write nothing.
//!
//! A new visitor gets an id (inside a signed token) before anything about them is
//! stored, so the visitors table cannot tell which ids were handed out. Ids are reserved
//! in blocks of [`BLOCK`] instead: the `meta` key `visitor_ids_reserved` is a durable
//! high-water mark, raised by one write per block.
//!
//! **Invariant:** an id is handed out only if it is ≤ the high-water mark that is
//! already durably committed. At start, allocation resumes above
//! max(highest stored visitor id, high-water mark) (`Store::max_ids`), so an id handed
//! out before a restart or a crash is never handed out again. Ids in a reserved block
//! that were never handed out are skipped (gaps are harmless).

use smol::lock::Mutex;

use super::{StoreError, WriteOp, WriterHandle};

/// Ids reserved by one durable write.
pub const BLOCK: u64 = 1024;

/// The allocator's numbers (pure, see the module invariant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocks {
    /// The next id to hand out.
    next: u64,
    /// Highest id durably reserved.
    reserved: u64,
}

impl Blocks {
    /// Resumes after `highest_used`, the highest id stored or reserved before; nothing
    /// is reserved yet in this run.
    pub fn new(highest_used: u64) -> Blocks {
        Blocks {
            next: highest_used + 1,
            reserved: highest_used,
        }
    }

    /// The next id if it is already reserved; otherwise `Err(up_to)`: reserve up to
    /// that id (durably) and report it with [`Blocks::reserved`] before trying again.
    pub fn take(&mut self) -> Result<u64, u64> {
        if self.next <= self.reserved {
            let id = self.next;
            self.next += 1;
            Ok(id)
        } else {
            Err(self.next.saturating_add(BLOCK - 1))
        }
    }

    /// Records that every id up to `up_to` is durably reserved.
    pub fn reserved(&mut self, up_to: u64) {
        self.reserved = self.reserved.max(up_to);
    }
}

/// The allocator shared by all connections.
pub struct VisitorIds {
    /// Held across the reserving write, so one block is reserved at a time.
    blocks: Mutex<Blocks>,
}

impl VisitorIds {
    /// See [`Blocks::new`].
    pub fn new(highest_used: u64) -> VisitorIds {
        VisitorIds {
            blocks: Mutex::new(Blocks::new(highest_used)),
        }
    }

    /// A fresh visitor id, never handed out before (also across restarts). Waits for a
    /// commit once every [`BLOCK`] ids.
    pub async fn next(&self, writer: &WriterHandle) -> Result<u64, StoreError> {
        let mut blocks = self.blocks.lock().await;
        match blocks.take() {
            Ok(id) => Ok(id),
            Err(up_to) => {
                writer.call(WriteOp::ReserveVisitorIds { up_to }).await?;
                blocks.reserved(up_to);
                blocks
                    .take()
                    .map_err(|_| StoreError::Conflict("visitor ids exhausted".into()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out `n` ids, "committing" reservations into `durable`.
    fn hand_out(blocks: &mut Blocks, durable: &mut u64, n: usize) -> Vec<u64> {
        let mut out = Vec::new();
        while out.len() < n {
            match blocks.take() {
                Ok(id) => {
                    assert!(
                        id <= *durable,
                        "id {id} handed out above the mark {durable}"
                    );
                    out.push(id);
                }
                Err(up_to) => {
                    assert!(up_to > *durable);
                    *durable = up_to;
                    blocks.reserved(up_to);
                }
            }
        }
        out
    }

    #[test]
    fn ids_never_repeat_across_restarts_and_one_write_covers_a_block() {
        let mut durable = 0;
        let mut stored_max = 0;
        let mut seen = std::collections::HashSet::new();
        for (run, count) in [(0, 3), (1, 1500), (2, 0), (3, 1), (4, 2049)] {
            // A restart resumes from what is durable: stored visitors and the mark.
            let mut blocks = Blocks::new(stored_max.max(durable));
            let before = durable;
            let ids = hand_out(&mut blocks, &mut durable, count);
            for id in &ids {
                assert!(seen.insert(*id), "run {run} repeated id {id}");
            }
            // Some of them wrote something.
            stored_max = stored_max.max(ids.iter().copied().step_by(7).max().unwrap_or(0));
            let writes = (durable - before).div_ceil(BLOCK);
            assert!(writes <= (count as u64).div_ceil(BLOCK) + 1, "run {run}");
        }
    }

    #[test]
    fn the_first_id_waits_for_a_reservation() {
        let mut blocks = Blocks::new(10);
        assert_eq!(blocks.take(), Err(10 + BLOCK));
        blocks.reserved(10 + BLOCK);
        assert_eq!(blocks.take(), Ok(11));
    }
}
