//! [`Progress`]: how far a long start-up step is, as log lines a shop owner watching
//! `journalctl` can read ("re-embedding FAQ entries for model 1a2b3c4d5e6f: 40/120"): at
//! most one line per interval, none for the last item (the closing line, with the time
//! taken, says it). Pure: the caller passes the clock's readings.

use std::time::{Duration, Instant};

/// Counts items done and says when a progress line is due.
#[derive(Debug, Clone)]
pub struct Progress {
    /// What is being done, e.g. "re-embedding FAQ entries for model 1a2b3c4d5e6f".
    what: String,
    /// Items in all.
    total: usize,
    /// Items done so far.
    done: usize,
    /// When the step began.
    started: Instant,
    /// When the last line was due (or the step began).
    last: Instant,
    /// Least time between two lines.
    every: Duration,
}

impl Progress {
    /// A step of `total` items that began at `now`, with a line at most every `every`.
    pub fn new(what: impl Into<String>, total: usize, now: Instant, every: Duration) -> Progress {
        Progress {
            what: what.into(),
            total,
            done: 0,
            started: now,
            last: now,
            every,
        }
    }

    /// One more item done at `now`; the line to log, when one is due.
    pub fn step(&mut self, now: Instant) -> Option<String> {
        self.done += 1;
        if self.done >= self.total || now.saturating_duration_since(self.last) < self.every {
            return None;
        }
        self.last = now;
        Some(format!("{}: {}/{}", self.what, self.done, self.total))
    }

    /// The closing line at `now`: how many items, and the time taken.
    pub fn finish(&self, now: Instant) -> String {
        let seconds = now.saturating_duration_since(self.started).as_secs_f64();
        format!(
            "{}: done, {}/{} in {seconds:.1} s",
            self.what, self.done, self.total
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_at_most_every_second_and_a_closing_line_with_the_time() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut p = Progress::new("re-embedding", 5, start, Duration::from_secs(1));
        assert_eq!(p.step(at(400)), None, "too soon");
        assert_eq!(p.step(at(1_100)), Some("re-embedding: 2/5".to_string()));
        assert_eq!(
            p.step(at(1_900)),
            None,
            "a second after the last line, not the start"
        );
        assert_eq!(p.step(at(2_200)), Some("re-embedding: 4/5".to_string()));
        assert_eq!(
            p.step(at(9_000)),
            None,
            "the last one: the closing line says it"
        );
        assert_eq!(p.finish(at(9_050)), "re-embedding: done, 5/5 in 9.1 s");
    }
}
