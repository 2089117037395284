//! The search index's segments (issue #16; [`SEARCH_SEGMENTS`]): one term's postings in
//! one segment as stored bytes, and the walk over the segments a table holds. A fold
//! (`super::search_recent::fold_step`) writes a segment whole; readers
//! (`super::search_recent_read`) look a term up in each segment.
//!
//! A value is postcard's encoding of a `Vec<(u64, u64, u32)>`: (conversation id, seq,
//! how often the term occurs in that message), in arrival order, each number a varint,
//! so a posting takes about five bytes.

use redb::ReadableTable;

use super::StoreError;
use super::tables::SEARCH_SEGMENTS;

/// One posting: (conversation id, seq, how often the term occurs in that message).
pub type Posting = (u64, u64, u32);

/// The stored bytes of one term's postings in a segment.
pub fn encode(postings: &[Posting]) -> Vec<u8> {
    postcard::to_allocvec(postings).unwrap_or_default()
}

/// Reads one term's postings in a segment back.
pub fn decode(bytes: &[u8]) -> Result<Vec<Posting>, StoreError> {
    postcard::from_bytes(bytes).map_err(corrupt)
}

/// How many postings a stored value holds, read from its length prefix alone.
pub fn count(bytes: &[u8]) -> Result<u64, StoreError> {
    postcard::take_from_bytes::<u64>(bytes)
        .map(|(n, _)| n)
        .map_err(corrupt)
}

/// Calls `each` with every posting of a stored value, in stored order, without
/// collecting them (a common term's value is read whole, but kept only in part).
pub fn for_each(bytes: &[u8], mut each: impl FnMut(Posting)) -> Result<(), StoreError> {
    let (n, mut rest) = postcard::take_from_bytes::<u64>(bytes).map_err(corrupt)?;
    for _ in 0..n {
        let (posting, after) = postcard::take_from_bytes::<Posting>(rest).map_err(corrupt)?;
        each(posting);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(corrupt(format_args!(
            "{} bytes after the postings",
            rest.len()
        )));
    }
    Ok(())
}

/// A stored value that does not read back: the table is named in the error.
fn corrupt(why: impl std::fmt::Display) -> StoreError {
    use redb::TableHandle;
    StoreError::Corrupt(format!("{}: {why}", SEARCH_SEGMENTS.name()))
}

/// The numbers of the segments `table` holds, oldest first (one lookup per segment).
pub fn segment_numbers(
    table: &impl ReadableTable<(u64, &'static str), &'static [u8]>,
) -> Result<Vec<u64>, StoreError> {
    let mut out = Vec::new();
    let mut from = 0u64;
    loop {
        let Some(row) = table.range((from, "")..)?.next() else {
            break;
        };
        let segment = row?.0.value().0;
        out.push(segment);
        match segment.checked_add(1) {
            Some(next) => from = next,
            None => break,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_come_back_as_written_and_stay_small() {
        let postings = vec![(1, 1, 1), (7, 300, 2), (u64::MAX, u64::MAX, u32::MAX)];
        let bytes = encode(&postings);
        assert_eq!(decode(&bytes).expect("decodes"), postings);
        // The stored bytes, pinned: a count, then each number as a varint.
        let small = encode(&[(12, 40, 1), (13, 300, 1)]);
        assert_eq!(small, [2, 12, 40, 1, 13, 0xac, 0x02, 1]);
    }

    #[test]
    fn a_value_is_counted_from_its_prefix_and_walked_as_decoded() {
        let postings: Vec<Posting> = (0..300).map(|n| (n * 7, n * 300, 1 + n as u32)).collect();
        let bytes = encode(&postings);
        assert_eq!(count(&bytes).expect("counts"), 300);
        let mut walked = Vec::new();
        for_each(&bytes, |p| walked.push(p)).expect("walks");
        assert_eq!(walked, postings);
        assert_eq!(count(&encode(&[])).expect("counts"), 0);
        assert!(
            for_each(&bytes[..bytes.len() - 1], |_| {}).is_err(),
            "cut short"
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(for_each(&longer, |_| {}).is_err(), "trailing bytes");
        assert!(count(&[]).is_err(), "no length");
    }

    #[test]
    fn broken_bytes_are_a_corrupt_table_not_a_panic() {
        let bytes = encode(&[(1, 2, 3), (4, 5, 6)]);
        let error = decode(&bytes[..bytes.len() - 1]).expect_err("cut short");
        assert!(
            error.to_string().contains("segmentterm_postings"),
            "{error}"
        );
    }

    #[test]
    fn segment_numbers_skip_gaps_and_list_each_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = redb::Database::create(dir.path().join("t.redb")).expect("creates");
        let tx = db.begin_write().expect("begins");
        {
            let mut table = tx.open_table(SEARCH_SEGMENTS).expect("opens");
            assert!(segment_numbers(&table).expect("walks").is_empty());
            for (segment, term) in [(3, "a"), (3, "b"), (9, "a"), (40, "z"), (u64::MAX, "x")] {
                table
                    .insert((segment, term), [0u8].as_slice())
                    .expect("inserts");
            }
            assert_eq!(
                segment_numbers(&table).expect("walks"),
                [3, 9, 40, u64::MAX]
            );
        }
        tx.commit().expect("commits");
    }
}
