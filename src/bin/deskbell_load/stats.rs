//! Latency samples and their percentiles (a sorted `Vec` is plenty at these counts),
//! and the measurement window shared by every task of a run.

use std::sync::atomic::{AtomicU64, Ordering};

/// Latency samples in microseconds.
#[derive(Debug, Default, Clone)]
pub struct Samples(Vec<u32>);

impl Samples {
    /// Records one latency.
    pub fn record(&mut self, us: u64) {
        self.0.push(us.min(u64::from(u32::MAX)) as u32);
    }

    /// Adds another task's samples.
    pub fn merge(&mut self, other: Samples) {
        self.0.extend(other.0);
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Sorts and summarises.
    pub fn summary(mut self) -> Summary {
        self.0.sort_unstable();
        let at = |q: f64| -> f64 {
            if self.0.is_empty() {
                return 0.0;
            }
            let rank = ((q * self.0.len() as f64).ceil() as usize).clamp(1, self.0.len());
            f64::from(self.0[rank - 1]) / 1000.0
        };
        Summary {
            count: self.0.len(),
            p50_ms: at(0.50),
            p90_ms: at(0.90),
            p99_ms: at(0.99),
            p999_ms: at(0.999),
            max_ms: at(1.0),
        }
    }
}

/// Percentiles of a sample set, in milliseconds (nearest-rank).
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// Samples.
    pub count: usize,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest.
    pub max_ms: f64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "n={} p50={:.2}ms p90={:.2}ms p99={:.2}ms p99.9={:.2}ms max={:.2}ms",
            self.count, self.p50_ms, self.p90_ms, self.p99_ms, self.p999_ms, self.max_ms
        )
    }
}

/// The measured interval `[start, end)` in epoch microseconds; unset until the
/// warm-up is over, so warm-up traffic is never counted.
#[derive(Debug)]
pub struct Window {
    /// First microsecond inside.
    start: AtomicU64,
    /// First microsecond after.
    end: AtomicU64,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            start: AtomicU64::new(u64::MAX),
            end: AtomicU64::new(u64::MAX),
        }
    }
}

impl Window {
    /// Opens the window at `start` for `len` microseconds.
    pub fn open(&self, start: u64, len: u64) {
        self.end.store(start + len, Ordering::SeqCst);
        self.start.store(start, Ordering::SeqCst);
    }

    /// True for a time inside the window.
    pub fn contains(&self, us: u64) -> bool {
        us >= self.start.load(Ordering::Relaxed) && us < self.end.load(Ordering::Relaxed)
    }

    /// Start of the window (`u64::MAX` while unset).
    pub fn start(&self) -> u64 {
        self.start.load(Ordering::Relaxed)
    }

    /// End of the window (`u64::MAX` while unset).
    pub fn end(&self) -> u64 {
        self.end.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Samples::default();
        for us in 1..=1000 {
            s.record(us * 1000);
        }
        let sum = s.summary();
        assert_eq!(sum.count, 1000);
        assert_eq!(sum.p50_ms, 500.0);
        assert_eq!(sum.p99_ms, 990.0);
        assert_eq!(sum.max_ms, 1000.0);
        assert_eq!(Samples::default().summary().p99_ms, 0.0);
    }

    #[test]
    fn window_counts_only_its_interval() {
        let w = Window::default();
        assert!(!w.contains(5));
        w.open(10, 5);
        assert!(!w.contains(9) && w.contains(10) && w.contains(14) && !w.contains(15));
    }
}
