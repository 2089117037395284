//! The report's CSAT section: visitors' 1–5 ratings of conversations created in the
//! period, their average and distribution.
//! The scan (`Store::scan_conversations`) hands each conversation's rating from the
//! ratings' table (`store/ratings.rs`: one per closed conversation, by its visitor);
//! with none rated the section says so: `ratings` 0, `average` null, five zero counts.

use serde::Serialize;

/// The CSAT section.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Csat {
    /// Conversations rated.
    pub ratings: u64,
    /// Mean rating, 1–5; None when nothing was rated.
    pub average: Option<f64>,
    /// Conversations rated 1, 2, 3, 4 and 5.
    pub distribution: [u64; 5],
}

/// Ratings counted so far.
#[derive(Debug, Default)]
pub struct CsatTally {
    /// Index `r - 1`: conversations rated `r`.
    counts: [u64; 5],
}

impl CsatTally {
    /// Counts one conversation's rating, if any (values outside 1–5 are ignored).
    pub fn add(&mut self, rating: Option<u8>) {
        if let Some(r @ 1..=5) = rating {
            self.counts[usize::from(r) - 1] += 1;
        }
    }

    /// The section.
    pub fn finish(&self) -> Csat {
        let ratings: u64 = self.counts.iter().sum();
        let sum: u64 = (1..=5u64).zip(self.counts).map(|(r, n)| r * n).sum();
        Csat {
            ratings,
            average: (ratings > 0).then(|| sum as f64 / ratings as f64),
            distribution: self.counts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_ratings_is_an_empty_distribution_and_ratings_average() {
        let empty = CsatTally::default().finish();
        assert_eq!(empty.ratings, 0);
        assert_eq!(empty.average, None);
        assert_eq!(empty.distribution, [0; 5]);
        let mut tally = CsatTally::default();
        for r in [5, 4, 5, 0, 6] {
            tally.add(Some(r));
        }
        tally.add(None);
        let csat = tally.finish();
        assert_eq!(csat.ratings, 3);
        assert_eq!(csat.distribution, [0, 0, 0, 1, 2]);
        assert_eq!(csat.average, Some(14.0 / 3.0));
    }
}
