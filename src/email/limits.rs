//! How many emails strangers can make deskbell send to an address: the rate limits of
//! visitor emails, per recipient address, per visitor and per client address (IPv6 by
//! /64), each a count over a sliding window. A send must pass every limit it is
//! counted under; only a send that passes them all is counted.
//!
//! | what | per address | per visitor | per client address |
//! |---|---|---|---|
//! | confirmation | 1 per 10 min, 3 per day | 3 per day | 10 per hour |
//! | transcript | 3 per day | 3 per day | 10 per hour |
//! | any visitor email (also replies) | 10 per day | — | — |
//!
//! Pure and in memory, bounded: at most [`MAX_KEYS`] keys (beyond that every new key is
//! refused: closed, not open), entries a day old are dropped. A restart forgets the
//! counts; replies and transcripts only ever go to confirmed addresses, so what a
//! restart lets through is a few more confirmation emails.

use std::collections::{HashMap, VecDeque};

/// Most keys remembered.
pub const MAX_KEYS: usize = 100_000;

const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// What a count is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Confirmation emails to one address.
    ConfirmAddress,
    /// Confirmation emails one visitor asked for.
    ConfirmVisitor,
    /// Confirmation emails asked for from one client address.
    ConfirmClient,
    /// Transcripts to one address.
    TranscriptAddress,
    /// Transcripts one visitor asked for.
    TranscriptVisitor,
    /// Transcripts asked for from one client address.
    TranscriptClient,
    /// Every visitor email to one address.
    AnyAddress,
}

impl Bucket {
    /// The limits: (window in ms, most sends in it).
    pub fn rules(self) -> &'static [(u64, usize)] {
        match self {
            Bucket::ConfirmAddress => &[(10 * MINUTE, 1), (DAY, 3)],
            Bucket::ConfirmVisitor => &[(DAY, 3)],
            Bucket::ConfirmClient => &[(HOUR, 10)],
            Bucket::TranscriptAddress => &[(DAY, 3)],
            Bucket::TranscriptVisitor => &[(DAY, 3)],
            Bucket::TranscriptClient => &[(HOUR, 10)],
            Bucket::AnyAddress => &[(DAY, 10)],
        }
    }

    /// Longest window of its rules.
    fn horizon(self) -> u64 {
        self.rules().iter().map(|r| r.0).max().unwrap_or(DAY)
    }
}

/// The counts.
#[derive(Debug, Default)]
pub struct SendLimits {
    /// (bucket, key) → times of the counted sends, oldest first.
    seen: HashMap<(Bucket, String), VecDeque<u64>>,
    /// When old entries were last dropped.
    pruned_ms: u64,
}

impl SendLimits {
    /// No counts.
    pub fn new() -> SendLimits {
        SendLimits::default()
    }

    /// Counts one send at `now_ms` under every key of `keys` if it passes all of their
    /// limits; otherwise counts nothing and names the first limit it hit.
    pub fn take(&mut self, keys: &[(Bucket, String)], now_ms: u64) -> Result<(), Bucket> {
        self.prune(now_ms);
        for (bucket, key) in keys {
            let times = self.seen.get(&(*bucket, key.clone()));
            for &(window, max) in bucket.rules() {
                let recent = times.map_or(0, |t| {
                    t.iter()
                        .filter(|&&at| now_ms.saturating_sub(at) < window)
                        .count()
                });
                if recent >= max {
                    return Err(*bucket);
                }
            }
            if times.is_none() && self.seen.len() >= MAX_KEYS {
                return Err(*bucket);
            }
        }
        for (bucket, key) in keys {
            self.seen
                .entry((*bucket, key.clone()))
                .or_default()
                .push_back(now_ms);
        }
        Ok(())
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Drops times older than their bucket's longest window, at most once a minute.
    fn prune(&mut self, now_ms: u64) {
        if now_ms.saturating_sub(self.pruned_ms) < MINUTE && self.seen.len() < MAX_KEYS {
            return;
        }
        self.pruned_ms = now_ms;
        self.seen.retain(|(bucket, _), times| {
            let horizon = bucket.horizon();
            while times
                .front()
                .is_some_and(|&at| now_ms.saturating_sub(at) >= horizon)
            {
                times.pop_front();
            }
            !times.is_empty()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: Bucket, k: &str) -> (Bucket, String) {
        (b, k.to_string())
    }

    #[test]
    fn confirmations_to_one_address_are_spaced_and_capped() {
        let mut l = SendLimits::new();
        let t0 = 100 * DAY;
        let a = [key(Bucket::ConfirmAddress, "eve@x.example")];
        assert_eq!(l.take(&a, t0), Ok(()));
        assert_eq!(l.take(&a, t0 + 9 * MINUTE), Err(Bucket::ConfirmAddress));
        assert_eq!(l.take(&a, t0 + 10 * MINUTE), Ok(()));
        assert_eq!(l.take(&a, t0 + 20 * MINUTE), Ok(()));
        assert_eq!(l.take(&a, t0 + 30 * MINUTE), Err(Bucket::ConfirmAddress));
        assert_eq!(l.take(&a, t0 + DAY), Ok(()), "a day later");
    }

    #[test]
    fn a_refused_send_counts_nowhere() {
        let mut l = SendLimits::new();
        let t = 100 * DAY;
        let visitor = key(Bucket::ConfirmVisitor, "7");
        for i in 0..3 {
            let a = key(Bucket::ConfirmAddress, &format!("a{i}@x.example"));
            assert_eq!(l.take(&[a, visitor.clone()], t), Ok(()));
        }
        let fresh = key(Bucket::ConfirmAddress, "new@x.example");
        assert_eq!(
            l.take(&[fresh.clone(), visitor], t),
            Err(Bucket::ConfirmVisitor)
        );
        // The refused send did not count against the fresh address.
        assert_eq!(l.take(&[fresh], t), Ok(()));
    }

    #[test]
    fn memory_is_bounded_and_old_entries_go() {
        let mut l = SendLimits::new();
        let t = 100 * DAY;
        for i in 0..MAX_KEYS {
            assert_eq!(
                l.take(&[key(Bucket::AnyAddress, &i.to_string())], t),
                Ok(())
            );
        }
        assert_eq!(
            l.take(&[key(Bucket::AnyAddress, "one more")], t),
            Err(Bucket::AnyAddress),
            "full: refused, not forgotten"
        );
        assert_eq!(l.take(&[key(Bucket::AnyAddress, "later")], t + DAY), Ok(()));
        assert_eq!(l.len(), 1);
    }
}
