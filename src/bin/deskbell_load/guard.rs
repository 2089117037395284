//! Safety rails: loopback-only targets, hard caps on counts and durations, the open-file
//! budget, and a watchdog that ends the process if a run overstays its time.

use std::net::SocketAddr;
use std::time::Duration;

/// Most WebSocket connections one run may open (the machine's open-file hard limit is
/// 20,000 per process).
pub const MAX_CONNECTIONS: usize = 19_500;
/// Longest measured phase (idle hold, throughput or latency run), in seconds.
pub const MAX_SECS: u64 = 120;
/// Highest offered rate for the latency scenario, in messages per second.
pub const MAX_RATE: u32 = 50_000;
/// Most agent connections.
pub const MAX_AGENTS: usize = 64;
/// Longest time allowed for opening connections and warming up.
pub const SETUP_SECS: u64 = 180;
/// File descriptors kept free for the HTTP probes, stdio and the executor.
const FD_RESERVE: u64 = 64;

/// Refuses any target that is not on this machine (127.0.0.0/8 or ::1).
pub fn check_target(addr: SocketAddr) -> Result<(), String> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(format!(
            "refusing {addr}: deskbell-load only talks to a server on loopback (127.0.0.0/8 or ::1)"
        ))
    }
}

/// Checks that `value` lies in `1..=max`.
pub fn check_range(name: &str, value: u64, max: u64) -> Result<(), String> {
    if (1..=max).contains(&value) {
        Ok(())
    } else {
        Err(format!("{name} must be between 1 and {max} (got {value})"))
    }
}

/// The soft limit on open files of this process, from `/proc/self/limits`.
pub fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Fails early (with the fix) when `connections` sockets will not fit under the limit.
pub fn check_fd_budget(connections: usize) -> Result<(), String> {
    let Some(limit) = open_file_limit() else {
        return Ok(());
    };
    let needed = connections as u64 + FD_RESERVE;
    if needed > limit {
        return Err(format!(
            "{connections} connections need about {needed} open files but the soft limit is \
             {limit}; raise it with `ulimit -n {needed}` (up to the hard limit, `ulimit -Hn`)"
        ));
    }
    Ok(())
}

/// Ends the process with status 3 if it is still running after `limit`.
pub fn watchdog(limit: Duration) {
    std::thread::Builder::new()
        .name("watchdog".into())
        .spawn(move || {
            std::thread::sleep(limit);
            eprintln!(
                "deskbell-load: watchdog: run exceeded its hard limit of {} s; exiting",
                limit.as_secs()
            );
            std::process::exit(3);
        })
        .map(drop)
        .unwrap_or_else(|e| eprintln!("deskbell-load: no watchdog thread: {e}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_pass() {
        for ok in ["127.0.0.1:8080", "127.3.2.1:1", "[::1]:80"] {
            assert!(check_target(ok.parse().expect("addr")).is_ok(), "{ok}");
        }
        for bad in ["10.0.0.1:8080", "0.0.0.0:8080", "[::]:80", "192.168.1.2:80"] {
            assert!(check_target(bad.parse().expect("addr")).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_are_inclusive_and_exclude_zero() {
        assert!(check_range("n", 0, 5).is_err());
        assert!(check_range("n", 5, 5).is_ok());
        assert!(check_range("n", 6, 5).is_err());
    }
}
