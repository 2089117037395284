//! Lock-free metric primitives (counter, gauge, histogram) and their text rendering.

use std::fmt::{self, Write};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// A monotonically increasing count.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn inc(&self) {
        self.add(1);
    }

    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down.
#[derive(Debug, Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    /// Adds one.
    pub fn inc(&self) {
        self.add(1);
    }

    /// Subtracts one.
    pub fn dec(&self) {
        self.add(-1);
    }

    /// Adds `delta` (may be negative).
    pub fn add(&self, delta: i64) {
        self.0.fetch_add(delta, Ordering::Relaxed);
    }

    /// Replaces the value.
    pub fn set(&self, value: i64) {
        self.0.store(value, Ordering::Relaxed);
    }

    /// The current value.
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// How a histogram's integer observations are shown in the exposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Observations are microseconds, rendered as seconds (`250` → `0.00025`).
    Micros,
    /// Observations are plain numbers (sizes, counts), rendered as they are.
    Plain,
}

impl Scale {
    /// Writes `value` in this scale, exactly (no floating point).
    fn write(self, out: &mut String, value: u64) -> fmt::Result {
        match self {
            Scale::Plain => write!(out, "{value}"),
            Scale::Micros => {
                let (secs, micros) = (value / 1_000_000, value % 1_000_000);
                if micros == 0 {
                    return write!(out, "{secs}");
                }
                let frac = format!("{micros:06}");
                write!(out, "{secs}.{}", frac.trim_end_matches('0'))
            }
        }
    }
}

/// A histogram with fixed upper bounds (inclusive, like Prometheus `le`).
#[derive(Debug)]
pub struct Histogram {
    /// Sorted, distinct upper bounds, in observation units.
    bounds: Box<[u64]>,
    /// Non-cumulative count per bucket; the last one is `+Inf`.
    counts: Box<[AtomicU64]>,
    /// Sum of all observations, in observation units.
    sum: AtomicU64,
    /// How observations are rendered.
    scale: Scale,
}

impl Histogram {
    /// A histogram with the given upper bounds (sorted and deduplicated here).
    pub fn new(bounds: &[u64], scale: Scale) -> Self {
        let mut bounds = bounds.to_vec();
        bounds.sort_unstable();
        bounds.dedup();
        let counts = (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect();
        Self {
            bounds: bounds.into(),
            counts,
            sum: AtomicU64::new(0),
            scale,
        }
    }

    /// Records one observation (microseconds for [`Scale::Micros`]).
    pub fn observe(&self, value: u64) {
        let bucket = self.bounds.partition_point(|&bound| bound < value);
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(value, Ordering::Relaxed);
    }

    /// Records a duration in microseconds (for [`Scale::Micros`] histograms).
    pub fn observe_duration(&self, elapsed: Duration) {
        self.observe(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
    }

    /// Number of observations so far.
    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    /// Sum of observations so far, in observation units.
    pub fn sum(&self) -> u64 {
        self.sum.load(Ordering::Relaxed)
    }

    /// Writes the `_bucket`, `_sum` and `_count` lines. `_count` is the `+Inf`
    /// bucket of the same snapshot, so the two always agree.
    fn write_samples(&self, out: &mut String, name: &str) -> fmt::Result {
        let mut cumulative = 0u64;
        for (i, count) in self.counts.iter().enumerate() {
            cumulative += count.load(Ordering::Relaxed);
            write!(out, "{name}_bucket{{le=\"")?;
            match self.bounds.get(i) {
                Some(&bound) => self.scale.write(out, bound)?,
                None => out.push_str("+Inf"),
            }
            writeln!(out, "\"}} {cumulative}")?;
        }
        write!(out, "{name}_sum ")?;
        self.scale.write(out, self.sum())?;
        writeln!(out, "\n{name}_count {cumulative}")
    }
}

/// Writes the `# HELP` and `# TYPE` lines of a metric family.
pub(super) fn write_header(out: &mut String, name: &str, help: &str, kind: &str) -> fmt::Result {
    writeln!(out, "# HELP {name} {help}")?;
    writeln!(out, "# TYPE {name} {kind}")
}

/// Writes a counter family with one unlabelled sample.
pub(super) fn write_counter(out: &mut String, name: &str, help: &str, c: &Counter) -> fmt::Result {
    write_header(out, name, help, "counter")?;
    writeln!(out, "{name} {}", c.get())
}

/// Writes a gauge family; each sample is `(labels, gauge)`, labels like `role="agent"`.
pub(super) fn write_gauges(
    out: &mut String,
    name: &str,
    help: &str,
    samples: &[(&str, &Gauge)],
) -> fmt::Result {
    write_header(out, name, help, "gauge")?;
    for (labels, gauge) in samples {
        if labels.is_empty() {
            writeln!(out, "{name} {}", gauge.get())?;
        } else {
            writeln!(out, "{name}{{{labels}}} {}", gauge.get())?;
        }
    }
    Ok(())
}

/// Writes a histogram family.
pub(super) fn write_histogram(
    out: &mut String,
    name: &str,
    help: &str,
    h: &Histogram,
) -> fmt::Result {
    write_header(out, name, help, "histogram")?;
    h.write_samples(out, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scaled(scale: Scale, v: u64) -> String {
        let mut s = String::new();
        scale.write(&mut s, v).expect("write to String");
        s
    }

    #[test]
    fn micros_render_as_exact_seconds() {
        assert_eq!(scaled(Scale::Micros, 0), "0");
        assert_eq!(scaled(Scale::Micros, 250), "0.00025");
        assert_eq!(scaled(Scale::Micros, 2_500), "0.0025");
        assert_eq!(scaled(Scale::Micros, 1_000_000), "1");
        assert_eq!(scaled(Scale::Micros, 12_345_678), "12.345678");
        assert_eq!(scaled(Scale::Plain, 256), "256");
    }

    #[test]
    fn bounds_are_inclusive_and_overflow_goes_to_inf() {
        let h = Histogram::new(&[10, 1, 5, 5], Scale::Plain);
        for v in [0, 1, 2, 5, 10, 11, u64::MAX] {
            h.observe(v);
        }
        let per_bucket: Vec<u64> = h.counts.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        assert_eq!(&*h.bounds, &[1, 5, 10]);
        assert_eq!(per_bucket, [2, 2, 1, 2]);
        assert_eq!(h.count(), 7);
    }

    #[test]
    fn gauge_and_counter_basics() {
        let g = Gauge::default();
        g.inc();
        g.dec();
        g.dec();
        assert_eq!(g.get(), -1);
        g.set(42);
        g.add(-2);
        assert_eq!(g.get(), 40);
        let c = Counter::default();
        c.inc();
        c.add(9);
        assert_eq!(c.get(), 10);
    }
}
