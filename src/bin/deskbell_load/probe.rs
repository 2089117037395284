//! What the load generator reads about the server (and itself) besides the chat
//! protocol: resident memory and CPU time from `/proc`, and the server's `/metrics`.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use super::http;

/// Kernel clock ticks per second for `/proc/<pid>/stat` times (USER_HZ: 100 on Linux).
const TICKS_PER_SEC: f64 = 100.0;

/// Resident set size of a process in KiB (`VmRSS` in `/proc/<pid>/status`).
pub fn rss_kib(pid: u32) -> Result<u64, String> {
    status_field(pid, "VmRSS:")
}

/// Peak resident set size in KiB (`VmHWM`).
pub fn peak_rss_kib(pid: u32) -> Result<u64, String> {
    status_field(pid, "VmHWM:")
}

/// Threads of a process (`Threads` in `/proc/<pid>/status`).
pub fn threads(pid: u32) -> Result<u64, String> {
    status_field(pid, "Threads:")
}

fn status_field(pid: u32, field: &str) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).map_err(|e| format!("reading {path}: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .ok_or_else(|| format!("no {field} in {path}"))
}

/// CPU seconds (user + system) a process has used so far; `None` for "this process".
pub fn cpu_secs(pid: Option<u32>) -> Option<f64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SEC)
}

/// Bytes a process has written (`wchar`: to files and sockets through write calls;
/// `write_bytes`: what it made the kernel send to storage), from `/proc/<pid>/io`.
pub fn io_written(pid: u32) -> Option<(f64, f64)> {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
    let field = |name: &str| -> Option<f64> {
        io.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
    };
    Some((field("wchar:")?, field("write_bytes:")?))
}

/// Total microseconds some task waited for `resource` (`cpu` or `io`), from
/// `/proc/pressure/<resource>` (pressure stall information).
pub fn stalled_us(resource: &str) -> Option<f64> {
    let text = std::fs::read_to_string(format!("/proc/pressure/{resource}")).ok()?;
    let some = text.lines().find(|l| l.starts_with("some "))?;
    some.split_whitespace()
        .find_map(|f| f.strip_prefix("total="))?
        .parse()
        .ok()
}

/// One scrape of `/metrics`: every sample line, keyed by name with labels.
#[derive(Debug, Clone, Default)]
pub struct Scrape(BTreeMap<String, f64>);

impl Scrape {
    /// Fetches and parses the server's metrics.
    pub fn fetch(addr: SocketAddr) -> Result<Scrape, String> {
        let (status, body) = http::request(addr, "GET", "/metrics", None, "")?;
        if status != 200 {
            return Err(format!("GET /metrics answered {status}"));
        }
        Ok(Scrape::parse(&body))
    }

    /// Parses Prometheus text format (comments skipped).
    pub fn parse(text: &str) -> Scrape {
        let samples = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (name, value) = l.rsplit_once(' ')?;
                Some((name.to_string(), value.parse().ok()?))
            })
            .collect();
        Scrape(samples)
    }

    /// A sample's value (0 when absent).
    pub fn get(&self, name: &str) -> f64 {
        self.0.get(name).copied().unwrap_or(0.0)
    }

    /// How a histogram changed between `self` (earlier) and `later`.
    pub fn histogram_delta(&self, later: &Scrape, name: &str) -> HistogramDelta {
        let prefix = format!("{name}_bucket{{le=\"");
        let buckets = later
            .0
            .iter()
            .filter_map(|(key, value)| {
                let bound = key.strip_prefix(&prefix)?.strip_suffix("\"}")?;
                Some((bound.to_string(), value - self.get(key)))
            })
            .collect();
        let sum_key = format!("{name}_sum");
        let count_key = format!("{name}_count");
        HistogramDelta {
            count: later.get(&count_key) - self.get(&count_key),
            sum: later.get(&sum_key) - self.get(&sum_key),
            cumulative: buckets,
        }
    }
}

/// The observations a histogram gained over an interval.
#[derive(Debug, Clone)]
pub struct HistogramDelta {
    /// Observations.
    pub count: f64,
    /// Their sum.
    pub sum: f64,
    /// Cumulative counts per upper bound (`le` label as written by the server).
    pub cumulative: Vec<(String, f64)>,
}

impl HistogramDelta {
    /// Mean observation (0 with none).
    pub fn mean(&self) -> f64 {
        if self.count > 0.0 {
            self.sum / self.count
        } else {
            0.0
        }
    }

    /// The smallest bucket bound holding at least `q` of the observations.
    pub fn quantile_bound(&self, q: f64) -> String {
        let mut buckets: Vec<(f64, &str, f64)> = self
            .cumulative
            .iter()
            .map(|(le, n)| {
                let bound = if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().unwrap_or(f64::INFINITY)
                };
                (bound, le.as_str(), *n)
            })
            .collect();
        buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        let wanted = q * self.count;
        buckets
            .iter()
            .find(|(_, _, n)| *n >= wanted && *n > 0.0)
            .map(|(_, le, _)| format!("<= {le}"))
            .unwrap_or_else(|| "-".to_string())
    }
}

/// The server's metrics and both processes' CPU time at one instant.
pub struct Snapshot {
    /// The server's metrics.
    scrape: Scrape,
    /// Server CPU seconds so far.
    server_cpu: Option<f64>,
    /// Server bytes written (write calls, to storage).
    server_io: Option<(f64, f64)>,
    /// Load generator CPU seconds so far.
    own_cpu: Option<f64>,
    /// Machine-wide CPU stall microseconds so far.
    cpu_stall: Option<f64>,
    /// Machine-wide I/O stall microseconds so far.
    io_stall: Option<f64>,
}

impl Snapshot {
    /// Takes a snapshot (`server_pid` is optional: without it, no server CPU figure).
    pub fn take(addr: SocketAddr, server_pid: Option<u32>) -> Result<Snapshot, String> {
        Ok(Snapshot {
            scrape: Scrape::fetch(addr)?,
            server_cpu: server_pid.and_then(|pid| cpu_secs(Some(pid))),
            server_io: server_pid.and_then(io_written),
            own_cpu: cpu_secs(None),
            cpu_stall: stalled_us("cpu"),
            io_stall: stalled_us("io"),
        })
    }

    /// Prints what the server did between `self` and `later`, `secs` apart: group
    /// commits (count, batch sizes, commit times) and CPU use of both processes.
    pub fn print_delta(&self, later: &Snapshot, secs: f64) {
        let batches = self
            .scrape
            .histogram_delta(&later.scrape, "deskbell_commit_batch_size");
        let commits = self
            .scrape
            .histogram_delta(&later.scrape, "deskbell_commit_seconds");
        let messages = later.scrape.get("deskbell_messages_total")
            - self.scrape.get("deskbell_messages_total");
        let rejected = later.scrape.get("deskbell_frames_rejected_total")
            - self.scrape.get("deskbell_frames_rejected_total");
        println!(
            "  server: {messages:.0} messages committed ({:.0}/s), {rejected:.0} frames rejected",
            messages / secs
        );
        println!(
            "  group commits: {:.0} ({:.1}/s); ops per commit mean {:.1}, p50 {}, p99 {}; \
             commit time mean {:.2} ms, p50 {} s, p99 {} s",
            batches.count,
            batches.count / secs,
            batches.mean(),
            batches.quantile_bound(0.5),
            batches.quantile_bound(0.99),
            commits.mean() * 1000.0,
            commits.quantile_bound(0.5),
            commits.quantile_bound(0.99),
        );
        let merges = self
            .scrape
            .histogram_delta(&later.scrape, "deskbell_index_merge_seconds");
        println!(
            "  merge steps of the recent parts: {:.0} ({:.1}/s); time mean {:.2} ms, p99 {} s",
            merges.count,
            merges.count / secs,
            merges.mean() * 1000.0,
            merges.quantile_bound(0.99),
        );
        let cores = |a: Option<f64>, b: Option<f64>| {
            a.zip(b)
                .map(|(a, b)| format!("{:.2} cores", (b - a) / secs))
                .unwrap_or_else(|| "? (no pid)".into())
        };
        if let (Some(a), Some(b)) = (self.server_io, later.server_io) {
            let per = |bytes: f64| bytes / messages.max(1.0) / 1024.0;
            println!(
                "  server I/O: {:.0} MB/s through write calls, {:.0} MB/s to storage; \
                 per message {:.1} KiB (storage {:.1} KiB)",
                (b.0 - a.0) / secs / 1e6,
                (b.1 - a.1) / secs / 1e6,
                per(b.0 - a.0),
                per(b.1 - a.1),
            );
        }
        println!(
            "  CPU: server {}, load generator {}",
            cores(self.server_cpu, later.server_cpu),
            cores(self.own_cpu, later.own_cpu)
        );
        let share = |a: Option<f64>, b: Option<f64>| {
            a.zip(b)
                .map(|(a, b)| format!("{:.0} %", (b - a) / secs / 1e4))
                .unwrap_or_else(|| "?".into())
        };
        println!(
            "  machine: some task waited for CPU {} and for I/O {} of the time \
             (pressure stall information; includes other work on the machine)",
            share(self.cpu_stall, later.cpu_stall),
            share(self.io_stall, later.io_stall)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EARLY: &str = "# TYPE x histogram\nx_bucket{le=\"1\"} 1\nx_bucket{le=\"4\"} 2\n\
                         x_bucket{le=\"+Inf\"} 2\nx_sum 5\nx_count 2\n";
    const LATE: &str = "x_bucket{le=\"1\"} 1\nx_bucket{le=\"4\"} 4\nx_bucket{le=\"+Inf\"} 12\n\
                        x_sum 105\nx_count 12\n";

    #[test]
    fn histogram_deltas_and_quantile_bounds() {
        let delta = Scrape::parse(EARLY).histogram_delta(&Scrape::parse(LATE), "x");
        assert_eq!(delta.count, 10.0);
        assert_eq!(delta.mean(), 10.0);
        assert_eq!(delta.quantile_bound(0.2), "<= 4");
        assert_eq!(delta.quantile_bound(0.9), "<= +Inf");
    }

    #[test]
    fn own_cpu_time_is_readable() {
        assert!(cpu_secs(None).is_some());
        assert!(rss_kib(std::process::id()).is_ok());
    }
}
